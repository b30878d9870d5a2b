"""`timestamps`: every entry carries a readable date and, where required, a time of day.

Options:
  entries: [source]        the items and the date field of each (see fourp.checks._common.SOURCE)
  require_time: bool       a date alone ("dated but not timed") is a problem (default true)
"""
from __future__ import annotations

from typing import Iterator, NamedTuple, Tuple

from ..context import Context, Problem, describe, present
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
                yield Problem(entry.path, f"{describe(entry.path)} has {entry.value!r}, which is not a date "
                              "and time", {"issue": "unreadable", "value": str(entry.value)})
            elif options.require_time and not moment.timed:
                yield Problem(entry.path, f"{describe(entry.path)} is dated {moment} but not timed",
                              {"issue": "untimed", "value": str(moment)})
