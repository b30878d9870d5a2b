"""Properties a rules engine must keep, over any data it might be handed as a plan."""
from __future__ import annotations

import copy
import datetime as dt
import random

import yaml
from conftest import AS_OF, EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

import fourp


#: Years at the calendar's edges, where a time-zone offset carries a moment out of what Python can hold.
years = st.one_of(st.sampled_from([1, 2, 1969, 1970, 2024, 9998, 9999]), st.integers(1, 9999))
#: Offsets as plans write them, valid and not (`+24:00`, `-99:75`): every one must be read or refused.
offsets = st.builds(lambda sign, hours, minutes, colon: f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}",
                    st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99), st.booleans())
date_texts = st.builds(lambda y, mo, d, h, mi, sep, zone: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}{zone}",
                       years, st.integers(1, 12), st.integers(1, 31), st.integers(0, 23), st.integers(0, 59),
                       st.sampled_from(["T", " ", "T", "t"]), st.one_of(st.just("Z"), st.just(""), offsets))
zones = st.one_of(st.none(), st.just(dt.timezone.utc), st.builds(
    dt.timezone, st.timedeltas(min_value=-dt.timedelta(hours=23, minutes=59),
                               max_value=dt.timedelta(hours=23, minutes=59))))
edge_datetimes = st.builds(lambda y, mo, d, h, tz: dt.datetime(y, mo, d, h, tzinfo=tz),
                           years, st.integers(1, 12), st.integers(1, 28), st.integers(0, 23), zones)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
                    st.dates(), st.datetimes(), date_texts, edge_datetimes,
                    st.datetimes(timezones=zones))
keys = st.one_of(st.sampled_from(["fourp", "id", "status", "lro", "pursue", "prevent", "protect", "prepare",
                                  "raised", "appointed", "expires", "next_review", "done",
                                  "actions", "log", "reviews", "at", "text", "result", "due", "owner",
                                  "threat", "assessment", "waivers", "rule", "reason", "created",
                                  "quality_assurance", "safeguarding", "operation", "started"]),
                 st.text(max_size=8))
anything = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                          st.dictionaries(keys, inner, max_size=6)),
                        max_leaves=40)

EXAMPLE_DATA = {p.name: yaml.safe_load(p.read_text()) for p in EXAMPLES.glob("*.yaml")}


_PACK = fourp.load_pack()


@given(anything)
def test_never_raises_and_scores_stay_in_range(data):
    report = fourp.evaluate(fourp.plan_from_data(data), _PACK, AS_OF)
    assert 0 <= report.score <= 100
    assert all(v is None or 0 <= v <= 100 for v in report.p_scores.values())
    assert report.to_dict()["score"] == report.score


@given(st.sampled_from(sorted(EXAMPLE_DATA)), st.dictionaries(keys, anything, max_size=4))
def test_never_raises_on_real_plans_with_junk_mixed_in(name, junk):
    data = copy.deepcopy(EXAMPLE_DATA[name])
    for key, value in junk.items():
        target = data
        for section in ("pursue", "protect"):
            if key in ("actions", "objectives") and isinstance(data.get(section), dict):
                target = data[section]
        target[key] = value
    report = fourp.evaluate(fourp.plan_from_data(data), _PACK, AS_OF)
    assert 0 <= report.score <= 100


def _shuffled(data, rng):
    if isinstance(data, dict):
        return {k: _shuffled(v, rng) for k, v in data.items()}
    if isinstance(data, list):
        items = [_shuffled(v, rng) for v in data]
        rng.shuffle(items)
        return items
    return data


def _outcome(report):
    return (report.score, report.grade, sorted((r.rule, r.status) for r in report.results),
            sorted((f.rule, f.severity) for f in report.findings))


@given(st.sampled_from(sorted(EXAMPLE_DATA)), st.randoms(use_true_random=False))
def test_reordering_list_entries_does_not_change_the_result(name, rng):
    data = EXAMPLE_DATA[name]
    before = fourp.evaluate(fourp.plan_from_data(data), _PACK, AS_OF)
    after = fourp.evaluate(fourp.plan_from_data(_shuffled(copy.deepcopy(data), rng)), _PACK, AS_OF)
    assert _outcome(before) == _outcome(after)


@given(anything)
def test_results_are_deterministic(data):
    first = fourp.evaluate(fourp.plan_from_data(data), _PACK, AS_OF)
    second = fourp.evaluate(fourp.plan_from_data(copy.deepcopy(data)), _PACK, AS_OF)
    assert first.to_dict() == second.to_dict()


def test_shuffle_helper_really_shuffles():
    rng = random.Random(3)
    assert _shuffled({"a": list(range(20))}, rng)["a"] != list(range(20))


@given(st.one_of(date_texts, edge_datetimes, st.datetimes(timezones=zones)))
def test_any_date_a_plan_may_hold_is_read_or_refused_never_raises(value):
    from fourp.read.dates import parse_moment

    moment = parse_moment(value)
    assert moment is None or moment.at.tzinfo is None
    report = fourp.evaluate(fourp.plan_from_data({"fourp": 1, "id": "X", "created": value, "pursue": {
        "actions": [{"id": "P1", "action": "a", "owner": "DC A", "status": "open", "raised": value,
                     "due": value}]}}), _PACK, AS_OF)
    assert 0 <= report.score <= 100
