"""A document's tables, sheets and headed texts read through a mapping into plan data and places.

The Word and Excel readers each turn their file into `Grid`s (a Word table under its caption, or a
sheet) and `Passage`s (the paragraphs under a Word heading); everything after that is the same for both,
so a mapping means the same in either format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..report import Place
from .mapping import LabelRow, Mapping, Table, normal, translate
from .values import combine, convert, field_kind

__all__ = ["Grid", "Passage", "Reading", "apply", "OfficeLocator"]

#: A header row is looked for among a table's first rows only (a title and a note may come before it).
_HEADER_ROWS = 10
_PS = {"pursue": "Pursue", "prevent": "Prevent", "protect": "Protect", "prepare": "Prepare"}


@dataclass(frozen=True)
class Grid:
    """A Word table (its caption the heading or line above it) or an Excel sheet (its caption the name)."""

    caption: str
    rows: Tuple[Tuple[Any, ...], ...]
    sheet: bool = False  # Excel: places are cells, rows are the sheet's own numbers

    def place(self, name: str, row: Optional[int], heading: Optional[str], column: Optional[int] = None,
              data_row: Optional[int] = None) -> Place:
        """`row`/`column` index `rows` (0-based); `data_row` is the entry's number in a Word table."""
        if self.sheet:
            if row is None:
                return Place(f"sheet {self.caption}", part=self.caption, sheet=self.caption)
            cell = f"{_column_letter(column + 1)}{row + 1}" if column is not None else None
            words = f"sheet {self.caption}, " + (f"cell {cell}" if cell else f"row {row + 1}")
            return Place(words + (f" ({heading})" if heading else ""), part=self.caption, row=row + 1,
                         field=heading, cell=cell, sheet=self.caption)
        words = f"{name} table"
        if data_row is not None:
            words += f", row {data_row}"
        if heading:
            words += f", {heading}"
        return Place(words, part=name, row=data_row, field=heading)


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Passage:
    """The paragraphs under a Word heading."""

    heading: str
    text: str


@dataclass
class Reading:
    """What a mapping found in a document: the plan's data, where each value is, and notes for the user."""

    data: Dict[str, Any] = field(default_factory=dict)
    places: Dict[Tuple[Any, ...], Place] = field(default_factory=dict)
    values: int = 0
    notes: List[str] = field(default_factory=list)

    def put(self, path: Tuple[Any, ...], value: Any, place: Place) -> None:
        self.places.setdefault(path, place)
        if value in (None, "", []):
            return
        target = self.data
        for key in path[:-1]:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                return
        if path[-1] not in target:
            target[path[-1]] = value
            self.values += 1


def _cell(row: Sequence[Any], index: int) -> Any:
    value = row[index] if index < len(row) else None
    return value.strip() if isinstance(value, str) else value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(grid: Grid, names: Dict[str, Any]) -> Optional[Tuple[int, Dict[int, Any]]]:
    """The header row and which of `names` (normalised heading -> what it names) each column is."""
    for index, row in enumerate(grid.rows[:_HEADER_ROWS]):
        found: Dict[int, Any] = {}
        for column, value in enumerate(row):
            if isinstance(value, str) and normal(value) in names and names[normal(value)] not in found.values():
                found[column] = names[normal(value)]
        if found:
            return index, found
    return None


def _records(table: Table, grid: Grid, reading: Reading) -> None:
    names: Dict[str, Any] = {}
    for column in table.columns:
        for heading in column.headings:
            names.setdefault(normal(heading), column)
    if table.split is not None:
        for heading in table.split[0]:
            names.setdefault(normal(heading), "split")
    header = _header(grid, names)
    for listed, _ in table.lists:
        reading.places.setdefault(listed, grid.place(table.name, None, None))
    if header is None:
        return
    start, columns = header
    headings = {index: grid.rows[start][index].strip() for index in columns}
    split_values = {normal(v): f for f, values in (table.split[1] if table.split else ()) for v in values}
    counts: Dict[Tuple[Any, ...], int] = {}
    for offset, row in enumerate(grid.rows[start + 1:], start=1):
        row_index = start + offset
        if all(_empty(_cell(row, i)) for i, c in columns.items() if c != "split"):
            continue  # a blank row of the template, or only its P filled in
        target: Optional[Tuple[Any, ...]] = table.field
        if table.split is not None:
            which = next((_cell(row, i) for i, c in columns.items() if c == "split"), None)
            target = split_values.get(normal(str(which))) if not _empty(which) else None
            if target is None:
                where = grid.place(table.name, row_index, None, data_row=offset).text
                reading.notes.append(f"{where} was not read: its {table.split[0][0]} column should say "
                                     f"one of {', '.join(v[0] for _, v in table.split[1])}")
                continue
        assert target is not None
        entry = counts.get(target, 0)
        counts[target] = entry + 1
        base = target + (entry,)
        reading.places.setdefault(base, grid.place(table.name, row_index, None, data_row=offset))
        parts: Dict[Tuple[Any, ...], Dict[str, Any]] = {}
        for index, column in columns.items():
            if column == "split":
                continue
            path = base + column.field
            place = grid.place(table.name, row_index, headings[index], index, data_row=offset)
            _put(reading, parts, path, translate(_cell(row, index), column.values), place, column.part)
        _put_parts(reading, parts)


