"""The counts kind: shares, minimums with a where clause, and unreadable dates counted neither way."""
from __future__ import annotations

import pytest
from kindcase import run


class TestCounts:
    def test_share(self):
        opts = {"tests": [{"items": "/pursue/actions/*", "of": "/{pursue,prevent}/actions/*", "max_share": 0.5,
                           "label": "pursue"}]}
        plan = {"pursue": {"actions": [1, 2, 3]}, "prevent": {"actions": [4]}}
        assert "3 of 4 (75%)" in run("counts", plan, opts)[0][1]
        plan["prevent"]["actions"] += [5, 6]
        assert run("counts", plan, opts) == []

    def test_min_with_where(self):
        opts = {"tests": [{"items": "/safeguarding/*", "where": [{"field": "kind", "equals": "safeguarding"}],
                           "min": 1, "label": "links"}]}
        assert run("counts", {"safeguarding": [{"kind": "Safeguarding "}]}, opts) == []
        assert len(run("counts", {"safeguarding": [{"kind": "investigation"}]}, opts)) == 1

    @pytest.mark.parametrize("at, found", [("2024-01-01", 1), ("2024-09-29", 0), ("31/04/2024", 0)])
    def test_an_unreadable_date_counts_neither_way(self, at, found):
        """An item whose date cannot be read might or might not be counted: no conclusion from it."""
        old = {"tests": [{"items": "/reviews/*", "where": [{"field": "at", "older_than_days": 90}], "max": 0,
                          "label": "old reviews"}]}
        recent = {"tests": [{"items": "/reviews/*", "where": [{"field": "at", "older_than_days": 90}],
                             "max_share": 0, "of": "/reviews/*", "label": "old reviews"}]}
        assert len(run("counts", {"reviews": [{"at": at}]}, old)) == found
        assert len(run("counts", {"reviews": [{"at": at}]}, recent)) == found
        fresh = {"tests": [{"items": "/reviews/*", "where": [{"field": "at", "not_past": True}], "min": 1,
                            "label": "reviews due"}]}
        assert len(run("counts", {"reviews": [{"at": at}]}, fresh)) == (0 if at.startswith("31") else 1)
