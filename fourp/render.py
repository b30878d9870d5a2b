"""Rendering reports with Jinja: the shipped templates for each format, or a user's own in the sandbox.

Templates receive plain data (the reports' `to_dict()` and the pack's rules), never Python objects, so a
force's own template sees exactly what the README documents.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Optional, Sequence

from .pack import RulePack
from .plan import PlanError
from .report import Report

__all__ = ["template_data", "render", "TEXT_FORMATS", "colour_wanted"]

TEXT_FORMATS = {"text": "text.j2", "markdown": "markdown.md.j2", "html": "report.html.j2"}
_PS = ("pursue", "prevent", "protect", "prepare")

_ANSI = {"red": "31", "yellow": "33", "green": "32", "blue": "34", "bold": "1", "dim": "2", "cyan": "36",
         "magenta": "35"}


def colour_wanted(stream: Any, no_color: bool = False) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_GROUP_LABELS = {"plan": "Whole plan", "pursue": "Pursue", "prevent": "Prevent", "protect": "Protect",
                 "prepare": "Prepare"}


def _group(finding: Dict[str, Any]) -> str:
    """Which P a finding belongs under: the section its path lies in, else its rule's only P, else the plan."""
    head = finding.get("path", "").split("/")[1:2]
    if head and head[0] in _PS:
        return head[0]
    ps = finding.get("ps") or []
    return ps[0] if len(ps) == 1 else "plan"


def _grouped(report: Dict[str, Any], rules: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The findings by P, then by rule, each in the order of what to fix first (the findings' order)."""
    groups: Dict[str, Dict[str, Any]] = {}
    for finding in report["findings"]:
        key = _group(finding)
        group = groups.setdefault(key, {"p": key, "label": _GROUP_LABELS[key], "rules": {}})
        entry = group["rules"].get(finding["rule"])
        if entry is None:
            rule = rules.get(finding["rule"], {})
            entry = group["rules"][finding["rule"]] = {
                "rule": finding["rule"], "title": finding["title"], "severity": finding["severity"],
                "rationale": rule.get("rationale", ""), "basis": rule.get("basis", []),
                "remediation": finding["remediation"], "findings": []}
        entry["findings"].append(finding)
    out = []
    for group in groups.values():
        group["rules"] = list(group["rules"].values())
        group["counts"] = {sev: sum(len(r["findings"]) for r in group["rules"] if r["severity"] == sev)
                           for sev in ("error", "warning", "info")}
        out.append(group)
    return out


def _verdict(report: Dict[str, Any]) -> str:
    failed = [r for r in report["results"] if r["status"] in ("fail", "error")]
    if not failed:
        return "Meets every applicable criterion of the pack."
    by_sev = {sev: sum(1 for r in failed if r["severity"] == sev) for sev in ("error", "warning", "info")}
    parts = [f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in by_sev.items() if n]
    first = report["findings"][0]["title"] if report["findings"] else failed[0]["title"]
    return (f"Falls short on {len(failed)} of {sum(1 for r in report['results'] if r['status'] in ('pass', 'fail', 'error'))} "
            f"applicable criteria ({', '.join(parts)}). Fix first: {first}.")


def template_data(reports: Sequence[Report], pack: RulePack, errors: Sequence[PlanError] = (),
                  **extra: Any) -> Dict[str, Any]:
    """The data every template gets (documented in the README)."""
    rules = {rule.id: rule.to_dict() for rule in pack.rules}
    views = []
    for report in reports:
        view = report.to_dict()
        view["groups"] = _grouped(view, rules)
        view["verdict"] = _verdict(view)
        view["passed"] = [r for r in view["results"] if r["status"] == "pass"]
        view["waived"] = [dict(r, waiver_detail=next((w for w in view["waivers"] if w["rule"] == r["rule"]
                                                      and w["valid"]), None))
                          for r in view["results"] if r["status"] == "waived"]
        view["invalid_waivers"] = [w for w in view["waivers"] if not w["valid"]]
        views.append(view)
    return {
        "reports": views,
        "errors": [e.to_dict() for e in errors],
        "pack": {"name": pack.name, "title": pack.title, "version": pack.version,
                 "grades": [{"grade": g.grade, "min": g.min} for g in pack.grades]},
        "rules": rules,
        "ps": list(_PS),
        **extra,
    }


def _style(colour: bool) -> Any:
    def style(text: Any, *names: str) -> str:
        text = "" if text is None else str(text)
        if not colour or not names:
            return text
        codes = ";".join(_ANSI[n] for n in names if n in _ANSI)
        return f"\x1b[{codes}m{text}\x1b[0m" if codes else text
    return style


def _environment(html: bool, colour: bool, sandboxed: bool, search: Optional[str] = None) -> Any:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from .resources import shipped

    if search is not None:
        loader: Any = jinja2.FileSystemLoader(search)
    else:
        loader = jinja2.FileSystemLoader(str(shipped("templates")))
    cls = SandboxedEnvironment if sandboxed else jinja2.Environment
    env = cls(loader=loader, autoescape=html, trim_blocks=True, lstrip_blocks=True,
              keep_trailing_newline=True, undefined=jinja2.ChainableUndefined)
    env.filters["style"] = _style(colour)
    env.filters["group_p"] = _group
    env.filters["wrap"] = _wrap
    return env


def _wrap(text: Any, width: int = 96, indent: str = "") -> str:
    import textwrap

    return textwrap.fill(" ".join(str(text or "").split()), width=width, initial_indent="",
                         subsequent_indent=indent)


def render(data: Dict[str, Any], fmt: str = "text", colour: bool = False,
           template_file: Optional[str] = None) -> str:
    """Renders template data in a shipped format, or with a user's template file (sandboxed)."""
    if template_file is not None:
        folder, name = os.path.split(os.path.abspath(template_file))
        env = _environment(html=name.endswith((".html", ".html.j2", ".htm")), colour=colour,
                           sandboxed=True, search=folder)
        return env.get_template(name).render(data)
    env = _environment(html=fmt == "html", colour=colour, sandboxed=False)
    return env.get_template(TEXT_FORMATS[fmt]).render(data, colour=colour)
