"""Mappings: which table, sheet, heading, label and column of a Word or Excel template is which plan field."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Dict, List, Optional, Tuple, Union

from .plan import PlanError, read_yaml

__all__ = ["Mapping", "LabelRow", "Labels", "Column", "Table", "Text", "Heading", "MappingError",
           "load_mapping", "shipped_mapping", "normal", "field_path", "translate"]

#: Mappings are a few hundred lines; a file far bigger is not one.
_MAX_BYTES = 1024 * 1024


class MappingError(PlanError):
    """A mapping file that cannot be used: the file, line and reason (a usage error, not a plan's fault)."""

    default_code = "invalid-mapping"


def normal(text: str) -> str:
    """A heading or label as it is compared: case, spacing, a trailing colon or asterisk ignored."""
    return " ".join(text.replace("\u00a0", " ").split()).strip(" :*?").casefold()


def field_path(field: str) -> Tuple[str, ...]:
    """`threat.assessment.summary` -> ("threat", "assessment", "summary"); `.` (the entry itself) -> ()."""
    return () if field == "." else tuple(field.split("."))


@dataclass(frozen=True)
class Heading:
    heading: str
    level: int = 1
    guidance: str = ""


@dataclass(frozen=True)
class LabelRow:
    field: Tuple[str, ...]
    labels: Tuple[str, ...]
    guidance: str = ""
    part: Optional[str] = None  # "date" or "time": two rows that make one date-time
    values: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # the format's value for the template's words


@dataclass(frozen=True)
class Labels:
    name: str
    find: Tuple[str, ...]  # empty: any table or sheet that is not one of the mapping's tables
    rows: Tuple[LabelRow, ...]
    guidance: str = ""


@dataclass(frozen=True)
class Column:
    field: Tuple[str, ...]
    headings: Tuple[str, ...]
    guidance: str = ""
    part: Optional[str] = None
    values: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    find: Tuple[str, ...]
    columns: Tuple[Column, ...]
    field: Optional[Tuple[str, ...]] = None
    #: (headings of the column that says which list a row is in, ((list field, its values), ...))
    split: Optional[Tuple[Tuple[str, ...], Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...]]] = None
    guidance: str = ""

    @property
    def lists(self) -> Tuple[Tuple[Tuple[str, ...], Optional[str]], ...]:
        """The lists the rows fill: (field, the split column's first word for it, or None)."""
        if self.split is None:
            return ((self.field or (), None),)
        return tuple((field, values[0]) for field, values in self.split[1])


@dataclass(frozen=True)
class Text:
    name: str
    find: Tuple[str, ...]
    field: Tuple[str, ...]
    guidance: str = ""


Part = Union[Heading, Labels, Table, Text]


@dataclass(frozen=True)
class Mapping:
    """A validated mapping: its parts in document order."""

    format: str
    parts: Tuple[Part, ...]
    title: str = ""
    skip_styles: Tuple[str, ...] = ()
    file: Optional[str] = None

    @property
    def tables(self) -> Tuple[Table, ...]:
        return tuple(p for p in self.parts if isinstance(p, Table))

    @property
    def labels(self) -> Tuple[Labels, ...]:
        return tuple(p for p in self.parts if isinstance(p, Labels))

    @property
    def texts(self) -> Tuple[Text, ...]:
        return tuple(p for p in self.parts if isinstance(p, Text))


def _names(values: Any) -> Tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _values(entry: Dict[str, Any]) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    return tuple((str(value), _names(words)) for value, words in (entry.get("values") or {}).items())


def translate(value: Any, values: Tuple[Tuple[str, Tuple[str, ...]], ...]) -> Any:
    """The plan format's word for a template's word ("Complete" -> done); anything else as written."""
    if values and isinstance(value, str):
        wanted = normal(value)
        for canonical, words in values:
            if wanted in {normal(w) for w in words}:
                return canonical
    return value


def _build(data: Dict[str, Any], file: Optional[str]) -> Mapping:
    parts: List[Part] = []
    for part in data["parts"]:
        guidance = " ".join(str(part.get("guidance", "")).split())
        if "heading" in part:
            parts.append(Heading(part["heading"], part.get("level", 1), guidance))
        elif "labels" in part:
            rows = tuple(LabelRow(field_path(r["field"]), _names(r["labels"]), " ".join(r.get("guidance", "").split()),
                                  r.get("part"), _values(r)) for r in part["rows"])
            parts.append(Labels(part["labels"], _names(part.get("find")), rows, guidance))
        elif "table" in part:
            columns = tuple(Column(field_path(c["field"]), _names(c["headings"]),
                                   " ".join(c.get("guidance", "").split()), c.get("part"), _values(c))
                            for c in part["columns"])
            split = None
            if "split" in part:
                split = (_names(part["split"]["headings"]),
                         tuple((field_path(i["field"]), _names(i["values"])) for i in part["split"]["into"]))
            parts.append(Table(part["table"], _names(part.get("find")) or (part["table"],), columns,
                               field_path(part["field"]) if "field" in part else None, split, guidance))
        else:
            parts.append(Text(part["text"], _names(part.get("find")) or (part["text"],), field_path(part["field"]),
                              guidance))
    return Mapping(format=data["format"], parts=tuple(parts), title=data.get("title", ""),
                   skip_styles=_names(data.get("skip_styles")), file=file)


def _validate(data: Any, file: str, locator: Any) -> None:
    from ..schemas import schema, validator_class

    validator = validator_class()(schema("mapping"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        path = tuple(error.absolute_path)
        where = locator.locate(path) if locator is not None else None
        at = "/" + "/".join(str(p) for p in path)
        line, column = where or (None, None)
        raise MappingError(file, f"not a valid mapping at {at}: {error.message}", line, column,
                           hint="compare it with `fourp schema mapping` and the mappings in docs/office.md")


def load_mapping(path: Union[str, "os.PathLike[str]"]) -> Mapping:
    """Reads and validates a mapping file. Raises MappingError with the file, line and reason."""
    from .plan import _decode, _read_bytes

    source = os.fspath(path)
    try:
        text = _decode(_read_bytes(source, _MAX_BYTES), source)
        data, locator = read_yaml(text, source)
    except PlanError as exc:
        raise MappingError(exc.file, exc.reason, exc.line, exc.column, exc.hint, code=exc.code) from None
    _validate(data, source, locator)
    return _build(data, source)


@lru_cache(maxsize=None)
def shipped_mapping(fmt: str) -> Mapping:
    """The mapping of fourp's own template in `fmt` (docx or xlsx), shipped in fourp/data."""
    resource = resources.files("fourp").joinpath("data", f"{fmt}-mapping.yaml")
    text = resource.read_text("utf-8")
    data, locator = read_yaml(text, str(resource))
    _validate(data, str(resource), locator)
    return _build(data, str(resource))

