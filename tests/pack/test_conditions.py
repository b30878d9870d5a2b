"""The condition language: a date test on a value that is not a date decides nothing."""
from __future__ import annotations

import pytest
from conftest import AS_OF

from fourp.pack.context import Context


class TestConditions:
    @pytest.mark.parametrize("spec", [{"field": "due", "not_past": True}, {"field": "due", "not_past": False},
                                      {"field": "due", "older_than_days": 30}])
    def test_a_date_test_on_a_value_that_is_not_a_date_is_undecided(self, spec):
        from fourp.pack.conditions import Condition

        condition = Condition(spec)
        ctx = Context({}, AS_OF)
        assert condition.judge(ctx, {"due": "31/04/2025"}) is None
        past = spec.get("not_past") is False or "older_than_days" in spec
        assert condition.judge(ctx, {"due": "2024-01-01"}) is past
        assert condition.judge(ctx, {}) is False  # absent is not undecided: it is not there
