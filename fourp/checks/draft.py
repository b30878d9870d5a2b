"""`draft-in-use`: a plan in use is not left as a draft.

Options:
  max_draft_days: int   a draft older than this is in use whatever it holds (default 60)

A draft is in use when it records done actions, results or operational log entries, or is older than
`max_draft_days`; every rule then judges it as the active plan it is (`fourp.lifecycle`), and this
check reports the status itself.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from ..context import Context, Problem
from ..lifecycle import DEFAULT_DRAFT_DAYS, in_use_signs
from ._common import as_mapping

SCHEMA = {"type": "object", "properties": {"max_draft_days": {"type": "integer", "minimum": 0}},
          "additionalProperties": False}


class Options(NamedTuple):
    max_draft_days: int


def prepare(options: dict) -> Options:
    return Options(options.get("max_draft_days", DEFAULT_DRAFT_DAYS))


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    if ctx.life is None or ctx.life.written != "draft":
        return
    signs = in_use_signs(as_mapping(ctx.data), ctx.as_of, options.max_draft_days)
    if signs:
        yield Problem(("status",), "the plan is still a draft but is in use: " + "; ".join(signs),
                      {"signs": list(signs)})
