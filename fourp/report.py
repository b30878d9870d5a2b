"""What evaluating a plan produces: findings, each rule's result, the score, as plain immutable data."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

__all__ = ["Place", "Finding", "RuleResult", "Waiver", "Report", "PS", "SEVERITIES", "STATUSES", "FAILED_STATUSES",
           "APPLICABLE_STATUSES", "REPORT_FORMAT", "at_or_above", "plan_fails"]

# The words results are made of, defined once: every module imports these rather than spelling them out.
#: The four Ps, in the order plans and reports give them.
PS = ("pursue", "prevent", "protect", "prepare")
#: Most serious first; a finding's rank in what to fix first starts here.
SEVERITIES = ("error", "warning", "info")
#: What a rule's result can be.
STATUSES = ("pass", "fail", "waived", "not-applicable", "error")
#: The statuses of a rule the plan does not meet (a check that broke on the plan counts against it).
FAILED_STATUSES = ("fail", "error")
#: The statuses that count in the score: waived and not-applicable neither help nor hurt.
APPLICABLE_STATUSES = ("pass", "fail", "error")
#: The version of the JSON shape of `Report.to_dict()`; bumped when a field changes meaning.
REPORT_FORMAT = 1


@dataclass(frozen=True)
class Place:
    """Where a value is in a Word or Excel plan, in words an officer can follow and as its parts.

    `text` is what reports show ("Pursue actions table, row 3, Result"; "sheet Actions, cell H7 (Result)");
    `part` is the table's caption or the sheet, `row` the table's row (1 for the first entry) or the sheet's,
    `field` the column heading or label, `cell` the sheet's cell reference.
    """

    text: str
    part: Optional[str] = None
    row: Optional[int] = None
    field: Optional[str] = None
    cell: Optional[str] = None
    sheet: Optional[str] = None

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Place":
        return cls(**data)

    def to_dict(self) -> Dict[str, Any]:
        return {name: value for name, value in (("text", self.text), ("part", self.part), ("row", self.row),
                                                ("field", self.field), ("cell", self.cell),
                                                ("sheet", self.sheet)) if value is not None}


@dataclass(frozen=True)
class Finding:
    """One shortfall in one plan: which rule, how serious, what is wrong, where, and how to put it right."""

    rule: str
    severity: str
    message: str
    path: str
    line: Optional[int]
    column: Optional[int]
    title: str = ""
    remediation: str = ""
    weight: float = 0.0
    ps: Tuple[str, ...] = ()
    file: Optional[str] = None
    quote: Optional[str] = None
    #: In a Word or Excel plan, the place in the document (lines and columns mean nothing there).
    place: Optional[Place] = None

    @property
    def location(self) -> str:
        return location_text(self.file, self.line, self.column, self.place.text if self.place else None)

    def to_dict(self) -> Dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "path": self.path,
                "line": self.line, "column": self.column, "title": self.title,
                "remediation": self.remediation, "weight": self.weight, "ps": list(self.ps),
                "quote": self.quote, "place": self.place.to_dict() if self.place else None}

    @classmethod
    def from_dict(cls, data: Dict[str, Any], file: Optional[str] = None) -> "Finding":
        """The finding `to_dict()` gave (which leaves out its plan's `file`, given here)."""
        place = data.get("place")
        return cls(rule=data["rule"], severity=data["severity"], message=data["message"], path=data["path"],
                   line=data["line"], column=data["column"], title=data["title"], remediation=data["remediation"],
                   weight=data["weight"], ps=tuple(data["ps"]), file=file, quote=data["quote"],
                   place=Place.from_dict(place) if place else None)


def location_text(file: Optional[str], line: Optional[int], column: Optional[int],
                  place: Optional[str] = None) -> str:
    """`plan.yaml:42:7`, or `plan.docx: Pursue actions table, row 3, Result`: the one way every report
    words a finding's location."""
    if place:
        return f"{file or '<plan>'}: {place}"
    parts = [file or "<plan>"]
    if line is not None:
        parts += [str(line), str(column)]
    return ":".join(parts)


@dataclass(frozen=True)
class Waiver:
    """An exception the plan records; `valid` is false for one that is expired, unexplained or unapproved."""

    rule: str
    reason: str
    approved_by: str
    expires: Optional[str]
    valid: bool
    problem: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "approved_by": self.approved_by,
                "expires": self.expires, "valid": self.valid, "problem": self.problem}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Waiver":
        return cls(**data)


