"""Verdicts an inspector would sign (issue 10): brevity of a plan, a plan's whole life, rules that agree,
what the officer meant, one defect one finding, and grades that separate."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

import fourp
from fourp.cli import main


def good_plan():
    return yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text(encoding="utf-8"))


def statuses(report):
    return {r.rule: r.status for r in report.results}


def rules_found(report, severities=("critical", "error", "warning")):
    return {f.rule for f in report.findings if f.severity in severities}


# -- brevity judged as the report judges it ------------------------------------------------------------

@pytest.mark.parametrize("text", ["£41k cash seized at the address", "Two of three now engaging",
                                  "Tenant rehoused in Reading", "Accounts restrained under POCA.",
                                  "Suspect charged", "Closure order granted"])
def test_terse_entries_that_carry_a_fact_are_substantive(judge, text):
    plan = good_plan()
    for section in ("pursue", "prevent", "protect", "prepare"):
        for action in plan[section]["actions"]:
            if isinstance(action.get("result"), dict):
                action["result"]["text"] = text
    assert statuses(judge(plan, "entries-substantive"))["entries-substantive"] == "pass"


def test_a_plan_of_brief_entries_fails_and_names_the_briefest(judge):
    plan = good_plan()
    for section in ("pursue", "prevent", "protect", "prepare"):
        plan[section]["objectives"] = ["Disrupt supply"]
        for action in plan[section]["actions"]:
            action["action"] = "Visit address"
            if isinstance(action.get("result"), dict):
                action["result"]["text"] = "Visited"
    report = judge(plan, "entries-substantive")
    [finding] = report.findings
    assert "are brief" in finding.message and "“Visited”" in finding.message


@pytest.mark.parametrize("placeholder", ["Complete", "NFA", "TBC", "ongoing", "see above"])
def test_a_placeholder_fails_wherever_it_stands_and_a_done_action_with_one_has_no_result(judge, placeholder):
    plan = good_plan()
    plan["pursue"]["actions"][0]["result"]["text"] = placeholder
    report = judge(plan, "entries-substantive", "actions-resulted")
    assert statuses(report) == {"entries-substantive": "fail", "actions-resulted": "fail"}


# -- a plan's whole life ---------------------------------------------------------------------------------

def closed_plan_reviewed_twice():
    plan = good_plan()
    plan["status"] = "closed"
    plan["created"] = "2023-06-01T09:00"
    plan["closure"] = {"closed": "2024-09-01T10:00", "reason": "Principals convicted",
                       "debrief": {"at": "2024-09-01T12:00", "by": "DI Amy Lee",
                                   "learning": "Housing should be engaged from the first week."}}
    plan["reviews"] = [{"at": "2023-11-10T10:00", "by": plan["lro"]["name"], "role": "lro", "summary": "x"},
                       {"at": "2024-06-20T10:00", "by": plan["lro"]["name"], "role": "lro", "summary": "y"}]
    plan["quality_assurance"] = []
    return plan


def test_a_closed_plan_is_judged_over_its_life(pack):
    report = fourp.evaluate(fourp.plan_from_data(closed_plan_reviewed_twice()), pack, dt.date(2025, 9, 30))
    found = statuses(report)
    assert found["lro-reviews-regular"] == "fail" and found["qa-evidenced"] == "fail"
    assert report.grade not in ("good", "outstanding")
    # judged to its closure, not to the as-of date a year later
    messages = [f.message for f in report.findings if f.rule == "lro-reviews-regular"]
    assert any("2024-09-01, when the plan closed" in m for m in messages), messages


def test_a_closed_plan_s_assessment_is_judged_when_it_closed(judge):
    plan = good_plan()
    plan["status"] = "closed"
    plan["closure"] = {"closed": plan["threat"]["assessment"]["assessed"]}
    plan["threat"]["assessment"]["next_review"] = "2024-12-01"  # passed by the as-of date, not at closure
    assert statuses(judge(plan, "threat-assessment-current", as_of=dt.date(2025, 9, 30)))[
        "threat-assessment-current"] == "pass"


def test_a_draft_in_use_is_judged_as_active_and_is_itself_a_finding(judge):
    plan = good_plan()
    plan["status"] = "draft"
    plan["quality_assurance"] = []
    found = statuses(judge(plan))
    assert found["draft-in-use"] == "fail" and found["qa-evidenced"] == "fail"


def test_a_new_draft_is_neither(judge):
    plan = {"fourp": 1, "status": "draft", "created": "2024-09-25T09:00",
            "log": [{"at": "2024-09-25T09:00", "by": "Tom Reade", "text": "Plan drafted after the ROCTA assessment."}]}
    found = statuses(judge(plan))
    assert found["draft-in-use"] == "pass" and found["qa-evidenced"] == "not-applicable"


# -- rules that agree ------------------------------------------------------------------------------------

KINDS = st.sampled_from(["ocg", "priority-individual", "vulnerability", None])
ACTION = st.fixed_dictionaries({"status": st.sampled_from(["done", "open"])},
                               optional={"disruption": st.fixed_dictionaries(
                                   {"reference": st.just("APMIS-D-1"), "impact": st.just("minor")})})


@given(kind=KINDS, status=st.sampled_from(["active", "closed", "draft"]), actions=st.lists(ACTION, max_size=4))
def test_no_plan_fails_both_for_recording_and_for_recording_a_disruption(pack, kind, status, actions):
    plan = {"status": status, "created": "2023-01-01T09:00", "closure": {"closed": "2024-06-01T10:00"},
            "threat": {"kind": kind} if kind else {}, "pursue": {"actions": actions}}
    report = fourp.evaluate(fourp.plan_from_data(plan), pack, AS_OF,
                            only=["disruptions-recorded", "disruptions-meet-standard"])
    wants_one = report.result("disruptions-recorded").status == "fail"
    forbids = any("only against organised crime groups" in f.message for f in report.findings)
    assert not (wants_one and forbids)


# -- what the officer wrote, read as meant ------------------------------------------------------------

COMMA = """\
fourp: 1
status: active
pursue:
  actions:
    - id: PU-01
      action: Execute the warrant at the Fore Street address.
      ownr: DS Amira Khan
      due: 2024-05-01
      status: done
      result: {at: 2024-04-22T16:05, text: Warrant executed, two arrests, cannabis seized.}
