"""The timestamps kind: which forms of a log entry's time are timed, untimed or missing."""
from __future__ import annotations

import datetime as dt

import pytest
from kindcase import run, paths


class TestTimestamps:
    OPTS = {"entries": [{"items": "/log/*", "field": "at"}]}

    @pytest.mark.parametrize("value, issue", [
        ("2024-03-05T14:30", None), (dt.datetime(2024, 3, 5, 14, 30), None), ("05/03/2024 14:30", None),
        ("2024-03-05", "not timed"), (dt.date(2024, 3, 5), "not timed"), (None, "no date"),
        ("last Tuesday", None), (42, None),  # not a date: plan-structure's to report, not this check's
    ])
    def test_forms(self, value, issue):
        found = run("timestamps", {"log": [{"at": value}]}, self.OPTS)
        assert (found[0][1] if found else None) is None if issue is None else issue in found[0][1]

    def test_missing_field_points_at_the_field(self):
        assert paths("timestamps", {"log": [{"text": "x"}]}, self.OPTS) == [("log", 0, "at")]

    def test_dates_alone_allowed_when_time_not_required(self):
        assert run("timestamps", {"log": [{"at": "2024-03-05"}]}, dict(self.OPTS, require_time=False)) == []
