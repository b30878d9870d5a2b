"""The cross-plan rules: each finds what it should on a faulty portfolio and nothing on a clean one."""
from __future__ import annotations

import os
import random
import textwrap

import pytest
import yaml
from conftest import AS_OF, EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

import fourp
from fourp.audit import audit
from fourp.pack.load import PackError
from fourp.portfolio import fingerprint
from fourp.portfolio.evaluate import evaluate_portfolio
from fourp.portfolio.facts import FACTS_KEY, plan_facts, structure_of
from fourp.read.register import load_register, register_from_entries

PORTFOLIO_RULES = ["every-threat-has-plan", "lro-workload", "no-copied-text", "one-template"]

# Prose that differs from plan to plan: each plan's own sentences, so only planted passages are shared.
_VOCABULARY = ("supply line runner county flat tenant cash seizure warrant housing youth diversion school "
               "referral partner council probation officer arrest charge court remand network group member "
               "vehicle phone address market town estate harbour night weekly review target disrupt").split()

PASTED = ("Safeguard the vulnerable tenants whose flats are cuckooed through joint visits with housing "
          "officers, safety planning with each tenant and closure orders where a tenant cannot be protected "
          "at home, and refer every young person found at an address to the MASH")  # 42 words


def sentence(rng: random.Random, words: int = 24) -> str:
    return " ".join(rng.choice(_VOCABULARY) for _ in range(words)).capitalize() + "."


def plan(number: int, reference: str, lro: str, status: str = "active", seed: int = 0, **extra):
    rng = random.Random(seed or number)
    data = {
        "fourp": 1, "id": f"TEST-4P-{number:03d}", "force": "Test Police", "status": status,
        "threat": {"name": f"Threat {reference} OCG", "kind": "ocg", "reference": reference},
        "lro": {"name": lro, "rank": "Chief Inspector"},
        "pursue": {"objectives": [sentence(rng)], "actions": [{"id": "PU-01", "action": sentence(rng, 12)}]},
        "prevent": {"objectives": [sentence(rng)]},
        "protect": {"objectives": [sentence(rng)]},
        "prepare": {"objectives": [sentence(rng)]},
        "log": [{"at": "2024-09-01T10:00", "by": lro, "text": sentence(rng, 30)}],
    }
    data.update(extra)
    return data


