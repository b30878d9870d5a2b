"""Every report format of `fourp check` and `fourp audit`: shapes, escaping, colour, templates, atomic writes."""
from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
import yaml
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES
from sarif_subset import check_sarif

import fourp
from fourp.cli import main
from fourp.output import FORMATS
from fourp.output.csv import CSV_COLUMNS
from fourp.output.render import colour_wanted, render, template_data
from fourp.output.write import write_atomic

AS_OF_ARGS = ["--as-of", AS_OF.isoformat()]
HOSTILE = ("<script>alert(1)</script>", "{{ 7*7 }}", '=HYPERLINK("http://x")')
EXAMPLE_FILES = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


# -- checking the shape of each format ---------------------------------------------------------------------

def check_junit(text, reports):
    """Each plan a testsuite with a testcase per rule; failed rules failures listing their locations."""
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    # an audit's cross-plan rules, and the files it found and did not read (register.csv beside the plans)
    suites = [s for s in root.findall("testsuite") if s.get("name") not in ("portfolio", "skipped files")]
    assert len(suites) == len(reports)
    for suite, report in zip(suites, reports):
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests")) == len(report["results"])
        failed = [r for r in report["results"] if r["status"] == "fail"]
        failures = suite.findall("testcase/failure")
        assert len(failures) == int(suite.get("failures")) == len(failed)
        for failure, result in zip(failures, failed):
            assert failure.get("type") == result["severity"]
            assert failure.text.splitlines() == [f"{_location(report, f)}: {f['message']}"
                                                 for f in report["findings"] if f["rule"] == result["rule"]]
        assert int(suite.get("skipped")) == sum(1 for r in report["results"]
                                                 if r["status"] in ("waived", "not-applicable"))
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in root.findall("testsuite"))
    return root


def _location(report, finding):
    return report["file"] + (f":{finding['line']}:{finding['column']}" if finding["line"] is not None else "")


def check_csv(text, reports):
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert sum(1 for r in rows if r["record"] == "plan") == len(reports)
    assert sum(1 for r in rows if r["record"] == "finding") == sum(len(r["findings"]) for r in reports)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    return rows


