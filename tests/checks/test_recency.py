"""The recency kind: the latest entry counts, future entries are ignored, a past deadline is found."""
from __future__ import annotations

import datetime as dt

from kindcase import run


class TestRecency:
    OPTS = {"entries": [{"items": "/log/*", "field": "at"}], "max_days": 30, "label": "entry",
            "deadlines": ["/next"]}

    def test_latest_counts_and_future_is_ignored(self):
        plan = {"log": [{"at": "2024-01-01T10:00"}, {"at": "2024-09-15T10:00"}, {"at": "2025-01-01T10:00"}]}
        assert run("recency", plan, self.OPTS) == []
        found = run("recency", {"log": [{"at": "2024-09-15"}]}, self.OPTS, as_of=dt.date(2024, 11, 10))
        assert "56 days" in found[0][1]

    def test_none_and_deadline(self):
        assert "no entry" in run("recency", {}, self.OPTS)[0][1]
        found = run("recency", {"log": [{"at": "2024-09-29T10:00"}], "next": "2024-09-01"}, self.OPTS)
        assert [p for p, _ in found] == [("next",)]
