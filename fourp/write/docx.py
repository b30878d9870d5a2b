"""Writing a plan (or a blank template) as a Word document laid out by a mapping, guidance included."""
from __future__ import annotations

import io
from typing import Any, Optional

from ..read.mapping import Heading, Labels, Mapping, Table, Text, shipped_mapping
from .cells import cell_text, table_rows, value_at

__all__ = ["render", "BLANK_ROWS"]

#: Empty rows under each table's headings in a blank template, for the officer to type into.
BLANK_ROWS = 2
GUIDANCE_STYLE = "Guidance"


def _guidance(document: Any, text: str, style: Optional[str]) -> None:
    if text and style:
        document.add_paragraph(text, style=style)


def _set(cell: Any, text: str) -> None:
    cell.text = text


def render(data: Any, fmt: str = "docx", mapping: Optional[Mapping] = None) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Cm, Pt, RGBColor

    mapping = mapping or shipped_mapping("docx")
    document = docx.Document()
    section = document.sections[0]
    # Actions tables have a dozen columns: landscape A4 with narrow margins gives them room.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = mapping.skip_styles[0] if mapping.skip_styles else None
    if style:
        guidance = document.styles.add_style(style, WD_STYLE_TYPE.PARAGRAPH)
        guidance.base_style = document.styles["Normal"]
        guidance.font.italic = True
        guidance.font.size = Pt(8.5)
        guidance.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    document.core_properties.title = mapping.title or "4P plan"
    for part in mapping.parts:
        if isinstance(part, Heading):
            document.add_heading(part.heading, part.level)
            _guidance(document, part.guidance, style)
        elif isinstance(part, Labels):
            document.add_heading(part.name, 2)
            _guidance(document, part.guidance, style)
            table = document.add_table(rows=len(part.rows), cols=2)
            table.style = document.styles["Table Grid"]
            for row, mapped in zip(table.rows, part.rows):
                label, value = row.cells
                label.text = mapped.labels[0]
                label.paragraphs[0].runs[0].bold = True
                if mapped.guidance and style:
                    label.add_paragraph(mapped.guidance, style=style)
                _set(value, cell_text(value_at(data, mapped.field)))
        elif isinstance(part, Table):
            document.add_heading(part.name, 2)
            _guidance(document, part.guidance, style)
            headings = ([part.split[0][0]] if part.split else []) + [c.headings[0] for c in part.columns]
            entries = list(table_rows(part, data))
            table = document.add_table(rows=1, cols=len(headings))
            table.style = document.styles["Table Grid"]
            for cell, heading in zip(table.rows[0].cells, headings):
                cell.text = heading
                cell.paragraphs[0].runs[0].bold = True
            for which, entry in entries or [(None, None)] * BLANK_ROWS:
                cells = table.add_row().cells
                values = ([which or ""] if part.split else []) + [
                    "" if entry is None else cell_text(entry if not column.field else value_at(entry, column.field))
                    for column in part.columns]
                for cell, text in zip(cells, values):
                    _set(cell, text)
        elif isinstance(part, Text):
            document.add_heading(part.name, 2)
            _guidance(document, part.guidance, style)
            for line in cell_text(value_at(data, part.field)).split("\n") or [""]:
                document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
