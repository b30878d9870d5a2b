"""The regional view of an audit over several forces: forces side by side on each rule, the spread of their
scores, the cross-plan rules per force, and text copied between forces, which a regional unit sees where
no single force can."""
from __future__ import annotations

import dataclasses
import os
import statistics
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .kept import light
from .report import FAILED_STATUSES

__all__ = ["FORCE_FROM", "forces_from_folders", "regional_view", "assess_audit"]

#: Where a plan's force comes from: its `force` field, or the folder it was found in.
FORCE_FROM = ("field", "folder")
_NO_FORCE = "(no force)"
#: Cross-plan checks judged on each force's plans alone; the rest (they re-read plans, or need the register,
#: which is the whole audit's) are attributed to the forces whose plans their findings name.
_PER_FORCE_CHECKS = frozenset({"lro-workload", "one-structure"})


def _folder_force(file: str, paths: Sequence[str]) -> Optional[str]:
    """With one audited folder, the subfolder of it the plan is in (`region/surrey/x.yaml` is surrey); with
    several, the audited folder it was found under (`surrey/active/x.yaml` is surrey)."""
    folders = [p for p in paths if os.path.isdir(p)]
    for folder in folders:
        prefix = os.path.join(folder, "")
        if not file.startswith(prefix):
            continue
        if len(folders) > 1:
            return os.path.basename(os.path.normpath(os.path.abspath(folder)))
        parts = file[len(prefix):].split(os.sep)
        return parts[0] if len(parts) > 1 else os.path.basename(os.path.normpath(os.path.abspath(folder)))
    return None


def forces_from_folders(reports: Sequence[Any], paths: Sequence[str]) -> tuple:
    """The reports with each plan's force taken from its folder (`--force-from folder`); a plan named
    directly as a file keeps its `force` field."""
    out = []
    for report in reports:
        force = _folder_force(report.file or "", paths)
        out.append(dataclasses.replace(report, force=force) if force is not None else report)
    return tuple(out)


def _spread(scores: List[float]) -> Dict[str, Any]:
    ordered = sorted(scores)
    quartiles = statistics.quantiles(ordered, n=4, method="inclusive") if len(ordered) > 1 else ordered * 3
    return {"plans": len(ordered), "min": ordered[0], "q1": round(quartiles[0], 1),
            "median": round(statistics.median(ordered), 1), "q3": round(quartiles[2], 1), "max": ordered[-1]}


def regional_view(result: Any, pack: Any) -> Optional[Dict[str, Any]]:
    """The region's view of an audit (`fourp.audit.AuditReport`), or None when it holds fewer than two forces."""
    from .portfolio.evaluate import evaluate_portfolio
    from .portfolio.facts import FACTS_KEY

    groups: Dict[str, List[Any]] = {}
    for report in light(result.reports):  # fields only: never decoded
        groups.setdefault(report.force or _NO_FORCE, []).append(report)
    if len(groups) < 2:
        return None
    forces = sorted(groups)
    rules = []
    for rule in pack.plan_rules:
        row = {"rule": rule.id, "title": rule.title, "severity": rule.severity, "forces": {}}
        for force in forces:
            statuses = [r.result(rule.id) for r in groups[force]]
            judged = [s for s in statuses if s is not None and s.status != "not-applicable"]
            failing = sum(1 for s in judged if s.status in FAILED_STATUSES)
            row["forces"][force] = {"failing": failing, "applicable": len(judged),
                                    "rate": round(100.0 * failing / len(judged), 1) if judged else None}
        rules.append(row)
    spread = {force: _spread([r.score for r in groups[force]]) for force in forces}
    force_of = {r.file: (r.force or _NO_FORCE) for r in light(result.reports)}
    portfolio = result.portfolio or {}
    findings = portfolio.get("findings", ())
    per_force_rules = [r.id for r in pack.rules
                       if r.enabled and r.scope == "portfolio" and r.check in _PER_FORCE_CHECKS]
    own_verdicts = {force: evaluate_portfolio(((r.file or "<plan>", r.meta.get(FACTS_KEY)) for r in groups[force]),
                                              pack, result.as_of, only=per_force_rules).to_dict()
                    if per_force_rules else {} for force in forces}
    cross_rules = []
    for whole in portfolio.get("results", ()):
        row = {"rule": whole["rule"], "title": whole["title"], "severity": whole["severity"],
               "region": whole["status"], "forces": {}}
        for force in forces:
            own = next((r for r in own_verdicts[force].get("results", ()) if r["rule"] == whole["rule"]), None)
            if own is not None:
                row["forces"][force] = {"status": own["status"], "findings": own["findings"]}
                continue
            named = sum(1 for f in findings if f["rule"] == whole["rule"]
                        and any(force_of.get(file) == force for file in f.get("files", ())))
            status = "fail" if named else ("pass" if whole["status"] == "fail" else whole["status"])
            row["forces"][force] = {"status": status, "findings": named}
        cross_rules.append(row)
    copied_rules = {r.id for r in pack.rules if r.scope == "portfolio" and r.check == "copied-text"}
    across = []
    for finding in findings:
        involved = sorted({force_of.get(file, _NO_FORCE) for file in finding.get("files", ())})
        if finding["rule"] in copied_rules and len(involved) > 1:
            across.append(dict(finding, forces=involved))
    return {"forces": forces, "rules": rules, "spread": spread, "portfolio": cross_rules,
            "copied_across_forces": across}


def assess_audit(result: Any, pack: Any, max_bytes: Optional[int] = None,
                 mappings: Sequence[Any] = ()) -> Sequence[Mapping[str, Any]]:
    """Where the audit stands against the pack's recommendations at its as-of date; a recommendation for
    some forces has its cross-plan targets judged over their plans alone. `mappings` read Word and Excel
    plans kept in a force's own template, as the audit read them."""
    from .portfolio.copied_text import reader_for_files
    from .portfolio.evaluate import evaluate_portfolio
    from .portfolio.facts import FACTS_KEY
    from .recommendations import assess

    if not pack.recommendations:
        return []

    def judge(reports: Sequence[Any], rules: Sequence[str]) -> Mapping[str, Any]:
        return evaluate_portfolio(((r.file or "<plan>", r.meta.get(FACTS_KEY)) for r in reports), pack, result.as_of,
                                  read_prose=reader_for_files(max_bytes, mappings), only=list(rules)).to_dict()

    return assess(pack.recommendations, light(result.reports), result.portfolio or {}, result.as_of, judge)
