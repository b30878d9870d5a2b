"""`gitlab`: a GitLab Code Quality report, one issue a finding, for merge requests."""
from __future__ import annotations

import hashlib
import os
from typing import Any, Dict, Iterator

from .places import placed_message, places

__all__ = ["to_gitlab", "report_text"]


_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def to_gitlab(data: Dict[str, Any]) -> str:
    """A GitLab Code Quality report (a JSON array, for `artifacts: reports: codequality`): each finding an
    issue with `description`, `check_name` (the rule), `fingerprint`, `severity` (error major, warning
    minor, info info) and `location` (`path`, `lines.begin`). The fingerprint is the finding's identity
    across runs (file, rule, document path, message), so GitLab can tell new issues from fixed ones; a
    repeat of the same gets a number added, since GitLab keeps one issue per fingerprint."""
    return b"".join(gitlab_pieces(data)).decode("utf-8")


def gitlab_pieces(data: Dict[str, Any]) -> Iterator[bytes]:
    """`to_gitlab` (UTF-8), an issue at a time."""
    from ..encode import encode

    separator = b"[\n  "
    seen: Dict[str, int] = {}
    for item, file, line, _ in places(data):
        path = (file or "").replace(os.sep, "/")
        identity = "\x1f".join((path, item["rule"], item.get("path") or "", item["message"]))
        repeat = seen.get(identity, 0)
        seen[identity] = repeat + 1
        fingerprint = hashlib.sha256(f"{identity}\x1f{repeat}".encode("utf-8")).hexdigest()
        description = f"{item['title']}: {placed_message(item)}"
        issue: Dict[str, Any] = {
            "description": description, "check_name": f"fourp/{item['rule']}",
            "fingerprint": fingerprint, "severity": _GITLAB_SEVERITY[item["severity"]],
            "location": {"path": path, "lines": {"begin": line if line is not None and line >= 1 else 1}}}
        if item.get("remediation"):
            issue["content"] = {"body": item["remediation"]}
        yield separator + encode(issue, 1)
        separator = b",\n  "
    yield b"[]\n" if separator.startswith(b"[") else b"\n]\n"


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[bytes]:
    """The `gitlab` format an issue at a time, as `fourp.output.format_pieces` calls each format."""
    return gitlab_pieces(data)


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `gitlab` format, as `fourp.output.FORMATS` calls each format."""
    return to_gitlab(data)
