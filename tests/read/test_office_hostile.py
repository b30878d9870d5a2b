"""Hostile Word and Excel files (tests/hostile/office/, made by tests/hostile/make_office.py): each refused,
or read without running anything, as `EXPECTED` says, in bounded memory; and the rest of an audit goes on.
How long each takes is measured by bench/hostile.py, never asserted here: a timed test fails on a busy
machine, not on a slow reader."""
from __future__ import annotations

import json
import os
import shutil
import tracemalloc

import pytest
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES, ROOT

import fourp
from fourp.cli import main
from fourp.read import read
from fourp.read.package import MAX_PARTS

OFFICE = ROOT / "tests" / "hostile" / "office"
#: What each file is made into: the words of the refusal, or what the plan read must hold.
EXPECTED = {
    "billion-laughs.docx": {"code": "xml-entities", "error": "declares XML entities"},
    "xxe.docx": {"code": "xml-entities", "error": "declares XML entities"},
    "xxe.xlsx": {"code": "xml-entities", "error": "declares XML entities"},
    "zip-bomb-ratio.docx": {"code": "zip-bomb", "error": "far more than Office files compress"},
    "zip-bomb-declared.xlsx": {"code": "zip-bomb", "error": "would unpack to more than"},
    "pdf-renamed.docx": {"code": "wrong-format", "error": "this is a PDF"},
    "old-word.docx": {"code": "old-format", "error": "old-format Word document"},
    "password.docx": {"code": "password-protected", "error": "protected by a password"},
    "register.xlsx": {"code": "not-a-plan", "error": "not a plan"},
    "macros.docm": {"plan": "SXP-4P-2024-007", "note": "macros were ignored"},
    "macros.xlsm": {"plan": "SXP-4P-2024-007", "note": "macros were ignored"},
    "tracked-changes.docx": {"plan": "SXP-4P-2024-007"},
}
#: Reading any of them may hold this much at its peak (the largest real plan needs a few megabytes).
MEMORY_LIMIT = 32 * 1024 * 1024


def test_every_hostile_office_file_has_an_expectation():
    assert sorted(os.listdir(OFFICE)) == sorted(EXPECTED)


def traced_read(path):
    """(plan, error, peak bytes Python allocated while reading it)."""
    tracemalloc.start()
    try:
        try:
            plan, error = read(str(path)), None
        except fourp.PlanError as exc:
            plan, error = None, exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return plan, error, peak


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_is_refused_or_read_as_expected_in_bounded_memory(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    read(str(OFFICE / "macros.docm"))  # the libraries imported first: their cost is not the file's
    plan, error, peak = traced_read(OFFICE / name)
    expected = EXPECTED[name]
    if "error" in expected:
        assert error is not None, f"{name} was read as a plan"
        assert error.code == expected["code"], str(error)
        assert expected["error"] in error.reason and error.hint and error.file == str(OFFICE / name)
    else:
        assert error is None, str(error)
        assert plan.data["id"] == expected["plan"]
        if "note" in expected:
            assert any(expected["note"] in note for note in plan.notes)
    assert peak < MEMORY_LIMIT, f"{name} held {peak:,} bytes"
    assert os.listdir(tmp_path) == []  # no macro ran, nothing was written


def test_a_zip_bomb_of_many_parts_is_refused_before_any_is_inflated(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "hostile"))
    try:
        import make_office
    finally:
        sys.path.pop(0)
    path = tmp_path / "many-parts.docx"
    path.write_bytes(make_office.many_parts(MAX_PARTS + 500))
    plan, error, peak = traced_read(path)
    assert error is not None and error.code == "zip-bomb" and "parts" in error.reason
    assert peak < MEMORY_LIMIT


def test_the_xxe_file_never_reads_the_file_it_names():
    _, error, _ = traced_read(OFFICE / "xxe.docx")
    assert "root:" not in str(error)


def test_tracked_changes_are_read_as_the_document_now_stands_and_comments_are_not_content(pack):
    plan = read(str(OFFICE / "tracked-changes.docx"))
    result = plan.data["pursue"]["actions"][0]["result"]["text"]
    assert result.startswith("Warrant executed: ")  # the tracked insertion is content
    assert "No result yet" not in result  # the tracked deletion is not
    assert "COMMENT TEXT" not in json.dumps(plan.data, default=str)  # nor is the comment
    good = fourp.evaluate(fourp.load_plan(str(EXAMPLES / "good-plan.yaml")), pack, AS_OF)
    assert fourp.evaluate(plan, pack, AS_OF).score == good.score


def test_an_audit_of_the_hostile_files_reports_each_and_goes_on(tmp_path):
    drive = tmp_path / "drive"
    shutil.copytree(OFFICE, drive)
    shutil.copy(EXAMPLES / "good-plan.yaml", drive / "good-plan.yaml")
    result = CliRunner().invoke(main, ["audit", str(drive), "--as-of", AS_OF.isoformat(), "--format", "json",
                                       "--no-cache", "--jobs", "2"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    errors = {os.path.basename(e["file"]): e["code"] for e in document["errors"]}
    assert errors == {n: e["code"] for n, e in EXPECTED.items() if "code" in e}
    read_plans = sorted(os.path.basename(p["file"]) for p in document["plans"])
    assert read_plans == sorted(["good-plan.yaml"] + [n for n, e in EXPECTED.items() if "plan" in e])
    macro_notes = [n for n in document["notes"] if n["kind"] == "reader"]
    assert sorted(os.path.basename(n["files"][0]) for n in macro_notes) == ["macros.docm", "macros.xlsm"]
    assert not list(tmp_path.rglob("fourp-was-here"))


def test_a_word_plan_with_pictures_past_the_text_plans_limit_is_read(tmp_path):
    """A map or chart pasted into a plan makes the file megabytes; the limit for an office file is ten
    times a text plan's, and pictures (already compressed) are never mistaken for a bomb."""
    import io
    import zipfile

    from fourp.read.plan import DEFAULT_MAX_BYTES
    from fourp.write import render

    raw = io.BytesIO(render({"fourp": 1, "id": "SXP-4P-2024-007"}, "docx"))
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/media/image1.png", os.urandom(DEFAULT_MAX_BYTES + 1024 * 1024))
    path = tmp_path / "plan-with-map.docx"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size > DEFAULT_MAX_BYTES
    assert read(str(path)).data["id"] == "SXP-4P-2024-007"


def test_an_xml_part_bigger_than_any_plans_is_refused_before_it_is_parsed(monkeypatch):
    import fourp.read.package as package

    monkeypatch.setattr(package, "MAX_XML_PART", 1000)
    with pytest.raises(fourp.PlanError) as info:
        read(str(OFFICE / "macros.docm"))
    assert info.value.code == "too-large" and "bytes of XML" in info.value.reason
