"""The calibration set: plans written from the HMICFRS report as an inspector would judge them, not from the pack."""
from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any, Dict, List, Mapping

import pytest
import yaml

import fourp
from fourp.audit import audit

HERE = pathlib.Path(__file__).resolve().parent / "calibration"
PLANS = HERE / "plans"
VERDICTS: Dict[str, Any] = yaml.safe_load((HERE / "verdicts.yaml").read_text(encoding="utf-8"))
PLAN_VERDICTS: Dict[str, Mapping[str, Any]] = VERDICTS["plans"]
FOLDER_VERDICTS: Dict[str, Mapping[str, Any]] = VERDICTS.get("folder") or {}
PLAN_FILES = sorted(p.name for p in PLANS.glob("*.yaml"))

# An inspector's "pass" means the plan does not fall short on that point; a rule that rightly does not
# apply to this plan (a disruption rule on a priority individual, say) says the same thing.
PASSING = {"pass", "not-applicable"}
GOOD_GRADES_AT_LEAST = "good"      # a good plan grades here or better
BAD_GRADES_AT_MOST = "adequate"    # a plan carrying a failing the report names grades here or worse


def _as_of(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _band(pack: fourp.RulePack, grade: str) -> int:
    """The grade's position in the pack's bands, best first: compared by position, not by wording."""
    names = [band.grade for band in pack.grades]
    assert grade in names, f"the pack's grade bands {names} have no {grade!r}"
    return names.index(grade)


def _rule_problems(plan: str, expected: Mapping[str, Mapping[str, Any]], got: Mapping[str, str],
                   known: set) -> List[str]:
    problems = []
    for rule, want in expected.items():
        if rule not in known:
            problems.append(f"{plan}: rule {rule!r} is not in the pack "
                            "(verdicts.yaml names a rule id that does not exist)")
            continue
        status = got.get(rule, "missing")
        ok = status in PASSING if want["expect"] == "pass" else status == "fail"
        if not ok:
            basis = f" [basis {want['basis']}]" if want.get("basis") else ""
            problems.append(f"{plan}: rule {rule}: expected {want['expect']}, got {status}{basis} - "
                            f"inspector: {want.get('reason', '')}")
    return problems


def test_every_plan_has_a_verdict_and_every_verdict_a_plan():
    assert sorted(PLAN_VERDICTS) == PLAN_FILES
    for name, verdict in FOLDER_VERDICTS.items():
        for path in verdict["paths"]:
            assert (HERE / path).exists(), f"folder {name}: {path} does not exist"
        for rule, want in verdict["rules"].items():
            assert set(want) <= {"expect", "basis", "reason"}, f"folder {name}: {rule} has stray keys {sorted(want)}"
    assert {v["verdict"] for v in PLAN_VERDICTS.values()} <= {"good", "bad"}
    for name, verdict in PLAN_VERDICTS.items():
        for rule, want in (verdict.get("rules") or {}).items():
            # An unquoted reason with a comma inside {...} splits into stray keys: keep the file honest.
            assert set(want) <= {"expect", "basis", "reason"}, f"{name}: {rule} has stray keys {sorted(want)}"
            assert want["expect"] in ("pass", "fail"), (name, rule)
            if want["expect"] == "fail":
                assert want.get("basis"), f"{name}: {rule} fails with no report line as its basis"
        if verdict["verdict"] == "bad":
            assert any(w["expect"] == "fail" for w in verdict["rules"].values()), f"{name}: bad but fails nothing"


@pytest.mark.parametrize("name", PLAN_FILES, ids=PLAN_FILES)
def test_plan_is_a_valid_plan(name, pack):
    """The set tests judgement, not parsing: every plan must be well formed under the plan format."""
    report = fourp.check(str(PLANS / name), pack, as_of=_as_of(PLAN_VERDICTS[name]["as_of"]))
    structure = report.result("plan-structure")
    assert structure is None or structure.status == "pass", (
        f"{name}: plan-structure {structure.status}: "
        + "; ".join(f.message for f in report.findings if f.rule == "plan-structure"))


@pytest.mark.parametrize("name", PLAN_FILES, ids=PLAN_FILES)
def test_plan_verdict(name, pack):
    verdict = PLAN_VERDICTS[name]
    report = fourp.check(str(PLANS / name), pack, as_of=_as_of(verdict["as_of"]))
    got = {r.rule: r.status for r in report.results}
    problems = _rule_problems(name, verdict.get("rules") or {}, got, {r.id for r in pack.rules})
    position = _band(pack, report.grade)
    if verdict["verdict"] == "good":
        if position > _band(pack, GOOD_GRADES_AT_LEAST):
            problems.append(f"{name}: grade: expected {GOOD_GRADES_AT_LEAST} or better, got {report.grade} "
                            f"({report.score}) - inspector: {verdict['why']}")
        for finding in report.findings:
            if finding.severity in ("error", "warning"):
                problems.append(f"{name}: rule {finding.rule}: expected no finding at warning or above on a "
                                f"good plan, got {finding.severity} at {finding.path}: {finding.message}")
    else:
        if position < _band(pack, BAD_GRADES_AT_MOST):
            basis = ", ".join(sorted({str(w['basis']) for w in verdict['rules'].values() if w.get('basis')}))
            problems.append(f"{name}: grade: expected {BAD_GRADES_AT_MOST} or worse, got {report.grade} "
                            f"({report.score}) [basis {basis}] - inspector: {verdict['why']}")
    assert not problems, "\n".join(problems)


FOLDER_IDS = sorted(FOLDER_VERDICTS)


@pytest.mark.parametrize("name", FOLDER_IDS, ids=FOLDER_IDS)
def test_folder_verdict(name, pack):
    verdict = FOLDER_VERDICTS[name]
    paths = [str(HERE / p) for p in verdict["paths"]]
    result = audit(paths, pack=pack, as_of=_as_of(verdict["as_of"]), jobs=1)
    got = {r["rule"]: r["status"] for r in result.portfolio.get("results", ())}
    problems = _rule_problems(f"folder {name}", verdict["rules"], got, {r.id for r in pack.rules})
    assert not problems, "\n".join(problems)
