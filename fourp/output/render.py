"""Rendering reports with Jinja: the shipped templates for each format, or a user's own in the sandbox.

Templates receive plain data (the reports' `to_dict()` and the pack's rules), never Python objects, so a
force's own template sees exactly what the README documents. Plan text is only ever data: every value a
template prints is escaped for its format (HTML entities, Markdown backslashes, terminal control
characters made visible), so a plan cannot inject markup, colour codes or template syntax.
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, List, Optional, Sequence

from markupsafe import Markup

from ..errors import FourpError
from ..pack.load import RulePack
from ..read.plan import PlanError
from ..report import (APPLICABLE_STATUSES, FAILED_STATUSES, PS, SEVERITIES, Report, at_or_above,
                      location_text, plan_fails)

__all__ = ["template_data", "audit_data", "render", "colour_wanted",
           "TemplateProblem", "SORT_KEYS", "check_template", "markdown_escape", "one_line"]

#: The shipped template of each human-readable format, for one or more plans and for an audit.
SORT_KEYS = ("score", "file", "grade")

_ANSI = {"red": "31", "yellow": "33", "green": "32", "blue": "34", "bold": "1", "dim": "2", "cyan": "36",
         "magenta": "35"}


class TemplateProblem(FourpError):
    """A user's template that cannot be loaded or rendered: the file, line and reason."""

    unnamed = "<template>"
    default_code = "invalid-template"


def colour_wanted(stream: Any, no_color: bool = False) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# -- the data templates get ---------------------------------------------------------------------------------

_GROUP_LABELS = {"plan": "Whole plan", "pursue": "Pursue", "prevent": "Prevent", "protect": "Protect",
                 "prepare": "Prepare"}


def _group(finding: Dict[str, Any]) -> str:
    """Which P a finding belongs under: the section its path lies in, else its rule's only P, else the plan."""
    head = finding.get("path", "").split("/")[1:2]
    if head and head[0] in PS:
        return head[0]
    ps = finding.get("ps") or []
    return ps[0] if len(ps) == 1 else "plan"


