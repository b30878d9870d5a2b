"""Reading a YAML or JSON plan: the loader in fourp.read.plan, which keeps each value's line and column."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from .plan import DEFAULT_MAX_BYTES, Plan, load_plan, plan_from_bytes

if TYPE_CHECKING:  # mappings never apply to a YAML or JSON plan: not loaded to read one
    from .mapping import Mapping

__all__ = ["read"]


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES, mappings: Sequence[Mapping] = (), *,
         data: Optional[bytes] = None) -> Plan:
    """A YAML or JSON plan (mappings are for Word and Excel templates and do not apply); from `data`, the
    file's bytes already read through the safe reader, when given."""
    if data is None:
        return load_plan(path, max_bytes=max_bytes)
    return plan_from_bytes(data, path, max_bytes)
