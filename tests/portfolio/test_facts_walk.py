"""A plan's facts from one walk are what the plain definitions give: layout, names mentioned, prose sketch."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, List

from conftest import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

import fourp
from fourp.pack.load import load_pack
from fourp.portfolio import fingerprint
from fourp.portfolio.facts import capitalised_runs, plan_facts, structure_of
from fourp.read.plan import plan_from_data
from fourp.schemas import schema

# -- the plain definitions, one walk each (as the facts were taken before one walk gave them all) ------------


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a number" if isinstance(value, (int, float)) and not isinstance(value, bool) else "a value"


def plain_structure(data: Any) -> List[str]:
    root = schema("plan")
    defs = root.get("$defs", {})
    out: set = set()

    def resolve(node):
        ref = node.get("$ref", "")
        return defs.get(ref.rsplit("/", 1)[-1], node) if ref.startswith("#/$defs/") else node

    def walk(value, node, path):
        node = resolve(node)
        wanted = node.get("type")
        if wanted in ("object", "array"):
            ok = isinstance(value, Mapping) if wanted == "object" else isinstance(value, list)
            if not ok and value is not None:
                out.add(f"{path or '/'} is {_describe(value)}, not {'a mapping' if wanted == 'object' else 'a list'}")
                return
        if isinstance(value, Mapping):
            known = node.get("properties", {})
            for key, child in value.items():
                if key in known:
                    walk(child, known[key], f"{path}/{key}")
                else:
                    out.add(f"{path}/{key} (a field the format does not have)")
        elif isinstance(value, list) and isinstance(node.get("items"), Mapping):
            for child in value:
                walk(child, node["items"], f"{path}/*")

    if isinstance(data, Mapping):
        walk(data, root, "")
    else:
        out.add(f"the plan is {_describe(data)}, not a mapping")
    return sorted(out)[:30]


def plain_strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from plain_strings(child, path + (index,))
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield from plain_strings(child, path + (key,))


_RUN = re.compile(r"(?<![\w'’&-])[A-Z][\w'’&-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’&-]*){0,4}")


def plain_runs(data: Any) -> List[str]:
    runs: set = set()
    for path, text in plain_strings(data):
        if path[:1] in (("threat",), ("operation",), ("waivers",)):
            continue
        for match in _RUN.finditer(text):
            words = match.group(0).split()
            if match.start() == 0 or text[:match.start()].rstrip()[-1:] in ".;:!?":
                words = words[1:]
            if len(words) >= 2:
                runs.add(" ".join(words))
                if len(runs) >= 400:
                    return sorted(runs)
    return sorted(runs)


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def plain_words(data: Any):
    """The prose's words, each word's field and each word's flow, grouped flow by flow."""
    grouped: dict = {}
    for path, text in plain_strings(data):
        grouped.setdefault(tuple("*" if isinstance(k, int) else k for k in path), []).append(text)
    words, fields, flows = [], [], []
    field = 0
    for flow, texts in enumerate(grouped.values()):
        for text in texts:
            found = _WORD.findall(text)
            if sum(1 for w in found if not w.isdigit()) < fingerprint.MIN_FIELD_WORDS:
                continue
            field += 1
            for word in found:
                words.append(word.casefold().replace("’", "'"))
                fields.append(field - 1)
                flows.append(flow)
    return words, fields, flows


# -- plans: realistic layouts with the odd shapes hand-built data may have ------------------------------------

_TEXT = st.lists(st.sampled_from("Disrupt the Eastside Boys OCG . ; Op Tern arrests 12 2024 Straße’s it's "
                                 "warrant executed at the flat of the Hill Road OCG".split()), max_size=14
                 ).map(" ".join)
_KEYS = st.sampled_from(["fourp", "id", "status", "threat", "lro", "operation", "pursue", "prevent", "actions",
                         "objectives", "log", "result", "text", "name", "reference", "notes", "waivers", "by",
                         "at", "stauts", "x y", 1, 2, True])
_SCALARS = st.one_of(_TEXT, _TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(),
                     st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 1, 1)))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5),
    st.dictionaries(_KEYS, inner, max_size=3).map(OrderedDict)), max_leaves=40)
_PLANS = st.one_of(st.dictionaries(_KEYS, _VALUES, max_size=10), _VALUES)


