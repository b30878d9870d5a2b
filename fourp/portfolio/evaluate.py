"""Cross-plan (portfolio) rules: facts taken from each plan as it is evaluated, judged once every plan is in.

Some of the inspectorate's findings cannot be seen one plan at a time: threats on the force's register with
no plan, an LRO holding too many threats, text copied from another plan, plans on different templates.
An audit streams plans through worker processes and keeps only their reports, so each worker reduces its
plan to compact *facts* (`plan_facts`, stored in `Report.meta`) and the portfolio rules read those.

Portfolio rules are declared in a pack like any other, with `scope: portfolio` and a check kind from this
module's registry (`PORTFOLIO_CHECKS`). A check gets a `PortfolioContext` and yields `PortfolioProblem`s;
the evaluation, not the check, stamps rule, severity and message onto them.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Mapping, NamedTuple,
                    Optional, Sequence, Tuple)

from . import fingerprint
from ..checks import UnknownCheck
from ..names import person_key
from ..read.register import Register, register_from_entries, threat_key
from ..report import SEVERITIES

if TYPE_CHECKING:  # pragma: no cover
    from ..pack.load import Rule, RulePack
    from ..read.plan import Plan

__all__ = ["plan_facts", "structure_of", "evaluate_portfolio", "Portfolio", "PortfolioFinding",
           "PortfolioResult", "PortfolioContext", "PortfolioProblem", "PortfolioCheck", "PORTFOLIO_CHECKS",
           "get_check", "FACTS_KEY", "verify_example", "reader_for_files"]

#: Where a Report's meta holds its plan's facts.
FACTS_KEY = "portfolio"
#: A structure differing in more places than this is described by its first ones.
_MAX_STRUCTURE_ITEMS = 30


# -- facts, taken in the worker that evaluated the plan ----------------------------------------------------

def _text(value: Any) -> Optional[str]:
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


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
    threat = _mapping(data.get("threat"))
    version = data.get("fourp")
    facts: Dict[str, Any] = {
        "plan_id": _text(data.get("id")),
        "threat": {"reference": _text(threat.get("reference")), "name": _text(threat.get("name")),
                   "kind": _text(threat.get("kind"))},
        "lro": _text(_mapping(data.get("lro")).get("name")),
        "operation": _text(_mapping(data.get("operation")).get("name")),
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
    from ..checks.named import _forms

    out: List[str] = []
    for text in texts:
        forms = _forms(text)
        if not runs:
            out.extend(forms)
            continue
        for form in forms:
            words = form.split()
            out.extend(" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1))
    return out


def foreign_plan_facts(data: Any, headings: Mapping[str, Any], pack: Any) -> Dict[str, Any]:
    """The portfolio facts of a plan in another layout, as `fourp.portfolio.evaluate.plan_facts` gives a plan."""
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


# -- what checks see and give back --------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanFacts:
    """One plan as the portfolio sees it: its file and its facts."""

    file: str
    facts: Mapping[str, Any]

    @property
    def threat(self) -> Mapping[str, Any]:
        return _mapping(self.facts.get("threat"))

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


# -- every-threat-has-plan ----------------------------------------------------------------------------------

def _needs_register(ctx: PortfolioContext, prepared: Any) -> Optional[str]:
    return None if ctx.register is not None else "no register of managed threats was given (--register FILE)"


def _matches(plan: PlanFacts, reference: str, name: str) -> bool:
    plan_reference, plan_name = threat_key(plan.threat.get("reference")), threat_key(plan.threat.get("name"))
    if reference and plan_reference:
        return reference == plan_reference
    return bool(name) and name == plan_name


def check_threat_coverage(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
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


# -- lro-workload -------------------------------------------------------------------------------------------

def check_lro_workload(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
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


# -- no-copied-text -----------------------------------------------------------------------------------------

COPIED_TEXT_SCHEMA = {
    "type": "object", "required": ["min_words"], "additionalProperties": False,
    "properties": {"min_words": {"type": "integer", "minimum": fingerprint.MIN_PASSAGE_WORDS}},
}


def check_copied_text(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
    """Plans for different threats share no passage of `min_words` words or more within one text. Each
    passage is one problem naming every plan that holds it, with where it is in each and the passage
    quoted. Candidates are measured on the plans' sketches and confirmed on their words."""
    min_words = options["min_words"]
    k, w = fingerprint.shingle_sizes(min_words)
    plans = list(ctx.plans)
    sketches: List[Optional[Mapping[str, Any]]] = []
    for plan in plans:
        text = _mapping(plan.facts.get("text"))
        usable = text.get("k") == k and text.get("w") == w and all(
            isinstance(text.get(key), str) for key in ("fingerprints", "codes", "fields"))
        sketches.append(text if usable else None)
    prints = [fingerprint.decode(s["fingerprints"]) if s else None for s in sketches]

    def tokens(index: int) -> Optional[fingerprint.Tokens]:
        sketch = sketches[index]
        return fingerprint.sketch_tokens(sketch) if sketch else None

    @lru_cache(maxsize=64)
    def read(index: int) -> Optional[fingerprint.Prose]:
        prose = ctx.read_prose(plans[index].file) if ctx.read_prose else None
        if prose is None or fingerprint.digest(prose.words) != _mapping(sketches[index]).get("digest"):
            return None  # unreadable now, or changed since it was evaluated: nothing to confirm or quote
        return prose

    owners = [plan.threat_identity for plan in plans]
    candidates, counts = fingerprint.find_shared(prints, owners, k, min_words, tokens)
    # Confirmed on the plans' words, by the later plan so each is read once, noting there all that is
    # reported (quote, places), so nothing is read twice.
    passages: List[Tuple[fingerprint.SharedPassage, Dict[str, Any]]] = []
    for candidate in sorted(candidates, key=lambda c: (c.b, c.a, c.start_a)):
        prose_a, prose_b = read(candidate.a), read(candidate.b)
        if prose_a is None or prose_b is None:
            continue
        passage = fingerprint.confirm(prose_a, prose_b, candidate, min_words)
        if passage is not None:
            passages.append((passage, {
                "quote": prose_a.quote(passage.start_a, passage.length),
                "subject": prose_a.quote(passage.start_a, min(passage.length, 12), limit=120),
                "places": {passage.a: _location(plans[passage.a].file, prose_a.line_of(passage.start_a),
                                                prose_a.path_of(passage.start_a)),
                           passage.b: _location(plans[passage.b].file, prose_b.line_of(passage.start_b),
                                                prose_b.path_of(passage.start_b))}}))
    # One problem per passage of the earlier plan: a paragraph pasted into several plans is one finding.
    groups: List[Dict[str, Any]] = []
    for passage, noted in sorted(passages, key=lambda item: (item[0].a, item[0].start_a, -item[0].length)):
        group = groups[-1] if groups else None
        if group is not None and group["a"] == passage.a and passage.start_a < group["end"]:
            group["end"] = max(group["end"], passage.start_a + passage.length)
            group["copies"].append((passage, noted))
        else:
            groups.append({"a": passage.a, "end": passage.start_a + passage.length, "copies": [(passage, noted)]})
    for group in groups:
        longest, noted = max(group["copies"], key=lambda item: item[0].length)
        places = {longest.a: noted["places"][longest.a]}
        for copy, copy_noted in group["copies"]:
            places.setdefault(copy.b, copy_noted["places"][copy.b])
        order = sorted(places, key=lambda index: plans[index].file)
        labels = [f"{plans[i].file} ({', '.join(filter(None, [plans[i].facts.get('plan_id'), plans[i].threat_name]))})"
                  for i in order]
        named = " and ".join([", ".join(labels[:-1]), labels[-1]])
        yield PortfolioProblem(
            f"{named} share a {longest.length}-word passage, though they manage different threats",
            files=tuple(plans[i].file for i in order), locations=tuple(places[i] for i in order),
            subject=noted["subject"], quote=noted["quote"], values={"words": longest.length, **counts})


