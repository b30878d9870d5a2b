"""Comparing an audit with an earlier one: which findings are new, which were fixed, which plans moved.

A finding's identity is (plan, rule, document path): the plan's `id`, or its file name when it has none;
never the line number, so editing a plan above a finding does not make it new again. The same identity may
occur more than once in a plan (two findings of one rule at one path); each is matched once.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..errors import FourpError
from ..report import REPORT_FORMAT, plan_fails

__all__ = ["BaselineError", "Baseline", "Comparison", "load_baseline", "baseline_from_data", "compare",
           "plan_key", "finding_key"]

Key = Tuple[str, str, str]


class BaselineError(FourpError):
    """A baseline file that cannot be used: the file, where in it, and why."""

    unnamed = "<baseline>"
    default_code = "invalid-baseline"


def plan_key(report: Mapping[str, Any]) -> str:
    """Who a plan is across audits: its id, or its file name (not its folder) when it has none."""
    plan_id = (report.get("plan") or {}).get("id")
    if isinstance(plan_id, str) and plan_id.strip():
        return plan_id.strip()
    return os.path.basename(report.get("file") or "") or "<plan>"


def finding_key(plan: str, finding: Mapping[str, Any]) -> Key:
    return (plan, finding["rule"], finding.get("path") or "")


@dataclass(frozen=True)
class Baseline:
    """An earlier audit, reduced to what a comparison needs: each plan's score, grade and findings."""

    file: str
    as_of: Optional[str]
    plans: Tuple[Dict[str, Any], ...]  # report dicts (`Report.to_dict()` shape) as read from the file


@dataclass(frozen=True)
class Comparison:
    """What changed since the baseline. `new_flags[i][j]` says whether finding j of report i is new."""

    baseline: Baseline
    new_flags: Tuple[Tuple[bool, ...], ...]
    new: Tuple[Dict[str, Any], ...]
    fixed: Tuple[Dict[str, Any], ...]
    unchanged: int
    better: Tuple[Dict[str, Any], ...]
    worse: Tuple[Dict[str, Any], ...]
    added: Tuple[Dict[str, Any], ...]
    removed: Tuple[Dict[str, Any], ...]
    _new_by_report: Dict[int, List[Dict[str, Any]]] = field(default_factory=dict, compare=False, repr=False)

    def new_findings(self, index: int) -> List[Dict[str, Any]]:
        """The new findings of report `index` (in the order given to `compare`)."""
        return self._new_by_report.get(index, [])

    def failing(self, reports: Sequence[Any], fail_on: str = "error", min_score: float = 0.0) -> List[Any]:
        """Reports that fail on their new findings alone (or score under `min_score`)."""
        return [r for i, r in enumerate(reports)
                if plan_fails({"score": r.score, "findings": self.new_findings(i)}, fail_on, min_score)]

    def to_dict(self) -> Dict[str, Any]:
        return {"file": self.baseline.file, "as_of": self.baseline.as_of,
                "counts": {"new": len(self.new), "fixed": len(self.fixed), "unchanged": self.unchanged,
                           "better": len(self.better), "worse": len(self.worse), "added": len(self.added),
                           "removed": len(self.removed)},
                "new": list(self.new), "fixed": list(self.fixed), "better": list(self.better),
                "worse": list(self.worse), "added": list(self.added), "removed": list(self.removed)}


# -- reading a baseline -----------------------------------------------------------------------------------

def load_baseline(path: str) -> Baseline:
    """Reads an earlier `fourp audit --format json` (or `fourp check --format json`). Raises BaselineError."""
    from .files import MAX_BASELINE_BYTES, FileRefused, read_bytes

    try:
        raw = read_bytes(path, MAX_BASELINE_BYTES)
    except FileRefused as exc:
        reason = "this is a folder, not an audit's JSON" if exc.kind == "folder" else exc.reason
        raise BaselineError(path, reason, code=exc.code) from None
    try:
        # Numbers of more digits than Python converts stay text (a `format` of 5,000 digits is then no
        # format version, said so), never a ValueError.
        data = json.loads(raw.decode("utf-8-sig"), parse_int=_json_int)
    except UnicodeDecodeError as exc:
        raise BaselineError(path, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(path, f"not JSON: {exc.msg} at column {exc.colno}", exc.lineno) from None
    except RecursionError:
        raise BaselineError(path, f"nested more than {MAX_DEPTH} levels deep: not an audit's JSON",
                            code="too-deep") from None
    _check_depth(data, path)
    return baseline_from_data(data, path)


#: An audit's JSON is about eight levels deep; anything far deeper is not one, and must not reach code
#: that walks it.
MAX_DEPTH = 64


def _json_int(digits: str) -> Any:
    try:
        return int(digits)
    except ValueError:  # past Python's limit on digits
        return digits


def _check_depth(data: Any, file: str) -> None:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BaselineError(file, f"nested more than {MAX_DEPTH} levels deep: not an audit's JSON",
                                code="too-deep")
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)


