"""Reading an Excel plan (.xlsx, .xlsm): its sheets through a mapping; a cell Excel stores as a date is a date."""
from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence, Tuple

from .layout import Grid, Passage
from .mapping import Mapping
from .office import read_office
from .package import open_package
from .plan import DEFAULT_MAX_BYTES, Plan, PlanError

__all__ = ["read", "MAX_ROWS", "MAX_COLUMNS"]

#: A plan's longest sheet (its log or actions) has hundreds of rows; a sheet past these is something else.
MAX_ROWS = 20_000
MAX_COLUMNS = 200


def _grids(workbook: Any, path: str) -> List[Grid]:
    grids = []
    for sheet in workbook.worksheets:
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise PlanError(path, f"the sheet {sheet.title} has more than {MAX_ROWS:,} rows, far more than "
                                "any plan", hint="a plan's sheets hold its fields, actions, reviews and log; "
                                "keep other spreadsheets out of the folder", code="not-a-plan")
            values = tuple(row[:MAX_COLUMNS])
            while values and values[-1] in (None, ""):
                values = values[:-1]
            rows.append(values)
        while rows and not rows[-1]:
            rows.pop()
        grids.append(Grid(sheet.title, tuple(rows), sheet=True))
    return grids


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES, mappings: Sequence[Mapping] = (), *,
         data: Optional[bytes] = None) -> Plan:
    """Reads an Excel plan through the best-fitting of `mappings` (those for xlsx) and fourp's own."""
    suffix = os.path.splitext(path)[1].lower()
    package = open_package(path, max_bytes, "Excel", suffix, data)
    import openpyxl  # imported only when an Excel file is read; it parses through defusedxml when installed

    try:
        # Cached values, not formulas; read-only streams the sheets instead of building every cell's styles.
        workbook = openpyxl.load_workbook(package.stream(), read_only=True, data_only=True, keep_vba=False,
                                          keep_links=False)
    except (KeyError, ValueError, TypeError, OSError) as exc:
        raise PlanError(path, f"the Excel file cannot be read ({type(exc).__name__})",
                        hint="open it in Excel, which may repair it, and save it again as .xlsx",
                        code="damaged") from None
    try:
        grids = _grids(workbook, path)
    finally:
        workbook.close()

    def parts(mapping: Mapping) -> Tuple[List[Grid], List[Passage]]:
        return grids, []

    return read_office(path, package, "xlsx", mappings, parts, "workbook")
