"""Reports in every format fourp writes, from one registry, `FORMATS`: the template formats and the machine ones.

Human-readable formats (text, markdown, html) come from the Jinja templates through `render`; machine
formats (json, csv, junit, sarif, github, gitlab) are built, one module each, from the same template data
(`render.template_data`, `render.audit_data`), with the standard library's writers doing the quoting and
escaping. Each format's module has `report_text(fmt, data, document, colour)`; `write.write_atomic` writes
the result. A new format is one module here and one line in `FORMATS`.
"""
from __future__ import annotations

import importlib
from typing import Any, Dict, Iterable, NamedTuple, Optional, Tuple

__all__ = ["Format", "FORMATS", "format_report", "format_pieces", "parse_report_spec"]


class Format(NamedTuple):
    name: str
    #: The module in this folder that writes it (`render` for the formats written by a template).
    module: str
    #: The templates (in `templates/`) for `fourp check` and `fourp audit`, for a template format.
    check_template: Optional[str] = None
    audit_template: Optional[str] = None


FORMATS: Dict[str, Format] = {
    "text": Format("text", "text", "text.j2", "audit.txt.j2"),  # a check's without Jinja (output/text.py)
    "markdown": Format("markdown", "render", "markdown.md.j2", "audit.md.j2"),
    "html": Format("html", "render", "report.html.j2", "audit.html.j2"),
    "json": Format("json", "json"),
    "csv": Format("csv", "csv"),
    "junit": Format("junit", "junit"),
    "sarif": Format("sarif", "sarif"),
    "github": Format("github", "github"),
    "gitlab": Format("gitlab", "gitlab"),
}


def format_report(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """A report in one format. `data` is the template data (`render.template_data`/`audit_data`);
    `document` is what json prints (`json.check_document`/`audit_document`), built from data when absent."""
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{spec.module}")  # each command loads only what it writes
    text: str = module.report_text(fmt, data, document, colour)
    return text


def format_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterable[Any]:
    """A report in one format as its pieces in order (text or UTF-8 bytes), for `write.write_atomic` to
    write as they come: a format whose module has `report_pieces` is made a piece at a time (an audit's
    JSON a plan at a time, a template's output as Jinja renders it), so the whole report is never in
    memory at once; any other is one piece."""
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"{__name__}.{spec.module}")
    pieces = getattr(module, "report_pieces", None)
    if pieces is None:
        return (module.report_text(fmt, data, document, colour),)
    result: Iterable[Any] = pieces(fmt, data, document, colour)
    return result


def parse_report_spec(spec: str) -> Tuple[str, str]:
    """`html:audit.html` -> ("html", "audit.html"). Raises ValueError with what is wrong."""
    fmt, sep, path = spec.partition(":")
    if not sep or not path:
        raise ValueError(f"{spec!r} is not FORMAT:FILE (for example html:audit.html)")
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not a format; use one of {', '.join(FORMATS)}")
    return fmt, path
