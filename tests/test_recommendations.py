"""The inspection's recommendations in a pack: the shipped ones, their state and days to the deadline at the
as-of date in the audit's reports, and the pack errors a bad one gives."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES

import fourp
from fourp.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def recommendations(*args, as_of="2024-09-30"):
    result = run("audit", *args, "--as-of", as_of, "--format", "json", "--jobs", "1", "--no-cache")
    return {r["id"]: r for r in json.loads(result.stdout)["recommendations"]}


def test_the_shipped_pack_lists_the_reports_recommendations_on_plans(pack):
    recs = {r.id: r for r in pack.recommendations}
    assert list(recs) == ["region-4p-plans", "hampshire-intelligence-shared", "hampshire-analytical-support",
                          "hampshire-4p-quality", "surrey-4p-quality", "sussex-4p-quality",
                          "thames-valley-4p-quality"]
    assert recs["hampshire-intelligence-shared"].deadline == dt.date(2025, 3, 1)
    assert recs["hampshire-intelligence-shared"].line == "117"
    assert recs["hampshire-intelligence-shared"].text.startswith("By 1 March 2025, Hampshire and Isle of Wight")
    assert recs["hampshire-analytical-support"].deadline == dt.date(2025, 9, 1)
    assert recs["region-4p-plans"].forces == () and recs["region-4p-plans"].line == "37-40"
    assert "no plan fails four-ps-covered" in recs["region-4p-plans"].target_text
    for rec in recs.values():  # every rule named is one of the pack's
        for rule in rec.evidence + rec.no_plan_fails + rec.portfolio_passes:
            pack.rule(rule)


def test_the_audit_shows_each_with_its_state_and_days_to_its_deadline_at_the_as_of_date():
    recs = recommendations(EXAMPLES)
    hampshire = recs["hampshire-intelligence-shared"]
    assert (hampshire["deadline"], hampshire["days_left"], hampshire["overdue"]) == ("2025-03-01", 152, False)
    assert hampshire["plans"] == 1 and hampshire["state"] == "met"
    surrey = recs["surrey-4p-quality"]
    assert surrey["state"] == "not-met" and surrey["deadline"] is None and surrey["days_left"] is None
    assert {t["rule"]: t["failing"] for t in surrey["targets"]} == {"lro-named": 1, "lro-owns-plan": 1,
                                                                    "safeguarding-linked": 1}
    region = recs["region-4p-plans"]
    assert region["plans"] == 7 and region["state"] == "not-met"
    assert {t["rule"]: t.get("status") for t in region["targets"] if t["scope"] == "portfolio"} == {
        "one-template": "pass", "no-copied-text": "fail"}
    # the same plans a year on: the deadline has passed (never the wall clock: the as-of date decides)
    later = recommendations(EXAMPLES, as_of="2025-09-30")["hampshire-analytical-support"]
    assert later["days_left"] == -29
    assert later["state"] == "not-met" and later["overdue"]  # the threat assessment is out of date by then


def test_fixing_the_plans_meets_the_target(tmp_path):
    plan = yaml.safe_load((EXAMPLES / "surrey-no-lro.yaml").read_text(encoding="utf-8"))
    good = yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text(encoding="utf-8"))
    plan.update(lro=good["lro"], author=good["author"], safeguarding=good["safeguarding"])
    (tmp_path / "surrey.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    surrey = recommendations(tmp_path)["surrey-4p-quality"]
    assert surrey["state"] == "met", surrey["targets"]
    assert recommendations(tmp_path)["sussex-4p-quality"]["state"] == "not-judged"  # no Sussex plan here


def test_the_text_report_and_dashboard_show_them(tmp_path):
    text = run("audit", EXAMPLES, "--as-of", "2024-09-30", "--no-color").stdout
    assert "Recommendations (where the plans stand against each target, at the as-of date)" in text
    assert "hampshire-intelligence-shared  MET  deadline 2025-03-01, 152 days left" in text
    assert "surrey-4p-quality  NOT MET  no deadline set" in text
    page = tmp_path / "audit.html"
    run("audit", EXAMPLES, "--as-of", "2024-09-30", "--format", "html", "-o", page)
    html = page.read_text(encoding="utf-8")
    assert '<h2 id="recommendations">Recommendations</h2>' in html
    row = html.split('<tr id="rec-hampshire-intelligence-shared">')[1].split("</tr>")[0]
    assert "2025-03-01" in row and "152 days left" in row and "state-met" in row and "(HMICFRS 2024, L117)" in row


PACK = """fourp-pack: 1
name: force
extends: hmicfrs-2024
recommendations:
{entries}
"""


def write_pack(tmp_path, entries):
    path = tmp_path / "force.yaml"
    path.write_text(PACK.format(entries=entries), encoding="utf-8")
    return str(path)


def test_a_force_pack_gives_an_area_for_improvement_its_own_deadline(tmp_path):
    path = write_pack(tmp_path, """  - id: surrey-4p-quality
    addressed_to: Surrey Police
    forces: [Surrey Police]
    deadline: 2025-01-31
    text: Surrey Police should improve the quality of its 4P plans
    source: HMICFRS 2024
    line: 207
    evidence: [lro-named]
    target: {no_plan_fails: [lro-named]}""")
    pack = fourp.load_pack(path)
    recs = {r.id: r for r in pack.recommendations}
    assert len(recs) == 7 and recs["surrey-4p-quality"].deadline == dt.date(2025, 1, 31)
    assert list(recs).index("surrey-4p-quality") == 4  # replaced where it was
    assert recommendations(EXAMPLES, "--pack", path)["surrey-4p-quality"]["days_left"] == 123


@pytest.mark.parametrize("entry, line, code", [
    ("target: {no_plan_fails: [no-such-rule]}", 10, "unknown-rule"),
    ("target: {no_plan_fails: [no-copied-text]}", 10, "invalid-pack"),
    ("target: {portfolio_passes: [lro-named]}", 10, "invalid-pack"),
    ("deadline: next spring\n    target: {no_plan_fails: [lro-named]}", 10, "invalid-pack"),
], ids=["unknown", "portfolio-as-plan", "plan-as-portfolio", "bad-deadline"])
def test_a_bad_recommendation_is_a_pack_error_with_its_line(tmp_path, entry, line, code):
    path = write_pack(tmp_path, f"""  - id: x
    text: Something
    source: HMICFRS 2024
    line: 1
    evidence: [lro-named]
    {entry}""")
    with pytest.raises(fourp.PackError) as info:
        fourp.load_pack(path)
    assert (info.value.line, info.value.code) == (line, code), info.value
    assert "recommendation 'x'" in info.value.reason


def test_a_force_s_cross_plan_target_reads_plans_with_the_audit_s_mappings(monkeypatch):
    # Sussex's recommendation is judged on `no-copied-text` over Sussex's plans alone, re-reading their prose:
    # a plan kept in a force's own Word template must be read with the mapping the audit was given.
    import fourp.portfolio.copied_text as copied_text

    given = []
    real = copied_text.reader_for_files
    monkeypatch.setattr(copied_text, "reader_for_files",
                        lambda max_bytes=None, mappings=(): given.append(tuple(mappings)) or real(max_bytes, mappings))
    mapping = EXAMPLES / "force-template" / "wessex.mapping.yaml"
    assert recommendations(EXAMPLES, "--mapping", mapping)["sussex-4p-quality"]
    assert given and all(len(m) == 1 and m[0].file == str(mapping) for m in given)
