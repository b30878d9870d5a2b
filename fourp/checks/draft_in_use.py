"""`draft-in-use`: a plan in use is not left as a draft.

What it checks:
  A plan whose `status` is draft but which is in use: it records done actions, results or more than one
  log entry, or was opened more than `max_draft_days` before the as-of date. Every rule judges such a
  draft as the active plan it is (`fourp.pack.lifecycle`); this kind reports the status itself. Other plans
  pass.

Options:
  max_draft_days: int   a draft older than this is in use whatever it holds (default 60)

Example:
  check: draft-in-use
  options:
    max_draft_days: 60
  examples:
    - {expect: pass, plan: {status: draft, created: "2024-09-20T09:00"}}
    - {name: done actions, expect: fail,
       plan: {status: draft, created: "2024-09-01T09:00", pursue: {actions: [{status: done}]}}}
    - {name: eight months a draft, expect: fail, plan: {status: draft, created: "2024-01-20T09:00"}}
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from ..pack.context import Context, Problem
from ..pack.lifecycle import DEFAULT_DRAFT_DAYS, in_use_signs
from ..read.plan import as_mapping

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
