"""The fast paths give exactly what the general code gives: the compiled plan schema answers as jsonschema
does, and level-by-level pattern selection finds the same values in the same order as the recursive walk."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fourp.pack.pointers import _select, compile_pattern, select
from fourp.schemas import plan_surely_valid, plan_validator

_KEYS = st.sampled_from(["fourp", "status", "threat", "assessment", "scope", "pursue", "prevent", "actions",
                         "objectives", "at", "due", "result", "text", "log", "reviews", "role", "lro", "name",
                         "impact", "disruption", "categories", "x", "0", "1"])
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
    st.sampled_from(["active", "live", "done", "open", "partial", "whole-threat", "major", "2024-03-05T14:30",
                     "05/03/2024 14:30", "2024-02-30", "31/02/2024", "soon", "", "1"]),
    st.dates(dt.date(2020, 1, 1), dt.date(2026, 1, 1)),
    st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2026, 1, 1)),
)
_DATA = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(_KEYS, inner, max_size=5)),
                     max_leaves=30)


def _plan_like() -> st.SearchStrategy:
    action = st.dictionaries(st.sampled_from(["id", "status", "due", "raised", "result", "disruption", "owner"]),
                             _DATA, max_size=5)
    section = st.fixed_dictionaries({}, optional={"objectives": _DATA, "actions": st.lists(action, max_size=3)})
    return st.fixed_dictionaries({}, optional={
        "fourp": st.sampled_from([1, 1.0, True, "1", 2]), "status": _DATA, "created": _DATA,
        "threat": st.dictionaries(st.sampled_from(["name", "kind", "assessment", "categories"]), _DATA),
        "pursue": section, "protect": _DATA, "log": st.lists(st.dictionaries(_KEYS, _DATA, max_size=3),
                                                               max_size=3), "extra": _DATA})


@settings(max_examples=400, deadline=None)
@given(st.one_of(_plan_like(), _DATA))
def test_compiled_plan_schema_never_passes_what_jsonschema_rejects(data):
    if plan_surely_valid(data):
        assert plan_validator().is_valid(data)


def test_compiled_plan_schema_passes_the_shipped_good_plan():
    from fourp.read.plan import load_plan

    assert plan_surely_valid(load_plan("examples/good-plan.yaml").data)


@pytest.mark.parametrize("text", [
    "/pursue/actions/*/result", "/{pursue,prevent}/actions/*", "/log/*", "/**", "/pursue/**", "/*/*",
    "status", "*", "/threat/assessment/assessed", "/*/**", "/**/at", "/x/**/text", "/0/1", "",
])
@settings(max_examples=60, deadline=None)
@given(data=_DATA)
def test_select_matches_the_recursive_walk(text, data):
    pattern = compile_pattern(text)
    assert list(select(data, pattern, ("base",))) == list(_select(data, pattern.segments, ("base",)))


_MESSAGE_TEXT = st.lists(st.sampled_from(list("ab .:{}%#\n\r\t'\"|é") + ["{{", "}}", "{%", "{#"]),
                         max_size=12).map("".join)
_NAMES = st.sampled_from(["detail", "item", "count", "none", "range", "missing", "params"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_MESSAGE_TEXT, _NAMES, st.sampled_from(["{{ ", "{{", "{{  "]),
                          st.sampled_from([" }}", "}}"])), max_size=3), _MESSAGE_TEXT,
       st.dictionaries(_NAMES, st.one_of(st.text(max_size=5), st.integers(), st.none(), st.booleans(),
                                        st.floats(allow_nan=False), st.dates())))
def test_messages_without_jinja_render_as_jinja_does(pieces, tail, values):
    from jinja2 import TemplateError

    from fourp.pack.messages import new_environment as _environment
    from fourp.pack.messages import simple_message

    source = "".join(text + open_ + name + close for text, name, open_, close in pieces) + tail
    simple = simple_message(source)
    if simple is None:
        return
    fast = simple(values)
    if fast is None:
        return  # a name the values lack: Jinja renders it
    try:
        expected = _environment().from_string(source).render(values)
    except TemplateError:
        raise AssertionError(f"{source!r} renders without Jinja but is not a valid template")
    assert fast == expected


def test_the_shipped_messages_mostly_render_without_jinja():
    from fourp import load_pack
    from fourp.pack.messages import simple_message

    pack = load_pack()
    simple = [r.id for r in pack.rules if simple_message(r.message) is not None]
    assert len(simple) >= len(pack.rules) - 4, simple
    rule = pack.rule("lro-named")
    assert simple_message(rule.message)({"detail": "no name"}) == "No named LRO: no name."
