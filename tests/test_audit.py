"""Auditing a folder: discovery, parallel evaluation, per-file errors and the summary's counts."""
from __future__ import annotations

import os
import shutil

import pytest

from fourp.audit import audit, discover

from conftest import AS_OF, EXAMPLES


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "plans"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    shutil.copy(EXAMPLES / "good-plan.yaml", root / "good.yaml")
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", root / "sub" / "surrey.yml")
    shutil.copy(EXAMPLES / "thames-valley-no-results.yaml", root / ".hidden" / "skip.yaml")
    (root / "broken.yaml").write_text("id: A\nid: B\n")
    (root / "notes.txt").write_text("not a plan")
    (root / "out").mkdir()
    (root / "out" / "previous.json").write_text("{}")
    return root


def test_discover_skips_hidden_non_plans_and_outputs(folder):
    files = discover([str(folder)], exclude=[str(folder / "out")])
    assert [os.path.relpath(f, folder) for f in files] == ["broken.yaml", "good.yaml", os.path.join("sub", "surrey.yml")]


def test_symlink_loops_are_not_followed(folder):
    os.symlink(folder, folder / "sub" / "loop")
    assert len(discover([str(folder)], exclude=[str(folder / "out")])) == 3


@pytest.mark.parametrize("jobs", [1, 2])
def test_audit_reports_each_file_and_counts(folder, pack, jobs):
    result = audit([str(folder)], pack=pack, as_of=AS_OF, jobs=jobs, exclude=[str(folder / "out")])
    assert sorted(os.path.basename(r.file) for r in result.reports) == ["good.yaml", "surrey.yml"]
    assert [os.path.basename(e.file) for e in result.errors] == ["broken.yaml"]
    summary = result.summary
    assert (summary["plans"], summary["unreadable"], summary["failing"]) == (2, 1, 1)
    assert summary["grades"]["outstanding"] == 1 and summary["grades"]["requires improvement"] == 1
    by_rule = {r["rule"]: r["failing"] for r in summary["rules"]}
    assert by_rule["lro-named"] == 1 and by_rule["plan-structure"] == 0
    assert set(summary["by_force"]) == {"Sussex Police", "Surrey Police"}


def test_parallel_and_serial_agree(pack):
    files = [str(p) for p in sorted(EXAMPLES.glob("*.yaml"))] * 3
    serial = audit(files, pack=pack, as_of=AS_OF, jobs=1)
    parallel = audit(files, pack=pack, as_of=AS_OF, jobs=2)
    assert [r.to_dict() for r in serial.reports] == [r.to_dict() for r in parallel.reports]
