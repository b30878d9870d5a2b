"""fourp: quality assurance of police 4P plans against rule packs drawn from the inspectorate's findings.

    >>> import datetime, fourp
    >>> pack = fourp.load_pack()                       # the shipped HMICFRS 2024 pack
    >>> report = fourp.check("plan.yaml", pack, as_of=datetime.date(2024, 9, 30))
    >>> report.score, report.grade, [f.rule for f in report.findings]
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public names are imported when first used (PEP 562), so `import fourp` (and each command, which
# imports only what it needs) does not pay for every module at start-up.
_EXPORTS = {
    "check": "engine", "evaluate": "engine", "FourpError": "errors",
    "DEFAULT_PACK": "pack.load", "load_pack": "pack.load", "shipped_packs": "pack.load",
    "PackError": "pack.model", "Rule": "pack.model", "RulePack": "pack.model",
    "Plan": "read.plan", "PlanError": "read.plan", "load_plan": "read.plan", "plan_from_data": "read.plan",
    "Finding": "report", "Report": "report", "RuleResult": "report", "Waiver": "report",
    "verify_pack": "verify",
}

__all__ = [
    "check", "evaluate", "load_pack", "load_plan", "plan_from_data", "verify_pack", "shipped_packs",
    "Plan", "FourpError", "PlanError", "PackError", "Rule", "RulePack", "Report", "Finding", "RuleResult", "Waiver",
    "DEFAULT_PACK", "__version__",
]

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from .engine import check, evaluate
    from .errors import FourpError
    from .pack.load import DEFAULT_PACK, load_pack, shipped_packs
    from .pack.model import PackError, Rule, RulePack
    from .read.plan import Plan, PlanError, load_plan, plan_from_data
    from .report import Finding, Report, RuleResult, Waiver
    from .verify import verify_pack


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fourp' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
