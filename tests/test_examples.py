"""What each shipped example plan must find: the report's failings for each force, and none for the good plan."""
from __future__ import annotations

import pytest
from conftest import AS_OF, EXAMPLES

import fourp

EXPECTED = {
    "good-plan.yaml": set(),
    "sussex-harbour-lane.yaml": set(),
    "hampshire-brief-undated.yaml": {"entries-timed-dated", "entries-substantive", "qa-evidenced",
                                     "actions-resulted"},
    "surrey-no-lro.yaml": {"lro-named", "lro-owns-plan", "plan-before-operation", "pursue-not-dominant",
                           "four-ps-covered", "plan-kept-current", "safeguarding-linked", "actions-overdue",
                           "lro-reviews-regular", "qa-evidenced", "disruptions-recorded", "partners-engaged"},
    "sussex-copied-text.yaml": {"threat-assessed", "text-specific-to-threat", "lro-reviews-regular",
                                "lro-owns-plan"},
    "thames-valley-no-results.yaml": {"actions-resulted", "safeguarding-linked", "lro-owns-plan",
                                      "disruptions-recorded"},
    "serocu-closed.yaml": {"threat-assessment-whole", "disruptions-meet-standard", "closure-debriefed"},
}


def test_every_example_is_pinned():
    assert {p.name for p in EXAMPLES.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_findings(pack, name):
    report = fourp.check(str(EXAMPLES / name), pack, AS_OF)
    assert {f.rule for f in report.findings} == EXPECTED[name]
    assert all(f.line is not None and f.column is not None for f in report.findings)
    assert {r.rule for r in report.results if r.status == "fail"} == EXPECTED[name]


def test_good_plan_scores_high_with_no_error(pack):
    report = fourp.check(str(EXAMPLES / "good-plan.yaml"), pack, AS_OF)
    assert report.score >= 90 and report.grade == "outstanding"
    assert not report.failed("info")


def test_waiver_is_shown_with_its_reason(pack):
    report = fourp.check(str(EXAMPLES / "sussex-harbour-lane.yaml"), pack, AS_OF)
    result = report.result("threat-assessment-current")
    assert result.status == "waived" and "booked" in result.waiver
    # once the waiver has expired it counts for nothing
    later = fourp.check(str(EXAMPLES / "sussex-harbour-lane.yaml"), pack, fourp.report.dt.date(2024, 11, 15))
    assert later.result("threat-assessment-current").status == "fail"


def test_surrey_is_the_worst_and_grades_follow_the_inspectorate(pack):
    reports = {n: fourp.check(str(EXAMPLES / n), pack, AS_OF) for n in EXPECTED}
    assert min(reports, key=lambda n: reports[n].score) == "surrey-no-lro.yaml"
    assert reports["surrey-no-lro.yaml"].grade == "requires improvement"
    # a plan that fails an error-severity rule cannot be good, whatever its score
    assert reports["hampshire-brief-undated.yaml"].grade == "adequate"
