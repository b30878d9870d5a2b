"""Example plans moved in time: the examples are judged as at 30 September 2024, but a hook or an editor
judges a plan as at today, so tests that cannot pass --as-of shift every date in a plan by the same days."""
from __future__ import annotations

import datetime as dt
import re

from conftest import AS_OF

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")  # also before a T and the time
_DAY_FIRST = re.compile(r"(?<!\d)(\d{2})/(\d{2})/(\d{4})(?!\d)")


def as_of_today(text: str, today: dt.date = None) -> str:
    """The plan's text with each date moved as far as today is from the examples' as-of date."""
    shift = (today or dt.date.today()) - AS_OF

    def iso(match: "re.Match[str]") -> str:
        return (dt.date(*map(int, match.groups())) + shift).isoformat()

    def day_first(match: "re.Match[str]") -> str:
        day, month, year = map(int, match.groups())
        return (dt.date(year, month, day) + shift).strftime("%d/%m/%Y")

    return _DAY_FIRST.sub(day_first, _ISO.sub(iso, text))
