""".fourp.yaml: found per plan from its own folder, a pack per force in one audit, overrides, `fourp config`, stdin."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES

from fourp.cli import main
from fourp.config import CONFIG_NAME, ConfigError, ConfigFinder, Exclude, excluded, load_config

AS_OF_ARGS = ["--as-of", AS_OF.isoformat()]

THAMES_PACK = """\
fourp-pack: 1
name: thames-valley
extends: hmicfrs-2024
overrides:
  actions-resulted:
    severity: warning          # results go on the force's own system first
  lro-owns-plan:
    enabled: false
"""


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


@pytest.fixture
def region(tmp_path):
    """A regional folder of two forces: Hampshire on the shipped pack, Thames Valley on its own (kept in
    the force's folder beside its plans), two plans each."""
    root = tmp_path / "region"
    hampshire, thames = root / "hampshire", root / "thames-valley"
    hampshire.mkdir(parents=True)
    thames.mkdir()
    shutil.copy(EXAMPLES / "hampshire-brief-undated.yaml", hampshire / "brief.yaml")
    shutil.copy(EXAMPLES / "good-plan.yaml", hampshire / "good.yaml")
    shutil.copy(EXAMPLES / "thames-valley-no-results.yaml", thames / "no-results.yaml")
    shutil.copy(EXAMPLES / "serocu-closed.yaml", thames / "closed.yaml")
    (thames / "tvp-pack.yaml").write_text(THAMES_PACK, encoding="utf-8")
    (hampshire / CONFIG_NAME).write_text("pack: hmicfrs-2024\n", encoding="utf-8")
    (thames / CONFIG_NAME).write_text("# Thames Valley's settings\npack: tvp-pack.yaml\n", encoding="utf-8")
    return root


def _by_name(document):
    return {os.path.basename(p["file"]): p for p in document["plans"]}


@pytest.mark.parametrize("jobs", ["1", "2"])  # in this process, and in worker processes (a pool of two)
def test_one_audit_judges_each_plan_by_its_forces_pack(region, jobs):
    result = run("audit", region, *AS_OF_ARGS, "--format", "json", "--no-cache", "--jobs", jobs)
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    plans = _by_name(document)
    assert set(plans) == {"brief.yaml", "good.yaml", "no-results.yaml", "closed.yaml"}  # the pack is no plan
    assert {name: p["pack"] for name, p in plans.items()} == {
        "brief.yaml": "hmicfrs-2024", "good.yaml": "hmicfrs-2024",
        "no-results.yaml": "thames-valley", "closed.yaml": "thames-valley"}
    severities = {f["rule"]: f["severity"] for f in plans["no-results.yaml"]["findings"]}
    assert severities["actions-resulted"] == "warning" and "lro-owns-plan" not in severities
    assert {f["rule"]: f["severity"] for f in plans["brief.yaml"]["findings"]}["entries-timed-dated"] == "error"
    packs = {p["pack"]: p for p in document["summary"]["packs"]}
    assert packs["thames-valley"]["plans"] == 2 and packs["hmicfrs-2024"]["plans"] == 2
    assert packs["thames-valley"]["under"].endswith("thames-valley")
    text = run("audit", region, *AS_OF_ARGS, "--no-cache", "--jobs", jobs).output
    assert "Judged by 2 packs" in text and "thames-valley 1.0: 2 plans under" in text
    for fmt in ("markdown", "html"):
        page = run("audit", region, *AS_OF_ARGS, "--no-cache", "--jobs", jobs, "--format", fmt).output
        assert "Judged by 2 packs" in page and "thames-valley 1.0: 2 plans under" in page


def test_the_same_plan_by_the_default_pack_fails_what_the_force_waived(region):
    """The control: without the configuration the Thames Valley plan is judged by the shipped pack."""
    document = json.loads(run("audit", region, *AS_OF_ARGS, "--format", "json", "--no-cache", "--jobs", "1",
                              "--no-config", "--exclude", "tvp-pack.yaml").stdout)
    plans = _by_name(document)
    assert {p["pack"] for p in plans.values()} == {"hmicfrs-2024"}
    severities = {f["rule"]: f["severity"] for f in plans["no-results.yaml"]["findings"]}
    assert severities["actions-resulted"] == "error" and severities["lro-owns-plan"] == "error"
    assert len(document["summary"]["packs"]) == 1


def test_config_is_found_from_the_plans_folder_not_the_run_folder(region, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / CONFIG_NAME).write_text("pack: hmicfrs-2024\nfail_on: info\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    result = run("check", region / "thames-valley" / "no-results.yaml", *AS_OF_ARGS, "--format", "json")
    assert json.loads(result.stdout)["pack"] == "thames-valley"


def test_command_line_options_override_every_config(region):
    document = json.loads(run("audit", region, *AS_OF_ARGS, "--format", "json", "--no-cache", "--jobs", "1",
                              "--pack", "hmicfrs-2024", "--exclude", "tvp-pack.yaml").stdout)
    assert {p["pack"] for p in document["plans"]} == {"hmicfrs-2024"}


def test_config_names_one_file_for_every_plan(region, tmp_path):
    chosen = tmp_path / "chosen.yaml"
    chosen.write_text(f"pack: {region / 'thames-valley' / 'tvp-pack.yaml'}\n", encoding="utf-8")
    document = json.loads(run("audit", region, *AS_OF_ARGS, "--format", "json", "--no-cache", "--jobs", "1",
                              "--config", chosen, "--exclude", "*-pack.yaml").stdout)
    assert {p["pack"] for p in document["plans"]} == {"thames-valley"}


def test_fail_on_from_the_config_sets_the_exit_code(tmp_path):
    shutil.copy(EXAMPLES / "serocu-closed.yaml", tmp_path / "closed.yaml")  # warnings only
    assert run("check", tmp_path / "closed.yaml", *AS_OF_ARGS).exit_code == 0
    (tmp_path / CONFIG_NAME).write_text("fail_on: warning\n", encoding="utf-8")
    assert run("check", tmp_path / "closed.yaml", *AS_OF_ARGS).exit_code == 1
    assert run("check", tmp_path / "closed.yaml", *AS_OF_ARGS, "--fail-on", "error").exit_code == 0
    assert run("check", tmp_path / "closed.yaml", *AS_OF_ARGS, "--no-config").exit_code == 0


def test_extends_inherits_and_the_nearest_wins(tmp_path):
    (tmp_path / CONFIG_NAME).write_text("fail_on: warning\nexclude: [archive]\nmin_score: 50\n", encoding="utf-8")
    force = tmp_path / "surrey"
    force.mkdir()
    (force / CONFIG_NAME).write_text("extends: ..\nmin_score: 70\nexclude: ['*.draft.yaml']\n", encoding="utf-8")
    config = ConfigFinder().for_path(str(force / "plan.yaml"))
    assert config["fail_on"] == "warning" and config["min_score"] == 70.0
    assert config.sources["fail_on"] == f"{tmp_path / CONFIG_NAME}:1"
    assert config.sources["min_score"] == f"{force / CONFIG_NAME}:2"
    assert [str(e) for e in config["exclude"]] == ["archive", "*.draft.yaml"]  # a folder adds to its parent's
    assert config.files == (str(force / CONFIG_NAME), str(tmp_path / CONFIG_NAME))
    (force / CONFIG_NAME).write_text("min_score: 70\n", encoding="utf-8")  # without extends: only its own
    config = ConfigFinder().for_path(str(force / "plan.yaml"))
    assert config["fail_on"] == "error" and config.sources["fail_on"] == "default"


def test_fourp_config_explains_each_setting(region):
    result = run("config", region / "thames-valley" / "closed.yaml")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines() if line.startswith("  ")}
    assert "tvp-pack.yaml" in rows["pack"] and f"[{region / 'thames-valley' / CONFIG_NAME}:2]" in rows["pack"]
    assert rows["fail_on"].split()[1] == "error" and rows["fail_on"].endswith("[default]")
    assert str(region / "thames-valley" / CONFIG_NAME) in result.output
    assert "none" in run("config", region, "--no-config").output.splitlines()[1]


def test_fourp_config_shows_a_hostile_folder_name_as_every_message_does(tmp_path):
    from fourp.output.render import one_line

    folder = tmp_path / "plans\x1b[2J\u202eevil"
    folder.mkdir()
    (folder / CONFIG_NAME).write_text("min_score: 70\n", encoding="utf-8")
    result = run("config", folder)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert f"Settings for {one_line(folder)}" in result.output  # the one neutraliser, not a copy of it


@pytest.mark.parametrize("text, line, code, words", [
    ("pack: [hmicfrs-2024\n", 2, "invalid-yaml", ""),  # the bracket is found unclosed at the end
    ("fail_on: error\npakc: surrey.yaml\n", 2, "invalid-config", "pakc"),
    ("min_score: high\n", 1, "invalid-config", "min_score"),
    ("jobs: 0\n", 1, "invalid-config", "jobs"),
    ("\n\npack: no-such-pack\n", 3, "unknown-pack", "no-such-pack"),
    ("pack: missing/pack.yaml\n", 1, "not-found", "pack.yaml"),
    ("reports: ['pdf:out.pdf']\n", 1, "invalid-config", "pdf"),
    ("extends: ../nowhere.yaml\n", 1, "not-found", "nowhere"),
    ("fail_on: error\nfail_on: info\n", 2, "duplicate-key", "fail_on"),
    ("pack: !!python/object/apply:os.system [echo hi]\n", 1, "not-allowed", "!!python"),
    ("- pack\n", 1, "not-a-mapping", ""),
])
def test_a_bad_config_is_a_usage_error_with_file_line_and_reason(tmp_path, text, line, code, words):
    (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
    shutil.copy(EXAMPLES / "good-plan.yaml", tmp_path / "good.yaml")
    for args in (["check", tmp_path / "good.yaml"], ["audit", tmp_path, "--no-cache"], ["config", tmp_path]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert f"{tmp_path / CONFIG_NAME}:{line}:" in result.output and words in result.output, result.output
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path / CONFIG_NAME))
    assert (caught.value.line, caught.value.code) == (line, code)


def test_a_circle_of_extends_is_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / CONFIG_NAME).write_text("extends: a\n", encoding="utf-8")
    (tmp_path / "a" / CONFIG_NAME).write_text("extends: ..\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path / CONFIG_NAME))
    assert caught.value.code == "extends-circle"


def test_reports_from_the_config_are_written_beside_it(tmp_path):
    shutil.copy(EXAMPLES / "good-plan.yaml", tmp_path / "good.yaml")
    (tmp_path / CONFIG_NAME).write_text("reports: ['csv:reports/audit.csv']\n", encoding="utf-8")
    (tmp_path / "reports").mkdir()
    result = run("audit", tmp_path, *AS_OF_ARGS, "--no-cache")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "audit.csv").read_text(encoding="utf-8-sig").startswith("record,")


