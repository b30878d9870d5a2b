"""A cell's content as the plan field it fills: text, numbers, lists and dates as officers type them."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

from .dates import parse_moment

__all__ = ["officer_moment", "combine", "field_kind", "convert", "as_text"]

_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), start=1) for name in names}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_WORDED_DATE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\.?,?\s+(\d{4}|\d{2})\b")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2})(?:[:.](\d{2}))?|(\d{2}))\s*(?:hrs|hours|hr|h)?$")
_FILLER = re.compile(r"\b(?:at|on|hrs)\b|[,@]")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _find_date(text: str) -> Tuple[Optional[dt.date], str]:
    """The date in a text and what is left of the text around it."""
    for pattern, order in ((_ISO_DATE, "ymd"), (_NUMERIC_DATE, "dmy"), (_WORDED_DATE, "dMy")):
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups()))
        month = _MONTHS.get(parts["M"]) if "M" in parts else int(parts["m"])
        if month is None:
            continue
        try:
            day = dt.date(_year(parts["y"]), month, int(parts["d"]))
        except ValueError:
            return None, text
        return day, text[:match.start()] + " " + text[match.end():]
    return None, text


def _parse_time(text: str) -> Optional[dt.time]:
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, second, packed = match.groups()
    if packed is not None:  # 1430hrs, or 1430 beside a date: the 24-hour clock without a colon
        minute = packed
    try:
        return dt.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def officer_moment(text: str) -> Optional[str]:
    """A date or date-time typed in a document ("5 March 2024 14:30", "14:30 05/03/2024", "05/03/2024
    1430hrs") as ISO text (2024-03-05T14:30, or 2024-03-05 for a date alone); None if it is not one.

    Day first, as UK officers write; a time alone ("1430hrs") is not a date and stays None.
    """
    lowered = " ".join(text.lower().split())
    day, rest = _find_date(lowered)
    if day is None:
        return None
    rest = " ".join(w for w in _FILLER.sub(" ", rest).split() if w not in _WEEKDAYS)
    if not rest:
        return day.isoformat()
    time = _parse_time(rest)
    if time is None:
        return None
    moment = dt.datetime.combine(day, time)
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if time.second else "%Y-%m-%dT%H:%M")


def combine(date: Any, time: Any) -> Any:
    """A date column and a time column ("05/03/2024", "1430hrs") as one value."""
    if date in (None, ""):
        return time
    if time in (None, ""):
        return date
    if isinstance(date, dt.datetime):
        date = date.date()
    if isinstance(time, dt.datetime):
        time = time.time()
    if isinstance(date, dt.date) and isinstance(time, dt.time):
        return dt.datetime.combine(date, time)
    date_text = date.isoformat() if isinstance(date, dt.date) else str(date)
    time_text = time.strftime("%H:%M") if isinstance(time, dt.time) else str(time)
    return f"{date_text} {time_text}"


# -- what the plan schema says a field holds ---------------------------------------------------------------

@lru_cache(maxsize=None)
def _schema() -> Dict[str, Any]:
    from ..schemas import schema

    return schema("plan")


def _resolve(node: Dict[str, Any]) -> Dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _schema()["$defs"][ref[len("#/$defs/"):]]
    return node


@lru_cache(maxsize=1024)
def field_kind(path: Tuple[Any, ...]) -> str:
    """What the plan format says the value at `path` is: "date", "datetime", "number", "integer", "list"
    (of text), "text", or "any" for a field the format does not define."""
    node: Optional[Dict[str, Any]] = _resolve(_schema())
    for key in path:
        if node is None:
            return "any"
        if isinstance(key, int):
            node = _resolve(node.get("items", {})) if node.get("type") == "array" else None
        else:
            child = node.get("properties", {}).get(key)
            node = _resolve(child) if child is not None else None
    if node is None:
        return "any"
    fmt = node.get("format")
    if fmt == "fourp-date":
        return "date"
    if fmt == "fourp-datetime":
        return "datetime"
    kind = node.get("type")
    if kind in ("number", "integer"):
        return kind
    if kind == "array":
        return "list"
    return "text"


def as_text(value: Any) -> str:
    """A cell's value as the text an officer sees: 12.0 as 12, a date as 2024-03-05."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def convert(value: Any, kind: str, date_only: bool = False) -> Any:
    """A cell's value (text, number or a native date) as the field of `kind` holds it.

    Text that cannot be read as the field's kind is kept as written, so the plan-structure rule reports
    it with its place, as it does for a YAML plan.
    """
    if kind in ("date", "datetime"):
        if isinstance(value, dt.datetime):
            # A date cell with no time of day is a date, unless the field wants a time and the cell is timed.
            return value.date() if kind == "date" or (date_only and value.time() == dt.time()) else value
        if isinstance(value, dt.date):
            return value
        text = as_text(value)
        if parse_moment(text) is not None:
            return text  # already a form the plan format reads: kept as written
        return officer_moment(text) or text
    if kind in ("number", "integer"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value) if isinstance(value, float) and value.is_integer() and kind == "integer" else value
        text = as_text(value)
        if _NUMBER.fullmatch(text):
            number = float(text)
            return int(text) if text.lstrip("+-").isdigit() else number
        return text
    if kind == "list":
        if isinstance(value, (list, tuple)):
            return [as_text(v) for v in value if as_text(v)]
        text = as_text(value)
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if len(lines) == 1:  # "drugs, firearms" typed on one line
            lines = [part.strip() for part in re.split(r"[;,]", lines[0]) if part.strip()]
        return lines
    if isinstance(value, (int, float)) and not isinstance(value, bool) and kind == "any":
        return value  # a number in a field the format does not define: kept a number
    return as_text(value)  # text: a number or a date in a text field is the text the cell shows

