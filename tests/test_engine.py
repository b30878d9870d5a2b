"""The engine with fake checks: stamping, ordering, applicability, waivers, scoring, crashing plug-ins."""
from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from conftest import AS_OF

import fourp
from fourp import checks
from fourp.pack.context import Problem


def _fail(ctx, options):
    """A check that always finds one problem, at the path its options name."""
    yield Problem(tuple(options.get("at", ())), options.get("say", "always fails"))


def _boom(ctx, options):
    raise RuntimeError("plug-in bug")
    yield  # pragma: no cover


checks.register("test-fail", _fail)
checks.register("test-boom", _boom)

PACK = """\
fourp-pack: 1
name: fake
grades: [{grade: good, min: 50}, {grade: bad, min: 0}]
rules:
  - {id: a, title: A, severity: warning, weight: 1, ps: [pursue], check: test-fail,
     options: {at: [pursue], say: "pursue problem"}, message: "A: {{ detail }}", rationale: r,
     basis: [{source: s, quote: q}], remediation: fix a}
  - {id: b, title: B, severity: error, weight: 3, check: presence, options: {require: [/id]},
     message: "{{ detail }}", rationale: r, basis: [{source: s, quote: q}], remediation: fix b}
  - {id: c, title: C, severity: info, weight: 5, check: test-fail, applies_when: [{field: /status, equals: closed}],
     message: "{{ detail }}", rationale: r, basis: [{source: s, quote: q}], remediation: fix c}
  - {id: d, title: D, severity: warning, weight: 1, check: test-boom,
     message: "{{ detail }}", rationale: r, basis: [{source: s, quote: q}], remediation: fix d}
"""


@pytest.fixture
def fake(tmp_path):
    path = tmp_path / "fake.yaml"
    path.write_text(PACK)
    return fourp.load_pack(str(path))


def test_engine_stamps_and_orders(fake):
    report = fourp.check({"status": "active"}, fake, AS_OF)
    assert [(f.rule, f.severity) for f in report.findings] == [("b", "error"), ("a", "warning"),
                                                              ("d", "warning")]
    assert report.findings[1].message == "A: pursue problem"
    assert report.findings[1].path == "/pursue"
    statuses = {r.rule: r.status for r in report.results}
    assert statuses == {"plan-structure": "pass", "a": "fail", "b": "fail", "c": "not-applicable", "d": "error"}
    assert "plug-in bug" in report.findings[2].message


def test_score_counts_only_applicable_rules(fake):
    # plan-structure (5) passes; a (1), b (3), d (1) fail; c not applicable
    report = fourp.check({"status": "active"}, fake, AS_OF)
    assert report.score == pytest.approx(100 * 5 / 10, abs=0.05)
    assert report.grade == "good"
    assert report.p_scores["pursue"] == 0.0 and report.p_scores["prevent"] is None
    with_id = fourp.check({"status": "active", "id": "X"}, fake, AS_OF)
    assert with_id.score == pytest.approx(100 * 8 / 10, abs=0.05)


def test_waivers(fake):
    base = {"status": "active", "id": "X"}
    waived = fourp.check(dict(base, waivers=[{"rule": "a", "reason": "agreed with the SOC lead",
                                              "approved_by": "Supt Wynn", "expires": "2024-12-31"}]),
                         fake, AS_OF)
    assert waived.result("a").status == "waived" and waived.result("a").waiver == "agreed with the SOC lead"
    assert not any(f.rule == "a" for f in waived.findings)
    assert waived.score == pytest.approx(100 * 8 / 9, abs=0.05)  # neither helps nor hurts
    for bad in ({"rule": "a", "approved_by": "Supt Wynn"},
                {"rule": "a", "reason": "x", "approved_by": "Supt Wynn", "expires": "2024-01-01"},
                {"rule": "a", "reason": "x"}):
        report = fourp.check(dict(base, waivers=[bad]), fake, AS_OF)
        assert report.result("a").status == "fail"
        assert report.waivers[0].valid is False and report.waivers[0].problem


def test_to_dict_has_the_documented_fields(fake):
    data = fourp.check({"status": "active"}, fake, AS_OF).to_dict()
    assert {"score", "grade", "as_of", "pack", "findings", "results"} <= set(data)
    assert {"rule", "severity", "message", "path", "line", "column"} <= set(data["findings"][0])
    assert {r["status"] for r in data["results"]} <= {"pass", "fail", "waived", "not-applicable", "error"}
    assert data["as_of"] == "2024-09-30"