def _location(file: str, line_col: Optional[Tuple[int, int]], path: Tuple[Any, ...]) -> str:
    from ..pack.pointers import pointer

    where = f"{file}:{line_col[0]}:{line_col[1]}" if line_col else file
    return f"{where} {pointer(path)}"


def reader_for_files(max_bytes: Optional[int] = None,
                     mappings: Sequence[Any] = ()) -> Callable[[str], Optional[fingerprint.Prose]]:
    """Re-reads a plan file's prose (for confirming and quoting a copied passage); None if it cannot."""
    from ..read.plan import DEFAULT_MAX_BYTES, PlanError
    from ..read import read as read_plan

    def read(path: str) -> Optional[fingerprint.Prose]:
        from .layouts import read_foreign

        try:
            plan = read_plan(path, max_bytes or DEFAULT_MAX_BYTES, mappings)
        except (PlanError, OSError):
            data = read_foreign(path, max_bytes or DEFAULT_MAX_BYTES)  # a plan on another template
            return fingerprint.prose_of(data) if data is not None else None
        return fingerprint.prose_of(plan.data, plan.locate)
    return read


# -- one-template -------------------------------------------------------------------------------------------

def check_one_structure(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
    """The plans use at most `max_structures` layouts (format version and structure). The most common are
    taken as the force's template; each other layout is one problem naming its plans and how it differs."""
    layouts: Dict[Tuple[Any, Tuple[str, ...]], List[PlanFacts]] = {}
    for plan in ctx.plans:
        layout = (plan.facts.get("format"), tuple(plan.facts.get("structure") or ()))
        layouts.setdefault(layout, []).append(plan)
    allowed = options["max_structures"]
    if len(layouts) <= allowed:
        return
    # Most plans first; on a tie, the one closest to the published format.
    ranked = sorted(layouts.items(), key=lambda item: (-len(item[1]), item[0][0] != 1, len(item[0][1]),
                                                       repr(item[0])))
    common = ranked[:allowed]
    (main_format, main_structure), main_plans = common[0]
    for (version, structure), plans in ranked[allowed:]:
        differences = []
        if version != main_format:
            differences.append(f"{_version(version)} where {len(main_plans)} other plan"
                               f"{'s have' if len(main_plans) != 1 else ' has'} {_version(main_format)}")
        extra = [s for s in structure if s not in main_structure]
        missing = [s for s in main_structure if s not in structure]
        differences += extra[:5]
        if len(extra) > 5:
            differences.append(f"and {len(extra) - 5} more")
        if missing:
            differences.append("without " + ", ".join(missing[:3]) + (" …" if len(missing) > 3 else ""))
        files = tuple(sorted(p.file for p in plans))
        count = len(plans)
        yield PortfolioProblem(
            f"{count} plan{'s are' if count != 1 else ' is'} laid out differently from the "
            f"{len(main_plans)} that share the most common layout: {'; '.join(differences)}",
            files=files, locations=files, subject="; ".join(differences[:2]),
            values={"plans": count, "layouts": len(layouts)})


def _version(value: Any) -> str:
    if value == "another template":  # a 4P plan in another layout (fourp.portfolio.layouts)
        return "another template, not the plan format"
    return "no format version (`fourp:`)" if value is None else f"format version `fourp: {value}`"


# -- the registry -------------------------------------------------------------------------------------------

def _kind(name: str, schema: dict, check: Callable[..., Iterator[PortfolioProblem]],
          applies: Callable[[PortfolioContext, Any], Optional[str]] = _always) -> PortfolioCheck:
    return PortfolioCheck(name, schema, _copy_options, check, applies, (check.__doc__ or "").strip())


def _int_option(name: str, minimum: int) -> dict:
    return {"type": "object", "required": [name], "additionalProperties": False,
            "properties": {name: {"type": "integer", "minimum": minimum}}}


PORTFOLIO_CHECKS: Dict[str, PortfolioCheck] = {
    "threat-coverage": _kind("threat-coverage", _int_option("max_days_without_plan", 0), check_threat_coverage,
                             _needs_register),
    "lro-workload": _kind("lro-workload", _int_option("max_active_plans", 1), check_lro_workload),
    "copied-text": _kind("copied-text", COPIED_TEXT_SCHEMA, check_copied_text),
    "one-structure": _kind("one-structure", _int_option("max_structures", 1), check_one_structure),
}


def get_check(name: str) -> PortfolioCheck:
    """The portfolio check kind called `name`; a clear UnknownCheck naming the kinds there are otherwise."""
    kind = PORTFOLIO_CHECKS.get(name)
    if kind is None:
        raise UnknownCheck(f"there is no portfolio check kind {name!r}; the kinds for `scope: portfolio` "
                           f"are: {', '.join(sorted(PORTFOLIO_CHECKS))}")
    return kind


# -- evaluating ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PortfolioFinding:
    rule: str
    severity: str
    message: str
    title: str
    remediation: str
    files: Tuple[str, ...] = ()
    locations: Tuple[str, ...] = ()
    subject: str = ""
    quote: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "title": self.title,
                "remediation": self.remediation, "files": list(self.files), "locations": list(self.locations),
                "subject": self.subject, "quote": self.quote}


