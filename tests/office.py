"""Test helpers for Word and Excel plans: an officer filling in fourp's templates, and comparing plans.

The fillers type into the template the way an officer does in Word or Excel: find the row labelled
"LRO name" and type in the cell beside it, add a row to the Pursue actions table and type in each cell,
type dates as officers type them ("5 March 2024 14:30", "14:30 05/03/2024", "1430hrs" after a date).
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any, Dict, Iterator, Optional

from fourp.pack.pointers import MISSING
from fourp.read.dates import parse_moment
from fourp.read.mapping import Labels, Table, normal, shipped_mapping
from fourp.write.cells import value_at

#: How officers type a date and time in a document, in turn.
TIMED_FORMS = ("%d/%m/%Y %H:%M", "{day} {month} %Y %H:%M", "%H:%M %d/%m/%Y", "%d/%m/%Y %H%Mhrs")
DAY_FORMS = ("%d/%m/%Y", "{day} {month} %Y")


class Typist:
    """Types plan values as an officer would, cycling through the ways dates are written."""

    def __init__(self) -> None:
        self._timed: Iterator[str] = itertools.cycle(TIMED_FORMS)
        self._days: Iterator[str] = itertools.cycle(DAY_FORMS)

    def _form(self, form: str, moment: dt.datetime) -> str:
        return moment.strftime(form.format(day=moment.day, month=moment.strftime("%B")))

    def text(self, value: Any) -> str:
        if value is MISSING or value is None:
            return ""
        if isinstance(value, list):
            return "\n".join(self.text(v) for v in value)
        if isinstance(value, (dt.date, str)) and not isinstance(value, bool):
            moment = parse_moment(value)
            if moment is not None and (not isinstance(value, str) or re.fullmatch(r"[\d:T /+-]+", value)):
                if moment.timed and moment.at.tzinfo is None and not (isinstance(value, str) and "+" in value):
                    return self._form(next(self._timed), moment.at)
                if not moment.timed:
                    return self._form(next(self._days), moment.at)
        return "" if value is None else str(value)


def fill_docx(path: str, data: Dict[str, Any]) -> None:
    """Types a plan into fourp's Word template at `path` through python-docx, as an officer would."""
    import docx
    from docx.table import Table as DocxTable

    mapping = shipped_mapping("docx")
    labels = {normal(label): row.field for part in mapping.parts if isinstance(part, Labels)
              for row in part.rows for label in row.labels}
    tables = {normal(part.name): part for part in mapping.parts if isinstance(part, Table)}
    typist = Typist()
    document = docx.Document(path)
    caption: Optional[str] = None
    for block in document.iter_inner_content():
        if not isinstance(block, DocxTable):
            if block.text.strip() and block.style.name != "Guidance":
                caption = block.text.strip()
            continue
        part = tables.get(normal(caption or ""))
        if part is None:  # labels beside the cells to type in
            for row in block.rows:
                label = row.cells[0].paragraphs[0].text
                field = labels[normal(label)]
                value = value_at(data, field)
                if not isinstance(value, dict) and typist.text(value):
                    row.cells[1].text = typist.text(value)
            continue
        entries = value_at(data, part.field)
        if not isinstance(entries, list):
            continue
        for row in list(block.rows)[1:]:  # the template's blank rows: typed over, then more added
            row._tr.getparent().remove(row._tr)
        headings = [cell.text for cell in block.rows[0].cells]
        columns = {normal(h): column for column in part.columns for h in column.headings}
        for entry in entries:
            cells = block.add_row().cells
            for cell, heading in zip(cells, headings):
                column = columns[normal(heading)]
                value = entry if not column.field else value_at(entry, column.field)
                if not isinstance(value, dict):
                    cell.text = typist.text(value)
    document.save(path)


def fill_xlsx(path: str, data: Dict[str, Any]) -> None:
    """Types a plan into fourp's Excel template through openpyxl; dates go in as Excel dates, the way a
    date typed into a cell is stored, except the ones with a zone, kept as text."""
    import openpyxl

    mapping = shipped_mapping("xlsx")
    book = openpyxl.load_workbook(path)

    def put(cell: Any, value: Any) -> None:
        if value is MISSING or isinstance(value, (dict, type(None))) or value == "":
            return
        moment = parse_moment(value) if isinstance(value, (str, dt.date)) else None
        if moment is not None and not (isinstance(value, str) and ("+" in value or "Z" in value)):
            cell.value = moment.at if moment.timed else moment.at.date()
            cell.number_format = "dd/mm/yyyy hh:mm" if moment.timed else "dd/mm/yyyy"
        elif isinstance(value, list):
            cell.value = "\n".join(str(v) for v in value)
        else:
            cell.value = value
    for part in mapping.parts:
        if isinstance(part, Labels):
            sheet = book[part.name]
            fields = {normal(label): row.field for row in part.rows for label in row.labels}
            for row in sheet.iter_rows(min_row=2):
                if row[0].value and normal(str(row[0].value)) in fields:
                    put(row[1], value_at(data, fields[normal(str(row[0].value))]))
        elif isinstance(part, Table):
            sheet = book[part.name]
            headings = [c.value for c in sheet[1]]
            columns = {normal(h): column for column in part.columns for h in column.headings}
            lists = [(part.field, None)] if part.field else [(f, values[0]) for f, values in part.split[1]]
            for field, which in lists:
                entries = value_at(data, field)
                for entry in entries if isinstance(entries, list) else ():
                    row = sheet.max_row + 1
                    for number, heading in enumerate(headings, start=1):
                        if part.split and normal(heading) in {normal(h) for h in part.split[0]}:
                            sheet.cell(row, number, which)
                            continue
                        column = columns[normal(heading)]
                        put(sheet.cell(row, number), entry if not column.field else value_at(entry, column.field))
    book.save(path)


# -- comparing plans as a document can hold them -------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def comparable(value: Any) -> Any:
    """A plan as a document keeps it: text by its words (a document's spacing and line breaks are its
    own, and XML cannot hold control characters), dates as the moment they name, numbers by value,
    and nothing for empty text, lists and mappings (an empty cell is an empty cell)."""
    if isinstance(value, dict):
        out = {k: comparable(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None} or None
    if isinstance(value, list):
        items = [comparable(v) for v in value]
        return [v for v in items if v is not None] or None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (dt.date, str)):
        moment = parse_moment(value)
        if moment is not None:
            return ("moment", moment.at, moment.timed)
        if isinstance(value, str):
            words = " ".join(_NOT_XML.sub("", value).split())
            return words or None
    return value