def _grouped(findings: Sequence[Dict[str, Any]], rules: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The findings by P, then by rule, each in the order of what to fix first (the findings' order)."""
    groups: Dict[str, Dict[str, Any]] = {}
    for finding in findings:
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
                           for sev in SEVERITIES}
        out.append(group)
    return out


def _verdict(report: Dict[str, Any]) -> Dict[str, Any]:
    """The facts behind the one-line verdict; the templates word it."""
    failed = [r for r in report["results"] if r["status"] in FAILED_STATUSES]
    first = report["findings"][0]["title"] if report["findings"] else (failed[0]["title"] if failed else None)
    return {"failed": len(failed),
            "applicable": sum(1 for r in report["results"] if r["status"] in APPLICABLE_STATUSES),
            "by_severity": {sev: sum(1 for r in failed if r["severity"] == sev) for sev in SEVERITIES},
            "fix_first": first}


def _view(report: Dict[str, Any], data: Dict[str, Any], fail_on: str, min_score: float,
          new: Optional[Sequence[bool]] = None) -> Dict[str, Any]:
    """A report's `to_dict()` plus what the templates show; with a baseline, `findings` holds the new ones."""
    rules = data["rules"]
    view = dict(report)
    view["grade_tone"] = data["grade_styles"].get(report["grade"], _UNKNOWN_GRADE)["tone"]
    if new is not None:
        view["findings"] = [f for f, is_new in zip(report["findings"], new) if is_new]
        view["baseline"] = {"new": len(view["findings"]), "unchanged": len(report["findings"]) - len(view["findings"])}
    file = report.get("file")
    view["findings"] = [dict(f, file=file, location=location_text(
        file, f["line"], f["column"], (f.get("place") or {}).get("text"))) for f in view["findings"]]
    view["groups"] = _grouped(view["findings"], rules)
    view["verdict"] = _verdict(report)
    view["fails"] = plan_fails({"score": report["score"], "findings": view["findings"]}, fail_on, min_score)
    view["passed"] = [r for r in report["results"] if r["status"] == "pass"]
    view["waived"] = [dict(r, waiver_detail=next((w for w in report["waivers"] if w["rule"] == r["rule"]
                                                  and w["valid"]), None))
                      for r in report["results"] if r["status"] == "waived"]
    view["invalid_waivers"] = [w for w in report["waivers"] if not w["valid"]]
    return view


#: A pack's named colours, as the tone the templates colour by.
_TONES = {"green": "high", "amber": "mid", "red": "low"}
#: Shades of each tone for charts, darkest first (the default pack's five bands use all five).
_SHADES = {"high": ("#1e6b34", "#3f8f4f"), "mid": ("#b07d00",), "low": ("#c8581b", "#b3261e")}


def grade_styles(pack: RulePack) -> Dict[str, Dict[str, str]]:
    """How each grade is coloured: `tone` (high, mid, low) and a chart `shade`.

    The colour the pack gives a band, else the band's place among the pack's bands (best first): never its
    name, so a force's `green/amber/red` or `A-E` are coloured as the default pack's words are.
    """
    count = len(pack.grades)
    tones = []
    for index, band in enumerate(pack.grades):
        place = index / (count - 1) if count > 1 else 0.0
        tones.append(_TONES.get(band.colour) or ("high" if place < 0.4 else "mid" if place <= 0.7 else "low"))
    styles: Dict[str, Dict[str, str]] = {}
    for band, tone in zip(pack.grades, tones):
        same = [b for b, t in zip(pack.grades, tones) if t == tone]
        shades = _SHADES[tone]
        step = same.index(band) * (len(shades) - 1) // max(len(same) - 1, 1)
        styles.setdefault(band.grade, {"tone": tone, "shade": shades[min(step, len(shades) - 1)]})
    return styles


_UNKNOWN_GRADE = {"tone": "low", "shade": _SHADES["low"][-1]}


def _common(pack: RulePack, errors: Sequence[PlanError], fail_on: str, min_score: float) -> Dict[str, Any]:
    styles = grade_styles(pack)
    return {
        "errors": [e.to_dict() for e in errors],
        "pack": {"name": pack.name, "title": pack.title, "version": pack.version,
                 "grades": [dict(styles[g.grade], grade=g.grade, min=g.min) for g in pack.grades]},
        "grade_styles": styles,
        "rules": {rule.id: rule.to_dict() for rule in pack.rules},
        "ps": list(PS),
        "fail_on": fail_on,
        "min_score": min_score,
    }


def template_data(reports: Sequence[Report], pack: RulePack, errors: Sequence[PlanError] = (),
                  fail_on: str = "error", min_score: float = 0.0, **extra: Any) -> Dict[str, Any]:
    """The data every template of `fourp check` gets (documented in docs/templates.md)."""
    data = _common(pack, errors, fail_on, min_score)
    data.update(kind="check", baseline=None,
                reports=[_view(r.to_dict(), data, fail_on, min_score) for r in reports], **extra)
    return data


def _sort_key(sort: str, grades: Sequence[str]) -> Any:
    def key(view: Dict[str, Any]) -> Any:
        file = view.get("file") or ""
        rank = grades.index(view["grade"]) if view["grade"] in grades else len(grades)
        if sort == "file":
            return (file,)
        if sort == "grade":  # worst grade first, then lowest score
            return (-rank, view["score"], file)
        return (view["score"], file)  # lowest score first: what a supervisor looks at first
    return key


def audit_data(result: Any, pack: RulePack, sort: str = "score", worst: int = 3, fail_on: str = "error",
               min_score: float = 0.0, comparison: Any = None, **extra: Any) -> Dict[str, Any]:
    """The data the audit templates get: `template_data`'s keys plus the summary (documented in docs/templates.md).

    `result` is a `fourp.audit.AuditReport`; `comparison` a `fourp.read.baseline.Comparison`, whose new
    findings then replace each plan's `findings`.
    """
    if sort not in SORT_KEYS:
        raise ValueError(f"sort by one of {', '.join(SORT_KEYS)}, not {sort!r}")
    from ..kept import as_kept

    data = _common(pack, result.errors, fail_on, min_score)
    kept = as_kept(result.reports)
    flags = comparison.new_flags if comparison is not None else None
    # Sorted by the kept fields; each plan's view is made when a template reaches it, and let go after.
    order = sorted(range(len(kept)), key=lambda i: _sort_key(sort, [g.grade for g in pack.grades])(
        {"file": kept[i].file, "grade": kept[i].grade, "score": kept[i].score}))
    views = _Views(kept, order, data, fail_on, min_score, flags, worst)
    if flags is None:
        shown = [item.by_group() for item in kept]
        fails = [item.fails(fail_on, min_score) for item in kept]
    else:  # only the new findings are shown: counted from the reports themselves
        shown, fails = [], []
        for item, new in zip(kept, flags):
            findings = [f for f, is_new in zip(item.to_dict()["findings"], new) if is_new]
            counts: Dict[str, int] = {}
            for finding in findings:
                counts[_group(finding)] = counts.get(_group(finding), 0) + 1
            shown.append(counts)
            fails.append(plan_fails({"score": item.score, "findings": findings}, fail_on, min_score))
    by_p = []
    for p in PS:
        stats = dict(result.summary.get("by_p", {}).get(p, {}))
        stats.update(p=p, plans_short=sum(1 for item in kept if any(p in r.failed_ps for r in item.results
                                                                     if r.status in FAILED_STATUSES)),
                     findings=sum(counts.get(p, 0) for counts in shown))
        by_p.append(stats)
    data.update(kind="audit", as_of=result.as_of.isoformat(), summary=result.summary,
                skipped=[dict(s) for s in getattr(result, "skipped", ())],
                portfolio=result.portfolio, reports=views, sort=sort, worst=worst, by_p=by_p,
                failing=sum(fails),
                portfolio_failing=sum(1 for f in (result.portfolio or {}).get("findings", ())
                                      if at_or_above(f["severity"], fail_on)),
                baseline=comparison.to_dict() if comparison is not None else None, **extra)
    return data


class _Views(Sequence[Dict[str, Any]]):
    """The audit's plans as the templates see them (`_view` of each report, with its `worst`), in the
    order asked for, each made from the kept report when it is reached: ten thousand plans' views are
    never in memory at once. Read it as a list (`for`, `| length`, `[0]`)."""

    def __init__(self, kept: Sequence[Any], order: Sequence[int], data: Dict[str, Any], fail_on: str,
                 min_score: float, flags: Optional[Sequence[Sequence[bool]]], worst: int) -> None:
        self._kept, self._order, self._data = kept, order, data
        self._fail_on, self._min_score, self._flags, self._worst = fail_on, min_score, flags, worst

    def __len__(self) -> int:
        return len(self._order)

    def _make(self, index: int) -> Dict[str, Any]:
        new = self._flags[index] if self._flags is not None else None
        view = _view(self._kept[index].to_dict(), self._data, self._fail_on, self._min_score, new)
        view["worst"] = view["findings"][:self._worst]
        return view

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._make(i) for i in self._order[index]]
        return self._make(self._order[index])

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        for index in self._order:
            yield self._make(index)

    def statuses(self) -> Iterator[List[str]]:
        """Each plan's rules' statuses, in order, from the kept fields alone."""
        for index in self._order:
            yield [result.status for result in self._kept[index].results]

    def heads(self) -> Iterator[Dict[str, Any]]:
        """Each plan's `file`, `plan`, `score`, `grade` and `p_scores`, in order, from the kept fields alone."""
        for index in self._order:
            item = self._kept[index]
            yield {"file": item.file, "plan": {"id": item.plan_id, "force": item.force, "lro": item.lro,
                                               "status": item.status, "threat": item.threat},
                   "score": item.score, "grade": item.grade, "p_scores": dict(item.p_scores)}


