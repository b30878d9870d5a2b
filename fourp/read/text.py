"""Reading a YAML or JSON plan: the loader in fourp.read.plan, which keeps each value's line and column."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .plan import DEFAULT_MAX_BYTES, Plan, load_plan

if TYPE_CHECKING:  # mappings never apply to a YAML or JSON plan: not loaded to read one
    from .mapping import Mapping

__all__ = ["read"]


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES, mappings: Sequence[Mapping] = ()) -> Plan:
    """A YAML or JSON plan (mappings are for Word and Excel templates and do not apply)."""
    return load_plan(path, max_bytes=max_bytes)