def test_excluded_globs_gitignore_style(tmp_path):
    base = str(tmp_path)
    rules = [Exclude(base, "archive"), Exclude(base, "*.draft.yaml"), Exclude(base, "surrey/old-*.yaml")]
    assert excluded(str(tmp_path / "archive" / "2019" / "a.yaml"), rules)
    assert excluded(str(tmp_path / "x" / "b.draft.yaml"), rules)
    assert excluded(str(tmp_path / "surrey" / "old-1.yaml"), rules)
    assert not excluded(str(tmp_path / "x" / "surrey" / "old-1.yaml"), rules)
    assert not excluded(str(tmp_path / "live.yaml"), rules)
    assert not excluded(str(tmp_path.parent / "archive" / "a.yaml"), rules)  # outside the base


def test_audit_leaves_out_what_config_and_command_line_exclude(region):
    (region / "hampshire" / "archive").mkdir()
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", region / "hampshire" / "archive" / "old.yaml")
    (region / "hampshire" / CONFIG_NAME).write_text("exclude: [archive]\n", encoding="utf-8")
    document = json.loads(run("audit", region, *AS_OF_ARGS, "--format", "json", "--no-cache", "--jobs", "1",
                              "--exclude", "closed.yaml").stdout)
    assert set(_by_name(document)) == {"brief.yaml", "good.yaml", "no-results.yaml"}


