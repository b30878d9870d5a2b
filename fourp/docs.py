"""The rules and check-kinds references, generated from the pack and the code so nothing is written twice.

`python -m fourp.docs [PACK] > docs/rules.md` regenerates the shipped rules reference and
`python -m fourp.docs --kinds > docs/kinds.md` the check kinds' (from their docstrings); tests keep both
current.
"""
from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import sys
import textwrap
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from . import checks
from .pack.load import RulePack, load_pack

__all__ = ["rules_markdown", "kinds_markdown", "KindDoc", "kind_docs", "kind_doc", "kind_sections",
           "KIND_SECTIONS"]

#: The sections of every built-in check kind's docstring, in order.
KIND_SECTIONS = ("What it checks", "Options", "Example")


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def rules_markdown(pack: RulePack) -> str:
    """A Markdown reference of every rule: what it checks, why, its basis, parameters and examples."""
    out: List[str] = [f"# Rules of the `{pack.name}` pack", ""]
    if pack.title:
        out += [f"{pack.title}{f' (version {pack.version})' if pack.version else ''}.", ""]
    if pack.description:
        out += [_cell(pack.description), ""]
    out += ["Generated from the pack by `python -m fourp.docs`; do not edit by hand.", "",
            "| rule | severity | weight | concerns | title |", "|---|---|---|---|---|"]
    for rule in pack.rules:
        scope = ", ".join(rule.ps) if rule.ps else ("portfolio" if rule.scope == "portfolio" else "whole plan")
        out.append(f"| [`{rule.id}`](#{rule.id}) | {rule.severity} | {rule.weight:g} | {scope} | "
                   f"{_cell(rule.title)} |")
    out += ["", "Grades, highest first: " + "; ".join(
        f"{g.grade} from {g.min:g}" + (f" (at most {', '.join(f'{n} failed {s}' for s, n in g.max_failed.items())})"
                                       if g.max_failed else "") for g in pack.grades) + ".", ""]
    out += _applicability_table(pack)
    for rule in pack.rules:
        out += [f"## {rule.id}", "", f"**{_cell(rule.title)}** — {rule.severity}, weight {rule.weight:g}, "
                f"check `{rule.check}`{'' if rule.enabled else ' (disabled)'}"
                f"{'' if rule.limits_grade else '; never limits the grade'}.", "", _cell(rule.rationale), ""]
        if rule.severity_basis:
            out += [f"*Why {rule.severity}:* {_cell(rule.severity_basis)}", ""]
        for basis in rule.basis:
            where = ", ".join(str(x) for x in (basis.get("source"), basis.get("force"),
                                                 f"line {basis['line']}" if basis.get("line") else None) if x)
            out.append(f"> “{_cell(basis['quote'])}” — {where}")
            out.append(">")
        if out[-1] == ">":
            out.pop()
        out.append("")
        if rule.params:
            out += ["| parameter | default | basis |", "|---|---|---|"]
            for name, value in rule.params.items():
                doc = rule.param_docs.get(name, {})
                out.append(f"| `{name}` | `{_cell(json.dumps(value, default=str))}` | {_cell(doc.get('basis', ''))} |")
            out.append("")
        out += [f"**To put it right:** {_cell(rule.remediation)}", ""]
        if rule.examples:
            out.append("Examples:")
            out.append("")
            for example in rule.examples:
                label = example.get("name") or example["expect"]
                out.append(f"- *{example['expect']}* ({_cell(label)}): "
                           f"`{_cell(json.dumps(example['plan'], default=str))}`")
            out.append("")
    return "\n".join(out)


class KindDoc(NamedTuple):
    name: str
    scope: str  # "plan", or "portfolio" for a cross-plan kind
    doc: str

    @property
    def summary(self) -> str:
        """What the kind checks in one sentence: its docstring's first line, or first sentence."""
        prefix = f"`{self.name}`: "
        if self.doc.startswith(prefix):
            return self.doc.splitlines()[0][len(prefix):]
        return re.split(r"(?<=\.)\s", " ".join(self.doc.split()), maxsplit=1)[0]


def kind_docs() -> List[KindDoc]:
    """Every check kind a rule can name, with its documentation: one-plan kinds (built-in, then
    plug-ins), then cross-plan kinds."""
    out = [KindDoc(name, "plan", checks.get(name).doc) for name in checks.names()]
    return out + [KindDoc(name, "portfolio", inspect.cleandoc(kind.doc))
                  for name, kind in sorted(checks.portfolio_kinds().items())]


def kind_doc(name: str) -> KindDoc:
    """The documentation of the kind called `name`; checks.UnknownCheck naming the kinds otherwise."""
    docs = kind_docs()
    for doc in docs:
        if doc.name == name:
            return doc
    raise checks.UnknownCheck(f"there is no check kind {name!r}; the kinds are: "
                              f"{', '.join(d.name for d in docs)}")