def write_plans(folder, plans):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in plans.items():
        (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


CLEAN = {
    "a.yaml": plan(1, "SOCML-SE-1", "Ch Insp Tom Reade"),
    "b.yaml": plan(2, "SOCML-SE-2", "Tom Reade"),
    "c.yaml": plan(3, "SOCML-SE-3", "Insp Amy Lee"),
    "d.yaml": plan(4, "SOCML-SE-4", "Ch Insp Tom Reade", status="closed"),
}
CLEAN_REGISTER = [{"reference": f"SOCML-SE-{n}", "name": f"Threat {n} OCG", "kind": "ocg",
                   "managed_since": "2024-01-10"} for n in (1, 2, 3)]


def judge(pack, folder, register_entries=None, jobs=1):
    register = register_from_entries(register_entries, "register.yaml") if register_entries else None
    result = audit([str(folder)], pack=pack, as_of=AS_OF, jobs=jobs, register=register)
    findings = {}
    for finding in result.portfolio["findings"]:
        findings.setdefault(finding["rule"], []).append(finding)
    statuses = {r["rule"]: r["status"] for r in result.portfolio["results"]}
    return statuses, findings, result


def test_a_clean_portfolio_passes_every_cross_plan_rule(tmp_path, pack):
    statuses, findings, _ = judge(pack, write_plans(tmp_path / "plans", CLEAN), CLEAN_REGISTER)
    assert statuses == {rule: "pass" for rule in PORTFOLIO_RULES}
    assert findings == {}


@pytest.fixture
def faulty(tmp_path):
    plans = dict(CLEAN)
    # Tom Reade, written three ways, now holds four active plans (the closed one does not count).
    plans["e.yaml"] = plan(5, "SOCML-SE-5", "CHIEF INSPECTOR tom  reade")
    plans["f.yaml"] = plan(6, "SOCML-SE-6", "T/Ch Insp Tom Reade")
    # A paragraph pasted from c.yaml into g.yaml (another threat) and into h.yaml (c's own threat: allowed).
    plans["c.yaml"] = plan(3, "SOCML-SE-3", "Insp Amy Lee",
                           protect={"objectives": [sentence(random.Random(30)) + " " + PASTED + "."]})
    plans["g.yaml"] = plan(7, "SOCML-SE-7", "Insp Ola Ade",
                           protect={"objectives": ["In Hill Road: " + PASTED.lower() + " at once."]})
    plans["h.yaml"] = plan(8, "socml se 3", "Insp Amy Lee", status="draft",
                           protect={"objectives": [PASTED + "."]})
    # A plan on another template: no format version, free-text pursue, and fields of its own.
    old = plan(9, "SOCML-SE-9", "Insp Kay Obi", pursue="Disrupt the group.", notes="From the 2022 plan")
    del old["fourp"]
    plans["old.yaml"] = old
    register = CLEAN_REGISTER + [
        {"reference": "SOCML-SE-20", "name": "Long Unplanned OCG", "managed_since": "2024-03-01"},
        {"reference": "SOCML-SE-21", "name": "New OCG", "managed_since": "2024-09-20"},
        {"name": "Undated OCG"},
        {"reference": "SOCML-SE-4", "name": "Threat 4 OCG", "managed_since": "2023-01-01"},
        {"reference": "SOCML-SE-5"}, {"reference": "SOCML-SE-6"}, {"reference": "SOCML-SE-7"},
    ]
    return write_plans(tmp_path / "plans", plans), register


def test_every_threat_has_plan(pack, faulty):
    folder, register = faulty
    statuses, findings, _ = judge(pack, folder, register)
    assert statuses["every-threat-has-plan"] == "fail"
    by_subject = {f["subject"]: f for f in findings["every-threat-has-plan"]}
    assert set(by_subject) == {"SOCML-SE-20 (Long Unplanned OCG)", "SOCML-SE-21 (New OCG)", "Undated OCG",
                               "SOCML-SE-4 (Threat 4 OCG)", "Threat SOCML-SE-9 OCG (SOCML-SE-9)"}
    overdue = by_subject["SOCML-SE-20 (Long Unplanned OCG)"]
    assert overdue["severity"] == "error" and "managed for 213 days (allowed 28" in overdue["message"]
    assert overdue["locations"] == ["register.yaml"]  # entries from another system: no line to give
    assert by_subject["SOCML-SE-21 (New OCG)"]["severity"] == "warning"  # 10 days: within the allowed 28
    assert "gives no date" in by_subject["Undated OCG"]["message"]
    assert by_subject["Undated OCG"]["severity"] == "warning"
    closed = by_subject["SOCML-SE-4 (Threat 4 OCG)"]
    assert closed["severity"] == "error" and "only plan" in closed["message"] and closed["files"][0].endswith("d.yaml")
    unregistered = by_subject["Threat SOCML-SE-9 OCG (SOCML-SE-9)"]
    assert unregistered["severity"] == "info" and "not on the register" in unregistered["message"]
    assert unregistered["files"][0].endswith("old.yaml")


def test_lro_workload_matches_names_without_rank(pack, faulty):
    folder, register = faulty
    _, findings, _ = judge(pack, folder, register)
    [finding] = findings["lro-workload"]
    assert [os.path.basename(f) for f in finding["files"]] == ["a.yaml", "b.yaml", "e.yaml", "f.yaml"]
    assert "is LRO for 4 active plans, more than the 3 allowed" in finding["message"]
    assert finding["subject"] == "Ch Insp Tom Reade" and finding["severity"] == "warning"


def test_copied_text_names_both_plans_and_quotes_the_passage(pack, faulty):
    folder, register = faulty
    _, findings, _ = judge(pack, folder, register)
    [finding] = findings["no-copied-text"]  # h.yaml copies it too, but manages c.yaml's own threat
    assert [os.path.basename(f) for f in finding["files"]] == ["c.yaml", "g.yaml"]
    assert "share a 42-word passage" in finding["message"]
    assert finding["quote"].startswith("Safeguard the vulnerable tenants") and finding["quote"].endswith("MASH")
    assert [loc.split(" ")[1] for loc in finding["locations"]] == ["/protect/objectives/0"] * 2
    assert all(":" in loc.split(" ")[0] for loc in finding["locations"])  # file:line:column


def test_one_template_names_the_plan_on_another_layout(pack, faulty):
    folder, register = faulty
    _, findings, _ = judge(pack, folder, register)
    [finding] = findings["one-template"]
    assert [os.path.basename(f) for f in finding["files"]] == ["old.yaml"]
    for words in ("no format version", "/notes (a field the format does not have)",
                  "/pursue is text, not a mapping"):
        assert words in finding["message"]


def test_serial_and_parallel_audits_agree_on_the_portfolio(pack, faulty):
    folder, register = faulty
    assert judge(pack, folder, register, jobs=1)[2].portfolio == judge(pack, folder, register, jobs=2)[2].portfolio


def test_shipped_examples_copied_text_is_exactly_the_sussex_pair(pack):
    result = audit([str(EXAMPLES)], pack=pack, as_of=AS_OF, jobs=1)
    findings = result.portfolio["findings"]
    assert [f["rule"] for f in findings] == ["no-copied-text"]
    assert [os.path.basename(f) for f in findings[0]["files"]] == ["sussex-copied-text.yaml",
                                                                   "sussex-harbour-lane.yaml"]
    assert "share a 62-word passage" in findings[0]["message"]
    assert "cuckooed by the Harbour Lane OCG" in findings[0]["quote"]
    statuses = {r["rule"]: r["status"] for r in result.portfolio["results"]}
    assert statuses == {"every-threat-has-plan": "not-applicable", "lro-workload": "pass",
                        "no-copied-text": "fail", "one-template": "pass"}


def test_one_passage_in_three_plans_is_one_finding(pack, tmp_path):
    plans = {f"{n}.yaml": plan(n, f"SOCML-SE-{n}", f"Insp P{n}", protect={"objectives": [PASTED + "."]})
             for n in (1, 2, 3)}
    _, findings, _ = judge(pack, write_plans(tmp_path / "plans", plans))
    [finding] = findings["no-copied-text"]
    assert [os.path.basename(f) for f in finding["files"]] == ["1.yaml", "2.yaml", "3.yaml"]


def test_a_force_pack_tunes_the_portfolio_rules(pack, tmp_path, faulty):
    folder, register = faulty
    force = tmp_path / "force.yaml"
    force.write_text(textwrap.dedent("""\
        fourp-pack: 1
        name: test-force
        extends: hmicfrs-2024
        overrides:
          lro-workload: {params: {max_active_plans: 4}}
          no-copied-text: {params: {min_words: 60}}
          one-template: {enabled: false}
        """), encoding="utf-8")
    statuses, findings, _ = judge(fourp.load_pack(str(force)), folder, register)
    assert statuses["lro-workload"] == "pass" and statuses["no-copied-text"] == "pass"
    assert "one-template" not in statuses and "every-threat-has-plan" in findings


@pytest.mark.parametrize("rule, reason", [
    ("    check: copied-text\n    options: {min_words: 3}\n", "option min_words: 3 is less than the minimum of 8"),
    ("    check: presence\n    options: {}\n", "there is no portfolio check kind 'presence'"),
])
def test_a_bad_portfolio_rule_is_a_pack_error(tmp_path, rule, reason):
    path = tmp_path / "bad.yaml"
    path.write_text("fourp-pack: 1\nname: bad\nrules:\n  - id: x\n    title: t\n    severity: error\n"
                    "    weight: 1\n    scope: portfolio\n" + rule + "    message: m\n    rationale: r\n"
                    "    basis: [{source: s, quote: q}]\n    remediation: r\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        fourp.load_pack(str(path))
    assert reason in caught.value.reason and caught.value.line is not None


def test_portfolio_rules_never_score_a_plan(pack):
    assert not {r.id for r in pack.plan_rules} & set(PORTFOLIO_RULES)
    report = fourp.check(str(EXAMPLES / "good-plan.yaml"), pack, AS_OF)
    assert not {r.rule for r in report.results} & set(PORTFOLIO_RULES)


def test_structure_ignores_empty_fields_but_not_other_layouts():
    assert structure_of({"fourp": 1, "status": "active"}) == structure_of({"fourp": 1, "pursue": {"actions": []}})
    assert structure_of({"pursue": {"actions": [{"notes": "x"}, {"notes": "y"}]}}) == \
        ["/pursue/actions/*/notes (a field the format does not have)"]
    assert structure_of({"reviews": "monthly"}) == ["/reviews is text, not a list"]


def test_facts_are_small_and_plain(pack):
    import json

    facts = plan_facts(fourp.load_plan(str(EXAMPLES / "good-plan.yaml")), pack)
    # about four bytes a word of prose (fingerprints now also span a flow's consecutive entries), well
    # under half the plan
    size = len(json.dumps(facts))
    names = len(json.dumps(facts["mentions"]))  # the names it holds, for text-specific-to-threat
    assert size - names < 1000 + 4 * facts["text"]["words"] and size < os.path.getsize(EXAMPLES / "good-plan.yaml") / 2
    assert names < 1000 and "Op Tern" in facts["mentions"]
    assert facts["threat"]["reference"] == "SOCML-SE-21477" and facts["lro"] == "Supt Helen Okafor"


def test_a_plan_changed_since_it_was_read_is_not_quoted(pack):
    plans = [plan(1, "SOCML-SE-1", "Insp A", protect={"objectives": [PASTED + "."]}),
             plan(2, "SOCML-SE-2", "Insp B", protect={"objectives": [PASTED + "."]})]
    facts = [(f"{n}.yaml", plan_facts(fourp.plan_from_data(p), pack)) for n, p in enumerate(plans)]
    prose = {f"{n}.yaml": fingerprint.prose_of(p) for n, p in enumerate(plans)}
    found = evaluate_portfolio(facts, pack, AS_OF, read_prose=prose.get, only=["no-copied-text"])
    assert found.result("no-copied-text").status == "fail"
    prose["1.yaml"] = fingerprint.prose_of(plan(2, "SOCML-SE-2", "Insp B"))  # edited since
    changed = evaluate_portfolio(facts, pack, AS_OF, read_prose=prose.get, only=["no-copied-text"])
    assert changed.result("no-copied-text").status == "pass"


# -- the fingerprinting itself ---------------------------------------------------------------------------------

words_strategy = st.lists(st.sampled_from(_VOCABULARY + [str(n) for n in range(40)]), min_size=0, max_size=120)


@given(before_a=words_strategy, before_b=words_strategy, after_a=words_strategy, after_b=words_strategy,
       min_words=st.integers(8, 40), extra=st.integers(0, 30), seed=st.integers(0, 10 ** 6))
def test_any_shared_passage_of_min_words_is_found(before_a, before_b, after_a, after_b, min_words, extra, seed):
    rng = random.Random(seed)
    shared = [f"w{rng.randrange(10 ** 9)}" for _ in range(min_words + extra)]  # words found nowhere else
    streams = [tuple(before_a + shared + after_a), tuple(before_b + shared + after_b)]
    k, w = fingerprint.shingle_sizes(min_words)
    prose = [fingerprint.Prose(s, (((), " ".join(s)),), tuple((0, 0, 0) for _ in s)) for s in streams]
    sketches = [fingerprint.sketch(p, min_words) for p in prose]  # what travels from the workers
    prints = [fingerprint.sketch_prints(s) for s in sketches]
    candidates, _ = fingerprint.find_shared(prints, ["a", "b"], k, min_words,
                                            lambda i: fingerprint.sketch_tokens(sketches[i]))
    passages = [fingerprint.confirm(prose[c.a], prose[c.b], c, min_words) for c in candidates]
    assert any(passages), "a shared passage of the minimum length was missed"
    assert max(p.length for p in passages if p) >= len(shared)
    assert all(streams[0][p.start_a:p.start_a + p.length] == streams[1][p.start_b:p.start_b + p.length]
               for p in passages if p)


@given(a=words_strategy, b=words_strategy)
def test_nothing_is_found_where_no_passage_is_long_enough(a, b):
    k, w = fingerprint.shingle_sizes(8)
    # With 7 words in a row at most in common, nothing may be reported.
    a, b = tuple(a), tuple(b)
    prose = [fingerprint.Prose(s, (((), ""),), tuple((0, 0, 0) for _ in s)) for s in (a, b)]
    passages, _ = fingerprint.find_shared([p.fingerprints(k, w) for p in prose], ["a", "b"], k, 8,
                                          prose.__getitem__)
    for p in passages:
        assert p.length >= 8 and a[p.start_a:p.start_a + p.length] == b[p.start_b:p.start_b + p.length]


def test_a_passage_lies_within_one_text():
    # Stock phrases in neighbouring fields (each under the minimum) must not chain into a passage.
    rng = random.Random(5)
    fields = [" ".join(f"w{rng.randrange(10 ** 9)}" for _ in range(20)) for _ in range(3)]
    prose = [fingerprint.prose_of({"objectives": fields, "other": name}) for name in ("x y z q", "q z y x")]
    k, w = fingerprint.shingle_sizes(30)
    passages, _ = fingerprint.find_shared([p.fingerprints(k, w) for p in prose], ["a", "b"], k, 30,
                                          prose.__getitem__)
    assert passages == []
    joined = [fingerprint.prose_of({"objectives": [" ".join(fields)]}) for _ in range(2)]
    found, _ = fingerprint.find_shared([p.fingerprints(k, w) for p in joined], ["a", "b"], k, 30,
                                       joined.__getitem__)
    assert [p.length for p in found] == [60]


def test_fingerprints_round_trip_as_text():
    prints = [(2 ** 64 - 1, 0), (12345, 7), (0, 2 ** 32 - 1)]
    assert fingerprint.decode(fingerprint.encode(prints)) == prints
    assert fingerprint.decode(fingerprint.encode([])) == []
    assert fingerprint.decode(fingerprint.encode(prints, squeeze=True), squeezed=True) == prints


def test_register_file_through_the_audit(pack, tmp_path):
    folder = write_plans(tmp_path / "plans", CLEAN)
    path = tmp_path / "register.csv"
    path.write_text("reference,name,kind,managed_since\nSOCML-SE-1,Threat 1 OCG,ocg,2024-01-10\n"
                    "SOCML-SE-99,Missing OCG,ocg,2024-01-10\n", encoding="utf-8")
    result = audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, register=load_register(str(path)))
    [missing] = [f for f in result.portfolio["findings"] if f["rule"] == "every-threat-has-plan"
                 and f["subject"] == "SOCML-SE-99 (Missing OCG)"]
    assert missing["locations"] == [f"{path}:3"]
    assert result.portfolio["register"] == {"file": str(path), "threats": 2}
    assert all(FACTS_KEY in r.meta for r in result.reports)


def test_facts_travel_through_the_results_cache(pack, tmp_path, faulty):
    from fourp.cache.results import ResultsCache

    folder, register = faulty
    registered = register_from_entries(register, "register.yaml")
    cache = ResultsCache(str(tmp_path / "cache"))
    fresh = audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, register=registered, cache=cache)
    kept = audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, register=registered, cache=cache)
    assert kept.portfolio == fresh.portfolio and kept.portfolio["findings"]


