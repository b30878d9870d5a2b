"""Baselines: only findings not in an earlier audit are reported; what got better and worse; bad baselines."""
from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
import yaml
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES

from fourp.cli import main
from fourp.read.baseline import BaselineError, baseline_from_data, compare, load_baseline, plan_key

AS_OF_ARGS = ["--as-of", AS_OF.isoformat()]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def plans(tmp_path):
    root = tmp_path / "plans"
    root.mkdir()
    for name in ("good-plan.yaml", "surrey-no-lro.yaml", "thames-valley-no-results.yaml"):
        shutil.copy(EXAMPLES / name, root / name)
    return root


@pytest.fixture
def baseline(plans, tmp_path):
    path = tmp_path / "baseline.json"
    assert run("audit", plans, *AS_OF_ARGS, "--format", "json", "-o", path).exit_code == 1
    return path


def audit_with(plans, baseline, *args):
    result = run("audit", plans, *AS_OF_ARGS, "--baseline", baseline, "--format", "json", *args)
    return result, json.loads(result.stdout)


def edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text("# edited: every line has moved\n\n" + yaml.safe_dump(data, sort_keys=False))


def test_the_same_plans_have_nothing_new_and_pass(plans, baseline):
    result, data = audit_with(plans, baseline)
    assert result.exit_code == 0  # the plans still fail, but on old findings only
    counts = data["baseline"]["counts"]
    assert counts["new"] == counts["fixed"] == counts["better"] == counts["worse"] == 0
    assert counts["unchanged"] == sum(len(p["findings"]) for p in data["plans"]) > 0
    assert len(data["plans"][1]["findings"]) > 0  # the JSON keeps every finding: it is the next baseline


def test_moving_lines_does_not_make_findings_new(plans, baseline):
    edit(plans / "thames-valley-no-results.yaml", lambda d: None)  # reordered and shifted, same content
    result, data = audit_with(plans, baseline)
    assert result.exit_code == 0 and data["baseline"]["counts"]["new"] == 0


def test_new_and_fixed_findings_and_score_movement(plans, baseline):
    def surrey(d):  # name the LRO (fixes lro-named) ...
        d["lro"] = {"name": "Ch Insp Tom Reade", "rank": "Chief Inspector", "appointed": "2024-01-10",
                    "trained": "2023-05-02"}

    def thames(d):  # ... and leave a pursue action without an owner (new actions-allocated finding)
        del d["pursue"]["actions"][1]["owner"]

    edit(plans / "surrey-no-lro.yaml", surrey)
    edit(plans / "thames-valley-no-results.yaml", thames)
    result, data = audit_with(plans, baseline)
    assert result.exit_code == 1  # a new error-severity finding
    compared = data["baseline"]
    assert [(f["plan"], f["rule"], f["path"]) for f in compared["new"]] == \
        [("TVP-4P-2024-019", "actions-allocated", "/pursue/actions/1/owner")]
    assert {f["rule"] for f in compared["fixed"]} >= {"lro-named"}
    assert all(f["plan"] == "SUR-4P-2024-003" for f in compared["fixed"])
    assert [m["plan"] for m in compared["better"]] == ["SUR-4P-2024-003"]
    assert [m["plan"] for m in compared["worse"]] == ["TVP-4P-2024-019"]
    worse = compared["worse"][0]
    assert worse["score"] < worse["score_was"]

    text = run("audit", plans, *AS_OF_ARGS, "--baseline", baseline).stdout
    assert "1 plan fails" in text and "counting only findings new since the baseline" in text
    assert "1 new finding" in text and "worse   TVP-4P-2024-019" in text
    assert "fixed   SUR-4P-2024-003  lro-named" in text
    rows = list(csv.DictReader(io.StringIO(
        run("audit", plans, *AS_OF_ARGS, "--baseline", baseline, "--format", "csv").stdout[1:])))
    assert [(r["rule"], r["baseline"]) for r in rows if r["record"] == "finding"] == [("actions-allocated", "new")]
    assert {r["rule"] for r in rows if r["record"] == "fixed"} >= {"lro-named"}
    sarif = json.loads(run("audit", plans, *AS_OF_ARGS, "--baseline", baseline, "--format", "sarif").stdout)
    assert [(r["ruleId"], r["baselineState"]) for r in sarif["runs"][0]["results"]] == [("actions-allocated", "new")]


