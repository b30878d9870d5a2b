"""fourp: quality assurance of police 4P plans against rule packs drawn from the inspectorate's findings.

    >>> import datetime, fourp
    >>> pack = fourp.load_pack()                       # the shipped HMICFRS 2024 pack
    >>> report = fourp.check("plan.yaml", pack, as_of=datetime.date(2024, 9, 30))
    >>> report.score, report.grade, [f.rule for f in report.findings]
"""
from __future__ import annotations

from .engine import check, evaluate
from .pack import DEFAULT_PACK, PackError, Rule, RulePack, load_pack, shipped_packs
from .plan import Plan, PlanError, load_plan, plan_from_data
from .report import Finding, Report, RuleResult, Waiver
from .verify import verify_pack

__version__ = "0.1.0"

__all__ = [
    "check", "evaluate", "load_pack", "load_plan", "plan_from_data", "verify_pack", "shipped_packs",
    "Plan", "PlanError", "PackError", "Rule", "RulePack", "Report", "Finding", "RuleResult", "Waiver",
    "DEFAULT_PACK", "__version__",
]
