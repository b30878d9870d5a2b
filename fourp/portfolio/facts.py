"""Cross-plan facts: what each plan is reduced to as it is evaluated, for the rules judged across an audit."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

from ..read.plan import as_mapping
from . import fingerprint

if TYPE_CHECKING:  # pragma: no cover
    from ..pack.model import Rule, RulePack
    from ..read.plan import Plan


__all__ = ["FACTS_KEY", "plan_facts", "foreign_plan_facts", "structure_of", "capitalised_runs",
           "mentioned_names"]

#: Where a Report's meta holds its plan's facts.
FACTS_KEY = "portfolio"
#: A structure differing in more places than this is described by its first ones.
_MAX_STRUCTURE_ITEMS = 30


# -- facts, taken in the worker that evaluated the plan ----------------------------------------------------

def _text(value: Any) -> Optional[str]:
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def _describe_type(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, (int, float)) and not isinstance(value, bool) else "a value"


def structure_of(data: Any) -> List[str]:
    """How a plan's layout departs from the plan format: fields the format does not have (list items as
    `*`), and sections of another shape (`/pursue is text, not a mapping`). Plans on the same template
    depart in the same way; a plan that only leaves fields empty does not depart at all.
    """
    from ..schemas import schema

    plan_schema = schema("plan")
    defs = plan_schema.get("$defs", {})
    out: set = set()

    def resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = node.get("$ref", "")
        return defs.get(ref.rsplit("/", 1)[-1], node) if ref.startswith("#/$defs/") else node

    def walk(value: Any, node: Mapping[str, Any], path: str) -> None:
        node = resolve(node)
        wanted = node.get("type")
        if wanted in ("object", "array"):
            shape_ok = isinstance(value, Mapping) if wanted == "object" else isinstance(value, list)
            if not shape_ok and value is not None:
                noun = "a mapping" if wanted == "object" else "a list"
                out.add(f"{path or '/'} is {_describe_type(value)}, not {noun}")
                return
        if isinstance(value, Mapping):
            known = node.get("properties", {})
            for key, child in value.items():
                if key in known:
                    walk(child, known[key], f"{path}/{key}")
                else:
                    out.add(f"{path}/{key} (a field the format does not have)")
        elif isinstance(value, list) and isinstance(node.get("items"), Mapping):
            for child in value:
                walk(child, node["items"], f"{path}/*")

    if isinstance(data, Mapping):
        walk(data, plan_schema, "")
    else:
        out.add(f"the plan is {_describe_type(data)}, not a mapping")
    return sorted(out)[:_MAX_STRUCTURE_ITEMS]


def _copied_text_rule(pack: "RulePack") -> Optional["Rule"]:
    return next((r for r in pack.rules if r.enabled and r.scope == "portfolio" and r.check == "copied-text"),
                None)


def plan_facts(plan: "Plan", pack: "RulePack") -> Dict[str, Any]:
    """What the portfolio rules need to know of one plan, small enough to keep for thousands of plans and
    plain enough (JSON values) to travel from worker processes and in caches."""
    data = plan.data if isinstance(plan.data, Mapping) else {}
    threat = as_mapping(data.get("threat"))
    version = data.get("fourp")
    facts: Dict[str, Any] = {
        "plan_id": _text(data.get("id")),
        "threat": {"reference": _text(threat.get("reference")), "name": _text(threat.get("name")),
                   "kind": _text(threat.get("kind"))},
        "lro": _text(as_mapping(data.get("lro")).get("name")),
        "operation": _text(as_mapping(data.get("operation")).get("name")),
        "mentions": capitalised_runs(data),
        "status": (_text(data.get("status")) or "").lower() or None,  # `Active` is active, as officers mean it
        "format": version if isinstance(version, (int, str)) or version is None else repr(version),
        "structure": structure_of(plan.data),
        "text": None,
    }
    rule = _copied_text_rule(pack)
    if rule is not None:
        facts["text"] = fingerprint.sketch(fingerprint.prose_of(data), rule.prepared["min_words"])
    return facts


_RUN = re.compile(r"(?<![\w'’&-])[A-Z][\w'’&-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’&-]*){0,4}")
_MAX_MENTIONS = 400


def capitalised_runs(data: Any) -> List[str]:
    """The runs of capitalised words a plan's text holds ("Disrupt the Eastside Boys OCG"), where the
    names of other threats and operations would stand; threat and operation fields aside. Kept small."""
    runs: set = set()
    for path, text in fingerprint.texts(data):
        if path[:1] in (("threat",), ("operation",), ("waivers",)):
            continue
        for match in _RUN.finditer(text):
            words = match.group(0).split()
            if match.start() == 0 or text[:match.start()].rstrip()[-1:] in ".;:!?":
                words = words[1:]  # a sentence's first word is capitalised whatever it is
            if len(words) >= 2:  # threats' and operations' names are two words or more
                runs.add(" ".join(words))
                if len(runs) >= _MAX_MENTIONS:
                    return sorted(runs)
    return sorted(runs)


def mentioned_names(*texts: Any, runs: bool = False) -> List[str]:
    """The forms a threat or operation name takes in text (as `text-specific-to-threat` matches them);
    with `runs`, every form within each run of words too, to look names up in an index."""
    from ..names import name_forms

    out: List[str] = []
    for text in texts:
        forms = name_forms(text)
        if not runs:
            out.extend(forms)
            continue
        for form in forms:
            words = form.split()
            out.extend(" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1))
    return out


def foreign_plan_facts(data: Any, headings: Mapping[str, Any], pack: Any) -> Dict[str, Any]:
    """The portfolio facts of a plan in another layout, as `plan_facts` gives a plan."""
    from .layouts import SOCML

    reference = _text(data.get(headings["reference"])) if headings["reference"] else None
    if reference is None:  # a SOC master list reference written anywhere at the top level
        found = next((m.group(0) for v in data.values() if isinstance(v, str) for m in [SOCML.search(v)] if m),
                     None)
        reference = found
    owner = _text(data.get(headings["owner"])) if headings["owner"] else None
    if owner:
        owner = re.sub(r"\s*\((?:lro|lead responsible officer)\)\s*$", "", owner, flags=re.IGNORECASE)
    status = _text(data.get(headings["status"])) if headings["status"] else None
    shown = ", ".join(headings["headings"][:8]) + (" …" if len(headings["headings"]) > 8 else "")
    facts: Dict[str, Any] = {
        "plan_id": _text(data.get(headings["plan_id"])) if headings["plan_id"] else None,
        "threat": {"reference": reference,
                   "name": _text(data.get(headings["group"])) if headings["group"] else None, "kind": None},
        "lro": owner, "operation": None, "mentions": capitalised_runs(data),
        "status": status.lower() if status else "active",
        "format": "another template",
        "structure": [f"a 4P plan on another template (headings {shown})"],
        "text": None, "foreign": True,
    }
    rule = _copied_text_rule(pack)
    if rule is not None:
        facts["text"] = fingerprint.sketch(fingerprint.prose_of(data), rule.prepared["min_words"])
    return facts