@dataclass(frozen=True)
class RuleResult:
    rule: str
    title: str
    status: str
    severity: str
    weight: float
    ps: Tuple[str, ...] = ()
    findings: int = 0
    waiver: Optional[str] = None  # the reason, when waived
    failed_ps: Tuple[str, ...] = ()  # of `ps`, those the findings fall in (all of them for plan-level ones)

    def to_dict(self) -> Dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "status": self.status, "severity": self.severity,
                "weight": self.weight, "ps": list(self.ps), "findings": self.findings,
                "waiver": self.waiver, "failed_ps": list(self.failed_ps)}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "RuleResult":
        return cls(rule=data["rule"], title=data["title"], status=data["status"], severity=data["severity"],
                   weight=data["weight"], ps=tuple(data["ps"]), findings=data["findings"], waiver=data["waiver"],
                   failed_ps=tuple(data["failed_ps"]))


@dataclass(frozen=True)
class Report:
    """The verdict on one plan under one pack at one as-of date."""

    file: Optional[str]
    plan_id: Optional[str]
    force: Optional[str]
    lro: Optional[str]
    status: Optional[str]
    as_of: dt.date
    pack: str
    pack_version: Optional[str]
    score: float
    grade: str
    p_scores: Dict[str, Optional[float]]
    findings: Tuple[Finding, ...]
    results: Tuple[RuleResult, ...]
    waivers: Tuple[Waiver, ...] = ()
    threat: Optional[str] = None
    meta: Dict[str, Any] = field(default_factory=dict, compare=False)

    def failed(self, fail_on: str = "error") -> bool:
        """Whether any finding is at or above the given severity."""
        return any(at_or_above(f.severity, fail_on) for f in self.findings)

    def result(self, rule: str) -> Optional[RuleResult]:
        return next((r for r in self.results if r.rule == rule), None)

    @property
    def passed_rules(self) -> Tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.status == "pass")

    def counts(self) -> Dict[str, int]:
        out = {s: 0 for s in SEVERITIES}
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    def to_dict(self) -> Dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "file": self.file,
            "plan": {"id": self.plan_id, "force": self.force, "lro": self.lro, "status": self.status,
                     "threat": self.threat},
            "as_of": self.as_of.isoformat(),
            "pack": self.pack,
            "pack_version": self.pack_version,
            "score": self.score,
            "grade": self.grade,
            "p_scores": dict(self.p_scores),
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "results": [r.to_dict() for r in self.results],
            "waivers": [w.to_dict() for w in self.waivers],
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any], meta: Optional[Dict[str, Any]] = None,
                  results: Optional[Tuple[RuleResult, ...]] = None) -> "Report":
        """The report `to_dict()` gave (`meta`, which it leaves out, given here; `results` too, when the
        caller holds them already)."""
        plan, file = data["plan"], data["file"]
        return cls(file=file, plan_id=plan["id"], force=plan["force"], lro=plan["lro"], status=plan["status"],
                   as_of=dt.date.fromisoformat(data["as_of"]), pack=data["pack"], pack_version=data["pack_version"],
                   score=data["score"], grade=data["grade"], p_scores=dict(data["p_scores"]),
                   findings=tuple(Finding.from_dict(f, file) for f in data["findings"]),
                   results=results if results is not None else tuple(RuleResult.from_dict(r) for r in data["results"]),
                   waivers=tuple(Waiver.from_dict(w) for w in data["waivers"]), threat=plan["threat"],
                   meta=dict(meta or {}))


def at_or_above(severity: str, fail_on: str) -> bool:
    """Whether a finding of `severity` is at or above the `--fail-on` severity."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


def plan_fails(report: Any, fail_on: str = "error", min_score: float = 0.0) -> bool:
    """Whether a plan fails a run: its score is under `min_score`, or a finding is at or above `fail_on`.
    `report` is a `Report` or its `to_dict()` (as the templates' view data holds it); the one definition
    behind `fourp check`'s exit code, the audit's failing plans and the reports' verdicts."""
    if isinstance(report, dict):
        score, severities = report["score"], [f["severity"] for f in report["findings"]]
    else:
        score, severities = report.score, [f.severity for f in report.findings]
    return score < min_score or any(at_or_above(severity, fail_on) for severity in severities)
