"""What a cross-plan check is given (every plan's facts, the as-of date, the register) and gives back."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, Mapping, NamedTuple, Optional, Tuple

from ..read.plan import as_mapping
from ..read.register import Register, threat_key
from . import fingerprint

if TYPE_CHECKING:  # pragma: no cover
    pass



@dataclass(frozen=True)
class PlanFacts:
    """One plan as the portfolio sees it: its file and its facts."""

    file: str
    facts: Mapping[str, Any]

    @property
    def threat(self) -> Mapping[str, Any]:
        return as_mapping(self.facts.get("threat"))

    @property
    def threat_label(self) -> str:
        reference, name = self.threat.get("reference"), self.threat.get("name")
        if reference and name:
            return f"{name} ({reference})"
        return name or reference or "an unnamed threat"

    @property
    def threat_name(self) -> str:
        return self.threat.get("name") or self.threat.get("reference") or "no threat named"

    @property
    def threat_identity(self) -> str:
        """Plans with the same identity manage the same threat; a plan naming no threat is its own."""
        reference = threat_key(self.threat.get("reference"))
        if reference:
            return "ref:" + reference
        name = threat_key(self.threat.get("name"))
        return "name:" + name if name else "file:" + self.file

    @property
    def label(self) -> str:
        plan_id = self.facts.get("plan_id")
        return f"{self.file} ({plan_id})" if plan_id else self.file


class PortfolioProblem(NamedTuple):
    """One thing a portfolio check found. `step_down` lowers the rule's severity by that many steps (a
    lesser case of the same rule); `files` are the plans concerned, `locations` the places to look."""

    detail: str
    files: Tuple[str, ...] = ()
    locations: Tuple[str, ...] = ()
    subject: str = ""
    quote: Optional[str] = None
    step_down: int = 0
    values: Dict[str, Any] = {}


@dataclass(frozen=True)
class PortfolioContext:
    plans: Tuple[PlanFacts, ...]
    as_of: dt.date
    register: Optional[Register] = None
    read_prose: Optional[Callable[[str], Optional[fingerprint.Prose]]] = field(default=None, repr=False)


class PortfolioCheck(NamedTuple):
    """A portfolio check kind: options schema, `prepare`, `check(ctx, prepared)`, and `applies(ctx,
    prepared)`, which gives the reason a rule cannot be judged on this audit (or None)."""

    name: str
    schema: dict
    prepare: Callable[[dict], Any]
    check: Callable[[PortfolioContext, Any], Iterator[PortfolioProblem]]
    applies: Callable[[PortfolioContext, Any], Optional[str]]
    doc: str = ""


def _always(ctx: PortfolioContext, prepared: Any) -> Optional[str]:
    return None


def _copy_options(options: dict) -> Dict[str, Any]:
    """Portfolio checks read their options as given (the pack validated them against the check's schema)."""
    return dict(options)


def portfolio_kind(name: str, module: Any) -> PortfolioCheck:
    """The registry's entry for a cross-plan check module: its `SCHEMA`, `check`, and `applies` if it has one
    (the reason a rule cannot be judged on an audit, e.g. no register); the check's docstring documents it."""
    check = module.check
    return PortfolioCheck(name, module.SCHEMA, _copy_options, check, getattr(module, "applies", _always),
                          (check.__doc__ or "").strip())


def int_option(name: str, minimum: int) -> dict:
    return {"type": "object", "required": [name], "additionalProperties": False,
            "properties": {name: {"type": "integer", "minimum": minimum}}}