def baseline_from_data(data: Any, file: str = "<baseline>") -> Baseline:
    """A baseline from parsed JSON: an audit object, one plan's report, or a list of them."""
    if isinstance(data, dict) and data.get("kind") == "audit":
        version = data.get("format")
        if not isinstance(version, int) or isinstance(version, bool):
            raise BaselineError(file, "no format version: is this the JSON of `fourp audit --format json`?")
        if version > REPORT_FORMAT:
            raise BaselineError(file, f"written by a newer fourp (format {version}; this one reads up to "
                                      f"{REPORT_FORMAT})")
        plans, where, as_of = data.get("plans"), "plans", data.get("as_of")
    elif isinstance(data, dict) and "findings" in data:
        plans, where, as_of = [data], "", data.get("as_of")
    elif isinstance(data, list):  # `fourp check --format json` on several plans; unreadable ones skipped
        plans = [item for item in data if not (isinstance(item, dict) and "error" in item)]
        where, as_of = "", next((p.get("as_of") for p in plans if isinstance(p, dict)), None)
    else:
        raise BaselineError(file, "not the JSON of an audit: expected an object with \"kind\": \"audit\" "
                                  "(from `fourp audit --format json`)")
    if not isinstance(plans, list):
        raise BaselineError(file, f"\"{where}\" is not a list of plans")
    for index, plan in enumerate(plans):
        _check_plan(plan, f"{where}[{index}]" if where else f"[{index}]", file)
    return Baseline(file=file, as_of=as_of if isinstance(as_of, str) else None, plans=tuple(plans))


def _check_plan(plan: Any, where: str, file: str) -> None:
    if not isinstance(plan, dict):
        raise BaselineError(file, f"{where} is not a plan's report (an object)")
    if not isinstance(plan.get("findings"), list):
        raise BaselineError(file, f"{where} has no list of findings")
    if not isinstance(plan.get("plan", {}), dict) or not isinstance(plan.get("file", ""), (str, type(None))):
        raise BaselineError(file, f"{where} has a malformed plan or file")
    if not isinstance(plan.get("score", 0), (int, float)) or isinstance(plan.get("score"), bool):
        raise BaselineError(file, f"{where}.score is not a number")
    for index, finding in enumerate(plan["findings"]):
        if not isinstance(finding, dict) or not isinstance(finding.get("rule"), str) \
                or not isinstance(finding.get("path", ""), str):
            raise BaselineError(file, f"{where}.findings[{index}] is not a finding with a rule and a path")


# -- comparing ----------------------------------------------------------------------------------------------

def _brief(plan: str, report: Mapping[str, Any], finding: Mapping[str, Any]) -> Dict[str, Any]:
    return {"plan": plan, "file": report.get("file"), "rule": finding["rule"],
            "severity": finding.get("severity"), "title": finding.get("title"),
            "message": finding.get("message"), "path": finding.get("path") or "",
            "line": finding.get("line"), "column": finding.get("column")}


def _movement(plan: str, before: Mapping[str, Any], now: Mapping[str, Any]) -> Dict[str, Any]:
    return {"plan": plan, "file": now.get("file"), "score_was": before.get("score"), "score": now["score"],
            "grade_was": before.get("grade"), "grade": now["grade"]}


def compare(baseline: Baseline, reports: Iterable[Mapping[str, Any]]) -> Comparison:
    """Compares reports (each `Report.to_dict()`) with a baseline."""
    reports = list(reports)
    remaining: Counter = Counter()
    earlier: Dict[str, Mapping[str, Any]] = {}
    for old in baseline.plans:
        key = plan_key(old)
        earlier.setdefault(key, old)
        remaining.update(finding_key(key, f) for f in old["findings"])
    flags: List[Tuple[bool, ...]] = []
    new: List[Dict[str, Any]] = []
    by_report: Dict[int, List[Dict[str, Any]]] = {}
    unchanged = 0
    current_keys = set()
    for index, report in enumerate(reports):
        key = plan_key(report)
        current_keys.add(key)
        row = []
        for finding in report["findings"]:
            identity = finding_key(key, finding)
            if remaining[identity] > 0:
                remaining[identity] -= 1
                unchanged += 1
                row.append(False)
            else:
                row.append(True)
                new.append(_brief(key, report, finding))
                by_report.setdefault(index, []).append(finding)
        flags.append(tuple(row))
    fixed = []
    for old in baseline.plans:  # what the baseline had that no current plan matched
        key = plan_key(old)
        if key not in current_keys:  # a plan no longer audited (closed, moved, unreadable): not a fix
            continue
        for finding in old["findings"]:
            identity = finding_key(key, finding)
            if remaining[identity] > 0:
                remaining[identity] -= 1
                fixed.append(_brief(key, old, finding))
    better, worse, added = [], [], []
    seen = set()
    for report in reports:
        key = plan_key(report)
        if key in seen:
            continue
        seen.add(key)
        before = earlier.get(key)
        if before is None:
            added.append({"plan": key, "file": report.get("file"), "score": report["score"],
                          "grade": report["grade"]})
        elif isinstance(before.get("score"), (int, float)) and report["score"] > before["score"]:
            better.append(_movement(key, before, report))
        elif isinstance(before.get("score"), (int, float)) and report["score"] < before["score"]:
            worse.append(_movement(key, before, report))
    removed = [{"plan": key, "file": old.get("file"), "score": old.get("score"), "grade": old.get("grade"),
                "findings": len(old["findings"])} for key, old in earlier.items() if key not in current_keys]
    better.sort(key=lambda m: m["score_was"] - m["score"])
    worse.sort(key=lambda m: m["score"] - m["score_was"])
    return Comparison(baseline=baseline, new_flags=tuple(flags), new=tuple(new), fixed=tuple(fixed),
                      unchanged=unchanged, better=tuple(better), worse=tuple(worse), added=tuple(added),
                      removed=tuple(removed), _new_by_report=by_report)
