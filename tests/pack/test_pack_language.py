"""The pack language's new spellings and its old ones give the same verdicts; old ones are reported."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES, ROOT

import fourp
from fourp.audit import audit
from fourp.cli import main
from fourp.pack.conditions import CONDITION_SCHEMA
from fourp.pack.pointers import SELECTORS, compile_pattern
from fourp.pack.spelling import modernise
from fourp.schemas import schema

#: The shipped pack as it was written before its migration to today's spellings (frozen: never edit it).
#: It must judge every plan exactly as the shipped pack does, so that the migration changed no verdict and
#: a force's pack in the old spellings still judges as it did.
OLD_SHIPPED = ROOT / "tests" / "data" / "hmicfrs-2024-old-spellings.yaml"
CALIBRATION = ROOT / "tests" / "calibration"
CALIBRATION_VERDICTS = yaml.safe_load((CALIBRATION / "verdicts.yaml").read_text(encoding="utf-8"))


def _plans():
    """Every example plan, every calibration plan (with its as-of date) and every plan in the shipped
    pack's rule examples."""
    plans = [(fourp.load_plan(str(path)), AS_OF) for path in sorted(EXAMPLES.glob("*.yaml"))]
    for name, verdict in sorted(CALIBRATION_VERDICTS["plans"].items()):
        plans.append((fourp.load_plan(str(CALIBRATION / "plans" / name)), _date(verdict["as_of"])))
    for rule in fourp.load_pack().plan_rules:
        plans += [(fourp.plan_from_data(example["plan"]), AS_OF) for example in rule.examples]
    return plans


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _verdicts(pack, plans):
    out = []
    for plan, as_of in plans:
        report = fourp.evaluate(plan, pack, as_of).to_dict()
        out.append({key: report[key] for key in ("score", "grade", "p_scores", "findings", "results")})
    return out


@pytest.fixture(scope="module")
def both():
    return fourp.load_pack(str(OLD_SHIPPED)), fourp.load_pack()


def test_the_shipped_pack_is_written_in_todays_spellings(both):
    old, new = both
    assert new.old_spellings == ()
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 0, result.output
    assert "deprecated" not in result.stderr


def test_the_shipped_pack_in_its_old_spellings_gives_identical_verdicts(both):
    old, new = both
    assert len(old.old_spellings) >= 20  # the frozen copy is still in the old spellings
    assert [r.id for r in old.rules] == [r.id for r in new.rules]
    plans = _plans()
    assert len(plans) > 90
    verdicts = _verdicts(old, plans)
    assert verdicts == _verdicts(new, plans)
    # the plans get different verdicts, so the comparison means something
    assert len({v["grade"] for v in verdicts}) >= 3
    assert {r["status"] for v in verdicts for r in v["results"]} >= {"pass", "fail", "not-applicable"}


@pytest.mark.parametrize("folder", sorted(CALIBRATION_VERDICTS["folder"]))
def test_the_old_and_new_spellings_judge_a_folder_alike(both, folder):
    old, new = both
    verdict = CALIBRATION_VERDICTS["folder"][folder]
    paths = [str(CALIBRATION / p) for p in verdict["paths"]]
    results = [audit(paths, pack=pack, as_of=_date(verdict["as_of"]), jobs=1) for pack in both]
    assert results[0].portfolio == results[1].portfolio
    assert [r.to_dict()["findings"] for r in results[0].reports] == \
        [r.to_dict()["findings"] for r in results[1].reports]


def test_options_are_read_in_new_spellings(both):
    old, new = both
    for before, after in zip(old.rules, new.rules):
        assert "sources" not in before.options
        assert json.dumps(before.options).replace("/{pursue,prevent,protect,prepare}/actions/*", "@actions") \
            == json.dumps(after.options), before.id


OLD_PACK = """\
fourp-pack: 1
name: old-spellings
rules:
  - id: log-current
    title: t
    severity: warning
    weight: 1
    check: recency
    options:
      sources: [{items: /log/*, field: at}]
      max_days: 30
      label: log entry
    message: "{{ detail }}"
    rationale: r
    basis: [{source: s, quote: q}]
    remediation: r
  - id: results-substantive
    title: t
    severity: warning
    weight: 1
    check: wording
    applies_when:
      - count: "/{pursue,prevent,protect,prepare}/actions/*"
        where: [{field: status, equals: done}]
    options:
      entries: [{items: "/{pursue,prevent,protect,prepare}/actions/*/result", field: text}]
      missing_is_brief: false
      min_words: 3
    message: "{{ detail }}"
    rationale: r
    basis: [{source: s, quote: q}]
    remediation: r
  - id: reviews-regular
    title: t
    severity: warning
    weight: 1
    check: cadence
    options:
      sources: [/reviews/*/date]
      max_gap_days: 60
      label: review
    message: "{{ detail }}"
    rationale: r
    basis: [{source: s, quote: q}]
    remediation: r
"""


def new_pack(text: str) -> str:
    text = text.replace("name: old-spellings", "name: new-spellings")
    text = text.replace('"/{pursue,prevent,protect,prepare}/actions/*', '"@actions')
    text = text.replace("sources:", "entries:").replace("- count:", "- items:")
    return text.replace("missing_is_brief: false", "missing: pass")


