"""The hostile corpus (tests/hostile/): broken, hostile and odd plans, folders, packs and templates.

Each file is reported as `tests/hostile/expected.yaml` says, and an audit of all of them, with the folders
that cannot be files (symbolic-link loops, a named pipe, a file that vanishes, unreadable files and
folders) built around them at test time, reports every file once and goes on to the end.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap
from typing import Any, Dict, Tuple

import pytest
import yaml
from click.testing import CliRunner
from conftest import AS_OF, ROOT

import fourp
from fourp.audit import audit, discover
from fourp.cli import main
from fourp.read.plan import DEFAULT_MAX_BYTES
from fourp.read import read

HOSTILE = ROOT / "tests" / "hostile"
EXPECTED = yaml.safe_load((HOSTILE / "expected.yaml").read_text("utf-8"))
PLANS: Dict[str, Dict[str, Any]] = EXPECTED["plans"]
PACKS: Dict[str, Dict[str, Any]] = EXPECTED["packs"]
TEMPLATES: Dict[str, Dict[str, Any]] = EXPECTED["templates"]
#: What a hostile file would create if fourp ever ran what it holds.
MARKER = "fourp-was-here"


def value_at(data: Any, pointer: str) -> Any:
    for part in pointer.strip("/").split("/"):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def test_every_corpus_file_has_an_expectation_and_every_expectation_a_file():
    for folder, expected in (("plans", PLANS), ("packs", PACKS), ("templates", TEMPLATES)):
        assert sorted(os.listdir(HOSTILE / folder)) == sorted(expected), folder


# -- plans, one at a time ---------------------------------------------------------------------------------

def check_plan_file(path: pathlib.Path, expected: Dict[str, Any], pack: fourp.RulePack) -> None:
    """Asserts the reader for the file's format (and evaluate) make of one file what the corpus expects."""
    if "code" in expected:
        with pytest.raises(fourp.PlanError) as info:
            read(str(path))
        error = info.value
        assert error.code == expected["code"], str(error)
        assert expected.get("error", "") in error.reason, str(error)
        assert error.file == str(path)
        assert error.line == expected.get("line"), str(error)
        assert error.hint, f"no advice on what to do: {error}"
        return
    plan = read(str(path))
    report = fourp.evaluate(plan, pack, AS_OF)
    assert report.plan_id == expected["plan"]
    assert 0 <= report.score <= 100
    structure: Dict[str, int] = {}
    for finding in report.findings:
        if finding.rule == "plan-structure":
            structure.setdefault(finding.path, finding.line)
    assert structure == expected.get("structure", {})
    for pointer, value in (expected.get("text") or {}).items():
        assert value_at(plan.data, pointer) == value, pointer


