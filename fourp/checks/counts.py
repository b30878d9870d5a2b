"""`counts`: how many items there are, and what share of a whole they make.

Options:
  tests: list of
    {items, where, min, max, label}                  the count of matching items is within bounds
    {items, where, of, max_share, min_share, label}  matching items over the items `of` names
       (min_total: judge the share only when `of` names at least this many; default 1)
"""
from __future__ import annotations

from typing import Any, Iterator, List, NamedTuple, Optional, Tuple

from ..conditions import Condition, all_hold, compile_conditions
from ..context import Context, Problem
from ..paths import Pattern, compile_pattern
from ._common import CONDITIONS

SCHEMA = {
    "type": "object",
    "required": ["tests"],
    "properties": {
        "tests": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["items", "label"],
                "properties": {
                    "items": {"type": "string"},
                    "where": CONDITIONS,
                    "label": {"type": "string"},
                    "min": {"type": "integer", "minimum": 0},
                    "max": {"type": "integer", "minimum": 0},
                    "of": {"type": "string"},
                    "max_share": {"type": "number", "minimum": 0, "maximum": 1},
                    "min_share": {"type": "number", "minimum": 0, "maximum": 1},
                    "min_total": {"type": "integer", "minimum": 1},
                },
                "additionalProperties": False,
            },
        }
    },
    "additionalProperties": False,
}


class Test(NamedTuple):
    items: Pattern
    where: List[Condition]
    label: str
    low: Optional[int]
    high: Optional[int]
    of: Optional[Pattern]
    max_share: Optional[float]
    min_share: Optional[float]
    min_total: int


def prepare(options: dict) -> Tuple[Test, ...]:
    return tuple(
        Test(compile_pattern(t["items"]), compile_conditions(t.get("where", ())), t["label"],
             t.get("min"), t.get("max"), compile_pattern(t["of"]) if t.get("of") else None,
             t.get("max_share"), t.get("min_share"), t.get("min_total", 1))
        for t in options["tests"])



def check(ctx: Context, tests: Tuple[Test, ...]) -> Iterator[Problem]:
    for test in tests:
        n = sum(1 for path, item in ctx.select(test.items) if all_hold(test.where, ctx, item, path))
        where = test.items.anchor
        if test.of is None:
            if test.low is not None and n < test.low:
                yield Problem(where, f"{n} {test.label} (at least {test.low} expected)",
                              {"count": n, "min": test.low})
            if test.high is not None and n > test.high:
                yield Problem(where, f"{n} {test.label} (at most {test.high} allowed)",
                              {"count": n, "max": test.high})
            continue
        total = sum(1 for _ in ctx.select(test.of))
        if total < test.min_total:
            continue
        share = n / total
        values = {"count": n, "total": total, "share": round(share, 3)}
        if test.max_share is not None and share > test.max_share:
            yield Problem(where, f"{n} of {total} ({share:.0%}) {test.label} "
                          f"(at most {test.max_share:.0%} allowed)", values)
        if test.min_share is not None and share < test.min_share:
            yield Problem(where, f"{n} of {total} ({share:.0%}) {test.label} "
                          f"(at least {test.min_share:.0%} expected)", values)