"""


def test_check_names_a_comma_split_and_a_misspelt_field_with_the_fix(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(COMMA, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2024-09-30", "--no-color"])
    out = " ".join(result.output.split())
    assert "field `ownr`" in out and "did you mean `owner`?" in out
    assert "“two arrests”" in out and 'text: "Warrant executed, two arrests, cannabis seized."' in out
    assert "plan.yaml:7:" in out and "plan.yaml:10:" in out
    # the owner plan-structure reports as misspelt is not reported missing again
    assert "has no owner" not in out.replace("has no owner\n", "") or "actions-allocated" not in out


def test_enumerated_values_in_the_wrong_case_are_understood_warned_and_do_not_cap_the_grade(pack):
    plan = good_plan()
    plan["status"] = "Active"
    plan["author"]["role"] = "LRO"
    plan["pursue"]["actions"][0]["status"] = "Done"
    report = fourp.evaluate(fourp.plan_from_data(plan), pack, AS_OF)
    assert rules_found(report) == {"plan-spelling"}
    assert {f.severity for f in report.findings} == {"warning"}
    assert "`done`" in " ".join(f.message for f in report.findings)
    assert report.grade == "outstanding"


def test_a_rank_at_the_front_of_the_name_counts_as_the_rank(judge):
    plan = good_plan()
    plan["lro"].pop("rank", None)
    plan["lro"]["name"] = "Ch Insp Tom Reade"
    assert statuses(judge(plan, "lro-named"))["lro-named"] == "pass"
    plan["lro"]["name"] = "Tom Reade"
    assert statuses(judge(plan, "lro-named"))["lro-named"] == "fail"


# -- one defect, one finding -----------------------------------------------------------------------------

def test_an_unreadable_value_is_reported_once(pack):
    plan = good_plan()
    plan["pursue"]["actions"][0]["result"]["at"] = "yesterday afternoon"
    report = fourp.evaluate(fourp.plan_from_data(plan), pack, AS_OF)
    assert [f.rule for f in report.findings] == ["plan-structure"]


def test_a_passed_review_date_and_the_assessment_s_age_are_one_finding(judge):
    plan = good_plan()
    plan["threat"]["assessment"].update(assessed="2022-06-01T10:00", next_review="2023-06-01")
    report = judge(plan, "threat-assessment-current")
    assert len(report.findings) == 1 and "next review" in report.findings[0].message


# -- grades that separate --------------------------------------------------------------------------------

def test_any_failing_the_report_names_grades_at_most_adequate(pack):
    for rule in pack.plan_rules:
        if rule.severity in ("error", "warning") and rule.limits_grade:
            failed = {rule.severity: 1}
            assert pack.grade_for(99.0, failed) not in ("good", "outstanding"), rule.id
    assert pack.grade_for(99.0, {}) == "outstanding"
    assert pack.grade_for(80.0, {"info": 1}) == "good"


def test_a_result_without_its_date_is_one_finding(pack):
    plan = good_plan()
    del plan["pursue"]["actions"][0]["result"]["at"]
    report = fourp.evaluate(fourp.plan_from_data(plan), pack, AS_OF)
    assert [f.rule for f in report.findings] == ["entries-timed-dated"]


def test_no_prevent_or_protect_action_is_one_finding(pack):
    plan = good_plan()
    plan["prevent"]["actions"], plan["protect"]["actions"] = [], []
    report = fourp.evaluate(fourp.plan_from_data(plan), pack, AS_OF,
                            only=["four-ps-covered", "pursue-not-dominant"])
    assert report.result("four-ps-covered").status == "fail"
    assert not [f for f in report.findings if f.rule == "pursue-not-dominant" and "Prevent and Protect" in f.message]
