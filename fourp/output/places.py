"""Where a finding is, for the CI formats (`github`, `gitlab`, `sarif`): each finding's file, line and column,
and where each rule is documented."""
from __future__ import annotations

import pathlib
import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterator, Optional, Tuple

__all__ = ["rules_reference", "places", "portfolio_place", "placed_message", "plan_name"]

#: GitHub's annotation levels for fourp's severities (its toolkit has error, warning and notice).
#: GitLab Code Quality severities: info, minor, major, critical, blocker.


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

def places(data: Dict[str, Any]) -> Iterator[Tuple[Dict[str, Any], Optional[str], Optional[int], Optional[int]]]:
    """(item, file, line, column) for each finding of each plan, each cross-plan finding in each plan it
    concerns, and each file that could not be read. An item has rule, severity, title, message and
    remediation (an unreadable file's are made up here)."""
    for report in data["reports"]:
        for finding in report["findings"]:
            yield finding, report["file"], finding["line"], finding["column"]
    for finding in (data.get("portfolio") or {}).get("findings", []):
        for file in finding.get("files", []) or [None]:
            line, column = portfolio_place(finding, file)
            yield finding, file, line, column
    for error in data["errors"]:
        yield ({"rule": "unreadable", "severity": "error", "title": "The file can be read as a plan",
                "message": error["reason"], "remediation": error["hint"]},
               error["file"], error["line"], error["column"])


def portfolio_place(finding: Dict[str, Any], file: Optional[str]) -> Tuple[Optional[int], Optional[int]]:
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


def placed_message(item: Dict[str, Any]) -> str:
    """A finding's message, led by its place in a Word or Excel plan (which has no lines to annotate)."""
    place = (item.get("place") or {}).get("text")
    return f"{place}: {item['message']}" if place else item["message"]


def plan_name(report: Dict[str, Any]) -> str:
    return report["plan"]["id"] or report["file"] or "<plan>"
