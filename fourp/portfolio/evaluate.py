"""Judging the cross-plan (portfolio) rules once every plan of an audit is in, on the plans' facts.

Some of the inspectorate's findings cannot be seen one plan at a time: threats on the force's register with
no plan, an LRO holding too many threats, text copied from another plan, plans on different templates.
An audit streams plans through worker processes and keeps only their reports, so each worker reduces its
plan to compact *facts* (`fourp.portfolio.facts.plan_facts`, stored in `Report.meta`) and the portfolio
rules read those.

Portfolio rules are declared in a pack like any other, with `scope: portfolio` and a check kind from the one
registry of check kinds (`fourp.checks`, looked up by scope), one module each in this folder. A check gets a
`PortfolioContext` and yields `PortfolioProblem`s; the evaluation, not the check, stamps rule, severity and
message onto them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..read.plan import as_mapping
from ..read.register import Register, register_from_entries
from ..report import SEVERITIES
from . import fingerprint
from .context import PlanFacts, PortfolioCheck, PortfolioContext
from .copied_text import reader_for_files
from .facts import plan_facts

if TYPE_CHECKING:  # pragma: no cover
    from ..pack.model import Rule, RulePack

__all__ = ["evaluate_portfolio", "Portfolio", "PortfolioFinding", "PortfolioResult", "verify_example"]


@dataclass(frozen=True)
class PortfolioFinding:
    rule: str
    severity: str
    message: str
    title: str
    remediation: str
    files: Tuple[str, ...] = ()
    locations: Tuple[str, ...] = ()
    subject: str = ""
    quote: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "title": self.title,
                "remediation": self.remediation, "files": list(self.files), "locations": list(self.locations),
                "subject": self.subject, "quote": self.quote}


@dataclass(frozen=True)
class PortfolioResult:
    rule: str
    title: str
    status: str  # pass, fail, not-applicable or error
    severity: str
    findings: int = 0
    reason: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "status": self.status, "severity": self.severity,
                "findings": self.findings, "reason": self.reason}


@dataclass(frozen=True)
class Portfolio:
    """The verdict of the portfolio rules on one audit."""

    plans: int
    results: Tuple[PortfolioResult, ...]
    findings: Tuple[PortfolioFinding, ...]
    register: Optional[Register] = None

    def result(self, rule: str) -> Optional[PortfolioResult]:
        return next((r for r in self.results if r.rule == rule), None)

    def to_dict(self) -> Dict[str, Any]:
        return {"plans": self.plans, "results": [r.to_dict() for r in self.results],
                "findings": [f.to_dict() for f in self.findings],
                "register": ({"file": self.register.file, "threats": len(self.register.threats)}
                             if self.register is not None else None)}


def _severity(rule_severity: str, step_down: int) -> str:
    return SEVERITIES[min(len(SEVERITIES) - 1, SEVERITIES.index(rule_severity) + max(0, step_down))]


def evaluate_portfolio(plans: Iterable[Tuple[str, Optional[Mapping[str, Any]]]], pack: "RulePack",
                       as_of: Optional[dt.date] = None, register: Optional[Register] = None,
                       read_prose: Optional[Callable[[str], Optional[fingerprint.Prose]]] = None,
                       only: Optional[Sequence[str]] = None) -> Portfolio:
    """Judges the pack's portfolio rules on `(file, facts)` pairs (facts from `plan_facts`; plans without
    facts are left out). `read_prose(file)` re-reads a plan to confirm and quote copied text (default:
    from the file). Never raises on plan data: a check that fails is an `error` result."""
    as_of = as_of or dt.date.today()
    entries = tuple(PlanFacts(file, facts) for file, facts in plans if facts is not None)
    ctx = PortfolioContext(entries, as_of, register, read_prose if read_prose is not None else reader_for_files())
    results: List[PortfolioResult] = []
    findings: List[PortfolioFinding] = []
    for rule in pack.rules:
        if not rule.enabled or rule.scope != "portfolio" or (only is not None and rule.id not in only):
            continue
        kind: PortfolioCheck = rule.kind
        reason = kind.applies(ctx, rule.prepared)
        if reason:
            results.append(PortfolioResult(rule.id, rule.title, "not-applicable", rule.severity, reason=reason))
            continue
        try:
            problems = list(kind.check(ctx, rule.prepared))
        except Exception as exc:  # one broken rule must not cost the supervisor the rest of the audit
            results.append(PortfolioResult(rule.id, rule.title, "error", rule.severity, 1,
                                           f"the check failed: {type(exc).__name__}: {exc}"))
            continue
        results.append(PortfolioResult(rule.id, rule.title, "fail" if problems else "pass", rule.severity,
                                       len(problems)))
        for problem in problems:
            findings.append(PortfolioFinding(
                rule=rule.id, severity=_severity(rule.severity, problem.step_down),
                message=rule.render(dict(problem.values, detail=problem.detail)), title=rule.title,
                remediation=rule.remediation, files=problem.files, locations=problem.locations,
                subject=problem.subject, quote=problem.quote))
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.files, f.message))
    return Portfolio(len(entries), tuple(results), tuple(findings), register)


def verify_example(rule: "Rule", example: Mapping[str, Any], pack: "RulePack",
                   as_of: dt.date) -> Tuple[str, List[str]]:
    """A portfolio rule's pack example: `plan` holds `plans` (plan mappings, named `plan-1.yaml`, …) and
    optionally `register` (threat mappings). Gives the rule's status and its findings' messages."""
    from ..read.plan import plan_from_data

    spec = as_mapping(example.get("plan"))
    raw_plans = spec.get("plans") or []
    loaded = {f"plan-{n}.yaml": plan_from_data(data, f"plan-{n}.yaml") for n, data in enumerate(raw_plans, 1)}
    register = register_from_entries(spec["register"], "<example register>") if "register" in spec else None
    portfolio = evaluate_portfolio(((name, plan_facts(plan, pack)) for name, plan in loaded.items()), pack,
                                   as_of, register, lambda name: fingerprint.prose_of(loaded[name].data),
                                   only=[rule.id])
    result = portfolio.result(rule.id)
    return (result.status if result else "missing"), [f.message for f in portfolio.findings]
