"""The rule pack's model: a compiled `Rule`, a `RulePack` and its grade bands, as immutable data."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

from ..errors import FourpError
from .conditions import Condition
from .messages import compiled_message, simple_message
from .spelling import OldSpelling

__all__ = ["PackError", "Grade", "Rule", "RulePack"]


class PackError(FourpError):
    """A rule pack that cannot be used: the pack file, the line and the reason."""

    unnamed = "<pack>"
    default_code = "invalid-pack"


@dataclass(frozen=True)
class Grade:
    grade: str
    min: float
    basis: str = ""
    max_failed: Mapping[str, int] = field(default_factory=dict)
    colour: str = ""  # green, amber or red, if the pack says; else reports colour by the band's place

    def admits(self, score: float, failed: Mapping[str, int]) -> bool:
        return score >= self.min and all(failed.get(sev, 0) <= most for sev, most in self.max_failed.items())


@dataclass(frozen=True)
class Rule:
    """A compiled rule. `params` holds the values in force; `param_docs` each default and its basis."""

    id: str
    title: str
    severity: str
    weight: float
    ps: Tuple[str, ...]
    check: str
    options: Mapping[str, Any]
    params: Mapping[str, Any]
    param_docs: Mapping[str, Mapping[str, Any]]
    message: str
    rationale: str
    basis: Tuple[Mapping[str, Any], ...]
    remediation: str
    scope: str = "plan"
    enabled: bool = True
    #: False for a rule whose failing costs score but never limits the grade (a spelling to correct).
    limits_grade: bool = True
    severity_basis: str = ""
    examples: Tuple[Mapping[str, Any], ...] = ()
    origin: str = ""
    applies_when: Tuple[Condition, ...] = field(default=(), repr=False, compare=False)
    kind: Any = field(default=None, repr=False, compare=False)
    prepared: Any = field(default=None, repr=False, compare=False)
    template: Any = field(default=None, repr=False, compare=False)

    def render(self, values: Mapping[str, Any]) -> str:
        """The finding's message. A message that breaks (or that the sandbox refuses) falls back to the
        check's own words, so one bad pack message never costs an officer the report."""
        try:
            context = dict(values, params=self.params, rule={"id": self.id, "title": self.title})
            template = self.template
            if template is None:  # a pack from the cache: rendered without Jinja, or compiled when needed
                simple = simple_message(self.message)
                text = simple(context) if simple is not None else None
                if text is not None:
                    return text
                template = compiled_message(self.message)  # cached by text: the rule stays as built
            return template.render(context)
        except Exception as exc:
            return f"{values.get('detail', '')} [message template of rule {self.id} failed: {exc}]"

    def to_dict(self) -> Dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity, "weight": self.weight,
                "ps": list(self.ps), "check": self.check, "scope": self.scope, "enabled": self.enabled,
                "limits_grade": self.limits_grade, "severity_basis": self.severity_basis,
                "params": {k: {"value": self.params[k], **self.param_docs.get(k, {})} for k in self.params},
                "rationale": self.rationale, "basis": [dict(b) for b in self.basis],
                "remediation": self.remediation, "message": self.message}


@dataclass(frozen=True)
class RulePack:
    name: str
    title: str
    version: Optional[str]
    description: str
    source: Mapping[str, Any]
    grades: Tuple[Grade, ...]
    rules: Tuple[Rule, ...]
    files: Tuple[str, ...]  # the pack file first, then what it extends
    #: Where the pack's files use the language's old spellings (read as the new; `fourp verify` lists them).
    old_spellings: Tuple[OldSpelling, ...] = ()
    #: The inspection's recommendations plans can evidence (`fourp.recommendations`).
    recommendations: Tuple[Any, ...] = ()
    #: What `fourp partners` may give a partner agency (`fourp.partners.PartnerPolicy`), or None.
    partners: Any = None

    @property
    def file(self) -> str:
        return self.files[0]

    @property
    def enabled_rules(self) -> Tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled)

    @property
    def plan_rules(self) -> Tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled and r.scope == "plan")

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"the pack {self.name!r} has no rule {rule_id!r}; `fourp rules` lists them")

    def grade_for(self, score: float, failed: Optional[Mapping[str, int]] = None) -> str:
        """The first band the score reaches whose limits on failed rules (by severity) the plan is within."""
        for band in self.grades:
            if band.admits(score, failed or {}):
                return band.grade
        return self.grades[-1].grade if self.grades else ""
