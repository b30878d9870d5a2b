"""text-specific-to-threat: other threats' names learnt from the register and from an audit's other plans,
and no false positives on the force's own meetings, roles and programmes."""
from __future__ import annotations

import json

import yaml
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES, ROOT

import fourp
from fourp.cli import main

OWN = yaml.safe_load((ROOT / "tests" / "data" / "force-own-names.yaml").read_text(encoding="utf-8"))["sentences"]


def _plan(texts, name="Harbour Lane OCG", operation="Op Gannet"):
    return {"threat": {"name": name}, "operation": {"name": operation},
            "log": [{"text": text} for text in texts]}


def _findings(pack, plan, names=()):
    report = fourp.evaluate(fourp.plan_from_data(plan), pack, AS_OF, only=["text-specific-to-threat"],
                            other_names=names)
    return [f.message for f in report.findings]


def false_positives(pack, sentences):
    return [s for s in sentences if _findings(pack, _plan([s]))]


def test_the_force_s_own_meetings_roles_and_programmes_are_not_other_threats(pack):
    assert false_positives(pack, OWN) == []


def test_another_group_named_without_the_word_ocg_is_found_from_the_register(pack):
    plan = _plan(["Disrupt the Eastside Boys' supply line from the Fore Street flats."])
    assert _findings(pack, plan) == []  # not guessable from its form
    [message] = _findings(pack, plan, names=("Eastside Boys OCG", "Harbour Lane OCG"))
    assert "Eastside Boys" in message


def test_check_takes_the_register(tmp_path):
    plan = _plan(["Warrant at the Carrow Yard address executed; two arrests."])
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    register = EXAMPLES / "register.csv"
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2024-09-30", "--register", str(register),
                                       "--format", "json"])
    messages = [f["message"] for f in json.loads(result.output)["findings"]
                if f["rule"] == "text-specific-to-threat"]
    assert any("Carrow Yard OCG" in m for m in messages)


def test_an_audit_learns_other_plans_threat_and_operation_names(tmp_path):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(
        {"fourp": 1, "id": "A", "threat": {"name": "Eastside Boys OCG"}, "operation": {"name": "Op Kestrel"},
         "log": [{"at": "2024-09-01T10:00", "text": "Op Kestrel warrants executed at the Eastside Boys' flats."}]}))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(
        {"fourp": 1, "id": "B", "threat": {"name": "Harbour Lane OCG"},
         "log": [{"at": "2024-09-01T10:00", "text": "Disrupt the Eastside Boys supply line in Fore Street."}]}))
    result = CliRunner().invoke(main, ["audit", str(tmp_path), "--as-of", "2024-09-30", "--format", "json",
                                       "--no-cache", "--jobs", "1"])
    plans = {p["file"].rsplit("/", 1)[-1][0].upper(): p for p in json.loads(result.output)["plans"]}
    b = [f["message"] for f in plans["B"]["findings"] if f["rule"] == "text-specific-to-threat"]
    a = [f["message"] for f in plans["A"]["findings"] if f["rule"] == "text-specific-to-threat"]
    assert len(b) == 1 and "Eastside Boys OCG" in b[0] and a == []


def test_a_plan_sharing_its_threat_name_with_another_is_not_judged_again(tmp_path, monkeypatch):
    # An old copy and the live plan, or two plans for one group, share a name: a plan naming its own
    # threat must not be read and judged again as if its own name were another threat's.
    for letter in "AB":
        (tmp_path / f"{letter.lower()}.yaml").write_text(yaml.safe_dump(
            {"fourp": 1, "id": letter, "threat": {"name": "Eastside Boys OCG"}, "operation": {"name": "Op Kestrel"},
             "log": [{"at": "2024-09-01T10:00", "text": "Op Kestrel warrants executed at the Eastside Boys' flats."}]}))
    import fourp.audit
    import fourp.read

    reads = []
    original = fourp.read.read
    monkeypatch.setattr(fourp.read, "read", lambda *a, **k: reads.append(a[0]) or original(*a, **k))
    result = fourp.audit.audit([str(tmp_path)], as_of=AS_OF, jobs=1)
    assert len(reads) == 2  # each plan read once, for its own evaluation
    for report in result.reports:
        assert not [f for f in report.findings if f.rule == "text-specific-to-threat"]