class _Page(html.parser.HTMLParser):
    """Collects what an HTML page would load or run, and its visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.outside, self.text, self.styles = [], [], [], []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster", "background") and value \
                    and re.match(r"\s*(https?:|//|data:|javascript:)", value, re.I):
                self.outside.append((tag, name, value))
            if name.startswith("on"):
                self.outside.append((tag, name, value))
            if name == "style":
                self.styles.append(value)

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)


def check_html(text):
    """A single page that loads nothing from anywhere else and runs no script."""
    page = _Page()
    page.feed(text)
    assert page.tags[0] == "html" and "style" in page.tags
    assert page.outside == []
    assert not {"script", "link", "img", "iframe", "object", "embed", "base", "form"} & set(page.tags)
    assert "<script" not in text.lower()
    for css in page.styles:
        assert "@import" not in css and "url(" not in css
    return " ".join(page.text)


# -- every format from the shipped examples ----------------------------------------------------------------

@pytest.fixture(scope="module")
def example_reports(pack):
    return [fourp.check(path, pack, as_of=AS_OF).to_dict() for path in EXAMPLE_FILES]


@pytest.fixture(scope="module")
def example_audit_reports(pack):
    from fourp.audit import audit

    done = audit([str(EXAMPLES)], pack, as_of=AS_OF, jobs=1)
    by_file = {r.file: r.to_dict() for r in done.reports}
    return [by_file[os.path.join(str(EXAMPLES), os.path.basename(p))] for p in EXAMPLE_FILES]


@pytest.mark.parametrize("command", ["check", "audit"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_from_the_examples(command, fmt, example_reports, example_audit_reports, tmp_path):
    target = tmp_path / f"report.{fmt}"
    paths = EXAMPLE_FILES if command == "check" else [EXAMPLES]
    result = run(command, *paths, *AS_OF_ARGS, "--format", fmt, "--output", target)
    assert result.exit_code == 1, result.output  # the examples include failing plans
    text = target.read_text(encoding="utf-8")
    # an audit lists plans lowest score first (--sort score); check keeps the order it was given
    # an audit judges each plan knowing the other plans' threat names (text-specific-to-threat), so its
    # reports are the library's audit of the folder, not each plan checked alone
    reports = sorted(example_audit_reports, key=lambda r: (r["score"], r["file"])) if command == "audit" \
        else example_reports
    if fmt == "json":
        data = json.loads(text)
        if command == "check":
            assert isinstance(data, list) and [r["file"] for r in data] == EXAMPLE_FILES
            assert all(r["format"] == 1 for r in data)
        else:
            assert data["format"] == 1 and data["kind"] == "audit" and len(data["plans"]) == len(EXAMPLE_FILES)
            assert data["summary"]["plans"] == len(EXAMPLE_FILES)
    elif fmt == "csv":
        rows = check_csv(text, reports)
        assert [r["file"] for r in rows if r["record"] == "plan"] == [r["file"] for r in reports]
    elif fmt == "junit":
        check_junit(text, reports)
    elif fmt == "sarif":
        check_sarif(text, len(reports), sum(len(r["findings"]) for r in reports))
    elif fmt == "html":
        visible = check_html(text)
        assert all(r["plan"]["id"] in visible for r in reports)
    elif fmt in ("github", "gitlab"):  # one annotation per finding (more in an audit: its cross-plan ones)
        count = len(text.splitlines()) if fmt == "github" else len(json.loads(text))
        findings = sum(len(r["findings"]) for r in reports)
        assert count == findings if command == "check" else count > findings
    else:
        assert all(r["plan"]["id"] in text for r in reports)
        assert "\x1b[" not in text


def test_check_json_keeps_its_shape_for_one_plan():
    one = json.loads(run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--format", "json").output)
    assert isinstance(one, dict) and one["format"] == 1 and one["grade"] == "requires improvement"


def test_markdown_and_html_show_the_feedback(pack):
    report = fourp.check(str(EXAMPLES / "thames-valley-no-results.yaml"), pack, as_of=AS_OF)
    data = dict(template_data([report], pack), max_per_rule=5)
    markdown = render(data, "markdown")
    assert "## TVP-4P-2024-019 (Thames Valley Police)" in markdown
    assert "**Score 82.8/100, adequate.**" in markdown
    assert "`examples/thames-valley-no-results.yaml:48:7`" in markdown or ":48:7`" in markdown
    assert "record under `result` when it finished" in markdown  # the pack's code names stay code
    assert "### Done well (23 of 27 criteria met)" in markdown  # plan-spelling is a criterion met
    page = render(data, "html")
    visible = check_html(page)
    assert "82.8" in visible and "adequate" in visible and "Why it matters" in visible
    assert re.search(r'class="fill fill-\w+" style="width: 78\.9%"', page)  # the pursue bar
    assert "How to put it right" in visible and "HMICFRS 2024, Thames Valley Police, L308" in visible


def test_html_quotes_the_plans_own_text(pack, tmp_path):
    plan = yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text())
    plan["pursue"]["actions"][0]["raised"] = "22/01/2024"  # dated, not timed: the finding quotes the plan
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan))
    page = render(template_data([fourp.check(str(path), pack, as_of=AS_OF)], pack), "html")
    assert "<blockquote>22/01/2024</blockquote>" in page


# -- plan text is data in every format ---------------------------------------------------------------------

@pytest.fixture
def hostile_plan(tmp_path):
    """A plan whose id and objectives hold a script, template syntax and a spreadsheet formula."""
    plan = yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text())
    plan["id"] = HOSTILE[2]
    plan["force"] = HOSTILE[0]
    for section, text in zip(("pursue", "prevent", "protect"), HOSTILE):  # not dates: findings quote them
        plan[section]["actions"][0]["due"] = text
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True))
    return path


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _contains_all(texts):
    joined = "\n".join(texts)
    return all(s in joined for s in HOSTILE)


@pytest.mark.parametrize("command", ["check", "audit"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_plan_text_is_verbatim_and_inert(command, fmt, hostile_plan, tmp_path):
    target = tmp_path / "out"
    result = run(command, hostile_plan, *AS_OF_ARGS, "--format", fmt, "-o", target, "--fail-on", "warning")
    assert result.exit_code == 1, result.output  # the unreadable due dates are errors
    text = target.read_text(encoding="utf-8")
    if fmt == "text":
        assert _contains_all([text])
    elif fmt == "markdown":
        assert not re.search(r"(?<!\\)[<{]", text)  # every < and { backslash-escaped: no HTML, no template
        assert _contains_all([re.sub(r"\\(.)", r"\1", text)])  # what a Markdown reader shows
    elif fmt == "html":
        assert _contains_all([check_html(text)])
    elif fmt in ("json", "sarif"):
        assert _contains_all(_strings(json.loads(text)))
    elif fmt == "csv":
        cells = [cell for row in csv.reader(io.StringIO(text[1:])) for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
        assert "'" + HOSTILE[2] in cells  # the plan id, neutralised
        assert _contains_all(cell[1:] if cell.startswith("'") else cell for cell in cells)
    elif fmt == "junit":
        root = ET.fromstring(text)
        assert all(e.tag != "script" for e in root.iter())
        assert _contains_all([t for e in root.iter() for t in [e.text or "", *e.attrib.values()]])


def test_terminal_control_characters_in_plan_text_are_made_visible(pack, tmp_path):
    plan = yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text())
    plan["pursue"]["actions"][0]["due"] = "\x1b[2J\x1b[31mgone"  # not a date: the finding quotes it
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan))
    data = dict(template_data([fourp.check(str(path), pack, as_of=AS_OF)], pack), max_per_rule=5)
    for colour in (False, True):
        text = render(data, "text", colour=colour)
        assert "\\x1b[2J" in text and "\x1b[2J" not in text


# -- colour ------------------------------------------------------------------------------------------------

class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour_wanted(_Stream(True)) is True
    assert colour_wanted(_Stream(False)) is False
    assert colour_wanted(_Stream(True), no_color=True) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert colour_wanted(_Stream(True)) is False


def test_text_has_colour_codes_only_when_asked(pack):
    report = fourp.check(str(EXAMPLES / "surrey-no-lro.yaml"), pack, as_of=AS_OF)
    data = dict(template_data([report], pack), max_per_rule=5)
    assert "\x1b[1;31m" in render(data, "text", colour=True)
    assert "\x1b[" not in render(data, "text", colour=False)
    assert "\x1b[" not in render(data, "markdown", colour=True)


def test_no_colour_when_written_to_a_file_or_piped(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    target = tmp_path / "out.txt"
    run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "-o", target)
    assert "\x1b[" not in target.read_text()
    assert "\x1b[" not in run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--no-color").output


# -- several reports, one evaluation -----------------------------------------------------------------------

def test_several_reports_from_one_evaluation(tmp_path, monkeypatch):
    import fourp.engine

    calls = []
    evaluate = fourp.engine.evaluate
    monkeypatch.setattr(fourp.engine, "evaluate", lambda *a, **k: calls.append(a) or evaluate(*a, **k))
    result = run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--format", "json",
                 *[x for fmt in FORMATS for x in ("--report", f"{fmt}:{tmp_path / ('r.' + fmt)}")])
    assert result.exit_code == 1
    assert len(calls) == 1
    assert json.loads(result.stdout)["grade"] == "requires improvement"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"r.{fmt}" for fmt in FORMATS)


@pytest.mark.parametrize("spec, message", [
    ("html", "is not FORMAT:FILE"),
    ("pdf:out.pdf", "'pdf' is not a format"),
    ("html:", "is not FORMAT:FILE"),
])
def test_bad_report_specs_are_usage_errors(spec, message):
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--report", spec)
    assert result.exit_code == 2 and message in result.output


def test_two_reports_to_one_file_and_reports_over_plans_are_refused(tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text()), default=str))
    before = plan.read_bytes()
    result = run("check", plan, *AS_OF_ARGS, "--format", "json", "-o", plan)
    assert result.exit_code == 2 and "never writes over a plan" in result.output
    result = run("check", plan, *AS_OF_ARGS, "-o", tmp_path / "other.yaml")
    assert result.exit_code == 2 and "never writes over a plan" in result.output
    result = run("check", plan, *AS_OF_ARGS, "-o", tmp_path / "a.txt", "--report", f"csv:{tmp_path / 'a.txt'}")
    assert result.exit_code == 2 and "two reports" in result.output
    assert plan.read_bytes() == before and not (tmp_path / "a.txt").exists()


def test_a_report_that_cannot_be_written_is_exit_two(tmp_path):
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "-o", tmp_path / "missing" / "r.txt")
    assert result.exit_code == 2 and "cannot write" in result.output


# -- user templates in the sandbox -------------------------------------------------------------------------

def test_user_template_renders_the_documented_data(tmp_path):
    template = tmp_path / "mine.txt.j2"
    template.write_text("{% for r in reports %}{{ r.plan.id }} {{ r.score }} {{ r.grade }} "
                        "{{ r.groups[0].rules[0].rule }} {{ r.findings | length }}\n{% endfor %}"
                        "{{ pack.name }} {{ rules['lro-named'].title }}\n")
    result = run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--template", template)
    assert result.exit_code == 1
    assert result.stdout.startswith("SUR-4P-2024-003 47.3 requires improvement ")
    assert "hmicfrs-2024 A lead responsible officer is named" in result.stdout


def test_user_template_for_an_audit_gets_the_summary(tmp_path):
    template = tmp_path / "mine.md"
    template.write_text("{{ summary.plans }} plans, {{ failing }} failing; worst {{ reports[0].plan.id }}\n")
    result = run("audit", EXAMPLES, *AS_OF_ARGS, "--template", template, "--jobs", "1")
    assert result.stdout == "7 plans, 4 failing; worst SUR-4P-2024-003\n"


def test_user_templates_run_in_the_sandbox(tmp_path):
    template = tmp_path / "evil.txt"
    template.write_text("{{ reports[0].__class__.__mro__[1].__subclasses__() }}")
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--template", template)
    assert result.exit_code == 2 and "sandbox" in result.output


def test_user_html_template_is_escaped_and_plan_text_is_not_template_source(tmp_path, hostile_plan):
    template = tmp_path / "mine.html"
    template.write_text("<p>{{ reports[0].plan.force }}</p><p>{{ reports[0].findings[0].quote }}</p>")
    result = run("check", hostile_plan, *AS_OF_ARGS, "--template", template)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout and "<script>" not in result.stdout


def test_template_syntax_errors_are_reported_before_any_work(tmp_path):
    template = tmp_path / "broken.txt"
    template.write_text("line one\n{% for r in reports %}\n")
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--template", template)
    assert result.exit_code == 2 and f"{template}:" in result.output and "bad template" in result.output


# -- atomic writes -----------------------------------------------------------------------------------------

def test_write_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "report.csv"
    write_atomic(str(target), "first\n")
    write_atomic(str(target), "second\r\n")
    assert target.read_bytes() == b"second\r\n"
    assert os.listdir(tmp_path) == ["report.csv"]


def test_a_failure_mid_write_leaves_the_previous_report_intact(tmp_path, monkeypatch):
    target = tmp_path / "audit.html"
    target.write_text("the previous report")
    os.chmod(target, 0o640)

    def fail(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError):
        write_atomic(str(target), "x" * 100_000)
    assert target.read_text() == "the previous report"
    assert os.listdir(tmp_path) == ["audit.html"]  # no temporary file left behind
    monkeypatch.undo()
    write_atomic(str(target), "new")
    assert target.read_text() == "new" and (os.stat(target).st_mode & 0o777) == 0o640


def test_the_cli_keeps_the_previous_report_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("previous")
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(5, "I/O error")))
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--format", "json", "-o", target)
    assert result.exit_code == 2 and "cannot write" in result.output
    assert target.read_text() == "previous" and os.listdir(tmp_path) == ["report.json"]


@pytest.mark.parametrize("grades, colours", [
    ("[{grade: green, min: 75}, {grade: amber, min: 50}, {grade: red, min: 0}]", ["32", "33", "31"]),
    ("[{grade: A, min: 90}, {grade: B, min: 75}, {grade: C, min: 60}, {grade: D, min: 40}, {grade: E, min: 0}]",
     ["32", "32", "33", "31", "31"]),
    # the pack's own colours win over the place: a two-band pass/fail pack that calls its pass amber
    ("[{grade: adequate, min: 60, colour: amber}, {grade: outstanding, min: 0, colour: red}]", ["33", "31"]),
], ids=["green-amber-red", "A-E", "pack colours"])
def test_a_grade_is_coloured_by_its_place_in_the_pack_or_the_colour_it_gives_not_its_name(
        tmp_path, grades, colours):
    """A force pack with grades green/amber/red showed a 100-score plan in the failing colour."""
    path = tmp_path / "force.yaml"
    path.write_text(f"fourp-pack: 1\nname: force\nextends: hmicfrs-2024\ngrades: {grades}\n")
    pack = fourp.load_pack(str(path))
    best = fourp.evaluate(fourp.load_plan(str(EXAMPLES / "good-plan.yaml")), pack, AS_OF)
    worst = fourp.evaluate(fourp.plan_from_data({"fourp": 1, "id": "X"}), pack, AS_OF)
    for report in (best, worst):
        data = template_data([report], pack, max_per_rule=20)
        text = render(data, "text", colour=True)
        colour = colours[[g.grade for g in pack.grades].index(report.grade)]
        assert f"\x1b[1;{colour}m{report.grade.upper()}" in text, text[:400]
        tone = {"32": "high", "33": "mid", "31": "low"}[colour]
        assert f'class="grade grade-{tone}"' in render(data, "html")
    assert best.grade == pack.grades[0].grade and worst.grade != best.grade


def test_the_default_packs_grades_keep_their_colours(pack):
    from fourp.output.render import grade_styles

    assert [(s["tone"], s["shade"]) for s in grade_styles(pack).values()] == [
        ("high", "#1e6b34"), ("high", "#3f8f4f"), ("mid", "#b07d00"), ("low", "#c8581b"), ("low", "#b3261e")]
