"""`date-order`: one date is not after another (the plan before its operation, results after actions).

What it checks:
  For each pair, the `earlier` date is on or before the `later` one (strictly before with `strict`).
  With `items`, the pair is compared within each item, its patterns relative to the item. `@as_of`
  stands for the as-of date: `later: "@as_of"` finds dates in the future. A side that is missing or
  unreadable passes, unless it is listed in `require`.

Options:
  pairs: list of
    earlier, later: pattern  the two dates (relative to each item when `items` is given), or `@as_of`
    items: pattern           compare within each of these items
    where: [condition]       only the items (or, without `items`, the plan) these hold for
    require: [earlier|later] a missing side is a finding, not a pass (default: none)
    strict: bool             equal dates are a finding too (default false)
    by: date|time            compare calendar days, or the full date and time (default date)
    label: str               how to name the pair in feedback
    names: {earlier, later}  how to name each date in feedback (default: from its path)

Example:
  check: date-order
  options:
    pairs:
      - {items: "@actions", earlier: raised, later: result/at, label: result before its action}
  examples:
    - {expect: pass, plan: {pursue: {actions: [{raised: "2024-03-01", result: {at: "2024-04-02T10:00"}}]}}}
    - name: result first
      expect: fail
      plan: {pursue: {actions: [{raised: "2024-03-01", result: {at: "2024-02-02T10:00"}}]}}
    - {name: no result yet, expect: pass, plan: {pursue: {actions: [{raised: "2024-03-01"}]}}}
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, List, NamedTuple, Optional, Tuple

from ..pack.conditions import Condition, all_hold, compile_conditions
from ..pack.context import Context, Problem, describe, present
from ..pack.pointers import MISSING, Path, Pattern, compile_pattern
from ..read.dates import Moment
from ._common import CONDITIONS

AS_OF = "@as_of"
SCHEMA = {
    "type": "object",
    "required": ["pairs"],
    "properties": {
        "pairs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["earlier", "later"],
                "properties": {
                    "earlier": {"type": "string"},
                    "later": {"type": "string"},
                    "items": {"type": "string"},
                    "where": CONDITIONS,
                    "require": {"type": "array", "items": {"enum": ["earlier", "later"]}},
                    "strict": {"type": "boolean"},
                    "by": {"enum": ["date", "time"]},
                    "label": {"type": "string"},
                    "names": {"type": "object", "additionalProperties": False,
                              "properties": {"earlier": {"type": "string"}, "later": {"type": "string"}}},
                },
                "additionalProperties": False,
            },
        }
    },
    "additionalProperties": False,
}


class Pair(NamedTuple):
    earlier: Optional[Pattern]  # None is the as-of date
    later: Optional[Pattern]
    items: Optional[Pattern]
    where: List[Condition]
    require: frozenset
    strict: bool
    by_time: bool
    label: Optional[str]
    names: dict


def _side(text: str) -> Optional[Pattern]:
    return None if text == AS_OF else compile_pattern(text)


def prepare(options: dict) -> Tuple[Pair, ...]:
    return tuple(
        Pair(_side(p["earlier"]), _side(p["later"]),
             compile_pattern(p["items"]) if p.get("items") else None,
             compile_conditions(p.get("where", ())), frozenset(p.get("require", ())),
             p.get("strict", False), p.get("by", "date") == "time", p.get("label"), p.get("names") or {})
        for p in options["pairs"])


def _values(ctx: Context, pattern: Optional[Pattern], item: Any, base: Path) -> List[Tuple[Path, Any]]:
    if pattern is None:
        return [((), AS_OF)]
    found = list(ctx.select(pattern, item, base))
    if not found and pattern.literal:
        root = () if pattern.absolute or item is MISSING else base
        return [(root + pattern.segments, MISSING)]
    return found


def _moment(ctx: Context, value: Any) -> Optional[Moment]:
    if value is AS_OF:
        from datetime import datetime
        return Moment(datetime(ctx.as_of.year, ctx.as_of.month, ctx.as_of.day, 23, 59, 59), False)
    return ctx.moment(value)


def _name(pair: Pair, side: str, path: Path, value: Any) -> str:
    return "the as-of date" if value is AS_OF else pair.names.get(side) or describe(path)


def check(ctx: Context, pairs: Tuple[Pair, ...]) -> Iterator[Problem]:
    for pair in pairs:
        scopes: List[Tuple[Path, Any]] = [((), MISSING)]
        if pair.items is not None:
            scopes = [(p, v) for p, v in ctx.select(pair.items) if all_hold(pair.where, ctx, v, p)]
        elif pair.where and not all_hold(pair.where, ctx):
            continue
        for base, item in scopes:
            for epath, evalue in _values(ctx, pair.earlier, item, base):
                for lpath, lvalue in _values(ctx, pair.later, item, base):
                    yield from _compare(ctx, pair, epath, evalue, lpath, lvalue)


def _compare(ctx: Context, pair: Pair, epath: Path, evalue: Any, lpath: Path, lvalue: Any
             ) -> Iterator[Problem]:
    for side, path, value in (("earlier", epath, evalue), ("later", lpath, lvalue)):
        if value is not AS_OF and not present(value):
            if side in pair.require:
                yield Problem(path, f"{_name(pair, side, path, value)} is not recorded", {"issue": "missing"})
            return
    early, late = _moment(ctx, evalue), _moment(ctx, lvalue)
    if early is None or late is None:
        return  # unreadable dates are the structure rule's and the timestamps rule's to report
    a: dt.date = early.at if pair.by_time else early.date  # a datetime is a date: both compare alike
    b: dt.date = late.at if pair.by_time else late.date
    if a > b or (pair.strict and a == b):
        what = f"{pair.label}: " if pair.label else ""
        if lvalue is AS_OF:
            text = f"{what}{_name(pair, 'earlier', epath, evalue)} ({early}) is after the as-of date {ctx.as_of}"
        else:
            shown_e = "the as-of date" if evalue is AS_OF else f"{_name(pair, 'earlier', epath, evalue)} ({early})"
            order = "not after" if a == b else "before"
            text = f"{what}{_name(pair, 'later', lpath, lvalue)} ({late}) is {order} {shown_e}"
        yield Problem(lpath if lvalue is not AS_OF else epath, text,
                      {"earlier": str(early) if evalue is not AS_OF else str(ctx.as_of),
                       "later": str(late) if lvalue is not AS_OF else str(ctx.as_of)})
