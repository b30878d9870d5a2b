"""The pre-commit hooks (.pre-commit-hooks.yaml), run by the real pre-commit on a temporary repository.

pre-commit installs this repository into its own environment with pip (from PyPI: the only network this
needs), once per test module: about 25 seconds, the rest of the module a few more.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from conftest import EXAMPLES, ROOT
from dated import as_of_today

pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """PRE_COMMIT_HOME for the module: the hook's environment is built once, outside the user's cache."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _git_env(home):
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="fourp tests",
               GIT_AUTHOR_EMAIL="tests@fourp.invalid", GIT_COMMITTER_NAME="fourp tests",
               GIT_COMMITTER_EMAIL="tests@fourp.invalid", NO_COLOR="1")
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def _repo(path, files, env):
    path.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=path, check=True, env=env)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=path, check=True, env=env)
    return path


def try_repo(repo, hook, env, *files):
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files", *files],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def test_hooks_are_declared():
    assert {h["id"] for h in HOOKS} == {"fourp-check", "fourp-verify"}
    assert all(h["language"] == "python" and h["entry"].startswith("fourp ") for h in HOOKS)


def test_fourp_check_hook_fails_a_failing_plan_and_passes_a_good_one(tmp_path, home):
    env = _git_env(home)
    repo = _repo(tmp_path / "plans", {
        "sussex/good.yaml": as_of_today((EXAMPLES / "good-plan.yaml").read_text(encoding="utf-8")),
        "surrey/no-lro.yaml": as_of_today((EXAMPLES / "surrey-no-lro.yaml").read_text(encoding="utf-8")),
        ".fourp.yaml": "fail_on: error\n"}, env)
    good = try_repo(repo, "fourp-check", env, "sussex/good.yaml", ".fourp.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = try_repo(repo, "fourp-check", env, "surrey/no-lro.yaml", "sussex/good.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "lro-named" in bad.stdout and "Failed" in bad.stdout


def test_fourp_verify_hook_runs_a_packs_examples(tmp_path, home):
    env = _git_env(home)
    pack = ("fourp-pack: 1\nname: force\nextends: hmicfrs-2024\nrules:\n  - id: deputy-appointed\n"
            "    title: A deputy LRO is appointed\n    severity: info\n    weight: 1\n    check: presence\n"
            "    options: {require: [{field: /deputies/*/name, label: a deputy LRO}]}\n"
            "    message: No deputy.\n    rationale: Cover for leave.\n    remediation: Appoint one.\n"
            "    basis: [{source: force policy, quote: Each LRO appoints a deputy.}]\n"
            "    examples:\n      - {expect: pass, plan: {deputies: [{name: Insp B Cole}]}}\n"
            "      - {expect: %s, plan: {deputies: []}}\n")
    repo = _repo(tmp_path / "packs-repo", {"packs/good.yaml": pack % "fail", "packs/wrong.yaml": pack % "pass"}, env)
    good = try_repo(repo, "fourp-verify", env, "packs/good.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    wrong = try_repo(repo, "fourp-verify", env, "packs/wrong.yaml")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert "FAIL deputy-appointed" in wrong.stdout
