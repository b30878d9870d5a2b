"""Pieces the check kinds share: the schema of an entry selector, and walking the entries it names."""
from __future__ import annotations

from typing import Any, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from ..pack.conditions import Condition, all_hold, compile_conditions
from ..pack.context import Context
from ..pack.pointers import MISSING, Path, Pattern, compile_pattern

CONDITIONS = {"type": "array", "items": {"$ref": "#/$defs/condition"}}

#: `{items: /log/*, field: at, where: [...], label: log entry}`, or just a pattern string naming values.
SOURCE = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {"type": "string"},
                "field": {"type": "string"},
                "where": CONDITIONS,
                "label": {"type": "string"},
            },
            "additionalProperties": False,
        },
    ]
}


class Entry(NamedTuple):
    item_path: Path
    item: Any
    path: Path  # of the field; equal to item_path when the source names values directly
    value: Any  # MISSING when the item lacks the field


class Source:
    """A compiled SOURCE: the items a pattern names, filtered by conditions, and one field of each."""

    def __init__(self, spec: Any) -> None:
        if isinstance(spec, str):
            spec = {"items": spec}
        self.items: Pattern = compile_pattern(spec["items"])
        self.field: Optional[Pattern] = compile_pattern(spec["field"]) if spec.get("field") else None
        self.where: List[Condition] = compile_conditions(spec.get("where", ()))
        self.label: Optional[str] = spec.get("label")

    def entries(self, ctx: Context) -> Iterator[Entry]:
        for item_path, item in ctx.select(self.items):
            if self.where and not all_hold(self.where, ctx, item, item_path):
                continue
            if self.field is None:
                yield Entry(item_path, item, item_path, item)
                continue
            found = False
            for path, value in ctx.select(self.field, item, item_path):
                found = True
                yield Entry(item_path, item, path, value)
            if not found:
                yield Entry(item_path, item, item_path + self.field.segments if self.field.literal
                            else item_path, MISSING)


def sources(specs: Sequence[Any]) -> Tuple[Source, ...]:
    return tuple(Source(spec) for spec in specs)
