"""`cadence`: dated events recur often enough: no gap between them, or since the last, is too long.

What it checks:
  The events' dates (those on or before the as-of date), in order: no two consecutive ones are more than
  `max_gap_days` apart, nor (unless `until_as_of: false`) the last and the as-of date. With `start`, the
  first event must come within `max_gap_days` of that date too. No event at all is a finding.

Options:
  entries: [entry selector]  the events' dates (as in `timestamps`); `sources` is the old spelling
  max_gap_days: int          the longest allowed gap
  label: str                 what the events are ("LRO review")
  start: pattern             a date the first gap counts from (the plan's `created`), optional
  until_as_of: bool          the time since the last event counts as a gap too (default true)
  over_life: bool            the plan's life ends at its closure date when it is closed, not at the
                             as-of date (default false)

Example:
  check: cadence
  options:
    entries: [{items: /reviews/*, field: date}]
    max_gap_days: 90
    start: /created
    label: LRO review
  examples:
    - expect: pass
      plan: {created: "2024-03-01", reviews: [{date: "2024-05-01"}, {date: "2024-07-20"}, {date: "2024-09-10"}]}
    - name: a long gap
      expect: fail
      plan: {created: "2024-03-01", reviews: [{date: "2024-04-01"}, {date: "2024-09-10"}]}
    - {name: never reviewed, expect: fail, plan: {created: "2024-03-01"}}
"""
from __future__ import annotations

from typing import Iterator, List, NamedTuple, Optional, Tuple

from ..pack.context import Context, Problem, present
from ..pack.pointers import Path, Pattern, compile_pattern
from ..read.dates import Moment
from ._common import SOURCE, Source, sources

SCHEMA = {
    "type": "object",
    "required": ["entries", "max_gap_days", "label"],
    "properties": {
        "entries": {"type": "array", "items": SOURCE, "minItems": 1},
        "max_gap_days": {"type": "integer", "minimum": 1},
        "label": {"type": "string"},
        "start": {"type": "string"},
        "until_as_of": {"type": "boolean"},
        "over_life": {"type": "boolean"},
    },
    "additionalProperties": False,
}


class Options(NamedTuple):
    entries: Tuple[Source, ...]
    max_gap_days: int
    label: str
    start: Optional[Pattern]
    until_as_of: bool
    over_life: bool = False


def prepare(options: dict) -> Options:
    return Options(sources(options["entries"]), options["max_gap_days"], options["label"],
                   compile_pattern(options["start"]) if options.get("start") else None,
                   options.get("until_as_of", True), options.get("over_life", False))


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    until = ctx.until if options.over_life else ctx.as_of
    events: List[Tuple[Moment, Path]] = []
    unreadable = False
    for source in options.entries:
        for entry in source.entries(ctx):
            moment = ctx.moment(entry.value)
            if moment is None:
                unreadable = unreadable or present(entry.value)
            elif moment.date <= until:
                events.append((moment, entry.path))
    events.sort(key=lambda e: (e[0].at, e[1] and str(e[1])))
    limit = options.max_gap_days
    # A date fourp cannot read is plan-structure's to report, and nothing is concluded from it: the entry
    # may fill any gap, or be the first or the latest, so no gap is judged while one is there.
    if unreadable:
        return
    if not events:
        yield Problem((), f"no {options.label} is recorded", {"issue": "missing"})
        return
    if options.start is not None:
        start = next((ctx.moment(v) for _, v in ctx.select(options.start)), None)
        if start is not None and start.date <= events[0][0].date:
            gap = (events[0][0].date - start.date).days
            if gap > limit:
                yield Problem(events[0][1], f"the first {options.label} came {gap} days after the plan "
                              f"was opened on {start} (at most {limit} allowed)",
                              {"issue": "late-first", "gap": gap})
    for (before, _), (after, path) in zip(events, events[1:]):
        gap = (after.date - before.date).days
        if gap > limit:
            yield Problem(path, f"{gap} days passed between the {options.label}s of {before.date} and "
                          f"{after.date} (at most {limit} allowed)", {"issue": "gap", "gap": gap})
    if options.until_as_of:
        last, path = events[-1]
        gap = (until - last.date).days
        when = f"{until}" if until == ctx.as_of else f"{until}, when the plan closed"
        if gap > limit:
            yield Problem(path, f"the last {options.label} was on {last.date}, {gap} days before "
                          f"{when} (at most {limit} allowed)", {"issue": "stale", "gap": gap})
