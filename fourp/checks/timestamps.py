"""`timestamps`: every entry carries a date and, where required, a time of day.

What it checks:
  Each entry the `entries` name has a date (2024-03-05T14:30, 05/03/2024 14:30, ...) and, unless
  `require_time: false`, a time of day too. An entry with no date, or a date alone ("dated but not
  timed"), is one finding each. A value that is not a date at all is the plan-structure rule's to report,
  once: this kind says nothing of it.

Options:
  entries: [entry selector]  the items and the date field of each: `{items: pattern, field: pattern,
                             where: [condition], label: str}`, or a pattern naming the dates themselves
  require_time: bool         a date without a time of day is a finding (default true)

Example:
  check: timestamps
  options:
    entries: [{items: /log/*, field: at}]
  examples:
    - {expect: pass, plan: {log: [{at: "2024-03-05T14:30", text: Warrant executed at the Fore Street flat}]}}
    - {name: dated but not timed, expect: fail, plan: {log: [{at: "2024-03-05", text: Warrant executed}]}}
    - {name: no date, expect: fail, plan: {log: [{text: Warrant executed at the Fore Street flat}]}}
"""
from __future__ import annotations

from typing import Iterator, NamedTuple, Tuple

from ..pack.context import Context, Problem, describe, present
from ._common import SOURCE, Source, sources

SCHEMA = {
    "type": "object",
    "required": ["entries"],
    "properties": {"entries": {"type": "array", "items": SOURCE, "minItems": 1},
                   "require_time": {"type": "boolean"}},
    "additionalProperties": False,
}


class Options(NamedTuple):
    entries: Tuple[Source, ...]
    require_time: bool


def prepare(options: dict) -> Options:
    return Options(sources(options["entries"]), options.get("require_time", True))


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    for source in options.entries:
        for entry in source.entries(ctx):
            if not present(entry.value):
                yield Problem(entry.path, f"{describe(entry.path)} has no date or time", {"issue": "missing"})
                continue
            moment = ctx.moment(entry.value)
            if moment is None:
                continue  # not a date at all: the plan-structure rule reports it, once
            if options.require_time and not moment.timed:
                yield Problem(entry.path, f"{describe(entry.path)} is dated {moment} but not timed",
                              {"issue": "untimed", "value": str(moment)})
