"""Evaluating a plan against a pack: run each rule's check, stamp and order the findings, score the plan."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from .pack.conditions import all_hold
from .pack.context import Context, Problem
from .pack.lifecycle import DEFAULT_DRAFT_DAYS, life_of
from .pack.load import Rule, RulePack, load_pack
from .pack.pointers import pointer
from .read.dates import parse_date
from .read.plan import Plan, plan_from_data
from .report import FAILED_STATUSES, SEVERITIES, Finding, Report, RuleResult, Waiver
from .scoring import score_results

__all__ = ["evaluate", "check", "order_findings"]


def _text(value: Any) -> Optional[str]:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _waivers(data: Any, as_of: dt.date) -> Tuple[Waiver, ...]:
    entries = data.get("waivers") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        return ()
    out = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not _text(entry.get("rule")):
            continue
        reason, approver = _text(entry.get("reason")), _text(entry.get("approved_by"))
        expires = parse_date(entry.get("expires")) if entry.get("expires") is not None else None
        problem = ""
        if not reason:
            problem = "it gives no reason"
        elif not approver:
            problem = "no one approved it"
        elif entry.get("expires") is not None and expires is None:
            problem = f"its expiry {entry.get('expires')!r} is not a date"
        elif expires is not None and expires < as_of:
            problem = f"it expired on {expires}"
        out.append(Waiver(rule=entry["rule"].strip(), reason=reason or "", approved_by=approver or "",
                          expires=expires.isoformat() if expires else None, valid=not problem,
                          problem=problem))
    return tuple(out)


def order_findings(findings: Iterable[Finding]) -> List[Finding]:
    """What to fix first: most serious, then heaviest rule, then in the order of the file."""
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), -f.weight, f.rule,
                                           f.line if f.line is not None else 1 << 30, f.column or 0, f.path))


def _quote(data: Any, path: Tuple[Any, ...]) -> Optional[str]:
    value: Any = data
    for key in path:
        if (type(value) is dict or isinstance(value, Mapping)) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        else:
            return None
    if isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text if len(text) <= 200 else text[:199] + "…"
    return None


def _failed_ps(ps: Tuple[str, ...], problems: List[Problem]) -> Tuple[str, ...]:
    """The Ps a failing rule fails for: those its findings lie in, or all when one lies outside every P."""
    hit = set()
    for problem in problems:
        head = problem.path[0] if problem.path else None
        if head not in ps:
            return ps
        hit.add(head)
    return tuple(p for p in ps if p in hit)


def _run(rule: Rule, ctx: Context) -> Tuple[List[Problem], Optional[str]]:
    try:
        return list(rule.kind.check(ctx, rule.prepared)), None
    except Exception as exc:  # a plug-in's bug must not cost the officer the rest of the report
        return [Problem((), f"the check {rule.check!r} failed on this plan: {type(exc).__name__}: {exc}")], \
            "error"


def _draft_days(pack: RulePack) -> int:
    rule = next((r for r in pack.plan_rules if r.check == "draft-in-use"), None)
    return rule.prepared.max_draft_days if rule is not None else DEFAULT_DRAFT_DAYS


def _covered(problem_path: Tuple[Any, ...], covers: List[Tuple[Any, ...]]) -> bool:
    return any(problem_path[:len(c)] == c for c in covers)


def evaluate(plan: Plan, pack: RulePack, as_of: Optional[dt.date] = None,
             only: Optional[Sequence[str]] = None, other_names: Sequence[str] = ()) -> Report:
    """Judges one plan under one pack at one as-of date. Never raises on any plan data.

    `other_names` are the names of other threats and operations the force manages (from its register,
    or the other plans of an audit), for the rule that the plan's text is about its own threat.
    """
    as_of = as_of or dt.date.today()
    data = plan.data
    is_mapping = type(data) is dict or isinstance(data, Mapping)
    ctx = Context(data, as_of, life=life_of(data, as_of, _draft_days(pack)), other_names=tuple(other_names))
    # What plan-structure could not read (or found under a misspelt key) is its finding alone: other
    # rules neither report it again nor conclude from it. Structure rules run first for that reason.
    covers: List[Tuple[Any, ...]] = []
    waivers = _waivers(data, as_of)
    valid_waivers = {w.rule: w for w in waivers if w.valid}
    findings: List[Finding] = []
    results: List[RuleResult] = []
    rules = sorted(pack.plan_rules, key=lambda r: r.check != "schema")
    for rule in rules:
        if only is not None and rule.id not in only:
            if rule.check == "schema" and is_mapping:  # what it covers still keeps other rules quiet
                covers.extend(tuple(c) for p in _run(rule, ctx)[0] for c in p.values.get("covers", ()) if c)
            continue
        if (not is_mapping and rule.check != "schema") or not all_hold(rule.applies_when, ctx):
            results.append(RuleResult(rule.id, rule.title, "not-applicable", rule.severity, rule.weight,
                                      rule.ps))
            continue
        problems, crashed = _run(rule, ctx)
        if rule.check == "schema":
            covers.extend(tuple(c) for p in problems for c in p.values.get("covers", ()) if c)
        elif covers and problems and not crashed:
            problems = [p for p in problems if not _covered(p.path, covers)]
            if not problems:  # all it found rests on what plan-structure reports
                results.append(RuleResult(rule.id, rule.title, "not-applicable", rule.severity, rule.weight,
                                          rule.ps))
                continue
        if not problems:
            results.append(RuleResult(rule.id, rule.title, "pass", rule.severity, rule.weight, rule.ps))
            continue
        waiver = valid_waivers.get(rule.id)
        if waiver is not None and not crashed:
            results.append(RuleResult(rule.id, rule.title, "waived", rule.severity, rule.weight, rule.ps,
                                      len(problems), waiver.reason))
            continue
        results.append(RuleResult(rule.id, rule.title, crashed or "fail", rule.severity, rule.weight,
                                  rule.ps, len(problems), failed_ps=_failed_ps(rule.ps, problems)))
        for problem in problems:
            line_col = plan.locate(problem.path)
            message = rule.render(dict(problem.values, detail=problem.detail))
            findings.append(Finding(
                rule=rule.id, severity=rule.severity, message=message, path=pointer(problem.path),
                line=line_col[0] if line_col else None, column=line_col[1] if line_col else None,
                title=rule.title, remediation=rule.remediation, weight=rule.weight, ps=rule.ps,
                file=plan.source, quote=_quote(data, problem.path), place=plan.place(problem.path)))
    order = {r.id: n for n, r in enumerate(pack.plan_rules)}
    results.sort(key=lambda r: order.get(r.rule, 0))
    score, p_scores = score_results(results)
    failed: Dict[str, int] = {}
    limiting = {r.id for r in pack.plan_rules if r.limits_grade}
    for result in results:
        if result.status in FAILED_STATUSES and result.rule in limiting:
            failed[result.severity] = failed.get(result.severity, 0) + 1
    fields = data if is_mapping else {}
    lro = fields.get("lro")
    threat = fields.get("threat")
    return Report(
        file=plan.source, plan_id=_text(fields.get("id")), force=_text(fields.get("force")),
        lro=_text(lro.get("name")) if isinstance(lro, Mapping) else None,
        status=_text(fields.get("status")), as_of=as_of, pack=pack.name, pack_version=pack.version,
        score=score, grade=pack.grade_for(score, failed), p_scores=p_scores,
        findings=tuple(order_findings(findings)), results=tuple(results), waivers=waivers,
        threat=_text(threat.get("name")) if isinstance(threat, Mapping) else None)


def check(plan: Union[str, "Plan", Mapping[str, Any], Any], pack: Union[RulePack, str, None] = None,
          as_of: Optional[dt.date] = None) -> Report:
    """Checks a plan given as a file path (any format `fourp.read` reads: YAML, JSON, Word, Excel), a
    loaded Plan or already-parsed data.

    A path that cannot be read as a plan raises `PlanError`; parsed data never raises.
    """
    import os

    from .read import read

    if not isinstance(pack, RulePack):
        pack = load_pack(pack)
    if isinstance(plan, (str, os.PathLike)):
        plan = read(os.fspath(plan))
    elif not isinstance(plan, Plan):
        plan = plan_from_data(plan)
    return evaluate(plan, pack, as_of)