# -- standard input -------------------------------------------------------------------------------------

def test_check_reads_a_plan_from_standard_input():
    text = (EXAMPLES / "surrey-no-lro.yaml").read_bytes()
    result = run("check", "-", *AS_OF_ARGS, "--format", "json", "--no-config", input=text)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["file"] == "<stdin>" and report["score"] == 47.3
    text = run("check", "-", *AS_OF_ARGS, "--no-config", input=text).output
    assert "<stdin>:5:1  No named LRO" in text


def test_stdin_filename_names_the_plan_and_finds_its_config(region):
    text = (EXAMPLES / "thames-valley-no-results.yaml").read_bytes()
    name = region / "thames-valley" / "draft.yaml"  # need not exist: an editor's unsaved buffer
    result = run("check", "-", "--stdin-filename", name, *AS_OF_ARGS, "--format", "json", input=text)
    report = json.loads(result.stdout)
    assert report["file"] == str(name) and report["pack"] == "thames-valley"
    github = run("check", "-", "--stdin-filename", name, *AS_OF_ARGS, "--format", "github", input=text).output
    assert github.startswith("::") and f"file={name}," in github


def test_stdin_errors_and_limits():
    result = run("check", "-", "--no-config", input=b"- just\n- a list\n")
    assert result.exit_code == 2 and "<stdin>:1:1" in result.output
    big = b"fourp: 1\nid: " + b"x" * 2000 + b"\n"
    result = run("check", "-", "--no-config", "--max-bytes", "100", input=big)
    assert result.exit_code == 2 and "100-byte limit" in result.output
    assert run("check", "-", "-", input=b"fourp: 1\n").exit_code == 2
    result = run("check", "-", "--stdin-filename", "plan.json", "--no-config", *AS_OF_ARGS, "--format", "json",
                 input=json.dumps({"fourp": 1, "status": "draft"}).encode())
    assert json.loads(result.stdout)["file"] == "plan.json"


def test_config_schema_is_printed():
    schema = json.loads(run("schema", "config").stdout)
    assert {"pack", "mapping", "register", "fail_on", "min_score", "exclude", "max_bytes", "jobs", "reports",
            "history", "extends"} == set(schema["properties"])
