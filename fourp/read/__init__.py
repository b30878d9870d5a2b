"""Reading a plan from any format fourp knows: one reader per format, chosen by the file's suffix.

Every reader has the signature `read(path, max_bytes, mappings) -> Plan` and raises only `PlanError`.
The Plan carries a locator that turns a document path (/pursue/actions/2/result) into a place the user
can find: `plan.yaml:42:7`, or "Pursue actions table, row 3, Result". A reader's module is imported only
when a file of its format is read, so checking a YAML plan never loads the Word and Excel libraries.
"""
from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Optional, Sequence, Tuple

from .plan import DEFAULT_MAX_BYTES, Plan, PlanError

if TYPE_CHECKING:
    from .mapping import Mapping, MappingError, load_mapping, shipped_mapping

# Mappings serve Word and Excel plans only: imported when first named (PEP 562), so every module of
# fourp.read, and a check of a YAML plan, starts without them.
_MAPPING_EXPORTS = ("Mapping", "MappingError", "load_mapping", "shipped_mapping")


def __getattr__(name: str) -> Any:
    if name not in _MAPPING_EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import mapping

    value = getattr(mapping, name)
    globals()[name] = value
    return value

__all__ = ["Format", "FORMATS", "SKIPPED", "MAPPING_SUFFIXES", "read", "read_limit", "format_of", "suffixes",
           "skip_reason", "Mapping", "MappingError", "load_mapping", "shipped_mapping"]


class Format(NamedTuple):
    """An input format: its name (as `fourp convert` and `fourp new --format` call it) and its reader."""

    name: str
    reader: str  # the module in fourp.read whose `read` reads it
    what: str
    #: The media type SARIF gives a plan file of this format.
    mime: str = "application/yaml"


#: The one registry of formats fourp reads, by suffix (lower case).
FORMATS: Dict[str, Format] = {
    ".yaml": Format("yaml", "text", "YAML plan"),
    ".yml": Format("yaml", "text", "YAML plan"),
    ".json": Format("json", "text", "JSON plan", "application/json"),
    ".docx": Format("docx", "docx", "Word plan",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".docm": Format("docx", "docx", "macro-enabled Word plan (macros ignored)",
                      "application/vnd.ms-word.document.macroEnabled.12"),
    ".xlsx": Format("xlsx", "xlsx", "Excel plan", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xlsm": Format("xlsx", "xlsx", "macro-enabled Excel plan (macros ignored)",
                      "application/vnd.ms-excel.sheet.macroEnabled.12"),
}

#: Files an audit finds beside plans that fourp does not read: why, and what to do (by suffix).
SKIPPED: Dict[str, Tuple[str, str]] = {
    ".doc": ("an old-format Word document (.doc)", "open it in Word and save it as .docx to have it checked"),
    ".dot": ("an old-format Word template (.dot)", "save it as .docx to have it checked"),
    ".dotx": ("a Word template, not a plan", "make a plan from it and save that as .docx"),
    ".xls": ("an old-format Excel workbook (.xls)", "open it in Excel and save it as .xlsx to have it checked"),
    ".xltx": ("an Excel template, not a plan", "make a plan from it and save that as .xlsx"),
    ".odt": ("an OpenDocument text file", "save it as .docx to have it checked"),
    ".ods": ("an OpenDocument spreadsheet", "save it as .xlsx to have it checked"),
    ".rtf": ("a rich-text file", "save it as .docx to have it checked"),
    ".pdf": ("a PDF", "fourp cannot read plans from PDFs; check the Word or Excel file it was made from"),
    ".txt": ("a plain-text file", "a plan in text is YAML; name it .yaml if it is one"),
    ".csv": ("a CSV file (a register or an export?)", "give a register with --register; a plan is YAML, "
             "JSON, Word or Excel"),
    ".msg": ("an Outlook message", "save the attached plan beside it"),
    ".eml": ("an e-mail message", "save the attached plan beside it"),
    ".zip": ("a zip archive", "unzip it and audit what it holds"),
    **{suffix: ("a picture", "a picture of a plan cannot be checked; find the document it shows")
       for suffix in (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".webp")},
}


#: Mapping files kept beside the plans they read are named so, and an audit passes them by.
MAPPING_SUFFIXES = (".mapping.yaml", ".mapping.yml")
#: Skipped in an audit, but read as YAML when named on the command line (a plan saved as text).
_TEXT = (".txt", ".csv", ".eml")


def suffixes() -> Tuple[str, ...]:
    """The suffixes of plan files an audit picks up."""
    return tuple(FORMATS)


def format_of(path: str) -> Optional[Format]:
    return FORMATS.get(os.path.splitext(path)[1].lower())


def skip_reason(path: str) -> Tuple[str, str]:
    """Why an audit does not read a file, and what to do: (reason, hint)."""
    name = os.path.basename(path)
    if name.startswith("~$"):
        return ("Word's or Excel's lock file for a document someone has open", "nothing: it goes when they "
                "close the document")
    if name.lower().endswith(MAPPING_SUFFIXES):
        return ("a mapping of a force's Word or Excel template, not a plan", "give it to the audit with --mapping")
    if name.startswith("."):
        return ("a hidden file", "nothing, unless it is a plan: then rename it without the leading dot")
    suffix = os.path.splitext(name)[1].lower()
    if suffix in SKIPPED:
        return SKIPPED[suffix]
    kinds = ", ".join(sorted({s for s in FORMATS}))
    return (f"not a plan format fourp reads ({suffix or 'no suffix'})", f"plans are {kinds} files")


def _format_for(source: str) -> Format:
    """The format a file is read as; refuses (PlanError) the kinds an audit skips."""
    fmt = format_of(source)
    if fmt is None:
        suffix = os.path.splitext(source)[1].lower()
        if suffix in SKIPPED and suffix not in _TEXT:
            reason, hint = SKIPPED[suffix]
            raise PlanError(source, f"this is {reason}, which fourp does not read as a plan", hint=hint,
                            code="not-read")
        fmt = FORMATS[".yaml"]
    return fmt


def read_limit(path: str, max_bytes: int) -> Optional[int]:
    """The most bytes `read` takes from the file at `path` for a plan limit of `max_bytes`; None for a
    file it refuses unread (by its suffix)."""
    try:
        fmt = _format_for(os.fspath(path))
    except PlanError:
        return None
    if fmt.reader in ("docx", "xlsx"):  # a zip of XML and pictures: its text is far smaller than the file
        from .package import OFFICE_SIZE_FACTOR

        return max_bytes * OFFICE_SIZE_FACTOR
    return max_bytes


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES, mappings: Sequence[Mapping] = (), *,
         data: Optional[bytes] = None) -> Plan:
    """Reads a plan file in any known format. A file named with another suffix is read as YAML (a plan
    saved as .txt), except the kinds an audit skips, which are refused with what to do.

    `data` is the file's bytes when the caller has already read them through `fourp.read.files.read_file`
    with `read_limit(path, max_bytes)` (so every check of the safe reader was made on them): the file is
    then not opened again. Raises PlanError (file, line or place, reason, hint); never modifies the file.
    """
    source = os.fspath(path)
    fmt = _format_for(source)
    module = importlib.import_module(f"{__name__}.{fmt.reader}")
    if data is None:
        return module.read(source, max_bytes, tuple(mappings))
    return module.read(source, max_bytes, tuple(mappings), data=data)
