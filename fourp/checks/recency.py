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
  over_life: bool            judge at the end of the plan's life (a closed plan's closure date) instead
                             of the as-of date (default false)

A passed deadline and a latest date too old are one fact (the assessment is out of date): the deadline,
which the plan set itself, is reported and the age is not. A date fourp cannot read is the plan-structure
rule's to report; when the only dates there are cannot be read, nothing is concluded from them.

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

import datetime as dt
from typing import Iterator, NamedTuple, Optional, Tuple

from ..pack.context import Context, Problem, describe, present
from ..pack.pointers import Path, Pattern, compile_pattern
from ..read.dates import Moment
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
        "over_life": {"type": "boolean"},
    },
    "additionalProperties": False,
}


class Options(NamedTuple):
    entries: Tuple[Source, ...]
    max_days: int
    label: str
    deadlines: Tuple[Pattern, ...]
    missing_fails: bool
    over_life: bool = False


def prepare(options: dict) -> Options:
    return Options(sources(options["entries"]), options["max_days"], options["label"],
                   tuple(compile_pattern(p) for p in options.get("deadlines", ())),
                   options.get("missing", "fail") == "fail", options.get("over_life", False))


def latest(ctx: Context, srcs: Tuple[Source, ...], until: Optional[dt.date] = None
           ) -> Tuple[Optional[Moment], Path, bool]:
    """The latest readable date on or before `until` (default the as-of date), where it is, and whether
    any date was present but unreadable."""
    until = until or ctx.as_of
    best: Optional[Moment] = None
    where: Path = ()
    unreadable = False
    for source in srcs:
        for entry in source.entries(ctx):
            moment = ctx.moment(entry.value)
            if moment is None:
                unreadable = unreadable or present(entry.value)
            elif moment.date <= until and (best is None or moment.at > best.at):
                best, where = moment, entry.path
    return best, where, unreadable


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    until = ctx.until if options.over_life else ctx.as_of
    when = f"{until}" if until == ctx.as_of else f"{until}, when the plan closed"
    passed = []
    for pattern in options.deadlines:
        for path, value in ctx.select(pattern):
            moment = ctx.moment(value)
            if moment is not None and moment.date < until:
                passed.append(Problem(path, f"{describe(path)} was due on {moment} and had passed by {when}"
                                      if until != ctx.as_of else f"{describe(path)} was due on {moment} and "
                                      "has passed", {"issue": "deadline", "deadline": str(moment)}))
    # An entry whose date cannot be read may be the recent one: plan-structure reports it, and this check
    # then says nothing about how recent the latest is.
    best, where, unreadable = latest(ctx, options.entries, until)
    if best is None:
        if options.missing_fails and not unreadable:
            yield Problem(where, f"no {options.label} is recorded", {"issue": "missing"})
    elif not passed and not unreadable:
        age = (until - best.date).days
        if age > options.max_days:
            yield Problem(where, f"the latest {options.label} is from {best}, {age} days before "
                          f"{when} (at most {options.max_days} allowed)",
                          {"issue": "stale", "latest": str(best), "age": age})
    yield from passed
