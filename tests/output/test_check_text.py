"""`fourp check`'s text report, written in Python so a cold check need not load Jinja, says exactly what the
shipped templates/text.j2 says: byte for byte, in colour and without, on every example, calibration and
hostile plan, files that cannot be read, several plans at once, waivers valid and not, and text that tries
to break out of its line."""
from __future__ import annotations

import copy
import datetime as dt
import glob
import os

import pytest

from fourp import evaluate, load_pack, plan_from_data
from fourp.output import format_report
from fourp.output.render import render, template_data
from fourp.output.text import check_text
from fourp.read import read
from fourp.read.plan import PlanError, load_plan

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AS_OF = dt.date(2024, 9, 30)


def _files():
    found = []
    for pattern in ("examples/*.yaml", "tests/calibration/**/*.yaml", "tests/hostile/plans/**/*",
                    "tests/data/**/*.yaml", "tests/data/**/*.json"):
        found += [f for f in glob.glob(os.path.join(ROOT, pattern), recursive=True)
                  if os.path.isfile(f) and not f.endswith("expected.yaml")]
    return sorted(found)


@pytest.fixture(scope="module")
def judged():
    pack = load_pack()
    reports, errors = [], []
    for file in _files():
        try:
            reports.append(evaluate(read(file, 10_000_000, ()), pack, AS_OF))
        except PlanError as exc:
            errors.append(exc)
    base = load_plan(os.path.join(ROOT, "examples", "sussex-harbour-lane.yaml")).data
    odd = copy.deepcopy(base)
    odd["waivers"] = [
        {"rule": "threat-assessment-current", "reason": "booked\x1b[31m re-score\nPASS 100",
         "approved_by": "Supt\u202eA"},
        {"rule": "no-such-rule", "reason": "a waiver for nothing", "approved_by": "DI B", "expires": "2024-10-31"},
        {"rule": "threat-assessment-current", "reason": "expired", "approved_by": "DI C", "expires": "2023-01-01"},
    ]
    odd["plan_id"] = "ID\x1b]0;title\x07\rSXP"
    reports.append(evaluate(plan_from_data(odd, "odd\nname.yaml"), pack, AS_OF))
    assert len(reports) > 40 and errors  # the corpus is what it is meant to be
    return pack, reports, errors


def _same(data):
    for colour in (False, True):
        assert check_text(data, colour) == render(data, "text", colour)  # render: by text.j2, in Jinja


def test_each_plan_and_each_unreadable_file_reads_as_the_template_writes_it(judged):
    pack, reports, errors = judged
    for report in reports:
        for most in (1, 5):
            _same(template_data([report], pack, fail_on="error", min_score=0.0, max_per_rule=most))
    for error in errors:
        _same(template_data([], pack, [error], max_per_rule=5))


def test_many_plans_and_errors_in_one_report_read_as_the_template_writes_them(judged):
    pack, reports, errors = judged
    _same(template_data(reports, pack, errors, fail_on="warning", min_score=80.0, max_per_rule=2))
    waived = [r for r in reports if r.waivers]
    assert waived and any("\x1b" in w.reason for r in waived for w in r.waivers)


def test_the_text_format_of_a_check_is_written_in_python_and_of_an_audit_by_its_template(judged, monkeypatch):
    import fourp.output.render as render_module
    import fourp.output.text as text

    pack, reports, _ = judged
    monkeypatch.setattr(text, "check_text", lambda data, colour: "check, in Python")
    monkeypatch.setattr(render_module, "report_text",
                        lambda fmt, data, document, colour: f"{data['kind']}, by template")
    assert format_report("text", template_data(reports[:1], pack, max_per_rule=5)) == "check, in Python"
    assert format_report("text", {"kind": "audit"}) == "audit, by template"
