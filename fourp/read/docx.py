"""Reading a Word plan (.docx, .docm): its tables and headed texts through a mapping.

The document is read as it now stands: text in tracked deletions is not content and tracked insertions
are; comments, field codes and paragraphs in the mapping's instruction styles are not content either.
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .layout import Grid, Passage
from .mapping import Mapping
from .office import read_office
from .package import open_package
from .plan import DEFAULT_MAX_BYTES, Plan, PlanError

__all__ = ["read", "document_parts"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
#: Never content: deleted and moved-away text, field codes, properties, and the fallback copy of a
#: drawing (Word stores text boxes twice).
_NOT_CONTENT = {_W + "del", _W + "moveFrom", _W + "delText", _W + "delInstrText", _W + "instrText",
                _W + "rPr", _W + "pPr", _W + "sdtPr", _W + "tblPr", _W + "trPr", _W + "tcPr",
                _MC + "Fallback", _W + "footnoteReference", _W + "endnoteReference", _W + "commentReference"}
#: Where blocks (paragraphs and tables) sit one level further down.
_WRAPPERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "moveTo"}


def _text(element: Any) -> str:
    out: List[str] = []

    def walk(node: Any) -> None:
        tag = node.tag
        if tag in _NOT_CONTENT:
            return
        if tag == _W + "t":
            out.append(node.text or "")
        elif tag == _W + "tab":
            out.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        for child in node:
            walk(child)
    walk(element)
    return "".join(out)


def _blocks(parent: Any) -> List[Any]:
    """The paragraphs and tables of a body or cell, in order, through content controls and insertions."""
    out: List[Any] = []
    for child in parent:
        if child.tag in (_W + "p", _W + "tbl"):
            out.append(child)
        elif child.tag in _WRAPPERS:
            out.extend(_blocks(child))
    return out


def _style(paragraph: Any, names: Dict[str, str]) -> str:
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    style_id = style.get(_W + "val") if style is not None else ""
    return names.get(style_id, style_id or "")


def _date_control(cell: Any) -> Optional[dt.date]:
    """A date picked in a Word date control: the date Word stores, not the text it shows."""
    for date in cell.iter(_W + "date"):
        full = date.get(_W + "fullDate") or ""
        try:
            return dt.date.fromisoformat(full[:10])
        except ValueError:
            return None
    return None


def _cell_value(cell: Any, names: Dict[str, str], skip: Sequence[str]) -> Any:
    paragraphs = [p for p in _blocks(cell) if p.tag == _W + "p" and _style(p, names).casefold() not in skip]
    text = "\n".join(_text(p) for p in paragraphs).strip()
    picked = _date_control(cell)
    if picked is not None and text:
        from .dates import parse_moment
        from .values import officer_moment

        moment = parse_moment(text)
        timed = moment.timed if moment else "T" in (officer_moment(text) or "")
        return text if timed else picked  # a control formatted with a time of day keeps its text
    return text


def _cells(row: Any) -> List[Any]:
    out: List[Any] = []
    for child in row:
        if child.tag == _W + "tc":
            out.append(child)
        elif child.tag in _WRAPPERS:
            out.extend(_cells(child))
    return out


def _rows(table: Any, names: Dict[str, str], skip: Sequence[str]) -> Tuple[Tuple[Any, ...], ...]:
    rows = []
    for row in table:
        if row.tag == _W + "tr":
            rows.append(tuple(_cell_value(c, names, skip) for c in _cells(row)))
        elif row.tag in _WRAPPERS:
            rows.extend(_rows(row, names, skip))
    return tuple(rows)


def _is_heading(style: str) -> bool:
    lowered = style.casefold()
    return lowered.startswith("heading") or lowered == "title"


def document_parts(body: Any, names: Dict[str, str], skip_styles: Sequence[str]) -> Tuple[List[Grid], List[Passage]]:
    """A Word body's tables, each under its caption (the heading or line above it), and the text under
    each heading."""
    skip = [s.casefold() for s in skip_styles]
    grids: List[Grid] = []
    passages: List[Passage] = []
    caption = ""
    heading: Optional[str] = None
    under: List[str] = []

    def close() -> None:
        if heading is not None:
            passages.append(Passage(heading, "\n".join(under).strip()))

    for block in _blocks(body):
        if block.tag == _W + "tbl":
            grids.append(Grid(caption, _rows(block, names, skip)))
            continue
        style = _style(block, names)
        if style.casefold() in skip:
            continue
        text = _text(block).strip()
        if not text:
            continue
        caption = text
        if _is_heading(style):
            close()
            heading, under = text, []
        elif heading is not None:
            under.append(text)
    close()
    return grids, passages


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES, mappings: Sequence[Mapping] = (), *,
         data: Optional[bytes] = None) -> Plan:
    """Reads a Word plan through the best-fitting of `mappings` (those for docx) and fourp's own."""
    suffix = os.path.splitext(path)[1].lower()
    package = open_package(path, max_bytes, "Word", suffix, data)
    # The parts are read with defusedxml, as they were checked: the main document wherever the package's
    # relationships put it (a macro-enabled document has another content type, the same XML).
    main = package.related("", "officeDocument")
    root = package.xml(main) if main is not None else None
    body = root.find(_W + "body") if root is not None else None
    if body is None:
        raise PlanError(path, "this Word file has no document body", hint="open it in Word and save it again "
                        "as .docx; if it is a template (.dotx), make a plan from it", code="damaged")
    names: Dict[str, str] = {}
    styles = package.xml(package.related(main, "styles") or "") if main is not None else None
    for style in styles if styles is not None else ():
        name = style.find(_W + "name")
        if style.get(_W + "styleId"):
            names[style.get(_W + "styleId")] = name.get(_W + "val") if name is not None else style.get(_W + "styleId")

    def parts(mapping: Mapping) -> Tuple[List[Grid], List[Passage]]:
        return document_parts(body, names, mapping.skip_styles)

    return read_office(path, package, "docx", mappings, parts, "Word document")
