"""Loading, extending and overriding packs, and the errors a bad pack gives."""
from __future__ import annotations

import textwrap

import pytest
from conftest import AS_OF, EXAMPLES

import fourp
from fourp.verify import verify_pack

CRITERIA_IDS = [
    "lro-named", "lro-owns-plan", "lro-trained", "entries-timed-dated", "entries-substantive",
    "threat-assessed", "threat-assessment-whole", "threat-assessment-current", "four-ps-covered",
    "pursue-not-dominant", "actions-allocated", "actions-resulted", "actions-overdue", "safeguarding-linked",
    "plan-before-operation", "plan-kept-current", "lro-reviews-regular", "qa-evidenced",
    "disruptions-recorded", "disruptions-meet-standard", "text-specific-to-threat", "partners-engaged",
    "lifetime-management-considered", "intelligence-referenced", "dates-consistent", "closure-debriefed",
]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_default_pack_has_every_single_plan_rule_of_the_criteria(pack):
    ids = [r.id for r in pack.rules]
    assert set(CRITERIA_IDS) <= set(ids)
    for rule in pack.rules:
        assert rule.basis and all(b.get("quote") for b in rule.basis), rule.id
        assert rule.remediation.strip() and rule.rationale.strip(), rule.id
        assert {e["expect"] for e in rule.examples} >= {"pass", "fail"}, rule.id
        for name, doc in rule.param_docs.items():
            assert str(doc["basis"]).strip(), (rule.id, name)


@pytest.mark.parametrize("result", list(verify_pack(fourp.load_pack())),
                         ids=lambda r: f"{r.rule}:{r.name}")
def test_pack_examples(result):
    assert result.ok, f"expected {result.expected}, got {result.got}: {result.messages}"


FORCE_PACK = """\
    fourp-pack: 1
    name: surrey-police
    extends: hmicfrs-2024
    overrides:
      lro-reviews-regular:
        params: {max_gap_days: 200}
      lifetime-management-considered:
        enabled: false
      qa-evidenced:
        severity: warning
"""


def test_a_force_pack_of_a_few_lines(tmp_path, pack):
    force = fourp.load_pack(write(tmp_path, "surrey.yaml", FORCE_PACK))
    assert force.name == "surrey-police"
    assert force.rule("lro-reviews-regular").params["max_gap_days"] == 200
    assert force.rule("lro-reviews-regular").param_docs["max_gap_days"]["default"] == 62
    assert not force.rule("lifetime-management-considered").enabled
    assert force.rule("qa-evidenced").severity == "warning"
    plan = EXAMPLES / "sussex-copied-text.yaml"
    before = fourp.check(str(plan), pack, AS_OF)
    after = fourp.check(str(plan), force, AS_OF)
    assert before.result("lro-reviews-regular").status == "fail"
    assert after.result("lro-reviews-regular").status == "pass"
    assert after.result("lifetime-management-considered") is None
    assert after.score > before.score


def test_extends_by_path_and_new_rules(tmp_path):
    write(tmp_path, "base.yaml", """\
        fourp-pack: 1
        name: base
        rules:
          - id: has-id
            title: The plan has an id
            severity: error
            weight: 1
            check: presence
            options: {require: [/id]}
            message: "{{ detail }}"
            rationale: r
            basis: [{source: s, quote: q}]
            remediation: fix
    """)
    child = fourp.load_pack(write(tmp_path, "child.yaml", """\
        fourp-pack: 1
        name: child
        extends: ./base.yaml
        rules:
          - id: has-force
            title: The plan names its force
            severity: warning
            weight: 2
            check: presence
            options: {require: [/force]}
            message: "Missing: {{ detail }}"
            rationale: r
            basis: [{source: s, quote: q}]
            remediation: fix
    """))
    assert [r.id for r in child.rules] == ["plan-structure", "has-id", "has-force"]
    report = fourp.check({"id": "A"}, child, AS_OF)
    assert [f.message for f in report.findings] == ["Missing: force is not recorded"]


@pytest.mark.parametrize("body, reason, line", [
    ("name: x\nfourp-pack: 1\nrules:\n  - id: a\n    title: t\n    severity: fatal\n", "severity", 6),
    ("fourp-pack: 1\nname: x\nextends: hmicfrs-2024\noverrides:\n  no-such-rule: {weight: 1}\n",
     "no-such-rule", 5),
    ("fourp-pack: 1\nname: x\nextends: hmicfrs-2024\noverrides:\n  lro-reviews-regular:\n"
     "    params: {max_gap_days: monthly}\n", "must be a number", 6),
    ("fourp-pack: 1\nname: x\nextends: hmicfrs-2024\noverrides:\n  lro-reviews-regular:\n"
     "    params: {gap: 3}\n", "no parameter 'gap'", 6),
    ("fourp-pack: 1\nname: x\nextends: no-such-pack\n", "no shipped pack", None),
], ids=["bad severity", "unknown override", "param type", "unknown param", "unknown extends"])
def test_bad_packs_name_file_line_and_reason(tmp_path, body, reason, line):
    path = write(tmp_path, "bad.yaml", body)
    with pytest.raises(fourp.PackError) as info:
        fourp.load_pack(path)
    assert reason in str(info.value)
    assert info.value.file == path
    if line is not None:
        assert info.value.line == line


RULE = """\
    fourp-pack: 1
    name: x
    rules:
      - id: r
        title: t
        severity: error
        weight: 1
        check: {check}
        options: {options}
        message: "{{{{ detail }}}}"
        rationale: r
        basis: [{{source: s, quote: q}}]
        remediation: fix
"""


@pytest.mark.parametrize("check, options, reason", [
    ("no-such-kind", "{}", "no check kind 'no-such-kind'"),
    ("pattern", "{texts: [/log/**], must_match: '(unclosed', label: x}", "not a valid regular expression"),
    ("presence", "{require: 5}", "option require"),
    ("counts", "{tests: [{items: '/a/{b', label: x, min: 1}]}", "cannot be used"),
], ids=["unknown kind", "bad regex", "wrong option type", "bad pattern"])
def test_bad_rule_options(tmp_path, check, options, reason):
    path = write(tmp_path, "bad.yaml", RULE.format(check=check, options=options))
    with pytest.raises(fourp.PackError, match=reason) as info:
        fourp.load_pack(path)
    assert info.value.line is not None


def test_cyclic_extends(tmp_path):
    write(tmp_path, "a.yaml", "fourp-pack: 1\nname: a\nextends: ./b.yaml\n")
    write(tmp_path, "b.yaml", "fourp-pack: 1\nname: b\nextends: ./a.yaml\n")
    with pytest.raises(fourp.PackError, match="circle"):
        fourp.load_pack(str(tmp_path / "a.yaml"))


def test_message_templates_are_sandboxed(tmp_path):
    path = write(tmp_path, "evil.yaml", RULE.format(check="presence", options="{require: [/id]}").replace(
        '"{{ detail }}"', '"{{ detail.__class__.__mro__[1].__subclasses__() }}"'))
    pack = fourp.load_pack(path)
    [finding] = [f for f in fourp.check({}, pack, AS_OF).findings if f.rule == "r"]
    assert "subclasses" not in finding.message.split("failed:")[0]
    assert "unsafe" in finding.message and finding.message.startswith("id is not recorded")
