"""The text format: a check's report written in Python (text.j2 without Jinja); an audit's by its template.

Importing Jinja and reading its compiled template is about a fifth of a cold one-plan check; the text
report is what a person at a terminal gets, so it is written here directly. It must say exactly what
text.j2 says, byte for byte, in colour and without: tests/output/test_check_text.py renders both on every
example, calibration and hostile plan and compares. text.j2 stays the reference a force copies to make
its own `--template`; change both together.
"""
from __future__ import annotations

import textwrap
from typing import Any, Dict, Iterator, List

from .render import _ANSI, _Safe, _visible_controls, one_line

__all__ = ["check_text", "report_text"]

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "blue"}
_TONE_COLOUR = {"high": "green", "mid": "yellow", "low": "red"}
_INDENT = "         "


def _show(value: Any) -> str:
    """What `{{ value }}` prints in a text template: nothing for None, text made one safe line."""
    if value is None:
        return ""
    return value if isinstance(value, _Safe) else one_line(value)


def _wrap(text: Any) -> _Safe:
    """`| wrap(88, "         ")` in text: controls made visible, the words refilled."""
    words = _visible_controls(str(text or ""))
    return _Safe(textwrap.fill(" ".join(words.split()), width=88, initial_indent="", subsequent_indent=_INDENT,
                               break_long_words=False, break_on_hyphens=False))


def _verdict(v: Dict[str, Any]) -> str:
    if not v["failed"]:
        return "Meets every applicable criterion of the pack."
    counts = [(sev, n) for sev, n in v["by_severity"].items() if n]
    parts = ", ".join(f"{_show(n)} {_show(sev)}{'s' if n != 1 else ''}" for sev, n in counts)
    return (f"Falls short on {_show(v['failed'])} of {_show(v['applicable'])} applicable criteria ({parts}). "
            f"Fix first: {_show(v['fix_first'])}.")


def _basis_quote(b: Dict[str, Any]) -> str:
    place = [b.get("source"), b.get("force"), ("L" + str(b["line"])) if b.get("line") else None]
    return f"“{_show(b.get('quote'))}” ({_show(', '.join(str(p) for p in place if p))})"


def _p_score(value: Any) -> str:
    return _show("%.0f" % value) if value is not None else "-"


def check_text(data: Dict[str, Any], colour: bool = False) -> str:
    """The text report of `fourp check` from its template data (`render.template_data`)."""

    def style(text: Any, *names: str) -> str:
        text = "" if text is None else text
        plain = text if isinstance(text, _Safe) else one_line(text)
        codes = ";".join(_ANSI[n] for n in names if n in _ANSI)
        return f"\x1b[{codes}m{plain}\x1b[0m" if colour and codes else plain

    out: List[str] = []
    put = out.append
    max_per_rule: Any = data.get("max_per_rule")
    for index, r in enumerate(data["reports"]):
        if index:
            put("\n")
        plan = r.get("plan") or {}
        put(style(r.get("file") or plan.get("id") or "plan", "bold"))
        if plan.get("id"):
            put(f"  {_show(plan['id'])}")
        if plan.get("force"):
            put(f"  ({_show(plan['force'])})")
        put("\n")
        tone = _TONE_COLOUR[r["grade_tone"]]
        put(f"Score {style('%.1f' % r['score'], 'bold', tone)}/100  {style(str(r['grade']).upper(), 'bold', tone)}   ")
        put("  ".join(f"{_show(p)} {_p_score(r['p_scores'][p])}" for p in data["ps"]))
        put("\n")
        put(_verdict(r["verdict"]) + "\n")
        version = r.get("pack_version")
        put(style(f"pack {r['pack']}{(' ' + str(version)) if version else ''}, as of {r['as_of']}", "dim") + "\n")
        for g in r["groups"]:
            put("\n" + style(g["label"], "bold", "cyan") + "\n")
            for rule in g["rules"]:
                put(f"  {style(str(rule['severity']).upper(), 'bold', _SEVERITY_COLOUR[rule['severity']])} "
                    f"{_show(rule['title'])} {style('[' + str(rule['rule']) + ']', 'dim')}\n")
                findings = rule["findings"]
                for f in findings[:max_per_rule]:
                    put(f"    {style(f['location'], 'dim')}  {_show(f['message'])}\n")
                if len(findings) > max_per_rule:
                    put(f"    ... and {len(findings) - max_per_rule} more like this\n")
                if rule["basis"]:
                    put(f"    Why: {_wrap(rule['rationale'])}\n")
                    put(f"{_INDENT}{style(_wrap(_basis_quote(rule['basis'][0])), 'dim')}\n")
                put(f"    Fix: {_wrap(rule['remediation'])}\n")
        if r["passed"]:
            met = sum(1 for x in r["results"] if x["status"] in ("pass", "fail", "error"))
            put(f"\n{style('Done well', 'bold', 'green')} ({len(r['passed'])} of {met} criteria met)\n")
            for p in r["passed"]:
                put(f"  {style('✓', 'green')} {_show(p['title'])}\n")
        if r["waived"] or r["invalid_waivers"]:
            put("\n" + style("Waivers", "bold") + "\n")
            for w in r["waived"]:
                put(f"  ~ {_show(w['title'])} [{_show(w['rule'])}] waived: {_show(w.get('waiver'))}")
                detail = w.get("waiver_detail")
                if detail:
                    put(f" (approved by {_show(detail.get('approved_by'))}")
                    if detail.get("expires"):
                        put(f", until {_show(detail['expires'])}")
                    put(")")
                put("\n")
            for w in r["invalid_waivers"]:
                put(f"  ! waiver for {_show(w['rule'])} not applied: {_show(w.get('problem'))}\n")
    for e in data["errors"]:
        put("\n" + style(e["file"], "bold") + "\n")
        put(f"  {style('CANNOT READ', 'bold', 'red')} {_show(e['file'])}")
        if e.get("line"):
            put(f":{_show(e['line'])}")
            if e.get("column"):
                put(f":{_show(e['column'])}")
        put(f": {_show(e.get('reason'))}")
        if e.get("hint"):
            put(f" ({_show(e['hint'])})")
        put("\n")
    return _Safe("".join(out))


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The text report, as `fourp.output.FORMATS` calls each format."""
    if data.get("kind") == "check":
        return check_text(data, colour)
    from .render import report_text as by_template

    return by_template(fmt, data, document, colour)


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[str]:
    """The text report in pieces, as `fourp.output.format_pieces` calls each format: an audit's as its
    template renders it (a plan at a time), a check's whole."""
    if data.get("kind") == "check":
        return iter((check_text(data, colour),))
    from .render import report_pieces as by_template

    return by_template(fmt, data, document, colour)
