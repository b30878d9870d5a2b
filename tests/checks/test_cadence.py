"""The cadence kind: regular entries pass; a late first entry, a gap and a stale end are each found."""
from __future__ import annotations

from kindcase import run


class TestCadence:
    OPTS = {"entries": [{"items": "/r/*", "field": "at"}], "max_gap_days": 35, "label": "review",
            "start": "/created"}

    def test_regular(self):
        plan = {"created": "2024-07-01", "r": [{"at": f"2024-{m:02d}-05T10:00"} for m in (7, 8, 9)]}
        assert run("cadence", plan, self.OPTS) == []

    def test_gap_first_and_stale(self):
        plan = {"created": "2024-01-01", "r": [{"at": "2024-03-01"}, {"at": "2024-08-01"}]}
        issues = [detail for _, detail in run("cadence", plan, self.OPTS)]
        assert len(issues) == 3 and "153 days" in issues[1]
