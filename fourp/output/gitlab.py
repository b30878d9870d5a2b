"""`gitlab`: a GitLab Code Quality report, one issue a finding, for merge requests."""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Dict, List

from .places import placed_message, places

__all__ = ["to_gitlab", "report_text"]


_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def to_gitlab(data: Dict[str, Any]) -> str:
    """A GitLab Code Quality report (a JSON array, for `artifacts: reports: codequality`): each finding an
    issue with `description`, `check_name` (the rule), `fingerprint`, `severity` (error major, warning
    minor, info info) and `location` (`path`, `lines.begin`). The fingerprint is the finding's identity
    across runs (file, rule, document path, message), so GitLab can tell new issues from fixed ones; a
    repeat of the same gets a number added, since GitLab keeps one issue per fingerprint."""
    issues: List[Dict[str, Any]] = []
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
        issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `gitlab` format, as `fourp.output.FORMATS` calls each format."""
    return to_gitlab(data)
