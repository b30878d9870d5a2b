"""Auditing a folder: discovery, parallel evaluation, per-file errors and the summary's counts."""
from __future__ import annotations

import dataclasses
import os
import shutil

import pytest
from conftest import AS_OF, EXAMPLES

from fourp.audit import audit, discover


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
    assert [os.path.relpath(f, folder) for f in files] == ["broken.yaml", "good.yaml",
                                                           os.path.join("sub", "surrey.yml")]


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


def _copies_of_the_examples(folder, times=2):
    """Enough distinct plan files (discover() reads each real file once) for jobs=2 to use the pool."""
    folder.mkdir()
    for n in range(times):
        for example in sorted(EXAMPLES.glob("*.yaml")):
            shutil.copy(example, folder / f"{n}-{example.name}")
    return folder


def _with_rule_disabled(pack, rule_id):
    return dataclasses.replace(pack, rules=tuple(dataclasses.replace(r, enabled=False) if r.id == rule_id
                                                 else r for r in pack.rules))


def test_parallel_and_serial_agree_and_workers_judge_by_the_pack_given(tmp_path, pack, monkeypatch):
    """A pack changed in memory (a rule disabled through the API) judges every plan whatever `jobs` is,
    and the plans really are judged in worker processes (the pid each was evaluated in is recorded)."""
    import fourp.audit

    folder = _copies_of_the_examples(tmp_path / "plans")
    changed = _with_rule_disabled(pack, "lro-named")
    evaluate_one = fourp.audit._evaluate_one

    def recording(*args):  # workers are forked, so they run this too
        result = evaluate_one(*args)
        if isinstance(result, fourp.Report):
            result.meta["pid"] = os.getpid()
        return result

    monkeypatch.setattr(fourp.audit, "_evaluate_one", recording)
    serial = audit([str(folder)], pack=changed, as_of=AS_OF, jobs=1)
    parallel = audit([str(folder)], pack=changed, as_of=AS_OF, jobs=2)
    assert len(parallel.reports) >= 2 * 2  # enough for the pool
    assert {r.meta["pid"] for r in serial.reports} == {os.getpid()}
    workers = {r.meta["pid"] for r in parallel.reports}
    assert workers and os.getpid() not in workers, "the plans were not evaluated in worker processes"
    assert [r.to_dict() for r in serial.reports] == [r.to_dict() for r in parallel.reports]
    assert all(r.result("lro-named") is None for r in parallel.reports)
    assert any(r.result("lro-named").status == "fail"
               for r in audit([str(folder)], pack=pack, as_of=AS_OF, jobs=2).reports)
