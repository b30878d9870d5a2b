"""CI annotations: GitHub Actions workflow commands, GitLab Code Quality reports, and where rules are documented."""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Tuple

__all__ = ["to_github", "to_gitlab", "rules_reference", "github_escape_data", "github_escape_property"]

#: GitHub's annotation levels for fourp's severities (its toolkit has error, warning and notice).
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
#: GitLab Code Quality severities: info, minor, major, critical, blocker.
_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


# -- where each rule is documented -------------------------------------------------------------------------

@lru_cache(maxsize=None)
def rules_reference() -> Tuple[Optional[str], FrozenSet[str]]:
    """(file URI of the rules reference, the rule ids with a section in it).

    The reference (docs/rules.md, generated from the shipped pack) is installed inside the package as
    fourp/reference/rules.md; a source checkout reads docs/rules.md. A file URI, because fourp opens no
    network connection and plans live on networks with none: the link works on the machine that ran
    fourp. Its sections are `## rule-id`, so `#rule-id` is the anchor Markdown viewers give them.
    """
    here = pathlib.Path(__file__).resolve().parent.parent  # the package
    for candidate in (here / "reference" / "rules.md", here.parent / "docs" / "rules.md"):
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
            ids = frozenset(re.findall(r"^## ([A-Za-z0-9_.-]+)\s*$", text, re.M))
            return candidate.as_uri(), ids
    return None, frozenset()


# -- the places a finding is about -------------------------------------------------------------------------

def _places(data: Dict[str, Any]) -> Iterator[Tuple[Dict[str, Any], Optional[str], Optional[int], Optional[int]]]:
    """(item, file, line, column) for each finding of each plan, each cross-plan finding in each plan it
    concerns, and each file that could not be read. An item has rule, severity, title, message and
    remediation (an unreadable file's are made up here)."""
    for report in data["reports"]:
        for finding in report["findings"]:
            yield finding, report["file"], finding["line"], finding["column"]
    for finding in (data.get("portfolio") or {}).get("findings", []):
        for file in finding.get("files", []) or [None]:
            line, column = _portfolio_place(finding, file)
            yield finding, file, line, column
    for error in data["errors"]:
        yield ({"rule": "unreadable", "severity": "error", "title": "The file can be read as a plan",
                "message": error["reason"], "remediation": error["hint"]},
               error["file"], error["line"], error["column"])


def _portfolio_place(finding: Dict[str, Any], file: Optional[str]) -> Tuple[Optional[int], Optional[int]]:
    """The line and column of a cross-plan finding in one of its files, from its `file:line:col path`
    locations (matched by the file's own name, so a colon in a folder's name cannot confuse it)."""
    if file is None:
        return None, None
    for location in finding.get("locations", []):
        if location.startswith(file + ":"):
            numbers = location[len(file) + 1:].split(" ", 1)[0].split(":")
            if all(n.isdigit() for n in numbers) and numbers[0]:
                return int(numbers[0]), (int(numbers[1]) if len(numbers) > 1 else None)
    return None, None


# -- GitHub Actions -------------------------------------------------------------------------------------------

def github_escape_data(text: Any) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (`escapeData`)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(text: Any) -> str:
    """A workflow command's property value (file, title), escaped as GitHub's toolkit does
    (`escapeProperty`): also `:` and `,`, which would otherwise end the value."""
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _placed(item: Dict[str, Any]) -> str:
    """A finding's message, led by its place in a Word or Excel plan (which has no lines to annotate)."""
    place = (item.get("place") or {}).get("text")
    return f"{place}: {item['message']}" if place else item["message"]


def to_github(data: Dict[str, Any]) -> str:
    """GitHub Actions workflow commands, one line per finding (`::error file=...,line=...,col=...,
    title=...::message`), which GitHub shows as annotations on the plan's lines in a pull request and
    in the run's summary. Errors are `error`, warnings `warning`, info `notice`; an unreadable file is
    an error; a cross-plan finding is annotated in each plan it concerns."""
    lines = []
    for item, file, line, column in _places(data):
        properties: List[Tuple[str, Any]] = [("file", file)] if file else []
        if line is not None and line >= 1:
            properties.append(("line", line))
            if column is not None and column >= 1:
                properties.append(("col", column))
        properties.append(("title", f"fourp {item['rule']}: {item['title']}"))
        message = _placed(item) + (f"\nFix: {item['remediation']}" if item.get("remediation") else "")
        fields = ",".join(f"{name}={github_escape_property(value)}" for name, value in properties)
        lines.append(f"::{_GITHUB_LEVEL[item['severity']]} {fields}::{github_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


# -- GitLab Code Quality ----------------------------------------------------------------------------------

def to_gitlab(data: Dict[str, Any]) -> str:
    """A GitLab Code Quality report (a JSON array, for `artifacts: reports: codequality`): each finding an
    issue with `description`, `check_name` (the rule), `fingerprint`, `severity` (error major, warning
    minor, info info) and `location` (`path`, `lines.begin`). The fingerprint is the finding's identity
    across runs (file, rule, document path, message), so GitLab can tell new issues from fixed ones; a
    repeat of the same gets a number added, since GitLab keeps one issue per fingerprint."""
    issues: List[Dict[str, Any]] = []
    seen: Dict[str, int] = {}
    for item, file, line, _ in _places(data):
        path = (file or "").replace(os.sep, "/")
        identity = "\x1f".join((path, item["rule"], item.get("path") or "", item["message"]))
        repeat = seen.get(identity, 0)
        seen[identity] = repeat + 1
        fingerprint = hashlib.sha256(f"{identity}\x1f{repeat}".encode("utf-8")).hexdigest()
        description = f"{item['title']}: {_placed(item)}"
        issue: Dict[str, Any] = {
            "description": description, "check_name": f"fourp/{item['rule']}",
            "fingerprint": fingerprint, "severity": _GITLAB_SEVERITY[item["severity"]],
            "location": {"path": path, "lines": {"begin": line if line is not None and line >= 1 else 1}}}
        if item.get("remediation"):
            issue["content"] = {"body": item["remediation"]}
        issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
