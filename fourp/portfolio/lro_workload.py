"""`lro-workload`: no LRO holds more active plans than one officer can run."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping

from ..names import person_key
from .context import PlanFacts, PortfolioContext, PortfolioProblem, int_option

if TYPE_CHECKING:  # pragma: no cover
    pass



SCHEMA = int_option("max_active_plans", 1)


def check(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
    """No LRO holds more than `max_active_plans` active plans. Names match without rank, spacing or case."""
    held: Dict[str, List[PlanFacts]] = {}
    for plan in ctx.plans:
        key = person_key(plan.facts.get("lro"))
        if key and plan.facts.get("status") == "active":
            held.setdefault(key, []).append(plan)
    limit = options["max_active_plans"]
    for key, plans in sorted(held.items()):
        if len(plans) <= limit:
            continue
        plans.sort(key=lambda p: p.file)
        spellings = Counter(p.facts["lro"] for p in plans)
        name = spellings.most_common(1)[0][0]  # the commonest spelling; on a tie, the first plan's
        also = f" (written as {', '.join(sorted(spellings))})" if len(spellings) > 1 else ""
        threats = "; ".join(p.threat_label if p.threat.get("reference") or p.threat.get("name") else p.file
                            for p in plans)
        yield PortfolioProblem(
            f"{name} is LRO for {len(plans)} active plans, more than the {limit} allowed{also}: {threats}",
            files=tuple(sorted(p.file for p in plans)), locations=tuple(sorted(p.file for p in plans)),
            subject=name, values={"lro": name, "plans": len(plans)})
