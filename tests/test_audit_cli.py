"""`fourp audit` on the command line: the summary's counts, exit codes, reports, sorting and the progress bar."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES

from fourp import cli
from fourp.cli import main

AS_OF_ARGS = ["--as-of", AS_OF.isoformat()]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def audit_json(*args):
    result = run("audit", *args, *AS_OF_ARGS, "--format", "json", "--jobs", "1")
    return result, json.loads(result.stdout)


@pytest.fixture
def mixed(tmp_path):
    """A folder of two good plans, two failing ones and two unreadable files, in subfolders."""
    root = tmp_path / "plans"
    (root / "sussex").mkdir(parents=True)
    (root / "surrey").mkdir()
    shutil.copy(EXAMPLES / "good-plan.yaml", root / "sussex" / "good.yaml")
    shutil.copy(EXAMPLES / "sussex-harbour-lane.yaml", root / "sussex" / "harbour.yml")
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", root / "surrey" / "no-lro.yaml")
    shutil.copy(EXAMPLES / "thames-valley-no-results.yaml", root / "tvp.yaml")
    (root / "surrey" / "duplicate.yaml").write_text("id: A\nforce: Surrey Police\nid: B\n")
    (root / "truncated.json").write_text('{"fourp": 1, "id": "X"')
    (root / "notes.txt").write_text("not a plan")
    return root


def test_known_folder_summary_counts():
    result, data = audit_json(EXAMPLES)
    assert result.exit_code == 1
    summary = data["summary"]
    assert (summary["plans"], summary["unreadable"], summary["failing"]) == (7, 0, 4)
    assert summary["grades"] == {"outstanding": 2, "good": 0, "adequate": 4, "requires improvement": 1,
                                 "inadequate": 0}
    assert summary["scores"]["distribution"]["90-100"] == 3 and summary["scores"]["min"] == 47.3
    rules = {r["rule"]: (r["failing"], r["applicable"]) for r in summary["rules"]}
    assert rules["lro-owns-plan"] == (3, 7) and rules["closure-debriefed"] == (1, 1) and rules["lro-named"] == (1, 7)
    assert summary["by_force"]["Sussex Police"]["plans"] == 3


def test_known_folder_text_summary():
    result = run("audit", EXAMPLES, *AS_OF_ARGS, "--jobs", "1")
    assert result.exit_code == 1
    out = result.stdout
    assert "Audit of 7 plans" in out
    assert "7 files: 7 audited, 0 unreadable. 4 plans fail (a finding at error or worse)." in out
    assert "lro-owns-plan                3 of 7   error   The plan is written by the LRO or a deputy" in out
    assert "  requires improvement    1  " in out
    plans = out.split("Plans, lowest score first\n")[1]
    assert plans.index("SUR-4P-2024-003") < plans.index("SXP-4P-2023-058") < plans.index("SXP-4P-2024-007")
    assert "... and 14 more findings" in plans  # the worst 3 of Surrey's 17 are shown
    for heading in ("By force", "By LRO", "By P"):
        assert f"\n{heading}\n" in out
    assert "  Sussex Police                                 3   100.0    93.1            1" in out
    assert "  protect       93.9    87.4            4        11" in out


def test_good_failing_and_unreadable_files_each_reported(mixed, tmp_path):
    reports = {fmt: tmp_path / f"audit.{fmt}" for fmt in ("json", "csv", "html", "junit", "sarif")}
    result = run("audit", mixed, *AS_OF_ARGS, "--jobs", "1", *[x for fmt, path in reports.items()
                                                               for x in ("--report", f"{fmt}:{path}")])
    assert result.exit_code == 2  # unreadable files, and every report still written
    assert all(path.exists() for path in reports.values())
    data = json.loads(reports["json"].read_text())
    assert (data["summary"]["plans"], data["summary"]["unreadable"], data["summary"]["failing"]) == (4, 2, 2)
    grades = {os.path.basename(p["file"]): p["grade"] for p in data["plans"]}
    assert grades == {"good.yaml": "outstanding", "harbour.yml": "outstanding",
                      "no-lro.yaml": "requires improvement", "tvp.yaml": "adequate"}
    errors = {os.path.basename(e["file"]): e for e in data["errors"]}
    assert set(errors) == {"duplicate.yaml", "truncated.json"}
    assert errors["duplicate.yaml"]["line"] == 3 and "twice" in errors["duplicate.yaml"]["reason"]
    rows = list(csv.DictReader(io.StringIO(reports["csv"].read_text(encoding="utf-8-sig"))))
    assert sorted(os.path.basename(r["file"]) for r in rows if r["record"] == "unreadable") == \
        ["duplicate.yaml", "truncated.json"]
    assert "Files that could not be read" in reports["html"].read_text()
    [invocation] = json.loads(reports["sarif"].read_text())["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notified = {level: sorted(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[1]
                              for n in invocation["toolExecutionNotifications"] if n["level"] == level)
                for level in ("error", "note")}
    assert notified == {"error": ["duplicate.yaml", "truncated.json"], "note": ["notes.txt"]}  # notes.txt: skipped
    junit = ET.fromstring(reports["junit"].read_text())
    assert sorted(os.path.basename(s.get("name")) for s in junit.findall("testsuite") if s.find("testcase/error")
                  is not None) == ["duplicate.yaml", "truncated.json"]
    assert "duplicate.yaml:3" in result.stdout and "CANNOT" not in result.stdout
    assert f"fourp: {mixed / 'surrey' / 'duplicate.yaml'}:3:1" in result.stderr


@pytest.mark.parametrize("remove, args, code", [
    (["surrey/duplicate.yaml", "truncated.json"], [], 1),                        # failing plans
    (["surrey/duplicate.yaml", "truncated.json", "surrey/no-lro.yaml", "tvp.yaml"], [], 0),   # all good
    (["surrey/duplicate.yaml", "truncated.json", "surrey/no-lro.yaml", "tvp.yaml"], ["--fail-on", "info"], 0),
    (["surrey/duplicate.yaml", "truncated.json", "surrey/no-lro.yaml"], ["--fail-on", "error"], 1),
    (["surrey/duplicate.yaml"], [], 2),                                          # one unreadable file
])
def test_exit_codes(mixed, remove, args, code):
    for name in remove:
        (mixed / name).unlink()
    assert run("audit", mixed, *AS_OF_ARGS, "--jobs", "1", *args).exit_code == code


def test_min_score_fails_plans(tmp_path):
    shutil.copy(EXAMPLES / "serocu-closed.yaml", tmp_path / "serocu.yaml")  # warnings only, 90.1
    assert run("audit", tmp_path, *AS_OF_ARGS).exit_code == 0
    assert run("audit", tmp_path, *AS_OF_ARGS, "--min-score", "95").exit_code == 1
    assert run("audit", tmp_path, *AS_OF_ARGS, "--fail-on", "warning").exit_code == 1


def test_usage_errors_exit_two(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run("audit", tmp_path / "empty", *AS_OF_ARGS)
    assert result.exit_code == 2 and "no plan files" in result.output
    assert run("audit", EXAMPLES, "--pack", "nope").exit_code == 2
    assert run("audit", EXAMPLES, "--sort", "colour").exit_code == 2
    assert run("audit", EXAMPLES, "--jobs", "0").exit_code == 2
    assert run("audit").exit_code == 2


@pytest.mark.parametrize("sort, first, last", [
    ("score", "surrey-no-lro.yaml", "sussex-harbour-lane.yaml"),
    ("file", "good-plan.yaml", "thames-valley-no-results.yaml"),
    ("grade", "surrey-no-lro.yaml", "sussex-harbour-lane.yaml"),
])
def test_sorting_the_plans(sort, first, last):
    result = run("audit", EXAMPLES, *AS_OF_ARGS, "--format", "csv", "--sort", sort)
    files = [os.path.basename(r["file"]) for r in csv.DictReader(io.StringIO(result.stdout[1:]))
             if r["record"] == "plan"]
    assert (files[0], files[-1]) == (first, last) and len(files) == 7
    if sort == "grade":  # worst grade first: the adequate plans before the good one
        assert files.index("serocu-closed.yaml") > files.index("hampshire-brief-undated.yaml")


def test_reports_inside_the_audited_folder_are_not_audited(mixed, tmp_path):
    for name in ("surrey/duplicate.yaml", "truncated.json"):
        (mixed / name).unlink()
    out = mixed / "audit.json"
    result = run("audit", mixed, *AS_OF_ARGS, "--format", "json", "-o", out)
    assert result.exit_code == 1
    result = run("audit", mixed, *AS_OF_ARGS, "--format", "json", "-o", out)  # again, over the last report
    assert result.exit_code == 1 and json.loads(out.read_text())["summary"]["plans"] == 4


def test_parallel_audit_matches_serial(mixed):
    _, serial = audit_json(mixed)
    parallel = json.loads(run("audit", mixed, *AS_OF_ARGS, "--format", "json", "--jobs", "2").stdout)
    assert serial["plans"] == parallel["plans"] and serial["summary"] == parallel["summary"]


class _Tty:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty, ci, wanted", [(True, None, True), (False, None, False), (True, "true", False)])
def test_progress_bar_only_for_a_person_watching(monkeypatch, tty, ci, wanted):
    monkeypatch.setattr(cli.sys, "stderr", _Tty(tty))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert cli._progress_wanted() is wanted


def test_progress_bar_counts_every_file(monkeypatch, mixed):
    updates = []

    class Bar:
        def __init__(self, length, **kwargs):
            updates.append(("length", length))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            updates.append(("closed",))

        def update(self, n):
            updates.append(("update", n))

    monkeypatch.setattr(cli, "_progress_wanted", lambda: True)
    monkeypatch.setattr(cli.click, "progressbar", Bar)
    run("audit", mixed, *AS_OF_ARGS, "--jobs", "1")
    assert updates[0] == ("length", 6) and updates[-1] == ("closed",)
    assert sum(u[1] for u in updates if u[0] == "update") == 6


def test_the_audit_pages_excerpt_is_real_output(monkeypatch):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    page = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    block = page.split("<!-- audit-excerpt -->\n```text\n", 1)[1].split("```", 1)[0]
    command, *lines = block.splitlines()
    assert command == "$ fourp audit examples --as-of 2024-09-30"
    output = run("audit", "examples", *AS_OF_ARGS, "--no-color").stdout.splitlines()
    shown = [line for line in lines if line != "..."]
    assert len(shown) > 20 and all(line in output for line in shown)


def test_cross_plan_findings_are_in_the_reports():
    text = run("audit", EXAMPLES, *AS_OF_ARGS).stdout
    assert "1 cross-plan finding at error or worse." in text
    across = text.split("Across the plans")[1]
    assert "ERROR Plans for different threats share no copied passage [no-copied-text]" in across
    assert "sussex-harbour-lane.yaml:114:7 /protect/objectives/0" in across
    rows = list(csv.DictReader(io.StringIO(run("audit", EXAMPLES, *AS_OF_ARGS, "--format", "csv").stdout[1:])))
    [row] = [r for r in rows if r["record"] == "portfolio"]
    assert row["rule"] == "no-copied-text" and "sussex-copied-text.yaml" in row["file"]


def test_text_summary_puts_each_band_and_grade_on_its_own_line():
    from click.testing import CliRunner

    from fourp.cli import main

    out = CliRunner().invoke(main, ["audit", str(EXAMPLES), "--as-of", "2024-09-30", "--no-cache"]).output
    lines = out.splitlines()
    for label in ("0-9", "90-100", "outstanding", "requires improvement", "inadequate"):
        assert sum(1 for line in lines if line.split() and line.split()[0] == label.split()[0]) == 1, label
    assert not any("10-19" in line and "20-29" in line for line in lines)


def test_exclude_leaves_out_folders_and_files_by_glob_as_the_pack_refusal_advises(tmp_path):
    drive = tmp_path / "drive"
    (drive / "archive" / "2023").mkdir(parents=True)
    (drive / "team").mkdir()
    shutil.copy(EXAMPLES / "good-plan.yaml", drive / "team" / "live.yaml")
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", drive / "team" / "live.draft.yaml")
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", drive / "archive" / "2023" / "old.yaml")
    (drive / "team" / "force-pack.yaml").write_text("fourp-pack: 1\nextends: hmicfrs-2024\n")
    result, data = audit_json(drive)
    [error] = data["errors"]
    assert error["code"] == "is-a-pack" and "--exclude" in error["hint"]
    assert result.exit_code == 2
    result, data = audit_json(drive, "--exclude", "archive", "--exclude", "*.draft.yaml",
                              "--exclude", "team/force-pack.yaml")
    assert [os.path.basename(p["file"]) for p in data["plans"]] == ["live.yaml"] and data["errors"] == []
    assert result.exit_code == 0, result.output


def test_a_refusal_exits_2_without_changing_other_click_programs_exit_codes(tmp_path):
    import click

    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "good-plan.yaml"), "--pack", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2 and "bad rule pack" in result.output
    assert click.ClickException.exit_code == 1

    @click.command()
    def other():
        raise click.ClickException("other program's failure")

    assert CliRunner().invoke(other, []).exit_code == 1


def test_the_cli_raises_its_refusal_never_a_bare_click_exception():
    """A bare ClickException exits 1, the code of a failing plan; fourp's refusals exit 2 (`cli._Problem`)."""
    import pathlib

    for path in (pathlib.Path(cli.__file__).parent).rglob("*.py"):
        assert "raise click.ClickException(" not in path.read_text("utf-8"), path
