"""`recency`: the latest of some dates is recent enough at the as-of date, and no deadline has passed.

What it checks:
  The latest date among the `entries` (dates after the as-of date are ignored) is at most `max_days`
  before the as-of date. With no date at all the rule fails, unless `missing: pass`. Each date named by
  `deadlines` (a `next_review`) must not be before the as-of date.

Options:
  entries: [entry selector]  the dates to take the latest of (as in `timestamps`); `sources` is the old
                             spelling
  max_days: int              the latest may be at most this many days before the as-of date
  label: str                 what the dates are, in feedback ("threat assessment")
  deadlines: [pattern]       dates that must not have passed
  missing: fail|pass         when there is no date at all (default fail)

Example:
  check: recency
  options:
    entries: [/threat/assessment/assessed]
    max_days: 365
    deadlines: [/threat/assessment/next_review]
    label: threat assessment
  examples:
    - {expect: pass, plan: {threat: {assessment: {assessed: "2024-02-01", next_review: "2025-02-01"}}}}
    - {name: stale, expect: fail, plan: {threat: {assessment: {assessed: "2023-06-01"}}}}
    - name: review overdue
      expect: fail
      plan: {threat: {assessment: {assessed: "2024-02-01", next_review: "2024-08-01"}}}
    - {name: never assessed, expect: fail, plan: {threat: {}}}
"""
from __future__ import annotations

from typing import Iterator, NamedTuple, Optional, Tuple

from ..context import Context, Problem, describe
from ..dates import Moment
from ..paths import Path, Pattern, compile_pattern
from ._common import SOURCE, Source, sources

SCHEMA = {
    "type": "object",
    "required": ["entries", "max_days", "label"],
    "properties": {
        "entries": {"type": "array", "items": SOURCE, "minItems": 1},
        "max_days": {"type": "integer", "minimum": 0},
        "label": {"type": "string"},
        "deadlines": {"type": "array", "items": {"type": "string"}},
        "missing": {"enum": ["fail", "pass"]},
    },
    "additionalProperties": False,
}


class Options(NamedTuple):
    entries: Tuple[Source, ...]
    max_days: int
    label: str
    deadlines: Tuple[Pattern, ...]
    missing_fails: bool


def prepare(options: dict) -> Options:
    return Options(sources(options["entries"]), options["max_days"], options["label"],
                   tuple(compile_pattern(p) for p in options.get("deadlines", ())),
                   options.get("missing", "fail") == "fail")


def latest(ctx: Context, srcs: Tuple[Source, ...]) -> Tuple[Optional[Moment], Path]:
    best: Optional[Moment] = None
    where: Path = ()
    for source in srcs:
        for entry in source.entries(ctx):
            moment = ctx.moment(entry.value)
            if moment is not None and moment.date <= ctx.as_of and (best is None or moment.at > best.at):
                best, where = moment, entry.path
    return best, where


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    best, where = latest(ctx, options.entries)
    if best is None:
        if options.missing_fails:
            yield Problem(where, f"no {options.label} is recorded", {"issue": "missing"})
    else:
        age = ctx.days_before_as_of(best)
        if age > options.max_days:
            yield Problem(where, f"the latest {options.label} is from {best}, {age} days before "
                          f"{ctx.as_of} (at most {options.max_days} allowed)",
                          {"issue": "stale", "latest": str(best), "age": age})
    for pattern in options.deadlines:
        for path, value in ctx.select(pattern):
            moment = ctx.moment(value)
            if moment is not None and moment.date < ctx.as_of:
                yield Problem(path, f"{describe(path)} was due on {moment} and has passed",
                              {"issue": "deadline", "deadline": str(moment)})