# -- passages spread over a flow's entries (issue 10) ----------------------------------------------------

_ACTIONS = ["Friday night football at the Spiceball centre for the estate's teenagers.",
            "Commonplace questions to Ruscote residents about children visiting the flats.",
            "Schools input on county lines grooming at Banbury Academy and North Oxfordshire Academy."]


def _copied(tmp_path, first, second):
    folder = write_plans(tmp_path / "drive", {"a.yaml": first, "b.yaml": second})
    result = audit([str(folder)], as_of=AS_OF, jobs=1)
    return [f for f in result.portfolio["findings"] if f["rule"] == "no-copied-text"]


def test_a_passage_pasted_from_three_fields_into_one_is_copied_text(tmp_path):
    banbury = plan(1, "SOCML-SE-1", "Insp A", prevent={"objectives": ["Keep the estate's children out of the group."],
                                                       "actions": [{"id": f"PV-0{n}", "action": text, "owner": "PC Lee",
                                                                    "result": {"text": sentence(random.Random(n), 9)}}
                                                                   for n, text in enumerate(_ACTIONS, 1)]})
    bicester = plan(2, "SOCML-SE-2", "Insp B", log=[{"at": "2024-04-15T11:00", "text": "Prevent work agreed at "
                                                      "tasking: " + " ".join(_ACTIONS)}])
    [finding] = _copied(tmp_path, banbury, bicester)
    assert "a.yaml" in finding["message"] and "b.yaml" in finding["message"]
    assert "Spiceball" in finding["quote"] and "North Oxfordshire Academy" in finding["quote"]