def test_non_mapping_plans_fail_structure_only(pack):
    for data in ([1, 2], "text", None, 5):  # a str given to check() is a path, so wrap it as data
        report = fourp.check(fourp.plan_from_data(data), pack, AS_OF)
        assert report.score == 0.0
        assert [f.rule for f in report.findings] == ["plan-structure"]


def test_as_of_defaults_to_today(pack):
    report = fourp.check({"fourp": 1}, pack)
    assert report.as_of == dt.date.today()


def test_entry_point_plugins_are_loaded(tmp_path, monkeypatch):
    """A third party's check registered in the fourp.checks entry-point group is found by name."""
    dist = tmp_path / "site"
    (dist / "fourp_demo_plugin").mkdir(parents=True)
    (dist / "fourp_demo_plugin" / "__init__.py").write_text(textwrap.dedent('''
        from fourp.pack.context import Problem
        def check(ctx, options):
            """Flags plans whose id is not upper case."""
            value = ctx.data.get("id") if isinstance(ctx.data, dict) else None
            if isinstance(value, str) and value != value.upper():
                yield Problem(("id",), "the id is not upper case")
    '''))
    info = dist / "fourp_demo_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fourp-demo-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[fourp.checks]\nupper-id = fourp_demo_plugin:check\n")
    monkeypatch.syspath_prepend(str(dist))
    monkeypatch.setattr(checks, "_plugins_loaded", False)
    kind = checks.get("upper-id")
    assert "upper case" in kind.doc
    pack_file = tmp_path / "p.yaml"
    pack_file.write_text(PACK.split("rules:")[0] + textwrap.dedent("""\
        rules:
          - {id: upper, title: U, severity: error, weight: 1, check: upper-id, message: "{{ detail }}",
             rationale: r, basis: [{source: s, quote: q}], remediation: fix}
    """))
    report = fourp.check({"id": "abc"}, fourp.load_pack(str(pack_file)), AS_OF)
    assert [f.message for f in report.findings] == ["the id is not upper case"]


def _date_paths(data, path=()):
    """Every value in a plan that fourp reads as a date, with its path."""
    from fourp.read.dates import parse_moment

    if isinstance(data, dict):
        for key, value in data.items():
            yield from _date_paths(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _date_paths(value, path + (index,))
    elif not isinstance(data, (bool, int, float)) and parse_moment(data) is not None:
        yield path


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@pytest.mark.parametrize("example", ["good-plan.yaml", "sussex-harbour-lane.yaml", "surrey-no-lro.yaml"])
def test_a_date_fourp_cannot_read_is_reported_once_by_plan_structure_and_by_no_other_rule(pack, example):
    """`due: 31/04/2025` on an open action was also "still open after its due date"; an unreadable result
    time was reported twice. Every date of a real plan, made unreadable in turn, adds exactly one finding."""
    import copy

    import yaml

    from conftest import EXAMPLES

    data = yaml.safe_load((EXAMPLES / example).read_text("utf-8"))
    before = {(f.rule, f.path) for f in fourp.evaluate(fourp.plan_from_data(data), pack, AS_OF).findings}
    # A waiver whose expiry cannot be read is not honoured (it says why): a waiver is a pass on a rule, and
    # no one may have one on terms fourp cannot read.
    paths = [p for p in _date_paths(data) if p[0] != "waivers"]
    assert len(paths) > 10
    for path in paths:
        changed = copy.deepcopy(data)
        _set(changed, path, "31/04/2025")
        after = {(f.rule, f.path) for f in fourp.evaluate(fourp.plan_from_data(changed), pack, AS_OF).findings}
        pointer = "/" + "/".join(map(str, path))
        assert after - before == {("plan-structure", pointer)}, (pointer, after - before)


def test_an_open_action_with_an_unreadable_due_date_is_not_called_overdue(pack):
    plan = {"fourp": 1, "id": "X", "pursue": {"actions": [{"id": "PU-01", "action": "Arrest", "owner": "DC Lee",
                                                            "status": "open", "due": "31/04/2025"}]}}
    findings = [(f.rule, f.path) for f in fourp.evaluate(fourp.plan_from_data(plan), pack, AS_OF).findings
                if f.path == "/pursue/actions/0/due"]
    assert findings == [("plan-structure", "/pursue/actions/0/due")]