# -- escaping for each kind of output ---------------------------------------------------------------------

# C0 and C1 controls but newline and tab, and the bidirectional overrides ("Trojan Source"): a plan's text
# must not move the cursor, recolour the terminal or reorder what a reader sees.
# A file name that is not UTF-8 reaches fourp holding lone surrogates for its bytes: shown as the bytes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What ends a line for a terminal, an editor or Python: in a value shown on one line, each is made visible,
# so a plan id or a file name cannot start a row of its own (a forged "100.0 outstanding" line).
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Backslash-escaping these makes any text literal in CommonMark and GitHub-flavoured Markdown: no
# emphasis, links, images, code, raw HTML, entities or table cells can start from a plan's words.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&#!{}])")


def _visible(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as Python decodes file names
        return f"\\x{code - 0xDC00:02x}"
    return {"\n": "\\n", "\r": "\\r"}.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _visible_controls(text: str) -> str:
    return _CONTROL.sub(lambda m: _visible(m.group()), text)


def one_line(value: Any) -> str:
    """A value as one line of terminal text: controls, escape sequences, bidirectional overrides, line
    breaks of every kind and the bytes of names that are not UTF-8 made visible (`\\x1b`, `\\n`). Every
    message fourp writes to a terminal, and every value in a text report, passes through this."""
    text = _visible_controls(str(value))
    return _BREAKS.sub(lambda m: _visible(m.group()), text) if _BREAKS.search(text) else text


def markdown_escape(value: Any) -> str:
    text = " ".join(_visible_controls(str(value)).splitlines())
    return _MARKDOWN.sub(r"\\\1", text)


class _Safe(str):
    """Text a filter has already made safe for a text or Markdown template (HTML uses `Markup`)."""


def _safe_join(parts: Any) -> str:
    return _Safe("".join(parts))


def _finalize(escape: Any) -> Any:
    """What every `{{ }}` prints: nothing for None; text escaped unless a filter already made it safe."""
    def finalize(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, (Markup, _Safe)) or escape is None:
            return value
        return escape(value if isinstance(value, str) else str(value))
    return finalize


def _style(flavour: str, colour: bool) -> Any:
    """`{{ text | style("bold", "red") }}`: ANSI colour in text on a terminal; only escaping elsewhere."""
    import jinja2

    # Taking the context keeps Jinja from folding `{{ "Grades" | style("bold") }}` into a constant when it
    # compiles a template: the compiled template is cached on disk, so it would keep the colour (or its
    # absence) of the first run, and a report written to a file could carry a terminal's colour codes.
    @jinja2.pass_context
    def style(context: Any, text: Any, *names: str) -> str:
        text = "" if text is None else text
        if flavour == "html":
            return Markup.escape(text)
        if flavour == "markdown":
            return _Safe(markdown_escape(text))
        plain = text if isinstance(text, _Safe) else one_line(text)  # wrapped text keeps its lines
        codes = ";".join(_ANSI[n] for n in names if n in _ANSI)
        return _Safe(f"\x1b[{codes}m{plain}\x1b[0m" if colour and codes else plain)
    return style


def _code(flavour: str) -> Any:
    """`{{ text | code }}`: in Markdown a code span that shows the value exactly, whatever backticks it holds."""
    def code(value: Any) -> str:
        if flavour == "html":
            return Markup("<code>%s</code>") % value
        text = " ".join(_visible_controls(str(value)).splitlines())
        if flavour != "markdown":
            return _Safe(text)
        fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
        pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
        return _Safe(f"{fence}{pad}{text}{pad}{fence}")
    return code


def _pack_text(flavour: str) -> Any:
    """`{{ rule.remediation | pack_text }}`: a pack's own words, whose `backticked` names show as code.

    Only for text the pack's author wrote; a plan's text is always printed with plain escaping.
    """
    code = _code(flavour)

    def pack_text(value: Any) -> str:
        text = "" if value is None else str(value)
        if flavour == "text":
            return _visible_controls(text)
        pieces = text.split("`")
        if len(pieces) % 2 == 0:  # an unpaired backtick: no code spans
            pieces = [text]
        escape = Markup.escape if flavour == "html" else markdown_escape
        out = "".join(str(code(piece)) if odd else str(escape(piece)) for odd, piece in
                      ((i % 2 == 1, piece) for i, piece in enumerate(pieces)))
        return Markup(out) if flavour == "html" else _Safe(out)
    return pack_text


def _wrap(flavour: str) -> Any:
    """`{{ text | wrap(88, "    ") }}`: the text's words refilled to lines of a width (its own line breaks,
    of every kind, are only spaces between words); in text, escaped here, as the lines are fourp's."""
    import textwrap

    def wrap(text: Any, width: int = 96, indent: str = "") -> str:
        words = str(text or "")
        if flavour == "text":
            words = _visible_controls(words)
        filled = textwrap.fill(" ".join(words.split()), width=width, initial_indent="", subsequent_indent=indent,
                               break_long_words=False, break_on_hyphens=False)
        return _Safe(filled) if flavour == "text" else filled
    return wrap


def _flavour(name: str) -> str:
    """How a template's output is escaped, from its file name: html, markdown or text."""
    stem = name[:-3] if name.endswith(".j2") else name
    if stem.endswith((".html", ".htm", ".xml", ".svg")):
        return "html"
    if stem.endswith((".md", ".markdown")):
        return "markdown"
    return "text"


def _compiled_templates(flavour: str) -> Any:
    """The shipped templates, compiled once and kept in the user's cache folder, each entry sealed like
    the results cache (Jinja then checks it against its source, so an edited template is compiled again).
    Compiled templates are Python bytecode: an entry that is not sealed with this user's key to its own
    template, flavour and version of fourp's code is never loaded, so a flipped bit or a planted file is
    a miss, never code that runs.

    Kept apart for each version of fourp's code (compiled code calls the filters as the code of its day
    defined them, with the context or without) and for each flavour (`_macros.j2` compiled for HTML
    escapes what it prints; the same file compiled for text must not): Jinja's check of the template
    source sees neither."""
    import jinja2

    from ..cache.store import default_cache_dir, read_entry, write_entry
    from ..cache.code_identity import code_fingerprint
    from ..cache.signing import seal

    if os.environ.get("FOURP_NO_CACHE"):
        return None
    root = default_cache_dir()
    version = code_fingerprint()[:16]
    folder = os.path.join(root, "templates", version, flavour)

    def binding(bucket: Any) -> str:
        return f"template {version} {flavour} {bucket.key}"

    class SealedBytecodeCache(jinja2.BytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            blob = read_entry(os.path.join(folder, f"{bucket.key}.cache"), binding(bucket))
            if blob is not None:
                bucket.bytecode_from_string(blob)  # Jinja's own check against the source follows

        def dump_bytecode(self, bucket: Any) -> None:
            sealed = seal(bucket.bytecode_to_string(), binding(bucket).encode("utf-8"))
            if sealed is not None:
                write_entry(os.path.join(folder, f"{bucket.key}.cache"), sealed, root)

        def clear(self) -> None:  # `fourp cache clear` removes the folder's files itself
            pass
    return SealedBytecodeCache()


def _loader(search: str) -> Any:
    """Jinja's file loader, reading through fourp's one safe reader (ordinary files only, size limited)."""
    import posixpath

    import jinja2
    from jinja2.loaders import split_template_path

    from ..read.files import MAX_OPTION_FILE_BYTES, FileRefused, read_bytes

    class SafeFileLoader(jinja2.BaseLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            filename = posixpath.join(search, *split_template_path(template))  # refuses `..`
            try:
                raw = read_bytes(filename, MAX_OPTION_FILE_BYTES)
                mtime = os.stat(filename).st_mtime_ns
            except FileRefused as exc:
                if exc.kind in ("missing", "dangling-link", "folder"):
                    raise jinja2.TemplateNotFound(template) from None
                raise _TemplateRefused(filename, exc.reason, exc.code) from None
            except OSError:
                raise jinja2.TemplateNotFound(template) from None
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _TemplateRefused(filename, f"not UTF-8 text (byte {exc.start:,})", "bad-encoding") from None

            def uptodate() -> bool:
                try:
                    return os.stat(filename).st_mtime_ns == mtime
                except OSError:
                    return False
            return text, os.path.normpath(filename), uptodate
    return SafeFileLoader()


class _TemplateRefused(Exception):
    """A template file the safe reader refused (a device, a pipe, too large, not UTF-8)."""

    def __init__(self, file: str, reason: str, code: str) -> None:
        self.file, self.reason, self.code = file, reason, code
        super().__init__(f"{file}: {reason}")


def _environment(flavour: str, colour: bool, sandboxed: bool, search: str) -> Any:
    import jinja2

    from ..sandbox import (
        StrictSandbox,  # refuses internals and gigantic output, saying so
    )

    cls = StrictSandbox if sandboxed else jinja2.Environment
    # In text every printed value is one line; what a template builds of many lines (a macro, a block)
    # is made of values each escaped when printed, so it is joined as safe text.
    escape = {"html": None, "markdown": markdown_escape, "text": one_line}[flavour]
    env = cls(loader=_loader(search), autoescape=flavour == "html", trim_blocks=True,
              lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.ChainableUndefined,
              finalize=_finalize(escape), bytecode_cache=None if sandboxed else _compiled_templates(flavour))
    env.filters["style"] = _style(flavour, colour)
    env.filters["group_p"] = _group
    env.filters["wrap"] = _wrap(flavour)
    if flavour == "text":
        env.concat = _safe_join  # type: ignore[method-assign]
    env.filters["code"] = _code(flavour)
    env.filters["pack_text"] = _pack_text(flavour)
    return env


def render(data: Dict[str, Any], fmt: str = "text", colour: bool = False,
           template_file: Optional[str] = None) -> str:
    """Renders template data in a shipped format, or with a user's template file (sandboxed).

    A user's template is escaped by its name: `.html`/`.htm`/`.xml` (optionally `.j2`) as HTML, `.md` as
    Markdown, anything else as text. Its problems raise `TemplateProblem`.
    """
    if template_file is not None:
        return _render_user(data, template_file, colour)
    from ..resources import shipped
    from . import FORMATS

    spec = FORMATS[fmt]
    name = spec.audit_template if data.get("kind") == "audit" else spec.check_template
    if name is None:
        raise ValueError(f"{fmt!r} is not a format written by a template")
    env = _environment(_flavour(name), colour, sandboxed=False, search=str(shipped("templates")))
    return env.get_template(name).render(data, colour=colour)


def render_pieces(data: Dict[str, Any], fmt: str = "text", colour: bool = False) -> Iterator[str]:
    """`render` of a shipped format, as Jinja makes it, a piece at a time (the same text)."""
    from ..resources import shipped
    from . import FORMATS

    spec = FORMATS[fmt]
    name = spec.audit_template if data.get("kind") == "audit" else spec.check_template
    if name is None:
        raise ValueError(f"{fmt!r} is not a format written by a template")
    env = _environment(_flavour(name), colour, sandboxed=False, search=str(shipped("templates")))
    return env.get_template(name).generate(data, colour=colour)


def check_template(template_file: str) -> None:
    """Loads and compiles a user's template, so a mistake in it is reported before a long audit runs."""
    _render_user({}, template_file, False, compile_only=True)


def _render_user(data: Dict[str, Any], template_file: str, colour: bool, compile_only: bool = False) -> str:
    import jinja2
    from jinja2.sandbox import SecurityError

    folder, name = os.path.split(os.path.abspath(template_file))
    env = _environment(_flavour(name), colour, sandboxed=True, search=folder)
    try:
        template = env.get_template(name)
        return "" if compile_only else template.render(data, colour=colour)
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(template_file, f"no such template file: {exc.name}") from None
    except _TemplateRefused as exc:
        raise TemplateProblem(exc.file, exc.reason, code=exc.code) from None
    except RecursionError:  # `{{ ((((...` nested past Python's limit: Jinja's parser recurses
        raise TemplateProblem(template_file, "the template is nested too deeply to read", code="too-deep") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or template_file, exc.message or "syntax error", exc.lineno) from None
    except SecurityError as exc:
        raise TemplateProblem(template_file, f"not allowed in a sandboxed template: {exc}") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateProblem(template_file, f"{type(exc).__name__}: {exc}", _template_line(exc, name)) from None


def _template_line(exc: BaseException, name: str) -> Optional[int]:
    """The template line a rendering error happened on, from the traceback Jinja rewrites to point there."""
    import traceback

    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename.endswith(name)]
    return lines[-1] if lines else None


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """A template format (text, markdown, html), as `fourp.output.FORMATS` calls each format."""
    return render(data, fmt, colour=colour)


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[str]:
    """A template format in pieces, as `fourp.output.format_pieces` calls each format."""
    return render_pieces(data, fmt, colour=colour)
