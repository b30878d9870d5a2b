"""The blocks of a pack beside its rules: the inspection's recommendations and the partners' allow-list."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Sequence, Tuple

__all__ = ["Recommendation", "compile_recommendations", "force_key", "PartnerPolicy", "agency_key"]

Path = Tuple[str, ...]


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
                            rules: Sequence[Any]) -> Tuple[Recommendation, ...]:
    """Recommendations from a pack's (schema-valid) entries, each with a function that makes the pack error
    for a sub-path of it (`error(sub_path, reason, code)`); a rule the pack does not have, a rule of the
    wrong scope for its target, or a deadline that is not a date, is that error."""
    from ..read.dates import parse_date

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


def agency_key(value: Any) -> str:
    """An agency as compared and named on disk: `Local Authority` and `local-authority` are one."""
    return "-".join(re.split(r"[\s_-]+", str(value).strip().casefold())).strip("-") if isinstance(value, str) else ""


def _paths(values: Sequence[str]) -> Tuple[Path, ...]:
    return tuple(tuple(v.split("/")) for v in values)


@dataclass(frozen=True)
class PartnerPolicy:
    """The allow-list: which fields of a plan, of an action and of a partner entry may go to an agency."""

    plan: Tuple[Path, ...]
    action: Tuple[Path, ...]
    contact: Tuple[Path, ...] = ()
    internal: Tuple[str, ...] = ("police",)
    agencies: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_pack(cls, data: Mapping[str, Any]) -> "PartnerPolicy":
        return cls(plan=_paths(data.get("plan", ())), action=_paths(data["action"]),
                   contact=_paths(data.get("contact", ())),
                   internal=tuple(agency_key(a) for a in data.get("internal", ("police",))),
                   agencies={agency_key(k): tuple(v) for k, v in (data.get("agencies") or {}).items()})

    def to_dict(self) -> Dict[str, Any]:
        return {"plan": ["/".join(p) for p in self.plan], "action": ["/".join(p) for p in self.action],
                "contact": ["/".join(p) for p in self.contact], "internal": list(self.internal),
                "agencies": {k: list(v) for k, v in self.agencies.items()}}

    def names(self, agency: str, name: Any) -> bool:
        """Whether a `partners` entry's name shows it is this agency: the agency's own words, or one of
        the pack's words for it, as whole words."""
        if not isinstance(name, str):
            return False
        text = f" {' '.join(re.findall(r'[a-z0-9]+', name.casefold()))} "
        words = [agency.replace("-", " ")] + [w.casefold() for w in self.agencies.get(agency, ())]
        return any(f" {' '.join(re.findall(r'[a-z0-9]+', w))} " in text for w in words if w.strip())
