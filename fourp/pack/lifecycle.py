"""A plan's life as the rules judge it: the status it is really in, and the date its life is judged to."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple, Optional, Tuple

from ..read.dates import parse_moment
from ..read.plan import as_mapping
from ..report import PS

__all__ = ["Life", "life_of", "DEFAULT_DRAFT_DAYS", "in_use_signs"]

#: A draft older than this is in use whatever it holds (the `draft-in-use` rule's parameter overrides it).
DEFAULT_DRAFT_DAYS = 60


class Life(NamedTuple):
    """`status` is the status the rules judge the plan in (a draft in use is `active`); `until` the date
    its keeping is judged to: a closed plan's closure date, otherwise the as-of date. `written` is the
    status the file records."""

    status: Optional[str]
    until: dt.date
    written: Optional[str]
    in_use: Tuple[str, ...] = ()


def _norm(value: Any) -> Optional[str]:
    return value.strip().lower() or None if isinstance(value, str) else None


def in_use_signs(data: Mapping[str, Any], as_of: dt.date, max_draft_days: int) -> Tuple[str, ...]:
    """What shows a plan is being used to run an operation: done actions, results, operational log
    entries (more than the entry that opened it), or its age."""
    signs = []
    actions = [a for p in PS for a in (as_mapping(data.get(p)).get("actions") or ())
               if isinstance(as_mapping(data.get(p)).get("actions"), list) and isinstance(a, Mapping)]
    done = sum(1 for a in actions if _norm(a.get("status")) == "done")
    results = sum(1 for a in actions if isinstance(a.get("result"), Mapping) and a["result"].get("text"))
    if done:
        signs.append(f"{done} action{'s are' if done != 1 else ' is'} done")
    if results:
        signs.append(f"{results} result{'s are' if results != 1 else ' is'} recorded")
    log = data.get("log")
    if isinstance(log, list) and len(log) > 1:
        signs.append(f"the log holds {len(log)} entries")
    created = parse_moment(data.get("created"))
    if created is not None and (as_of - created.date).days > max_draft_days:
        signs.append(f"it was opened on {created.date}, {(as_of - created.date).days} days ago "
                     f"(a draft may last {max_draft_days})")
    return tuple(signs)


def life_of(data: Any, as_of: dt.date, max_draft_days: int = DEFAULT_DRAFT_DAYS) -> Life:
    """The plan's life: a closed plan is judged over created..closure.closed (or the as-of date when the
    closure date is missing, unreadable or later), a draft in use as an active plan."""
    fields = as_mapping(data)
    written = _norm(fields.get("status"))
    status, until = written, as_of
    signs: Tuple[str, ...] = ()
    if written == "closed":
        closed = parse_moment(as_mapping(fields.get("closure")).get("closed"))
        if closed is not None and closed.date <= as_of:
            until = closed.date
    elif written == "draft":
        signs = in_use_signs(fields, as_of, max_draft_days)
        if signs:
            status = "active"
    return Life(status, until, written, signs)

