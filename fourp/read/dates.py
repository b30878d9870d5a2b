"""Reading the date and date-time forms the plan format allows into one comparable value."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple, Optional

__all__ = ["Moment", "parse_moment", "parse_date"]


class Moment(NamedTuple):
    """A point in local UK time, and whether the plan gave its time of day or only its date."""

    at: dt.datetime
    timed: bool

    @property
    def date(self) -> dt.date:
        return self.at.date()

    def __str__(self) -> str:  # the form officers read in feedback
        return self.at.strftime("%Y-%m-%d %H:%M") if self.timed else self.at.strftime("%Y-%m-%d")


_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DAY_FIRST = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)

@lru_cache(maxsize=None)
def _uk() -> dt.tzinfo:
    """UK time, loaded when a plan first gives a time with an offset (most give none: a check need not
    pay for the zone data). Zone data is absent on some minimal systems; UTC is then the nearest honest
    reading."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/London")
    except Exception:  # pragma: no cover - depends on the host
        return dt.timezone.utc


def _local(value: dt.datetime) -> Optional[dt.datetime]:
    """An aware date-time as naive UK local time, so it compares with the naive ones plans mostly hold;
    None when that time is outside the calendar Python can hold (9999-12-31T23:00-05:00 is in 10000)."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(_uk()).replace(tzinfo=None)
    except (OverflowError, ValueError):  # ValueError: a tzinfo of a caller's whose offset is a day or more
        return None


def _offset(text: str) -> Optional[dt.tzinfo]:
    """The zone of an offset such as `+01:00`, or None for one no place has (`+24:00`, `+05:75`)."""
    if text in ("Z", "z"):
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_moment(value: object) -> Optional[Moment]:
    """The Moment a plan value stands for, or None when it is not a date in any allowed form.

    YAML hands over `2024-03-05` and `2024-03-05 14:30:00` as date objects and `2024-03-05T14:30` as a
    string: all are read the same way.
    """
    kind = type(value)  # exact types first: rules read each of a plan's thousands of dates many times
    if kind is str:
        return _parse_text(value)
    if kind is dt.date:
        return _day(value)
    if isinstance(value, dt.datetime):
        local = _local(value)
        return Moment(local, True) if local is not None else None
    if isinstance(value, dt.date):
        return Moment(dt.datetime(value.year, value.month, value.day), False)
    if not isinstance(value, str):
        return None
    return _parse_text(value)


@lru_cache(maxsize=4096)  # several rules read each date of a plan; a Moment is immutable
def _day(value: dt.date) -> Moment:
    return Moment(dt.datetime(value.year, value.month, value.day), False)


@lru_cache(maxsize=4096)  # several rules read each date of a plan; a Moment is immutable
def _parse_text(value: str) -> Optional[Moment]:
    text = value.strip()
    match = _ISO.fullmatch(text)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
    else:
        match = _DAY_FIRST.fullmatch(text)
        if not match:
            return None
        day, month, year, hour, minute, second = match.groups()
        zone = None
    try:
        if hour is None:
            return Moment(dt.datetime(int(year), int(month), int(day)), False)
        stamp = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:  # 31/02/2024, 25:00
        return None
    if zone:
        tz = _offset(zone)
        local = _local(stamp.replace(tzinfo=tz)) if tz is not None else None
        if local is None:  # an impossible offset, or a time outside the calendar: not a date fourp can read
            return None
        stamp = local
    return Moment(stamp, True)


def parse_date(value: object) -> Optional[dt.date]:
    """The calendar date of a plan value, or None."""
    moment = parse_moment(value)
    return moment.date if moment else None
