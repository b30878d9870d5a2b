"""Writing a plan as YAML or JSON, the plan format's own text forms."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml

__all__ = ["render"]


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not plan data")


def render(data: Any, fmt: str, mapping: Any = None) -> bytes:
    if fmt == "json":
        return (json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n").encode("utf-8")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110).encode("utf-8")