@dataclass(frozen=True)
class PortfolioResult:
    rule: str
    title: str
    status: str  # pass, fail, not-applicable or error
    severity: str
    findings: int = 0
    reason: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "status": self.status, "severity": self.severity,
                "findings": self.findings, "reason": self.reason}


@dataclass(frozen=True)
class Portfolio:
    """The verdict of the portfolio rules on one audit."""

    plans: int
    results: Tuple[PortfolioResult, ...]
    findings: Tuple[PortfolioFinding, ...]
    register: Optional[Register] = None

    def result(self, rule: str) -> Optional[PortfolioResult]:
        return next((r for r in self.results if r.rule == rule), None)

    def to_dict(self) -> Dict[str, Any]:
        return {"plans": self.plans, "results": [r.to_dict() for r in self.results],
                "findings": [f.to_dict() for f in self.findings],
                "register": ({"file": self.register.file, "threats": len(self.register.threats)}
                             if self.register is not None else None)}


def _severity(rule_severity: str, step_down: int) -> str:
    return SEVERITIES[min(len(SEVERITIES) - 1, SEVERITIES.index(rule_severity) + max(0, step_down))]


def evaluate_portfolio(plans: Iterable[Tuple[str, Optional[Mapping[str, Any]]]], pack: "RulePack",
                       as_of: Optional[dt.date] = None, register: Optional[Register] = None,
                       read_prose: Optional[Callable[[str], Optional[fingerprint.Prose]]] = None,
                       only: Optional[Sequence[str]] = None) -> Portfolio:
    """Judges the pack's portfolio rules on `(file, facts)` pairs (facts from `plan_facts`; plans without
    facts are left out). `read_prose(file)` re-reads a plan to confirm and quote copied text (default:
    from the file). Never raises on plan data: a check that fails is an `error` result."""
    as_of = as_of or dt.date.today()
    entries = tuple(PlanFacts(file, facts) for file, facts in plans if facts is not None)
    ctx = PortfolioContext(entries, as_of, register, read_prose if read_prose is not None else reader_for_files())
    results: List[PortfolioResult] = []
    findings: List[PortfolioFinding] = []
    for rule in pack.rules:
        if not rule.enabled or rule.scope != "portfolio" or (only is not None and rule.id not in only):
            continue
        kind: PortfolioCheck = rule.kind
        reason = kind.applies(ctx, rule.prepared)
        if reason:
            results.append(PortfolioResult(rule.id, rule.title, "not-applicable", rule.severity, reason=reason))
            continue
        try:
            problems = list(kind.check(ctx, rule.prepared))
        except Exception as exc:  # one broken rule must not cost the supervisor the rest of the audit
            results.append(PortfolioResult(rule.id, rule.title, "error", rule.severity, 1,
                                           f"the check failed: {type(exc).__name__}: {exc}"))
            continue
        results.append(PortfolioResult(rule.id, rule.title, "fail" if problems else "pass", rule.severity,
                                       len(problems)))
        for problem in problems:
            findings.append(PortfolioFinding(
                rule=rule.id, severity=_severity(rule.severity, problem.step_down),
                message=rule.render(dict(problem.values, detail=problem.detail)), title=rule.title,
                remediation=rule.remediation, files=problem.files, locations=problem.locations,
                subject=problem.subject, quote=problem.quote))
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.files, f.message))
    return Portfolio(len(entries), tuple(results), tuple(findings), register)


def verify_example(rule: "Rule", example: Mapping[str, Any], pack: "RulePack",
                   as_of: dt.date) -> Tuple[str, List[str]]:
    """A portfolio rule's pack example: `plan` holds `plans` (plan mappings, named `plan-1.yaml`, …) and
    optionally `register` (threat mappings). Gives the rule's status and its findings' messages."""
    from ..read.plan import plan_from_data

    spec = _mapping(example.get("plan"))
    raw_plans = spec.get("plans") or []
    loaded = {f"plan-{n}.yaml": plan_from_data(data, f"plan-{n}.yaml") for n, data in enumerate(raw_plans, 1)}
    register = register_from_entries(spec["register"], "<example register>") if "register" in spec else None
    portfolio = evaluate_portfolio(((name, plan_facts(plan, pack)) for name, plan in loaded.items()), pack,
                                   as_of, register, lambda name: fingerprint.prose_of(loaded[name].data),
                                   only=[rule.id])
    result = portfolio.result(rule.id)
    return (result.status if result else "missing"), [f.message for f in portfolio.findings]