def _put(reading: Reading, parts: Dict[Tuple[Any, ...], Dict[str, Any]], path: Tuple[Any, ...], value: Any,
         place: Any, part: Optional[str]) -> None:
    """Record one cell's value at `path`, or keep it aside when it is the date or the time half of one."""
    if part:
        parts.setdefault(path, {"place": place})[part] = value
    else:
        reading.put(path, None if _empty(value) else convert(value, field_kind(path), _date_only(value)), place)


def _put_parts(reading: Reading, parts: Dict[Tuple[Any, ...], Dict[str, Any]]) -> None:
    """Record each date-time that a template keeps as a date cell and a time cell."""
    for path, pieces in parts.items():
        value = combine(pieces.get("date"), pieces.get("time"))
        reading.put(path, None if _empty(value) else convert(value, field_kind(path)), pieces["place"])


def _date_only(value: Any) -> bool:
    import datetime as dt

    return isinstance(value, dt.datetime) and value.time() == dt.time()


def _labels(rows: Sequence[LabelRow], name: str, grid: Grid, reading: Reading) -> None:
    index: Dict[str, LabelRow] = {}
    for row in rows:
        for label in row.labels:
            index.setdefault(normal(label), row)
    parts: Dict[Tuple[Any, ...], Dict[str, Any]] = {}
    for row_index, cells in enumerate(grid.rows):
        value_column = -1
        for column, cell in enumerate(cells):  # a label's value may be an empty cell past the row's end
            # A value is never a label, even one that reads like one (a status of "Closed").
            if column == value_column or not isinstance(cell, str) or normal(cell) not in index:
                continue
            value_column = column + 1
            mapped = index[normal(cell)]
            label = " ".join(cell.split()).rstrip(" :*")
            place = grid.place(grid.caption or name, row_index, label, column + 1)
            _put(reading, parts, mapped.field, translate(_cell(cells, column + 1), mapped.values), place,
                 mapped.part)
    _put_parts(reading, parts)


def _matches(caption: str, names: Sequence[str]) -> bool:
    return normal(caption) in {normal(n) for n in names}


def apply(mapping: Mapping, grids: Sequence[Grid], passages: Sequence[Passage] = ()) -> Reading:
    """Reads the grids and passages of one document through `mapping`."""
    reading = Reading()
    claimed = set()
    for table in mapping.tables:
        for number, grid in enumerate(grids):
            if number not in claimed and _matches(grid.caption, table.find):
                claimed.add(number)
                _records(table, grid, reading)
                break
    for labels in mapping.labels:
        for number, grid in enumerate(grids):
            if (_matches(grid.caption, labels.find) if labels.find else number not in claimed):
                _labels(labels.rows, labels.name, grid, reading)
    for text in mapping.texts:
        for passage in passages:
            if _matches(passage.heading, text.find) and passage.text.strip():
                reading.put(text.field, convert(passage.text, field_kind(text.field)),
                            Place(f"the text under the heading {passage.heading}", part=passage.heading))
                break
    reading.data = _listed(reading.data)
    return reading


def _listed(value: Any) -> Any:
    """Entries are put under their numbers (0, 1, ...) while reading; here they become lists."""
    if isinstance(value, dict):
        if value and all(isinstance(k, int) for k in value):
            return [_listed(value[k]) for k in sorted(value)]
        return {k: _listed(v) for k, v in value.items()}
    return value


class OfficeLocator:
    """Places of a Word or Excel plan's values, by document path."""

    def __init__(self, places: Dict[Tuple[Any, ...], Place]) -> None:
        self._places = places

    def locate(self, path: Sequence[Any]) -> Optional[Tuple[int, int]]:
        return None  # lines and columns mean nothing in a Word or Excel file

    def place(self, path: Sequence[Any]) -> Optional[Place]:
        """The place of `path`; of the first place within it (a missing result: its Result cell); of its
        nearest ancestor that has one (a table of actions, for a missing action); or, when the template has
        no place for it at all, that said in words."""
        path = tuple(path)
        if not path:  # a finding about the plan as a whole
            return Place("the whole document")
        if path in self._places:
            return self._places[path]
        for known, place in self._places.items():
            if known[:len(path)] == path:
                return place
        for length in range(len(path) - 1, 0, -1):
            if path[:length] in self._places:
                return self._places[path[:length]]
        # The template has no table or label for it (a force's template without a Linked plans table).
        return Place("nowhere in the document: its template has no place for this")
