"""`threat-coverage` (every-threat-has-plan): each threat on the force's register has a plan."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional

from ..read.register import threat_key
from .context import PlanFacts, PortfolioContext, PortfolioProblem, int_option

if TYPE_CHECKING:  # pragma: no cover
    pass



SCHEMA = int_option("max_days_without_plan", 0)


def applies(ctx: PortfolioContext, prepared: Any) -> Optional[str]:
    return None if ctx.register is not None else "no register of managed threats was given (--register FILE)"


def _matches(plan: PlanFacts, reference: str, name: str) -> bool:
    plan_reference, plan_name = threat_key(plan.threat.get("reference")), threat_key(plan.threat.get("name"))
    if reference and plan_reference:
        return reference == plan_reference
    return bool(name) and name == plan_name


def check(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
    """Each threat on the register has a plan that is not closed; longer than `max_days_without_plan`
    with none is the serious case. Plans for threats the register does not hold are listed (two steps
    down: the register or the plan is out of date)."""
    assert ctx.register is not None
    by_reference: Dict[str, List[PlanFacts]] = {}
    by_name: Dict[str, List[PlanFacts]] = {}
    for plan in ctx.plans:
        by_reference.setdefault(threat_key(plan.threat.get("reference")), []).append(plan)
        by_name.setdefault(threat_key(plan.threat.get("name")), []).append(plan)
    covered: set = set()
    register_file = ctx.register.file or "<register>"
    limit = options["max_days_without_plan"]
    for threat in ctx.register.threats:
        reference, name = threat_key(threat.reference), threat_key(threat.name)
        pool = {p.file: p for p in (by_reference.get(reference, []) if reference else [])}
        pool.update((p.file, p) for p in (by_name.get(name, []) if name else []))
        plans = [p for p in pool.values() if _matches(p, reference, name)]
        covered.update(p.file for p in plans)
        if any(p.facts.get("status") != "closed" for p in plans):
            continue
        days = (ctx.as_of - threat.managed_since).days if threat.managed_since else None
        overdue = days is not None and days > limit
        if days is None:
            when = "the register gives no date management began"
        else:
            when = f"managed for {days} day{'s' if days != 1 else ''} (allowed {limit} without a plan)"
        closed = [p.file for p in plans]
        what = (f"its only plan{'s' if len(closed) > 1 else ''} ({', '.join(closed)}) "
                f"{'are' if len(closed) > 1 else 'is'} closed" if closed else "no 4P plan")
        yield PortfolioProblem(
            f"Threat {threat.label} is on the register with {what}: {when}", files=tuple(closed),
            locations=(f"{register_file}:{threat.line}" if threat.line else register_file,),
            subject=threat.label, step_down=0 if overdue else 1,
            values={"case": "overdue" if overdue else "no-plan", "days": days, "threat": threat.to_dict()})
    for plan in ctx.plans:
        if plan.file in covered or plan.facts.get("status") == "closed":
            continue
        yield PortfolioProblem(
            f"{plan.label} manages {plan.threat_label}, which is not on the register", files=(plan.file,),
            locations=(plan.file,), subject=plan.threat_label, step_down=2, values={"case": "unregistered"})
