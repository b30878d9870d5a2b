"""Where an audit stands against the pack's recommendations (`fourp.pack.blocks`) at its as-of date."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence

from .pack.blocks import Recommendation, compile_recommendations, force_key  # noqa: F401 (re-exported)
from .report import FAILED_STATUSES

if TYPE_CHECKING:  # pragma: no cover
    from .report import Report

__all__ = ["Recommendation", "compile_recommendations", "assess", "force_key", "STATES"]

#: not-met: a target does not hold; met: every one does; not-judged: no plan it concerns, or a target rule
#: that cannot be judged on this audit (a cross-plan rule with no register, say).
STATES = ("not-met", "not-judged", "met")


def _failing(reports: Sequence["Report"], rule: str) -> Dict[str, int]:
    statuses = [r.result(rule) for r in reports]
    judged = [s for s in statuses if s is not None and s.status != "not-applicable"]
    return {"failing": sum(1 for s in judged if s.status in FAILED_STATUSES), "applicable": len(judged)}


def assess(recommendations: Sequence[Recommendation], reports: Sequence["Report"], portfolio: Mapping[str, Any],
           as_of: dt.date, judge_portfolio: Optional[Callable[[Sequence["Report"], Sequence[str]],
                                                               Mapping[str, Any]]] = None) -> List[Dict[str, Any]]:
    """Where the plans stand against each recommendation at `as_of` (never the wall clock).

    `portfolio` is the audit's cross-plan verdict (`Portfolio.to_dict()`), used for a recommendation that
    concerns every plan; for one that concerns some forces, `judge_portfolio(reports, rule_ids)` judges its
    cross-plan targets over those forces' plans alone (without it they are not judged).
    """
    out = []
    for rec in recommendations:
        mine = [r for r in reports if rec.concerns(r.force)]
        targets: List[Dict[str, Any]] = []
        for rule in rec.no_plan_fails:
            counts = _failing(mine, rule)
            targets.append({"rule": rule, "scope": "plan", **counts,
                            "met": counts["failing"] == 0 if counts["applicable"] else None})
        if rec.portfolio_passes:
            verdict: Mapping[str, Any] = portfolio if not rec.forces else (
                judge_portfolio(mine, rec.portfolio_passes) if judge_portfolio is not None and mine else {})
            results = {r["rule"]: r for r in verdict.get("results", ())}
            for rule in rec.portfolio_passes:
                result = results.get(rule)
                status = result["status"] if result else "not-applicable"
                targets.append({"rule": rule, "scope": "portfolio", "status": status,
                                "findings": result["findings"] if result else 0,
                                "met": None if status == "not-applicable" else status == "pass"})
        evidence = {rule: _failing(mine, rule) for rule in rec.evidence}
        if not mine or any(t["met"] is None for t in targets):
            state = "not-judged"
        else:
            state = "met" if all(t["met"] for t in targets) else "not-met"
        days_left = (rec.deadline - as_of).days if rec.deadline else None
        out.append(dict(rec.to_dict(), state=state, plans=len(mine), targets=targets, evidence_counts=evidence,
                        days_left=days_left, overdue=days_left is not None and days_left < 0 and state != "met",
                        as_of=as_of.isoformat()))
    return out
