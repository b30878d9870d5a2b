"""The benchmark's own parts work (the benchmark itself is run by hand, never by the tests): the generator
writes plans in the plan format that fail exactly what it put into them, and bench/run.py runs end to end
on a handful of plans."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
sys.path.insert(0, BENCH)

import generate  # noqa: E402


def test_generated_plans_follow_the_format_and_fail_what_was_put_in(tmp_path):
    from fourp import evaluate, load_pack, load_plan
    from fourp.schemas import plan_validator

    failing = generate.generate(30, str(tmp_path / "failing"), seed=3, fail_share=0.3, copy_share=0.2)
    clean = generate.generate(8, str(tmp_path / "clean"), seed=4, fail_share=0.0)
    assert json.loads((tmp_path / "failing" / ".manifest.json").read_text())["plans"] == failing["plans"]
    pack = load_pack()
    made_any = set()
    passing = 0
    for name, made, folder in [(n, m, f) for f, manifest in (("failing", failing), ("clean", clean))
                               for n, m in manifest["plans"].items()]:
        plan = load_plan(str(tmp_path / folder / name))
        # a spelling failing (`status: Active`) is the one departure from the format's enums it makes
        assert plan_validator().is_valid(plan.data) or "plan-spelling" in made, name
        failed = {r.rule for r in evaluate(plan, pack, dt.date(2024, 9, 30)).results
                  if r.status in ("fail", "error")}
        wanted = set(made) - {generate.COPIED}
        assert wanted <= failed, (name, wanted - failed)
        if not wanted:
            passing += 1
            assert not failed, (name, failed)  # a plan given no failing passes every rule
        made_any |= set(made)
    assert passing >= 8 and len(made_any) > 15 and generate.COPIED in made_any


def test_a_plan_is_the_same_whatever_the_count(tmp_path):
    generate.generate(3, str(tmp_path / "a"), seed=5)
    generate.generate(6, str(tmp_path / "b"), seed=5)
    for name in ("plan-00000.yaml", "plan-00002.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_benchmark_runs_end_to_end_on_a_few_plans(tmp_path, capsys, monkeypatch):
    import run

    monkeypatch.setattr(run, "SPECTRAL", str(tmp_path / "no-spectral"))  # Spectral is optional
    assert run.main(["--sizes", "20", "--repeat", "1", "--work", str(tmp_path), "--json",
                     str(tmp_path / "out.json")]) == 0
    out = capsys.readouterr().out
    assert "| 20 | parse floor |" in out and "fourp audit again, unchanged" in out and "Targets:" in out
    figures = json.loads((tmp_path / "out.json").read_text())
    size = figures["sizes"][0]
    assert size["size"] == 20 and "spectral" not in size
    assert all(size[k]["seconds"] > 0 for k in ("floor", "audit_1", "audit_all", "audit_first", "audit_again"))
    assert figures["check"]["check"]["runs"] >= 10
