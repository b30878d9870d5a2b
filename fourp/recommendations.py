"""The inspection's recommendations in a pack, and where an audit stands against each at its as-of date."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .pack import Rule
    from .report import Report

__all__ = ["Recommendation", "compile_recommendations", "assess", "force_key", "STATES"]

#: not-met: a target does not hold; met: every one does; not-judged: no plan it concerns, or a target rule
#: that cannot be judged on this audit (a cross-plan rule with no register, say).
STATES = ("not-met", "not-judged", "met")


def force_key(name: Optional[str]) -> str:
    """A force's name as compared: case, spacing, hyphens (a folder's `thames-valley`) and a leading "the"
    do not matter."""
    words = str(name or "").replace("-", " ").replace("_", " ").casefold().split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Recommendation:
    """A recommendation (or area for improvement) of the report that plans can evidence."""

    id: str
    text: str
    source: str
    line: str
    evidence: Tuple[str, ...]
    no_plan_fails: Tuple[str, ...] = ()
    portfolio_passes: Tuple[str, ...] = ()
    kind: str = "recommendation"
    addressed_to: str = ""
    forces: Tuple[str, ...] = ()
    deadline: Optional[dt.date] = None

    def concerns(self, force: Optional[str]) -> bool:
        return not self.forces or force_key(force) in {force_key(f) for f in self.forces}

    @property
    def target_text(self) -> str:
        parts = [f"no plan fails {', '.join(self.no_plan_fails)}"] if self.no_plan_fails else []
        if self.portfolio_passes:
            parts.append(f"{', '.join(self.portfolio_passes)} passes across the plans")
        return "; ".join(parts)

    def to_dict(self) -> Dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": self.text, "source": self.source, "line": self.line,
                "addressed_to": self.addressed_to, "forces": list(self.forces),
                "deadline": self.deadline.isoformat() if self.deadline else None, "evidence": list(self.evidence),
                "target": {"no_plan_fails": list(self.no_plan_fails),
                           "portfolio_passes": list(self.portfolio_passes)},
                "target_text": self.target_text}


def compile_recommendations(entries: Iterable[Tuple[Mapping[str, Any], Callable[..., Exception]]],
                            rules: Sequence["Rule"]) -> Tuple[Recommendation, ...]:
    """Recommendations from a pack's (schema-valid) entries, each with a function that makes the pack error
    for a sub-path of it (`error(sub_path, reason, code)`); a rule the pack does not have, a rule of the
    wrong scope for its target, or a deadline that is not a date, is that error."""
    from .dates import parse_date

    scopes = {rule.id: rule.scope for rule in rules}
    out = []
    for data, error in entries:
        target = data["target"]
        for key, want in (("evidence", None), ("no_plan_fails", "plan"), ("portfolio_passes", "portfolio")):
            where: Tuple[Any, ...] = (key,) if key == "evidence" else ("target", key)
            values = data["evidence"] if key == "evidence" else target.get(key, [])
            for index, rule_id in enumerate(values):
                if rule_id not in scopes:
                    raise error(where + (index,), f"recommendation {data['id']!r} names the rule {rule_id!r}, "
                                f"which the pack does not have", "unknown-rule")
                if want is not None and scopes[rule_id] != want:
                    raise error(where + (index,), f"recommendation {data['id']!r}: {rule_id!r} is a "
                                f"{scopes[rule_id]} rule; list it under "
                                f"{'no_plan_fails' if want == 'portfolio' else 'portfolio_passes'}", "invalid-pack")
        deadline = None
        if data.get("deadline") is not None:
            value = data["deadline"]
            deadline = value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None
            if deadline is None and isinstance(value, str):
                try:
                    deadline = dt.date.fromisoformat(value)
                except ValueError:
                    deadline = parse_date(value)
            if deadline is None:
                raise error(("deadline",), f"recommendation {data['id']!r}: deadline {value!r} is not a date "
                            "(YYYY-MM-DD)", "invalid-pack")
        out.append(Recommendation(
            id=data["id"], text=" ".join(data["text"].split()), source=data["source"], line=str(data["line"]),
            evidence=tuple(data["evidence"]), no_plan_fails=tuple(target.get("no_plan_fails", ())),
            portfolio_passes=tuple(target.get("portfolio_passes", ())), kind=data.get("kind", "recommendation"),
            addressed_to=data.get("addressed_to", ""), forces=tuple(data.get("forces", ())), deadline=deadline))
    return tuple(out)


def _failing(reports: Sequence["Report"], rule: str) -> Dict[str, int]:
    statuses = [r.result(rule) for r in reports]
    judged = [s for s in statuses if s is not None and s.status != "not-applicable"]
    return {"failing": sum(1 for s in judged if s.status in ("fail", "error")), "applicable": len(judged)}


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