@settings(max_examples=300, deadline=None)
@given(data=_PLANS)
def test_one_walk_gives_what_each_plain_definition_gives(data):
    assert structure_of(data) == plain_structure(data)
    assert capitalised_runs(data) == plain_runs(data)
    words, fields, flows = plain_words(data)
    prose = fingerprint.prose_of(data)
    assert (list(prose.words), list(prose.field_of), list(prose.flow_of)) == (words, fields, flows)
    assert fingerprint.prose_words(fingerprint.flowed_texts(data)) == (words, fields, flows)


@settings(max_examples=100, deadline=None)
@given(data=st.dictionaries(_KEYS, _VALUES, max_size=10))
def test_facts_are_those_of_the_plain_definitions(data):
    pack = load_pack(None)
    facts = plan_facts(plan_from_data(data), pack)
    assert facts["structure"] == plain_structure(data)
    assert facts["mentions"] == plain_runs(data)
    words, fields, flows = plain_words(data)
    min_words = next(r for r in pack.rules if r.check == "copied-text").prepared["min_words"]
    assert facts["text"] == fingerprint.sketch_words(words, fields, flows, min_words)
    assert facts["text"]["words"] == len(words)


def test_the_sketch_is_small_for_a_long_plan():
    # An audit keeps every plan's facts until the cross-plan rules run: the sketch, most of them, is deflated.
    rng = __import__("random").Random(3)
    vocabulary = ("supply line runner county flat tenant cash seizure warrant housing youth diversion school "
                  "referral partner council probation officer arrest charge court remand network").split()
    data = {"pursue": {"actions": [{"action": " ".join(rng.choice(vocabulary) for _ in range(40))}
                                   for _ in range(100)]}}
    pack = load_pack(None)
    text = plan_facts(plan_from_data(data), pack)["text"]
    assert text["words"] == 4000
    # packed as they were (base64 of 2 bytes a word and 12 a fingerprint) this is over 4.4 bytes a word
    assert len(json.dumps(text)) < 3.3 * text["words"]
    words, _, flows = plain_words(data)
    k, w = fingerprint.shingle_sizes(next(r for r in pack.rules if r.check == "copied-text").prepared["min_words"])
    assert fingerprint.sketch_prints(text) == fingerprint.fingerprints(words, k, w, flows)
    assert fingerprint.sketch_tokens(text).words == tuple(fingerprint._word_code(w) for w in words)


def test_a_plan_is_validated_once_for_the_rules_that_read_its_errors(monkeypatch):
    import fourp.checks.schema as schema_check

    calls = []
    original = schema_check.schema_errors
    monkeypatch.setattr(schema_check, "schema_errors", lambda data: calls.append(1) or original(data))
    report = fourp.check(str(EXAMPLES / "good-plan.yaml"))
    assert {r.rule for r in report.results} >= {"plan-structure", "plan-spelling"}
    assert len(calls) == 1


def _reference_shared(prints, owners):
    """Candidate pairs as an index of every fingerprint finds them."""
    first, pairs = {}, {}
    for index, plan_prints in enumerate(prints):
        for value, position in plan_prints or ():
            seen = first.setdefault(value, (index, position))
            if seen[0] != index and owners[seen[0]] != owners[index]:
                pairs.setdefault((seen[0], index), []).append((seen[1], position))
    return {pair: sorted(found) for pair, found in pairs.items()}


@settings(max_examples=60, deadline=None)
@given(plans=st.lists(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2)), max_size=30), min_size=2,
                      max_size=12))
def test_only_repeated_fingerprints_are_indexed_and_the_pairs_are_the_same(plans):
    # Values that differ only above the bit table's mask share its bits: those false alarms must change nothing.
    prints = [[((small << 40) | (small % 5), position * 3 + n) for n, (small, position) in enumerate(plan)]
              for plan in plans]
    owners = [f"threat {i % 3}" for i in range(len(prints))]
    seen = {}

    def tokens(index):
        seen[index] = True
        return None  # measure nothing: only the pairs are compared here

    _, counts = fingerprint.find_shared(prints, owners, 8, 30, tokens)
    assert counts["candidate_pairs"] == len(_reference_shared(prints, owners))
    assert set(seen) == {i for pair in _reference_shared(prints, owners) for i in pair}
