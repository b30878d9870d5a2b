"""`counts`: how many items there are, and what share of a whole they make.

What it checks:
  Each test counts the items its pattern names (those its `where` conditions hold for). With `min` or
  `max`, the count must be within them. With `of`, the count is divided by the number of items `of`
  names, and that share must be within `min_share` and `max_share`; the share is judged only when `of`
  names at least `min_total` items. Each test out of bounds is one finding.

Options:
  tests: list of
    items: pattern           the items counted
    where: [condition]       only the items these hold for
    min, max: int            bounds on the count
    of: pattern              the whole to take a share of
    min_share, max_share     bounds on the share, from 0 to 1
    min_total: int           judge the share only when `of` names this many (default 1)
    label: str               what is counted, in feedback

Example:
  check: counts
  options:
    tests:
      - {items: /prevent/actions/*, min: 1, label: Prevent actions}
      - {items: /pursue/actions/*, of: "@actions", max_share: 0.75, min_total: 4,
         label: "of the plan's actions are Pursue actions"}
  examples:
    - {expect: pass, plan: {pursue: {actions: [{}, {}]}, prevent: {actions: [{}]}, protect: {actions: [{}]}}}
    - {name: no Prevent action, expect: fail, plan: {pursue: {actions: [{}]}}}
    - {name: all Pursue, expect: fail, plan: {pursue: {actions: [{}, {}, {}, {}]}, prevent: {actions: [{}]}}}
"""
from __future__ import annotations

from typing import Iterator, List, NamedTuple, Optional, Tuple

from ..pack.conditions import Condition, compile_conditions, judge_all
from ..pack.context import Context, Problem
from ..pack.pointers import Pattern, compile_pattern
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
        verdicts = [judge_all(test.where, ctx, item, path) for path, item in ctx.select(test.items)]
        # An item whose verdict turns on an unreadable date might count or not: a problem only if it is
        # one either way.
        n, maybe = verdicts.count(True), verdicts.count(None)
        where = test.items.anchor
        if test.of is None:
            if test.low is not None and n + maybe < test.low:
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
        if test.min_share is not None and (n + maybe) / total < test.min_share:
            yield Problem(where, f"{n} of {total} ({share:.0%}) {test.label} "
                          f"(at least {test.min_share:.0%} expected)", values)
