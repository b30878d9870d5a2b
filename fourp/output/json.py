"""`json`: the report as fourp's JSON document (the report format), which a later audit reads as its baseline."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Sequence, Union, overload

from ..encode import encode

__all__ = ["check_document", "audit_document", "to_json", "json_pieces", "report_text", "report_pieces", "Plans"]


def check_document(reports: Sequence[Any], errors: Sequence[Any], single: bool) -> Any:
    """What `fourp check --format json` prints: one plan's report as an object (a file that could not be
    read as `{"file", "error"}`), or a list of them for several plans."""
    items: List[Any] = [r.to_dict() for r in reports] + [{"file": e.file, "error": e.to_dict()} for e in errors]
    return items[0] if single and len(items) == 1 else items


class Plans(Sequence[Dict[str, Any]]):
    """The audit document's `plans`: each plan's report as `Report.to_dict()`, decoded when read, and
    written straight from the JSON the audit kept (`fourp.kept.KeptReport`)."""

    def __init__(self, kept: Sequence[Any]) -> None:
        self.kept = kept

    def __len__(self) -> int:
        return len(self.kept)

    @overload
    def __getitem__(self, index: int) -> Dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Dict[str, Any]]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Dict[str, Any], Sequence[Dict[str, Any]]]:
        if isinstance(index, slice):
            return [item.to_dict() for item in self.kept[index]]
        item: Dict[str, Any] = self.kept[index].to_dict()
        return item

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (Plans, list, tuple)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def pieces(self, depth: int) -> Iterator[bytes]:
        """This list as `encode(list(self), depth)` writes it, a plan at a time."""
        if not self.kept:
            yield b"[]"
            return
        inner = b"\n" + b"  " * (depth + 1)
        separator = b"[" + inner
        for item in self.kept:
            data = item.json()
            yield separator
            yield data if depth + 1 == 2 else _moved(data, depth + 1 - 2)
            separator = b"," + inner
        yield b"\n" + b"  " * depth + b"]"


def _moved(data: bytes, levels: int) -> bytes:
    """Kept JSON (indented two levels in) moved to another depth."""
    if levels > 0:
        return data.replace(b"\n", b"\n" + b"  " * levels)
    return data.replace(b"\n" + b"  " * -levels, b"\n")


def audit_document(result: Any, comparison: Any = None) -> Dict[str, Any]:
    """What `fourp audit --format json` prints: `AuditReport.to_dict()` (with its `format` version), plus
    `baseline` (the comparison) when there is one. `plans` always holds every finding, so this JSON can
    serve as the next audit's baseline. Its `plans` are a `Plans`, written a plan at a time."""
    from ..kept import as_kept

    document: Dict[str, Any] = result.to_dict(plans=Plans(as_kept(result.reports)))
    if comparison is not None:
        document["baseline"] = comparison.to_dict()
    return document


def json_pieces(document: Any) -> Iterator[bytes]:
    """A JSON document as `to_json` writes it (UTF-8), in pieces: a `Plans` list, one plan at a time."""
    if isinstance(document, dict) and document and any(isinstance(v, Plans) for v in document.values()):
        separator = b"{\n  "
        for key, value in document.items():
            yield separator + encode(key) + b": "
            if isinstance(value, Plans):
                yield from value.pieces(1)
            else:
                yield encode(value, 1)
            separator = b",\n  "
        yield b"\n}\n"
        return
    yield encode(document) + b"\n"


def to_json(document: Any) -> str:
    """The document as JSON: 2-space indents, UTF-8 text as it is (`json.dumps(indent=2, ensure_ascii=False,
    default=str)`)."""
    return b"".join(json_pieces(document)).decode("utf-8", "surrogateescape")


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[bytes]:
    """The `json` format in pieces, as `fourp.output.FORMATS` calls each format."""
    return json_pieces(document if document is not None else data)


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `json` format, as `fourp.output.FORMATS` calls each format."""
    return to_json(document if document is not None else data)