def test_stock_entries_in_the_same_order_in_both_plans_do_not_chain_into_a_passage(tmp_path):
    stock = ["Refer every young person found at an address to the MASH.",
             "Joint welfare visits with housing officers to the cuckooed flats.",
             "Ask the lifetime offender manager to consider an SCPO at sentence."]  # 11 + 10 + 11 words
    first = plan(1, "SOCML-SE-1", "Insp A", protect={"actions": [{"action": t} for t in stock]})
    second = plan(2, "SOCML-SE-2", "Insp B", protect={"actions": [{"action": t} for t in stock]})
    assert _copied(tmp_path, first, second) == []


# -- a plan on another template (issue 10) ---------------------------------------------------------------

OLD_LAYOUT = """\
Plan Ref: TVP-AYL-4P-17
Group: Aylesbury Southcourt OCG
APMIS Ref: SOCML-SE-20790
Owner: Supt Dev Patel (LRO)
Pursue:
  - 14/08/2023 10:00 - Warrants at the two Southcourt dealing addresses; 45 wraps seized and two charged.
Prevent:
  - 10/07/2023 11:00 - Referral of five Southcourt teenagers to the youth service mentoring scheme.
Protect:
  - 10/07/2023 11:30 - Cuckooing visits with council housing to three flats on Southcourt Avenue.
Prepare:
  - 16/10/2023 10:00 - LOM asked to assess the principal for an SCPO at sentence.
"""


