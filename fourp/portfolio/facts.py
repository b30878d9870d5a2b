"""Cross-plan facts: what each plan is reduced to as it is evaluated, for the rules judged across an audit."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

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
    return _gather(data)[1]


_Node = Tuple[Optional[str], Mapping[str, Any], Optional[Mapping[str, Any]]]


@lru_cache(maxsize=1)
def _shapes() -> Tuple[Mapping[str, Any], Dict[int, _Node]]:
    """The plan schema, and each of its nodes (by id) resolved once: (type, properties, items)."""
    from ..schemas import schema

    plan_schema = schema("plan")
    defs = plan_schema.get("$defs", {})
    resolved: Dict[int, _Node] = {}

    def resolve(node: Mapping[str, Any]) -> None:
        if id(node) in resolved:
            return
        ref = node.get("$ref", "")
        target = defs.get(ref.rsplit("/", 1)[-1], node) if ref.startswith("#/$defs/") else node
        items = target.get("items")
        resolved[id(node)] = (target.get("type"), target.get("properties", {}),
                              items if isinstance(items, Mapping) else None)
        for child in target.get("properties", {}).values():
            if isinstance(child, Mapping):
                resolve(child)
        if isinstance(items, Mapping):
            resolve(items)

    resolve(plan_schema)
    return plan_schema, resolved


def _gather(data: Any) -> Tuple[List[fingerprint.Text], List[str]]:
    """One walk of a plan's data: every text value (`fingerprint.flowed_texts`) and the plan's departures
    from the plan format (`structure_of`)."""
    plan_schema, resolved = _shapes()
    texts: List[fingerprint.Text] = []
    append = texts.append
    out: set = set()
    flow_part = fingerprint._flow_part

    def walk(value: Any, node: Optional[Mapping[str, Any]], path: Tuple[Any, ...], flow: Tuple[Any, ...],
             where: str) -> None:
        kind = type(value)
        if kind is str:
            is_text, is_mapping, is_list = True, False, False
        elif kind is dict:
            is_text, is_mapping, is_list = False, True, False
        elif kind is list:
            is_text, is_mapping, is_list = False, False, True
        elif kind is int or kind is float or kind is bool or value is None:
            is_text = is_mapping = is_list = False
        else:
            is_text = isinstance(value, str)
            is_list = not is_text and isinstance(value, list)
            is_mapping = not is_text and not is_list and isinstance(value, Mapping)
            if is_mapping and isinstance(value, list):  # structure_of's order: a mapping first
                is_list = False
        if node is not None:
            wanted, known, items = resolved[id(node)]
            if wanted == "object" or wanted == "array":
                shape_ok = is_mapping if wanted == "object" else is_list
                if not shape_ok and value is not None:
                    noun = "a mapping" if wanted == "object" else "a list"
                    out.add(f"{where or '/'} is {_describe_type(value)}, not {noun}")
                    node = None
        if is_text:
            append((path, flow, value))
        elif is_mapping:
            for key, child in value.items():
                part = key if type(key) is str else flow_part(key)
                if node is None:
                    walk(child, None, path + (key,), flow + (part,), "")
                elif key in known:
                    walk(child, known[key], path + (key,), flow + (part,), f"{where}/{key}")
                else:
                    out.add(f"{where}/{key} (a field the format does not have)")
                    walk(child, None, path + (key,), flow + (part,), "")
        elif is_list:
            inner = flow + ("*",)
            child_node = items if node is not None else None
            child_where = f"{where}/*" if child_node is not None else ""
            for index, child in enumerate(value):
                walk(child, child_node, path + (index,), inner, child_where)

    if isinstance(data, Mapping):
        walk(data, plan_schema, (), (), "")
    else:
        out.add(f"the plan is {_describe_type(data)}, not a mapping")
        walk(data, None, (), (), "")
    return texts, sorted(out)[:_MAX_STRUCTURE_ITEMS]


def _copied_text_rule(pack: "RulePack") -> Optional["Rule"]:
    return next((r for r in pack.rules if r.enabled and r.scope == "portfolio" and r.check == "copied-text"),
                None)


def plan_facts(plan: "Plan", pack: "RulePack") -> Dict[str, Any]:
    """What the portfolio rules need to know of one plan, small enough to keep for thousands of plans and
    plain enough (JSON values) to travel from worker processes and in caches."""
    is_mapping = isinstance(plan.data, Mapping)
    data = plan.data if is_mapping else {}
    threat = as_mapping(data.get("threat"))
    version = data.get("fourp")
    texts, structure = _gather(plan.data)  # one walk gives the names mentioned, the layout and the prose
    if not is_mapping:
        texts = []  # what is not a mapping holds no fields to read
    facts: Dict[str, Any] = {
        "plan_id": _text(data.get("id")),
        "threat": {"reference": _text(threat.get("reference")), "name": _text(threat.get("name")),
                   "kind": _text(threat.get("kind"))},
        "lro": _text(as_mapping(data.get("lro")).get("name")),
        "operation": _text(as_mapping(data.get("operation")).get("name")),
        "mentions": _runs(texts),
        "status": (_text(data.get("status")) or "").lower() or None,  # `Active` is active, as officers mean it
        "format": version if isinstance(version, (int, str)) or version is None else repr(version),
        "structure": structure,
        "text": None,
    }
    rule = _copied_text_rule(pack)
    if rule is not None:
        facts["text"] = _sketch(texts, rule.prepared["min_words"])
    return facts


def _sketch(texts: List[fingerprint.Text], min_words: int) -> Dict[str, Any]:
    words, field_of, flow_of = fingerprint.prose_words(texts)
    return fingerprint.sketch_words(words, field_of, flow_of, min_words)


_RUN = re.compile(r"(?<![\w'’&-])[A-Z][\w'’&-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’&-]*){0,4}")
_MAX_MENTIONS = 400
_SKIPPED = frozenset({"threat", "operation", "waivers"})


def capitalised_runs(data: Any) -> List[str]:
    """The runs of capitalised words a plan's text holds ("Disrupt the Eastside Boys OCG"), where the
    names of other threats and operations would stand; threat and operation fields aside. Kept small."""
    return _runs(fingerprint.flowed_texts(data))


def _runs(texts: List[fingerprint.Text]) -> List[str]:
    runs: set = set()
    for path, _, text in texts:
        if path and path[0] in _SKIPPED:
            continue
        for match in _RUN.finditer(text):
            words = match.group(0).split()
            start = match.start()
            if start == 0 or _after_stop(text, start):
                words = words[1:]  # a sentence's first word is capitalised whatever it is
            if len(words) >= 2:  # threats' and operations' names are two words or more
                runs.add(" ".join(words))
                if len(runs) >= _MAX_MENTIONS:
                    return sorted(runs)
    return sorted(runs)


def _after_stop(text: str, start: int) -> bool:
    """Whether text[start] begins a sentence: the last non-space character before it ends one (or there
    is none). Looks back only over the spaces, where slicing and stripping the text so far costs its
    whole length at every capitalised word."""
    index = start - 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return index < 0 or text[index] in ".;:!?"


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
    texts = fingerprint.flowed_texts(data)
    shown = ", ".join(headings["headings"][:8]) + (" …" if len(headings["headings"]) > 8 else "")
    facts: Dict[str, Any] = {
        "plan_id": _text(data.get(headings["plan_id"])) if headings["plan_id"] else None,
        "threat": {"reference": reference,
                   "name": _text(data.get(headings["group"])) if headings["group"] else None, "kind": None},
        "lro": owner, "operation": None, "mentions": _runs(texts),
        "status": status.lower() if status else "active",
        "format": "another template",
        "structure": [f"a 4P plan on another template (headings {shown})"],
        "text": None, "foreign": True,
    }
    rule = _copied_text_rule(pack)
    if rule is not None:
        facts["text"] = _sketch(texts, rule.prepared["min_words"])
    return facts
