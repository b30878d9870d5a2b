"""The rules reference, generated from a pack so that rule documentation is never written twice.

`python -m fourp.docs [PACK] > docs/rules.md` regenerates the shipped reference; a test keeps it current.
"""
from __future__ import annotations

import json
import sys
from typing import List, Optional

from .pack import RulePack, load_pack

__all__ = ["rules_markdown"]


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


def _applicability_table(pack: RulePack) -> List[str]:
    """Which plans each plan rule judges, read from its `applies_when`: a draft in use is judged as active,
    and a closed plan over its life (see the README's "Closed and draft plans")."""
    from .lifecycle import STATUSES, THREAT_KINDS, applicability

    out = ["## Which plans each rule judges", "",
           "Read from each rule's `applies_when`. A draft is *in use* when it records done actions, results "
           "or operational log entries, or is older than `draft-in-use`'s `max_draft_days`; rules judge it as "
           "active. Rules about how a plan was kept judge a closed plan from `created` to `closure.closed`.", "",
           "| rule | " + " | ".join(STATUSES) + " | threat kinds |", "|---|" + "---|" * (len(STATUSES) + 1)]
    for rule in pack.plan_rules:
        statuses, kinds = applicability(rule.applies_when)
        cells = ["yes" if s in statuses else "—" for s in STATUSES]
        shown = "all" if kinds == THREAT_KINDS else ", ".join(kinds) or "none"
        out.append(f"| `{rule.id}` | " + " | ".join(cells) + f" | {shown} |")
    return out + [""]


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    sys.stdout.write(rules_markdown(load_pack(argv[0] if argv else None)))


if __name__ == "__main__":  # pragma: no cover
    main()