PLANS = [
    {"log": [{"at": "2024-09-20T10:00"}], "reviews": [{"date": "2024-08-01"}, {"date": "2024-09-15"}],
     "pursue": {"actions": [{"status": "done", "result": {"text": "Two arrested, cash seized"}}]}},
    {"log": [{"at": "2024-01-20T10:00"}], "reviews": [{"date": "2024-01-01"}],
     "prevent": {"actions": [{"status": "done", "result": {"text": "Done."}}, {"status": "done"}]}},
    {"protect": {"actions": [{"status": "open"}]}},
    {},
]


def test_a_pack_in_old_spellings_judges_as_the_same_pack_in_new(tmp_path):
    (tmp_path / "old.yaml").write_text(OLD_PACK, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new_pack(OLD_PACK), encoding="utf-8")
    old, new = fourp.load_pack(str(tmp_path / "old.yaml")), fourp.load_pack(str(tmp_path / "new.yaml"))
    plans = [(fourp.plan_from_data(p), AS_OF) for p in PLANS]
    verdicts = _verdicts(old, plans)
    assert verdicts == _verdicts(new, plans)
    statuses = [{r["rule"]: r["status"] for r in v["results"]} for v in verdicts]
    # the verdicts differ between plans, so the comparison means something
    assert {s["results-substantive"] for s in statuses} == {"pass", "fail", "not-applicable"}
    assert {s["log-current"] for s in statuses} == {"pass", "fail"}
    assert {s["reviews-regular"] for s in statuses} == {"pass", "fail"}
    # `missing: pass`: the done action with no result is not a finding
    assert all("empty" not in f["message"] for v in verdicts for f in v["findings"])


def test_verify_reports_each_old_spelling_with_file_line_and_new_spelling(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(OLD_PACK, encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", "--pack", str(path)])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("deprecated: ")]
    expected = [(10, "`sources:`", "`entries:`"),
                (23, "`count:` in a condition", "`items:`"),
                (23, '"/{pursue,prevent,protect,prepare}/actions/*"', '"@actions"'),
                (26, '"/{pursue,prevent,protect,prepare}/actions/*/result"', '"@actions/result"'),
                (27, "`missing_is_brief: false`", "`missing: pass`"),
                (39, "`sources:`", "`entries:`")]
    assert len(said) == len(expected), said
    for (line, old, new), text in zip(expected, said):
        assert text.startswith(f"deprecated: {path}:{line}:"), text
        assert old in text and new in text
    new_path = tmp_path / "new.yaml"
    new_path.write_text(new_pack(OLD_PACK), encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", "--pack", str(new_path)])
    assert result.exit_code == 0 and "deprecated" not in result.stderr


def test_verify_lists_a_force_packs_own_old_spellings_not_the_shipped_packs(tmp_path):
    path = tmp_path / "force.yaml"
    rule = OLD_PACK.split("rules:\n")[1].split("  - id: results-substantive")[0]
    path.write_text("fourp-pack: 1\nname: force\nextends: hmicfrs-2024\nrules:\n" + rule, encoding="utf-8")
    result = CliRunner().invoke(main, ["verify", "--pack", str(path)])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if line.startswith("deprecated: ")]
    assert len(said) == 1 and said[0].startswith(f"deprecated: {path}:11:") and "`entries:`" in said[0]
    assert fourp.load_pack(str(path)).rule("log-current").options["entries"] == [{"items": "/log/*", "field": "at"}]


def test_an_old_spelling_beside_its_new_one_is_refused_at_its_line(tmp_path):
    text = OLD_PACK.split("  - id: results-substantive")[0].replace(
        "      sources: [{items: /log/*, field: at}]\n", "      sources: [/a]\n      entries: [/b]\n")
    path = tmp_path / "both.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fourp.PackError) as caught:
        fourp.load_pack(str(path))
    assert caught.value.line == 10 and caught.value.code == "bad-options"


def test_a_count_written_both_ways_is_refused():
    with pytest.raises(ValueError):
        modernise(None, None, [{"count": "/a/*", "items": "/b/*"}])


def test_the_named_selector_is_every_action_of_every_p():
    assert compile_pattern("@actions/result").segments == \
        compile_pattern("/{pursue,prevent,protect,prepare}/actions/*/result").segments
    assert SELECTORS["actions"] == "/{pursue,prevent,protect,prepare}/actions/*"  # what spelling.py matches
    with pytest.raises(ValueError):
        compile_pattern("@nothing")


def test_the_pack_schema_and_the_compiler_read_the_same_conditions():
    def bare(node):
        if isinstance(node, dict):
            return {k: bare(v) for k, v in node.items() if k != "description"}
        if isinstance(node, list):
            return [bare(v) for v in node]
        return node
    assert bare(schema("pack")["$defs"]["condition"]) == bare(CONDITION_SCHEMA)


def test_an_old_switch_that_is_not_true_or_false_is_refused_at_its_line(tmp_path):
    text = OLD_PACK.replace("missing_is_brief: false", "missing_is_brief: sometimes")
    path = tmp_path / "switch.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fourp.PackError) as caught:
        fourp.load_pack(str(path))
    assert caught.value.line == 27 and caught.value.code == "bad-options"
