"""The fast paths give exactly what the general code gives: the compiled plan schema answers as jsonschema
does, and level-by-level pattern selection finds the same values in the same order as the recursive walk."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fourp.paths import _select, compile_pattern, select
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
    from fourp.plan import load_plan

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
