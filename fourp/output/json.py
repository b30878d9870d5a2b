"""`json`: the report as fourp's JSON document (the report format), which a later audit reads as its baseline."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence

__all__ = ["check_document", "audit_document", "to_json", "report_text"]


def check_document(reports: Sequence[Any], errors: Sequence[Any], single: bool) -> Any:
    """What `fourp check --format json` prints: one plan's report as an object (a file that could not be
    read as `{"file", "error"}`), or a list of them for several plans."""
    items: List[Any] = [r.to_dict() for r in reports] + [{"file": e.file, "error": e.to_dict()} for e in errors]
    return items[0] if single and len(items) == 1 else items


def audit_document(result: Any, comparison: Any = None) -> Dict[str, Any]:
    """What `fourp audit --format json` prints: `AuditReport.to_dict()` (with its `format` version), plus
    `baseline` (the comparison) when there is one. `plans` always holds every finding, so this JSON can
    serve as the next audit's baseline."""
    document = result.to_dict()
    if comparison is not None:
        document["baseline"] = comparison.to_dict()
    return document


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `json` format, as `fourp.output.FORMATS` calls each format."""
    return to_json(document if document is not None else data)
