"""The date-order kind: absolute and relative pairs, the as-of date, a required side."""
from __future__ import annotations

from kindcase import run, paths


class TestDateOrder:
    def test_absolute_pair(self):
        opts = {"pairs": [{"earlier": "/created", "later": "/operation/started"}]}
        assert run("date-order", {"created": "2024-02-01T09:00", "operation": {"started": "2024-02-01"}}, opts) == []
        assert paths("date-order", {"created": "2024-02-02T09:00", "operation": {"started": "2024-02-01"}},
                     opts) == [("operation", "started")]

    def test_relative_to_items_and_as_of(self):
        opts = {"pairs": [{"items": "/a/*", "earlier": "raised", "later": "done"},
                          {"earlier": "/a/*/done", "later": "@as_of"}]}
        plan = {"a": [{"raised": "2024-03-01", "done": "2024-02-01"}, {"raised": "2024-03-01", "done": "2025-01-01"}]}
        assert paths("date-order", plan, opts) == [("a", 0, "done"), ("a", 1, "done")]

    def test_required_side(self):
        opts = {"pairs": [{"earlier": "/lro/trained", "later": "/lro/appointed", "require": ["earlier"]}]}
        assert paths("date-order", {"lro": {"appointed": "2024-01-01"}}, opts) == [("lro", "trained")]
