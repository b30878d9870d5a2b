"""What the Word and Excel writers share: the values a mapping's parts hold, and text a document can carry."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterator, List, Optional, Tuple

from ..pack.pointers import MISSING
from ..read.mapping import Mapping, Table
from ..read.values import as_text

__all__ = ["value_at", "cell_text", "clean", "table_rows", "uncovered"]

# XML 1.0 cannot hold these at all, not even escaped; Word and Excel files are XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def value_at(data: Any, path: Tuple[Any, ...]) -> Any:
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        else:
            return MISSING
    return data


def cell_text(value: Any) -> str:
    """A value as a Word cell shows it: a list one item a line, a date as ISO, text as written."""
    if value is MISSING or value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(cell_text(v) for v in value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return clean(value.isoformat(timespec="minutes" if not value.second else "seconds"))
    if isinstance(value, dict):
        return clean(", ".join(f"{k}: {cell_text(v)}" for k, v in value.items()))
    return clean(as_text(value) if not isinstance(value, str) else value)


def table_rows(table: Table, data: Any) -> Iterator[Tuple[Optional[str], Any]]:
    """(the split column's value or None, entry) for each entry a table part holds, in order."""
    for path, which in table.lists:
        entries = value_at(data, path)
        if isinstance(entries, list):
            for entry in entries:
                yield which, entry


def _covered(mapping: Mapping) -> List[Tuple[Any, ...]]:
    """Every path pattern the mapping writes: fields, and list fields with "*" for the entry number."""
    out: List[Tuple[Any, ...]] = []
    for labels in mapping.labels:
        out.extend(row.field for row in labels.rows)
    for table in mapping.tables:
        for base, _ in table.lists:
            out.extend(base + ("*",) + column.field for column in table.columns)
    for text in mapping.texts:
        out.append(text.field)
    return out


def uncovered(data: Any, mapping: Mapping) -> List[str]:
    """Document paths of values in `data` the mapping has no place for (so a conversion would drop them)."""
    patterns = _covered(mapping)
    lost: List[str] = []

    def fits(path: Tuple[Any, ...]) -> bool:
        for pattern in patterns:
            if len(pattern) <= len(path) and all(p == "*" and isinstance(k, int) or p == k
                                                 for p, k in zip(pattern, path)):
                return True
        return False

    def walk(value: Any, path: Tuple[Any, ...]) -> None:
        if path and fits(path):
            return
        if isinstance(value, dict) and value:
            for key, child in value.items():
                walk(child, path + (key,))
        elif isinstance(value, list) and value:
            for index, child in enumerate(value):
                walk(child, path + (index,))
        elif value not in (None, "", [], {}):
            lost.append("/" + "/".join(str(k) for k in path))
    walk(data, ())
    return lost
