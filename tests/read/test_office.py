"""Word and Excel plans: fourp's templates filled in as officers fill them, read to the same verdict as
YAML, located in words an officer can follow in every report format; mappings; conversion; audit."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES, ROOT
from hypothesis import HealthCheck, assume, given, settings
from office import comparable, fill_docx, fill_xlsx
from sarif_subset import check_sarif

import fourp
from fourp.cli import main
from fourp.read import FORMATS, MappingError, load_mapping, read, shipped_mapping
from fourp.read.values import officer_moment
from fourp.write import render
from fourp.write.cells import uncovered

AS_OF_ARGS = ("--as-of", AS_OF.isoformat())
PLANS = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
FORCE = EXAMPLES / "force-template"
MAPPING = FORCE / "wessex.mapping.yaml"


@pytest.fixture(scope="module")
def wessex(tmp_path_factory):
    """The example plan in Wessex Police's own template, written by the example's own script."""
    sys.path.insert(0, str(FORCE))
    try:
        import make_wessex_plan
    finally:
        sys.path.remove(str(FORCE))
    path = tmp_path_factory.mktemp("wessex") / "wessex-plan.docx"
    make_wessex_plan.write(str(path))
    return path, make_wessex_plan.PLAN


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


def verdict(report):
    return (report.score, report.grade, sorted((f.rule, f.severity, f.path, f.message) for f in report.findings))


def yaml_data(name):
    return yaml.safe_load((EXAMPLES / name).read_text("utf-8"))


# -- the Done-when: fourp new, filled in as an officer would, checked to the YAML plan's verdict -----------

@pytest.mark.parametrize("fmt, fill", [("docx", fill_docx), ("xlsx", fill_xlsx)], ids=["docx", "xlsx"])
@pytest.mark.parametrize("name", PLANS)
def test_a_filled_in_template_gets_the_yaml_plans_findings_and_score_each_located(name, fmt, fill, tmp_path,
                                                                                  pack, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = run("new", "--format", fmt, "-o", f"p.{fmt}")
    assert made.exit_code == 0, made.stderr
    data = yaml_data(name)
    fill(f"p.{fmt}", data)
    checked = run("check", f"p.{fmt}", *AS_OF_ARGS, "--format", "json")
    assert checked.exit_code in (0, 1), checked.stderr
    report = json.loads(checked.stdout)
    expected = fourp.evaluate(fourp.load_plan(str(EXAMPLES / name)), pack, AS_OF)
    assert (report["score"], report["grade"]) == (expected.score, expected.grade)
    # The same findings at the same document paths; a message quotes the date as the officer typed it.
    assert sorted((f["rule"], f["severity"], f["path"]) for f in report["findings"]) == \
        sorted((f.rule, f.severity, f.path) for f in expected.findings)
    for finding in report["findings"]:  # each located in the document, in words
        assert finding["place"] and finding["place"]["text"], finding
        assert finding["line"] is None
    assert comparable(read(f"p.{fmt}").data) == comparable(data)


def test_a_finding_names_the_table_row_and_column_or_the_sheet_and_cell(tmp_path):
    data = yaml_data("thames-valley-no-results.yaml")
    for fmt in ("docx", "xlsx"):
        (tmp_path / f"p.{fmt}").write_bytes(render(data, fmt))
    by_fmt = {}
    for fmt in ("docx", "xlsx"):
        report = json.loads(run("check", tmp_path / f"p.{fmt}", *AS_OF_ARGS, "--format", "json").stdout)
        by_fmt[fmt] = {f["path"]: f["place"] for f in report["findings"] if f["rule"] == "actions-resulted"}
    [path] = [p for p in by_fmt["docx"] if p.startswith("/protect/actions/")]
    assert path == "/protect/actions/0/result/text"
    row = 1
    assert by_fmt["docx"][path] == {"text": f"Protect actions table, row {row}, Result", "part": "Protect actions",
                                    "row": row, "field": "Result"}
    place = by_fmt["xlsx"][path]
    assert place["sheet"] == "Actions" and place["field"] == "Result" and place["cell"].startswith("I")
    assert place["text"] == f"sheet Actions, cell {place['cell']} (Result)"


def test_the_place_is_in_every_report_format(tmp_path):
    plan = tmp_path / "p.docx"
    plan.write_bytes(render(yaml_data("thames-valley-no-results.yaml"), "docx"))
    words = "Protect actions table, row"
    for fmt in ("text", "markdown", "html", "junit", "csv", "github", "gitlab"):
        out = run("check", plan, *AS_OF_ARGS, "--format", fmt, "--no-color").stdout
        assert words in out, fmt
    document = json.loads(run("check", plan, *AS_OF_ARGS, "--format", "json").stdout)
    sarif = check_sarif(run("check", plan, *AS_OF_ARGS, "--format", "sarif").stdout, 1, len(document["findings"]))
    places = [loc for r in sarif["runs"][0]["results"] for loc in r["locations"] if "properties" in loc]
    assert any(loc["message"]["text"].startswith(words) and loc["properties"]["place"]["part"] == "Protect actions"
               for loc in places)
    assert any(f["place"]["part"] == "Protect actions" for f in document["findings"])
    audit = json.loads(run("audit", tmp_path, *AS_OF_ARGS, "--format", "json", "--no-cache").stdout)
    assert any(f["place"] and f["place"]["text"].startswith(words) for p in audit["plans"] for f in p["findings"])
    text = run("audit", tmp_path, *AS_OF_ARGS, "--no-cache", "--no-color").stdout
    assert f"{plan}: {words}" in text


def test_a_yaml_plans_findings_keep_their_lines_and_have_no_place():
    report = json.loads(run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--format", "json").stdout)
    assert all(f["place"] is None for f in report["findings"])
    assert any(f["line"] for f in report["findings"])


# -- dates as officers type them ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed, iso", [
    ("05/03/2024 14:30", "2024-03-05T14:30"),
    ("5 March 2024 14:30", "2024-03-05T14:30"),
    ("14:30 05/03/2024", "2024-03-05T14:30"),
    ("05/03/2024 1430hrs", "2024-03-05T14:30"),
    ("1430hrs 5 March 2024", "2024-03-05T14:30"),
    ("Tuesday 5th March 2024 at 1430hrs", "2024-03-05T14:30"),
    ("5 Mar 24", "2024-03-05"),
    ("05.03.2024 14.30", "2024-03-05T14:30"),
    ("1430hrs", None),          # a time alone is not dated
    ("31/02/2024 10:00", None),  # no such day
    ("ongoing", None),
    ("5 Smarch 2024", None),
], ids=lambda v: str(v))
def test_dates_as_officers_type_them(typed, iso):
    assert officer_moment(typed) == iso


def test_a_date_and_a_1430hrs_time_in_two_columns_make_one_date_time(wessex):
    plan = read(str(wessex[0]), mappings=[load_mapping(MAPPING)])
    [first, *_] = plan.data["reviews"]
    assert first["at"] == "2024-03-05T14:30"


def test_a_cell_excel_stores_as_a_date_is_a_date(tmp_path):
    import openpyxl

    path = tmp_path / "p.xlsx"
    path.write_bytes(render({"fourp": 1, "lro": {"name": "DI Ann Lee"}}, "xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["Plan"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "LRO trained":
            row[1].value = dt.datetime(2024, 1, 9)
            row[1].number_format = "dd/mm/yyyy"
        if row[0].value == "Created":
            row[1].value = dt.datetime(2024, 3, 5, 14, 30)
            row[1].number_format = "dd/mm/yyyy hh:mm"
        if row[0].value == "Assessed":
            row[1].value = 45356.6041666667  # a date Excel stores as a serial number
            row[1].number_format = "dd/mm/yyyy hh:mm"
    book.save(path)
    data = read(str(path)).data
    assert data["lro"]["trained"] == dt.date(2024, 1, 9)
    assert data["created"] == dt.datetime(2024, 3, 5, 14, 30)
    assert data["threat"]["assessment"]["assessed"].replace(second=0, microsecond=0) == dt.datetime(2024, 3, 5, 14, 30)


def test_a_date_picked_in_a_word_date_control_is_a_date(tmp_path):
    import docx
    from docx.oxml import parse_xml

    path = tmp_path / "p.docx"
    path.write_bytes(render({"fourp": 1}, "docx"))
    document = docx.Document(str(path))
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for table in document.tables:
        for row in table.rows:
            if row.cells[0].paragraphs[0].text == "LRO trained":
                cell = row.cells[1]
                cell._tc.remove(cell.paragraphs[0]._p)
                cell._tc.append(parse_xml(
                    f'<w:sdt xmlns:w="{w}"><w:sdtPr><w:date w:fullDate="2024-01-09T00:00:00Z">'
                    f'<w:dateFormat w:val="dd MMMM yyyy"/></w:date></w:sdtPr><w:sdtContent><w:p><w:r>'
                    f'<w:t>09 January 2024</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    document.save(str(path))
    assert read(str(path)).data["lro"]["trained"] == dt.date(2024, 1, 9)


# -- fourp new, convert and the round trip --------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "xlsx", "yaml"])
def test_new_writes_a_template_and_never_overwrites(fmt, tmp_path):
    path = tmp_path / f"plan.{fmt}"
    assert run("new", "--format", fmt, "-o", path).exit_code == 0
    before = path.read_bytes()
    again = run("new", "--format", fmt, "-o", path)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert path.read_bytes() == before
    assert read(str(path)).data["fourp"] == 1


def test_the_word_template_carries_the_yaml_templates_guidance_and_fields(tmp_path):
    import docx

    path = tmp_path / "plan.docx"
    path.write_bytes(render({"fourp": 1}, "docx"))
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for heading in ("Plan details", "Threat assessment", "Pursue actions", "Prevent objectives", "Linked plans",
                    "Partners", "Reviews", "Quality assurance", "Log entries", "Closure details"):
        assert heading in headings
    guidance = " ".join(p.text for p in document.paragraphs if p.style.name == "Guidance")
    assert "Many weren't timed and dated" in guidance and "ongoing" in guidance
    actions = next(t for t in document.tables if t.rows[0].cells[0].text == "ID")
    assert [c.text for c in actions.rows[0].cells] == [
        "ID", "Action", "Owner", "Agency", "Raised", "Due", "Status", "Result", "Result date",
        "Disruption reference", "Disruption impact", "Disruption recorded", "Disruption summary"]


def test_the_excel_template_has_a_sheet_for_fields_actions_reviews_qa_and_the_log(tmp_path):
    import openpyxl

    path = tmp_path / "plan.xlsx"
    path.write_bytes(render({"fourp": 1}, "xlsx"))
    sheets = openpyxl.load_workbook(path).sheetnames
    assert {"Plan", "Actions", "Reviews", "QA", "Log"} <= set(sheets)
    assert openpyxl.load_workbook(path)["Actions"]["A1"].value == "P"


@pytest.mark.parametrize("target", ["json", "docx", "xlsx", "yaml"])
def test_convert_between_every_format_keeps_the_verdict(target, tmp_path, pack):
    source = EXAMPLES / "surrey-no-lro.yaml"
    out = tmp_path / f"plan.{target}"
    result = run("convert", source, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    expected = fourp.evaluate(fourp.load_plan(str(source)), pack, AS_OF)
    assert verdict(fourp.evaluate(read(str(out)), pack, AS_OF)) == verdict(expected)
    back = tmp_path / "back.yaml"
    assert run("convert", out, "-o", back).exit_code == 0
    assert verdict(fourp.evaluate(read(str(back)), pack, AS_OF)) == verdict(expected)
    again = run("convert", source, "-o", out)
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_convert_warns_of_what_the_target_has_no_place_for(tmp_path):
    source = tmp_path / "plan.yaml"
    source.write_text("fourp: 1\nid: X-1\nforce_notes: kept in YAML only\n", encoding="utf-8")
    result = run("convert", source, "-o", tmp_path / "plan.docx")
    assert result.exit_code == 0
    assert "/force_notes has no place in the .docx template" in result.stderr
    assert run("convert", source, "-o", tmp_path / "plan.pdf").exit_code == 2


def test_every_field_of_the_plan_format_has_a_place_in_both_templates():
    from test_fuzz import PLAN_SCHEMA

    def full(node):
        """A value for every field under a node of the plan schema."""
        node = PLAN_SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node
        if node.get("type") == "object":
            return {key: full(child) for key, child in node.get("properties", {}).items()}
        if node.get("type") == "array":
            return [full(node.get("items", {}))]
        return "x"
    plan = full(PLAN_SCHEMA)
    for fmt in ("docx", "xlsx"):
        assert uncovered(plan, shipped_mapping(fmt)) == [], fmt


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=__import__("test_fuzz").valid_plans())
def test_yaml_to_word_to_yaml_keeps_every_field(data, tmp_path_factory):
    assume(comparable(data) is not None)  # a plan with nothing in it is not a plan, in YAML or in Word
    folder = tmp_path_factory.mktemp("round")
    source, docx_file, back = folder / "plan.yaml", folder / "plan.docx", folder / "back.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert uncovered(data, shipped_mapping("docx")) == []
    assert run("convert", source, "-o", docx_file).exit_code == 0
    result = run("convert", docx_file, "-o", back)
    assert result.exit_code == 0, result.stderr
    assert comparable(yaml.safe_load(back.read_text("utf-8"))) == comparable(data)


# -- a force's own template, through a mapping ---------------------------------------------------------------

def test_a_force_template_is_read_through_its_mapping(wessex, pack):
    path, expected_data = wessex
    plan = read(str(path), mappings=[load_mapping(MAPPING)])
    data = plan.data
    assert comparable(data) == comparable(expected_data)
    assert data["id"] == "WSX-4P-2024-011" and data["lro"]["name"] == "Det Supt Claire Hollis"
    assert data["status"] == "active" and data["pursue"]["actions"][0]["status"] == "done"  # "Live", "Complete"
    assert data["threat"]["assessment"]["summary"].startswith("The Saxon Road OCG supplies")
    assert [a["id"] for a in data["pursue"]["actions"]] == ["A1", "A3"]
    assert [a["id"] for a in data["protect"]["actions"]] == ["A2"]
    assert data["lro"]["trained"] == "2024-01-14"  # typed "14th January 2024"
    report = fourp.evaluate(plan, pack, AS_OF)
    places = {f.path: f.place.text for f in report.findings}
    assert places["/pursue/actions/1/result/text"] == "4P Action Plan table, row 3, Update / Result"
    assert places["/safeguarding"] == "nowhere in the document: its template has no place for this"
    expected = fourp.evaluate(fourp.plan_from_data(expected_data), pack, AS_OF)
    assert verdict(report) == verdict(expected)


def test_without_its_mapping_a_force_template_is_not_taken_for_a_plan_silently(wessex):
    with pytest.raises(fourp.PlanError) as info:
        read(str(wessex[0]))
    assert info.value.code == "other-template" and "--mapping" in info.value.hint


def test_mapping_on_check_audit_and_convert(wessex, tmp_path):
    path = wessex[0]
    checked = run("check", path, "--mapping", MAPPING, *AS_OF_ARGS, "--format", "json")
    assert checked.exit_code == 1 and json.loads(checked.stdout)["plan"]["id"] == "WSX-4P-2024-011"
    folder = tmp_path / "drive"
    folder.mkdir()
    shutil.copy(path, folder / "wessex.docx")
    shutil.copy(MAPPING, folder / "wessex.mapping.yaml")  # kept beside the plans: skipped, not a plan
    audited = run("audit", folder, "--mapping", MAPPING, *AS_OF_ARGS, "--format", "json", "--no-cache")
    document = json.loads(audited.stdout)
    assert [p["plan"]["id"] for p in document["plans"]] == ["WSX-4P-2024-011"] and not document["errors"]
    assert [os.path.basename(s["file"]) for s in document["skipped"]] == ["wessex.mapping.yaml"]
    out = tmp_path / "wessex.yaml"
    assert run("convert", path, "--mapping", MAPPING, "-o", out).exit_code == 0
    assert yaml.safe_load(out.read_text("utf-8"))["id"] == "WSX-4P-2024-011"
    without = run("check", path, *AS_OF_ARGS, "--format", "json")
    assert without.exit_code == 2 and json.loads(without.stdout)["error"]["code"] == "other-template"


def test_schema_mapping_describes_the_shipped_and_example_mappings():
    from fourp.schemas import validator_class

    printed = run("schema", "mapping")
    schema = json.loads(printed.stdout)
    validator = validator_class()(schema)
    for path in (ROOT / "fourp" / "data" / "docx-mapping.yaml", ROOT / "fourp" / "data" / "xlsx-mapping.yaml",
                 MAPPING):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text("utf-8")))), path


def test_a_bad_mapping_is_a_usage_error_with_its_line(tmp_path, wessex):
    bad = tmp_path / "bad.yaml"
    bad.write_text("fourp-mapping: 1\nformat: docx\nparts:\n  - table: Actions\n    columns: []\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(bad)
    assert info.value.line == 4 and info.value.code == "invalid-mapping"
    result = run("check", wessex[0], "--mapping", bad)
    assert result.exit_code == 2 and "bad.yaml:4" in result.stderr


# -- audit of a real drive -----------------------------------------------------------------------------------

def test_an_audit_reads_yaml_word_and_excel_plans_and_lists_what_it_skipped(tmp_path):
    drive = tmp_path / "drive"
    (drive / "sussex").mkdir(parents=True)
    shutil.copy(EXAMPLES / "good-plan.yaml", drive / "good-plan.yaml")
    (drive / "sussex" / "harbour.docx").write_bytes(render(yaml_data("sussex-harbour-lane.yaml"), "docx"))
    (drive / "tvp.xlsx").write_bytes(render(yaml_data("thames-valley-no-results.yaml"), "xlsx"))
    shutil.copy(ROOT / "tests" / "hostile" / "office" / "old-word.docx", drive / "sussex" / "2019 plan.doc")
    shutil.copy(ROOT / "tests" / "hostile" / "office" / "pdf-renamed.docx", drive / "signed copy.pdf")
    (drive / "whiteboard.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")
    (drive / "~$rbour.docx").write_bytes(b"lock")
    (drive / ".git").mkdir()
    (drive / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "hostile" / "office" / "register.xlsx", drive / "register.xlsx")
    result = run("audit", drive, *AS_OF_ARGS, "--format", "json", "--no-cache", "--jobs", "1")
    assert result.exit_code == 2  # the register is not a plan: an error row, with what it looked like
    document = json.loads(result.stdout)
    assert sorted(os.path.basename(p["file"]) for p in document["plans"]) == ["good-plan.yaml", "harbour.docx",
                                                                             "tvp.xlsx"]
    [error] = document["errors"]
    assert error["file"].endswith("register.xlsx") and error["code"] == "not-a-plan"
    assert "SOC register" in error["reason"] and "APMIS reference" in error["reason"]
    skipped = {os.path.basename(s["file"]): s["reason"] for s in document["skipped"]}
    assert set(skipped) == {"2019 plan.doc", "signed copy.pdf", "whiteboard.jpg", "~$rbour.docx", ".git"}
    assert "old-format Word" in skipped["2019 plan.doc"] and "PDF" in skipped["signed copy.pdf"]
    assert "picture" in skipped["whiteboard.jpg"] and "lock file" in skipped["~$rbour.docx"]
    text = run("audit", drive, *AS_OF_ARGS, "--no-cache", "--no-color", "--jobs", "1")
    assert "Files skipped" in text.stdout and "whiteboard.jpg" in text.stdout
    assert "fourp: skipped" in text.stderr
    rows = run("audit", drive, *AS_OF_ARGS, "--no-cache", "--format", "csv", "--jobs", "1").stdout
    assert rows.count("\nskipped,") == 5


def test_an_audit_of_only_word_plans_finds_them(tmp_path):
    (tmp_path / "a.docx").write_bytes(render(yaml_data("good-plan.yaml"), "docx"))
    result = run("audit", tmp_path, *AS_OF_ARGS, "--no-cache", "--format", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)["plans"]) == 1


def test_every_registered_format_is_read_by_its_reader():
    assert {f.name for f in FORMATS.values()} == {"yaml", "json", "docx", "xlsx"}
    for suffix, fmt in FORMATS.items():
        __import__(f"fourp.read.{fmt.reader}")


def test_checking_a_yaml_plan_does_not_import_the_office_libraries():
    code = ("import sys; from click.testing import CliRunner; from fourp.cli import main; "
            f"CliRunner().invoke(main, ['check', {str(EXAMPLES / 'good-plan.yaml')!r}]); "
            "print(sorted(m for m in ('docx', 'openpyxl', 'defusedxml', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# -- the templates open cleanly in LibreOffice -------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("fmt, saved_as", [("docx", "docx:MS Word 2007 XML"), ("xlsx", "xlsx:Calc MS Excel 2007 XML")])
def test_libreoffice_opens_the_templates_and_what_it_saves_reads_the_same(fmt, saved_as, tmp_path):
    """LibreOffice opens each template without complaint, and a plan it saves again (as an officer with
    LibreOffice would) reads as the same plan."""
    data = yaml_data("thames-valley-no-results.yaml")
    path = tmp_path / f"plan.{fmt}"
    path.write_bytes(render(data, fmt))
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", saved_as, "--outdir", str(tmp_path / "out"), str(path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    [saved] = list((tmp_path / "out").iterdir())
    assert comparable(read(str(saved)).data) == comparable(data)


def test_the_library_checks_a_word_plan_by_its_path(tmp_path, pack):
    path = tmp_path / "plan.docx"
    path.write_bytes(render(yaml_data("thames-valley-no-results.yaml"), "docx"))
    report = fourp.check(str(path), pack, AS_OF)
    expected = fourp.evaluate(fourp.load_plan(str(EXAMPLES / "thames-valley-no-results.yaml")), pack, AS_OF)
    assert verdict(report) == verdict(expected)
    assert all(f.place is not None for f in report.findings)