def test_an_old_layout_plan_is_counted_under_one_template_and_matched_to_the_register(tmp_path):
    folder = write_plans(tmp_path / "drive", {"new.yaml": plan(1, "SOCML-SE-1", "Insp A")})
    (folder / "old.yaml").write_text(OLD_LAYOUT, encoding="utf-8")
    (folder / "settings.yaml").write_text("colour: blue\nwidth: 3\n", encoding="utf-8")  # not a plan at all
    register = register_from_entries([{"reference": "SOCML-SE-1", "name": "A"},
                                      {"reference": "SOCML-SE-20790", "name": "Aylesbury Southcourt OCG"}])
    result = audit([str(folder)], as_of=AS_OF, jobs=1, register=register)
    findings = result.portfolio["findings"]
    [template] = [f for f in findings if f["rule"] == "one-template"]
    assert template["files"] == [str(folder / "old.yaml")] and "another template" in template["message"]
    assert not [f for f in findings if f["rule"] == "every-threat-has-plan"]  # both threats have a plan
    assert {os.path.basename(e.file) for e in result.errors} == {"old.yaml", "settings.yaml"}
    old = next(e for e in result.errors if e.file.endswith("old.yaml"))
    assert "another template" in old.reason


def test_check_says_a_plan_on_another_template_is_one(tmp_path):
    from click.testing import CliRunner

    from fourp.cli import main

    path = tmp_path / "old.yaml"
    path.write_text(OLD_LAYOUT, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2024-09-30", "--format", "json"])
    assert result.exit_code == 2
    assert "another template" in result.stderr and "fourp new" in result.stderr