@pytest.mark.parametrize("name", sorted(n for n, e in PLANS.items() if not e.get("skipped")))
def test_each_plan_file_is_read_as_expected(name, pack, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_plan_file(HOSTILE / "plans" / name, PLANS[name], pack)
    assert not (tmp_path / MARKER).exists()


def test_files_that_are_not_plans_are_left_alone():
    found = {os.path.basename(p) for p in discover([str(HOSTILE / "plans")])}
    assert found == {n for n, e in PLANS.items() if not e.get("skipped")}


# -- a whole drive: the corpus, and what can only be built at test time -----------------------------------

def long_text_plan() -> str:
    """A real plan whose texts are built to make backtracking regular expressions take quadratic time."""
    capitals, spaces = "A" * 200_000, "x" + " " * 200_000 + "y"
    return textwrap.dedent(f"""\
        fourp: 1
        id: SXP-4P-2024-070
        force: Sussex Police
        status: active
        threat: {{name: "{spaces} OCG", kind: ocg}}
        log:
          - {{at: 2024-03-01T10:00, text: "{capitals}"}}
          - {{at: 2024-03-02T10:00, text: "{'Op ' * 50_000}"}}
          - {{at: 2024-03-03T10:00, text: "{'a' * 100_000}!"}}
        """)


def hostile_drive(root: pathlib.Path) -> Dict[str, Dict[str, Any]]:
    """Copies the corpus to `root` and adds the cases that cannot be committed as files; returns what is
    expected of every file, by name."""
    shutil.copytree(HOSTILE / "plans", root)
    expected = dict(PLANS)
    with open(root / "huge.yaml", "wb") as handle:  # sparse: refused on its size, never read
        handle.truncate(DEFAULT_MAX_BYTES + 1)
    expected["huge.yaml"] = {"code": "too-large", "error": f"larger than the {DEFAULT_MAX_BYTES:,}-byte limit"}
    (root / "deep-100k.yaml").write_text("fourp: 1\nid: X\nlog: " + "[" * 100_000 + "]" * 100_000 + "\n")
    expected["deep-100k.yaml"] = {"code": "too-deep", "error": "nested more than 64 levels", "line": 3}
    (root / "long-text.yaml").write_text(long_text_plan(), encoding="utf-8")
    expected["long-text.yaml"] = {"plan": "SXP-4P-2024-070"}
    if hasattr(os, "mkfifo"):  # a named pipe: opening it for reading would wait for a writer for ever
        os.mkfifo(root / "pipe.yaml")
        expected["pipe.yaml"] = {"code": "not-a-file", "error": "not an ordinary file"}
    if hasattr(os, "symlink"):
        os.symlink("link-loop-b.yaml", root / "link-loop-a.yaml")
        os.symlink("link-loop-a.yaml", root / "link-loop-b.yaml")
        expected["link-loop-a.yaml"] = expected["link-loop-b.yaml"] = {"code": "not-found",
                                                                       "error": "round in a circle"}
        os.symlink("gone.yaml", root / "dangling.yaml")
        expected["dangling.yaml"] = {"code": "not-found", "error": "a link to a file that does not exist"}
        (root / "sub").mkdir()
        os.symlink("..", root / "sub" / "up")  # a folder loop: not followed
    return expected


def audit_outcomes(result: fourp.audit.AuditReport) -> Dict[str, Tuple[str, Any]]:
    outcomes: Dict[str, Tuple[str, Any]] = {}
    for report in result.reports:
        name = os.path.basename(report.file)
        assert name not in outcomes, f"{name} reported twice"
        outcomes[name] = ("plan", report)
    for error in result.errors:
        name = os.path.basename(error.file)
        assert name not in outcomes, f"{name} reported twice"
        outcomes[name] = ("error", error)
    return outcomes


def check_outcome(name: str, expected: Dict[str, Any], outcome: Tuple[str, Any]) -> None:
    kind, value = outcome
    if "code" in expected:
        assert kind == "error", f"{name} should not be read as a plan"
        assert value.code == expected["code"], f"{name}: {value}"
        assert expected.get("error", "") in value.reason, f"{name}: {value}"
        assert value.line == expected.get("line"), f"{name}: {value}"
        assert value.hint, f"{name}: no advice on what to do: {value}"
    else:
        assert kind == "plan", f"{name} should be read as a plan, not: {value}"
        assert value.plan_id == expected["plan"]
        structure: Dict[str, int] = {}
        for finding in value.findings:
            if finding.rule == "plan-structure":
                structure.setdefault(finding.path, finding.line)
        assert structure == expected.get("structure", {}), name


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_audit_of_the_hostile_drive_reports_every_file_as_expected(tmp_path, pack, jobs, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "drive"
    expected = hostile_drive(root)
    result = audit([str(root)], pack=pack, as_of=AS_OF, jobs=jobs)
    outcomes = audit_outcomes(result)
    wanted = {name for name, e in expected.items() if not e.get("skipped")}
    assert set(outcomes) == wanted
    for name in sorted(wanted):
        check_outcome(name, expected[name], outcomes[name])
    assert result.summary["files"] == len(wanted)
    assert not list(tmp_path.rglob(MARKER))
    [note] = result.notes  # the one plan id two files use
    assert note["kind"] == "repeated-id" and note["id"] == "SXP-4P-2024-050"
    assert [os.path.basename(f) for f in note["files"]] == ["same-id-1.yaml", "same-id-2.yaml"]
    assert "same-id-1.yaml" in note["message"] and "same-id-2.yaml" in note["message"] and note["hint"]


def test_a_file_that_vanishes_during_the_audit_is_reported_and_the_rest_go_on(tmp_path, pack):
    root = tmp_path / "plans"
    root.mkdir()
    for index in range(4):
        shutil.copy(HOSTILE / "plans" / "utf8-bom.yaml", root / f"plan-{index}.yaml")

    def vanish(done: int, total: int) -> None:
        if done == 1:
            os.remove(root / "plan-2.yaml")  # listed by discovery, gone before it is read
    result = audit([str(root)], pack=pack, as_of=AS_OF, jobs=1, progress=vanish)
    assert sorted(os.path.basename(r.file) for r in result.reports) == ["plan-0.yaml", "plan-1.yaml",
                                                                         "plan-3.yaml"]
    [error] = result.errors
    assert error.file.endswith("plan-2.yaml") and error.reason == "no such file"
    assert "moved or deleted while fourp ran" in error.hint


def deny(monkeypatch, denied: pathlib.Path) -> None:
    """Makes `denied` unreadable. As root (CI, containers) permissions do not stop reading, so the refusal
    the operating system would give is simulated at the calls fourp makes."""
    if os.name == "posix" and os.geteuid() != 0:
        denied.chmod(0)
        return
    real_open, real_scandir = os.open, os.scandir

    def refusing_open(path, *args, **kwargs):
        if os.path.abspath(path) == str(denied):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def refusing_scandir(path="."):
        if os.path.abspath(path) == str(denied):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)
    monkeypatch.setattr(os, "open", refusing_open)
    monkeypatch.setattr(os, "scandir", refusing_scandir)


def test_unreadable_files_and_folders_are_reported_and_the_rest_go_on(tmp_path, pack, monkeypatch):
    root = tmp_path / "plans"
    (root / "locked-folder").mkdir(parents=True)
    shutil.copy(HOSTILE / "plans" / "utf8-bom.yaml", root / "readable.yaml")
    shutil.copy(HOSTILE / "plans" / "latin1.yaml", root / "locked-folder" / "hidden-from-us.yaml")
    shutil.copy(HOSTILE / "plans" / "latin1.yaml", root / "locked.yaml")
    deny(monkeypatch, root / "locked.yaml")
    deny(monkeypatch, root / "locked-folder")
    try:
        result = audit([str(root)], pack=pack, as_of=AS_OF, jobs=1)
    finally:
        for path in (root / "locked.yaml", root / "locked-folder"):
            path.chmod(0o755)
    assert [os.path.basename(r.file) for r in result.reports] == ["readable.yaml"]
    errors = {os.path.basename(e.file): e for e in result.errors}
    assert set(errors) == {"locked.yaml", "locked-folder"}
    assert errors["locked.yaml"].reason == "permission denied" and "read access" in errors["locked.yaml"].hint
    assert "cannot list this folder" in errors["locked-folder"].reason and errors["locked-folder"].hint


# -- packs --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PACKS))
def test_each_pack_file_is_refused_or_loaded_as_expected(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = PACKS[name]
    path = HOSTILE / "packs" / name
    if expected.get("loads"):
        assert fourp.load_pack(str(path)).rule("r")
        return
    with pytest.raises(fourp.PackError) as info:
        fourp.load_pack(str(path))
    error = info.value
    assert error.code == expected["code"], str(error)
    assert expected.get("error", "") in error.reason, str(error)
    assert error.line == expected.get("line"), str(error)
    assert os.path.basename(error.file) == expected.get("file", name)
    assert not (tmp_path / MARKER).exists()


CATASTROPHIC = """
import datetime, sys
import fourp
data = {{"fourp": 1, "id": "X", "log": [{{"at": "2024-03-01T10:00", "text": "a" * 100000 + "!"}},
        {{"at": "2024-03-01T10:00", "text": "word " * 20000 + "!"}}, {{"at": "2024-03-01T10:00",
        "text": "x" * 100000}}]}}
report = fourp.evaluate(fourp.plan_from_data(data), fourp.load_pack({pack!r}), datetime.date(2024, 9, 30))
print(report.result("r").status, *sorted(f.path for f in report.findings if f.rule == "r"))
"""


@pytest.mark.parametrize("name, outcome", [
    ("backtracking-regex.yaml", "fail /log/0/at /log/1/at /log/2/at"),  # `(\\w+\\s?)*:` finds "10:"
    ("backtracking-condition.yaml", "fail /log/2/by"),  # only the x's are all words
])
def test_patterns_that_would_backtrack_catastrophically_finish(name, outcome):
    # `(a+)+$` on 100,000 characters would run for longer than the universe has existed on a backtracking
    # engine; on RE2 it takes milliseconds. The timeout only stops a hung test: speed is in bench/hostile.py.
    code = CATASTROPHIC.format(pack=str(HOSTILE / "packs" / name))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == outcome


def test_a_catastrophic_pattern_still_finds_what_it_looks_for(tmp_path):
    pack = fourp.load_pack(str(HOSTILE / "packs" / "backtracking-regex.yaml"))
    report = fourp.check({"fourp": 1, "log": [{"text": "aaaa"}, {"text": "weather: fine"}]}, pack, AS_OF)
    assert report.result("r").status == "fail"
    assert sorted(f.path for f in report.findings if f.rule == "r") == ["/log/0/text", "/log/1/text"]


def test_a_pack_message_cannot_reach_python_internals():
    pack = fourp.load_pack(str(HOSTILE / "packs" / "message-reaches-internals.yaml"))
    [finding] = [f for f in fourp.check({"fourp": 1}, pack, AS_OF).findings if f.rule == "r"]
    assert finding.message.startswith("id is not recorded")  # the check's own words stand in
    assert "unsafe" in finding.message and "<class" not in finding.message


def test_a_pack_message_cannot_make_a_gigantic_string():
    pack = fourp.load_pack(str(HOSTILE / "packs" / "message-memory-bomb.yaml"))
    [finding] = [f for f in fourp.check({"fourp": 1}, pack, AS_OF).findings if f.rule == "r"]
    assert finding.message.startswith("id is not recorded")
    assert "may not make a value longer than" in finding.message and len(finding.message) < 500


# -- templates ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_each_user_template_is_refused_or_rendered_as_expected(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = TEMPLATES[name]
    plan = HOSTILE / "plans" / "template-in-text.yaml"
    result = CliRunner().invoke(main, ["check", str(plan), "--as-of", AS_OF.isoformat(), "--template",
                                       str(HOSTILE / "templates" / name)])
    output = result.output
    shown = output[:2000]  # a template that was not refused may have printed a great deal
    assert not (tmp_path / MARKER).exists()
    assert "<class" not in output and "root:" not in output, shown
    if "refused" in expected:
        assert result.exit_code == 2, shown
        assert "bad template" in output and expected["refused"] in output, shown
        return
    assert result.exit_code in (0, 1), shown
    # Plan text is data: printed exactly as written, never run as a template.
    assert "SXP-4P-2024-058: {{ 7*1919 }} {% for x in range(3) %}X{% endfor %} OCG" in output, shown
    assert "13433" not in output and "XXX" not in output, shown


# -- registers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, code, line", [
    ("threats: " + "[" * 100_000 + "\n", "too-deep", 1),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, c in zip("abcdefgh", "bcdefghi")),
     "alias-bomb", 6),
    ("threats:\n  - !!python/object/apply:os.system [\"touch fourp-was-here\"]\n", "not-allowed", 2),
    ("# only a comment\n", "empty", None),
], ids=["deep", "alias bomb", "python tag", "no document"])
def test_a_hostile_register_is_refused_with_its_line(tmp_path, monkeypatch, text, code, line):
    from fourp.read.register import RegisterError, load_register

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "register.yaml"
    path.write_text(text)
    with pytest.raises(RegisterError) as info:
        load_register(str(path))
    assert info.value.code == code and info.value.line == line, str(info.value)
    assert not (tmp_path / MARKER).exists()