def kind_sections(doc: str) -> Dict[str, str]:
    """A kind's docstring split at its section headings (`Options:` alone on a line), each dedented."""
    sections: Dict[str, List[str]] = {}
    current: Optional[str] = None
    for line in doc.splitlines()[1:]:
        heading = line.rstrip()[:-1] if line.rstrip().endswith(":") and not line.startswith(" ") else None
        if heading in KIND_SECTIONS:
            current = heading
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {name: textwrap.dedent("\n".join(lines)).strip("\n") for name, lines in sections.items()}


def kinds_markdown() -> str:
    """A Markdown reference of every built-in check kind, from its docstring, and the cross-plan kinds."""
    docs = [d for d in kind_docs() if d.scope == "portfolio" or d.name in checks.builtin_names()]
    out = ["# Check kinds", "",
           "Generated from each kind's docstring in `fourp/checks/` by `python -m fourp.docs --kinds`; do not "
           "edit by hand. `fourp kinds` lists the kinds and `fourp kinds NAME` prints one. The words used "
           "here (pattern, entry selector, condition, `@actions`) are explained in "
           "[the pack language](pack-language.md).", "",
           "Each example is a rule's `check`, `options` and `examples` as a pack writes them (a rule in a pack "
           "also needs its title, severity, weight, message, rationale, basis and remediation); the tests "
           "run every example plan, as `fourp verify` runs a pack's; plans are judged as at 30 September 2024 "
           "unless an example gives its own `as_of`.", "",
           "| kind | checks that |", "|---|---|"]
    out += [f"| [`{d.name}`](#{d.name}) | {_cell(d.summary)} |" for d in docs if d.scope == "plan"]
    out += ["", "Cross-plan kinds, for rules with `scope: portfolio` (judged across an audit):", "",
            "| kind | checks that |", "|---|---|"]
    out += [f"| [`{d.name}`](#{d.name}) | {_cell(d.summary)} |" for d in docs if d.scope == "portfolio"]
    out.append("")
    for doc in docs:
        out += [f"## {doc.name}", ""]
        if doc.scope == "portfolio":
            out += ["Cross-plan (`scope: portfolio`). " + _cell(doc.doc), "",
                    "Its option is the number named above. The shipped pack's rule that uses it, with its "
                    "examples, is in [the rules reference](rules.md).", ""]
            continue
        sections = kind_sections(doc.doc)
        out += [_cell(doc.summary[:1].upper() + doc.summary[1:]), "",
                "**What it checks.** " + _cell(sections["What it checks"]), "",
                "**Options:**", "", "```text", sections["Options"], "```", "",
                "**Example:**", "", "```yaml", sections["Example"], "```", ""]
    return "\n".join(out)


#: The statuses a plan can be judged in, as the pack's documentation lists them.
PLAN_STATUSES = ("draft", "draft in use", "active", "closed")
THREAT_KINDS = ("ocg", "priority-individual", "vulnerability")


def applicability(conditions: Any) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """The statuses and threat kinds a rule's `applies_when` admits, read from its conditions on
    `/status`, `/threat/kind` and `status_in` (other conditions are about content, not kind of plan)."""
    from .pack.context import Context
    from .pack.lifecycle import Life

    relevant = [c for c in conditions
                if "status_in" in c.spec or c.spec.get("field") in ("/status", "/threat/kind")]
    statuses, kinds = [], set()
    today = dt.date(2000, 1, 1)
    for status in PLAN_STATUSES:
        written = status.split()[0]
        for kind in THREAT_KINDS:
            data = {"status": written, "threat": {"kind": kind}}
            life = Life("active" if status == "draft in use" else written, today, written)
            ctx = Context(data, today, life=life)
            if all(c.holds(ctx) for c in relevant):
                if status not in statuses:
                    statuses.append(status)
                kinds.add(kind)
    return tuple(statuses), tuple(k for k in THREAT_KINDS if k in kinds)


def _applicability_table(pack: RulePack) -> List[str]:
    """Which plans each plan rule judges, read from its `applies_when`: a draft in use is judged as active,
    and a closed plan over its life (see the README's "Closed and draft plans")."""
    out = ["## Which plans each rule judges", "",
           "Read from each rule's `applies_when`. A draft is *in use* when it records done actions, results "
           "or operational log entries, or is older than `draft-in-use`'s `max_draft_days`; rules judge it as "
           "active. Rules about how a plan was kept judge a closed plan from `created` to `closure.closed`.", "",
           "| rule | " + " | ".join(PLAN_STATUSES) + " | threat kinds |",
           "|---|" + "---|" * (len(PLAN_STATUSES) + 1)]
    for rule in pack.plan_rules:
        statuses, kinds = applicability(rule.applies_when)
        cells = ["yes" if s in statuses else "—" for s in PLAN_STATUSES]
        shown = "all" if kinds == THREAT_KINDS else ", ".join(kinds) or "none"
        out.append(f"| `{rule.id}` | " + " | ".join(cells) + f" | {shown} |")
    return out + [""]


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--kinds"]:
        sys.stdout.write(kinds_markdown())
        return
    sys.stdout.write(rules_markdown(load_pack(argv[0] if argv else None)))


if __name__ == "__main__":  # pragma: no cover
    main()
