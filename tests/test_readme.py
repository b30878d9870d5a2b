"""The README stays true: its library example runs and its force pack loads."""
from __future__ import annotations

import os
import re

import fourp

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_library_example_runs(monkeypatch):
    [code] = re.findall(r"```python\n(.*?)```", README, re.S)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})


def test_force_pack_example_loads(tmp_path):
    force = next(block for block in re.findall(r"```yaml\n(.*?)```", README, re.S) if "extends:" in block)
    path = tmp_path / "surrey.yaml"
    path.write_text(force, encoding="utf-8")
    pack = fourp.load_pack(str(path))
    assert pack.rule("lro-reviews-regular").params["max_gap_days"] == 60


def test_new_rule_example_is_a_valid_rule(tmp_path):
    rule = next(block for block in re.findall(r"```yaml\n(.*?)```", README, re.S) if "deputy-appointed" in block)
    path = tmp_path / "p.yaml"
    path.write_text("fourp-pack: 1\nname: x\nextends: hmicfrs-2024\n" + rule, encoding="utf-8")
    pack = fourp.load_pack(str(path))
    results = {r.expected: r.got for r in fourp.verify_pack(pack, ["deputy-appointed"])}
    assert results == {"pass": "pass", "fail": "fail"}


def test_two_commands_are_in_the_readme():
    assert "<!-- run-command -->" in README and "<!-- test-command -->" in README
    assert os.access(ROOT / ".ci" / "run", os.R_OK)
