"""The command line through click's CliRunner, and `python -m fourp` in a real process."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES

from fourp.cli import main
from fourp.schemas import plan_validator

AS_OF = ["--as-of", "2024-09-30"]


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_good_plan_exits_zero():
    result = run("check", str(EXAMPLES / "good-plan.yaml"), *AS_OF)
    assert result.exit_code == 0, result.output
    assert "Score 100.0/100" in result.output and "OUTSTANDING" in result.output


def test_check_failing_plan_exits_one_with_locations_and_advice():
    result = run("check", str(EXAMPLES / "thames-valley-no-results.yaml"), *AS_OF, "--no-color")
    assert result.exit_code == 1
    assert "thames-valley-no-results.yaml:48:7" in result.output
    assert "Fix:" in result.output and "Why:" in result.output
    assert "\x1b[" not in result.output


@pytest.mark.parametrize("args, code", [
    (["--fail-on", "error"], 0),
    (["--fail-on", "warning"], 1),
    (["--min-score", "95"], 1),
    (["--min-score", "80"], 0),
])
def test_fail_on_and_min_score(args, code):
    # serocu-closed fails warnings only, scoring about 90
    assert run("check", str(EXAMPLES / "serocu-closed.yaml"), *AS_OF, *args).exit_code == code


def test_json_for_one_plan_is_an_object_and_for_several_an_array():
    one = json.loads(run("check", str(EXAMPLES / "surrey-no-lro.yaml"), *AS_OF, "--format", "json").output)
    assert {"score", "grade", "as_of", "pack", "findings", "results"} <= set(one)
    finding = one["findings"][0]
    assert {"rule", "severity", "message", "path", "line", "column"} <= set(finding)
    several = json.loads(run("check", str(EXAMPLES / "surrey-no-lro.yaml"), str(EXAMPLES / "good-plan.yaml"),
                             *AS_OF, "--format", "json").output)
    assert isinstance(several, list) and len(several) == 2


def test_unreadable_file_exits_two_and_the_rest_is_checked(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: A\nid: B\n")
    result = run("check", str(bad), str(EXAMPLES / "good-plan.yaml"), *AS_OF)
    assert result.exit_code == 2
    assert f"{bad}:2:1" in result.output and "appears twice" in result.output
    assert "good-plan.yaml" in result.output and "OUTSTANDING" in result.output


def test_usage_errors_exit_two(tmp_path):
    assert run("check", str(EXAMPLES / "good-plan.yaml"), "--as-of", "yesterday").exit_code == 2
    assert run("check").exit_code == 2
    assert run("check", str(EXAMPLES / "good-plan.yaml"), "--pack", "nope").exit_code == 2
    bad_pack = tmp_path / "p.yaml"
    bad_pack.write_text("fourp-pack: 1\nname: p\nextends: hmicfrs-2024\noverrides: {x: {weight: 1}}\n")
    result = run("check", str(EXAMPLES / "good-plan.yaml"), "--pack", str(bad_pack))
    assert result.exit_code == 2 and f"{bad_pack}:4" in result.output


def test_rules_explain_schema():
    listing = run("rules")
    assert listing.exit_code == 0 and "lro-reviews-regular" in listing.output
    explained = run("explain", "lro-reviews-regular")
    assert "twice in 12 months" in explained.output and "max_gap_days = 62" in explained.output
    assert "why error: An error - Sussex L253" in explained.output  # the pack says why each severity
    assert run("explain", "no-such-rule").exit_code == 2
    for which in ("plan", "pack"):
        assert json.loads(run("schema", which).output)["$schema"].startswith("https://json-schema.org")


def test_new_writes_a_blank_plan_that_passes_the_schema(tmp_path):
    text = run("new").output
    assert "#" in text  # guidance comments
    assert list(plan_validator().iter_errors(yaml.safe_load(text))) == []
    target = tmp_path / "plan.yaml"
    assert run("new", "-o", str(target)).exit_code == 0
    assert run("new", "-o", str(target)).exit_code == 2  # never overwrites


def test_verify_runs_the_pack_examples():
    result = run("verify")
    assert result.exit_code == 0 and " 0 failed" in result.output


def test_python_m_fourp():
    proc = subprocess.run([sys.executable, "-m", "fourp", "check", str(EXAMPLES / "good-plan.yaml"),
                           *AS_OF, "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["grade"] == "outstanding"


def test_the_readme_check_output_is_real(monkeypatch):
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## What it looks like\n\n```text\n", 1)[1].split("```", 1)[0]
    command, *lines = block.splitlines()
    assert command == "$ fourp check examples/thames-valley-no-results.yaml --as-of 2024-09-30"
    monkeypatch.chdir(ROOT)
    output = run("check", "examples/thames-valley-no-results.yaml", *AS_OF, "--no-color").output.splitlines()
    shown = [line for line in lines if line != "..."]
    assert len(shown) > 20 and all(line in output for line in shown)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json", "csv", "junit", "sarif"])
def test_check_prints_every_format(fmt):
    result = run("check", str(EXAMPLES / "good-plan.yaml"), *AS_OF, "--format", fmt)
    assert result.exit_code == 0 and "SXP-4P-2024-007" in result.output