def test_plans_added_and_removed(plans, baseline):
    (plans / "good-plan.yaml").unlink()
    shutil.copy(EXAMPLES / "serocu-closed.yaml", plans / "serocu.yaml")
    result, data = audit_with(plans, baseline, "--fail-on", "error")
    compared = data["baseline"]
    assert [m["plan"] for m in compared["added"]] == ["SEROCU-4P-2023-002"]
    assert [m["plan"] for m in compared["removed"]] == ["SXP-4P-2024-007"]
    assert compared["counts"]["new"] == 4  # the new plan's four warnings
    assert result.exit_code == 0  # warnings only


def test_a_plan_without_an_id_is_known_by_its_file_name():
    assert plan_key({"plan": {"id": None}, "file": "plans/sub/a.yaml"}) == "a.yaml"
    assert plan_key({"plan": {"id": " X-1 "}, "file": "a.yaml"}) == "X-1"


def test_each_occurrence_of_an_identity_is_matched_once():
    finding = {"rule": "r", "path": "/a", "severity": "error"}
    old = baseline_from_data([{"plan": {"id": "P"}, "file": "p.yaml", "score": 50, "grade": "x",
                               "findings": [finding]}])
    now = [{"plan": {"id": "P"}, "file": "p.yaml", "score": 40, "grade": "x",
            "findings": [dict(finding, line=3), dict(finding, line=9)]}]
    comparison = compare(old, now)
    assert comparison.new_flags == ((False, True),)
    assert len(comparison.new) == 1 and comparison.unchanged == 1 and not comparison.fixed


@pytest.mark.parametrize("content, reason", [
    ("{not json", "not JSON"),
    ('"a string"', "not the JSON of an audit"),
    ('{"kind": "audit", "plans": []}', "no format version"),
    ('{"kind": "audit", "format": 99, "plans": []}', "newer fourp"),
    ('{"kind": "audit", "format": 1, "plans": {}}', "is not a list of plans"),
    ('{"kind": "audit", "format": 1, "plans": [{"findings": [{"path": "/x"}]}]}', "plans[0].findings[0]"),
    ('{"kind": "audit", "format": 1, "plans": [{"score": 1}]}', "plans[0] has no list of findings"),
])
def test_malformed_baselines_are_usage_errors(plans, tmp_path, content, reason):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(BaselineError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        load_baseline(str(bad))
    result = run("audit", plans, *AS_OF_ARGS, "--baseline", bad)
    assert result.exit_code == 2 and f"bad baseline: {bad}" in result.output and reason in result.output


def test_a_missing_baseline_and_json_error_location(tmp_path, plans):
    result = run("audit", plans, *AS_OF_ARGS, "--baseline", tmp_path / "nope.json")
    assert result.exit_code == 2 and "no such file" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "kind": "audit",\n  "format": 1,\n  "plans": [,]\n}')
    with pytest.raises(BaselineError) as caught:
        load_baseline(str(bad))
    assert caught.value.line == 4


def test_a_check_json_can_serve_as_a_baseline(tmp_path):
    path = tmp_path / "check.json"
    run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--format", "json", "-o", path)
    comparison = compare(load_baseline(str(path)), [json.loads(path.read_text())])
    assert not comparison.new and comparison.unchanged > 0


def test_the_baseline_file_inside_the_audited_folder_is_not_audited(plans):
    baseline = plans / "baseline.json"
    run("audit", plans, *AS_OF_ARGS, "--format", "json", "-o", baseline)
    result, data = audit_with(plans, baseline)
    assert result.exit_code == 0 and data["summary"]["plans"] == 3 and not data["errors"]
