"""Writing a plan (or a blank template) as an Excel workbook laid out by a mapping: a sheet for each part."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any, Optional

from ..read.dates import _local
from ..read.mapping import Labels, Mapping, Table, shipped_mapping
from .cells import cell_text, clean, table_rows, value_at

__all__ = ["render"]

_DATE, _DATETIME = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"


def _put(cell: Any, value: Any) -> None:
    """A value into a cell: dates as Excel dates, numbers as numbers, anything else as text (never a
    formula, whatever it starts with)."""
    if isinstance(value, dt.datetime):
        cell.value = _local(value)
        cell.number_format = _DATETIME
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = _DATE
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
    else:
        text = cell_text(value)
        if text:
            cell.value = text
            cell.data_type = "s"  # text starting "=" stays text: no formula from a plan's words


def render(data: Any, fmt: str = "xlsx", mapping: Optional[Mapping] = None) -> bytes:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    mapping = mapping or shipped_mapping("xlsx")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    grey = Font(italic=True, color="595959", size=9)
    for part in mapping.parts:
        if isinstance(part, Labels):
            sheet = workbook.create_sheet(part.name[:31])
            sheet.append(["Field", "Value", "Guidance"])
            for cell in sheet[1]:
                cell.font = bold
            for number, mapped in enumerate(part.rows, start=2):
                sheet.cell(number, 1, mapped.labels[0]).font = bold
                _put(sheet.cell(number, 2), value_at(data, mapped.field))
                sheet.cell(number, 2).alignment = wrap
                if mapped.guidance:
                    sheet.cell(number, 3, clean(mapped.guidance)).font = grey
            sheet.column_dimensions["A"].width = 28
            sheet.column_dimensions["B"].width = 60
            sheet.column_dimensions["C"].width = 80
            if part.guidance:
                sheet.cell(len(part.rows) + 3, 1, clean(part.guidance)).font = grey
        elif isinstance(part, Table):
            sheet = workbook.create_sheet(part.name[:31])
            columns = ([("split", part.split[0][0], "")] if part.split else []) + [
                (column, column.headings[0], column.guidance) for column in part.columns]
            for number, (_, heading, guidance) in enumerate(columns, start=1):
                cell = sheet.cell(1, number, heading)
                cell.font = bold
                if guidance:
                    cell.comment = Comment(clean(guidance), "fourp")
                sheet.column_dimensions[cell.column_letter].width = 14 if len(heading) < 12 else 24
            sheet.freeze_panes = "A2"
            for row, (which, entry) in enumerate(table_rows(part, data), start=2):
                for number, (column, _, _) in enumerate(columns, start=1):
                    if isinstance(column, str):  # the split column: which list the entry is in
                        value = which
                    else:
                        value = entry if not column.field else value_at(entry, column.field)
                    _put(sheet.cell(row, number), value)
                    sheet.cell(row, number).alignment = wrap
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
