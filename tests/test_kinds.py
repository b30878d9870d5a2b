"""Each check kind on small plan snippets, in the style of yamllint's RuleTestCase.check."""
from __future__ import annotations

import datetime as dt

import pytest

from fourp import checks
from fourp.pack.context import Context

AS_OF = dt.date(2024, 9, 30)


def run(kind, plan, options, as_of=AS_OF):
    """The (path, detail) of every problem the kind finds in the plan with the options."""
    check = checks.get(kind)
    return [(p.path, p.detail) for p in check.check(Context(plan, as_of), check.prepare(options))]


def paths(kind, plan, options, as_of=AS_OF):
    return [path for path, _ in run(kind, plan, options, as_of)]


class TestPresence:
    def test_require(self):
        assert paths("presence", {"lro": {"name": "A", "rank": " "}}, {"require": ["/lro/name", "/lro/rank"]}) \
            == [("lro", "rank")]

    def test_wildcard_needs_one(self):
        opts = {"require": ["/intelligence/*/reference"]}
        assert paths("presence", {"intelligence": [{"title": "x"}, {"reference": "R1"}]}, opts) == []
        assert paths("presence", {"intelligence": [{"title": "x"}]}, opts) == [("intelligence",)]

    def test_any_of(self):
        opts = {"any_of": [["/a/risk", "/a/priority"]]}
        assert paths("presence", {"a": {"priority": "high"}}, opts) == []
        assert len(run("presence", {"a": {}}, opts)) == 1


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


class TestWording:
    OPTS = {"entries": [{"items": "/log/*", "field": "text"}], "min_words": 4, "placeholders": ["ongoing", "n/a"]}

    @pytest.mark.parametrize("text, found", [
        ("Met housing about the flats", False), ("Ongoing.", True), ("N/A", True), ("Arrests made", True),
        ("", True), ("???", True),
    ])
    def test_brief_and_placeholders(self, text, found):
        assert bool(run("wording", {"log": [{"text": text}]}, self.OPTS)) is found


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


class TestEach:
    def test_require_and_assert(self):
        opts = {"items": "/actions/*", "where": [{"field": "status", "equals": "open"}], "require": ["owner"],
                "assert": [{"that": {"field": "due", "not_past": True}, "detail": "is overdue"}]}
        plan = {"actions": [{"status": "open", "owner": "A", "due": "2024-12-01"},
                            {"status": "open", "due": "2024-01-01", "id": "X-2"},
                            {"status": "done", "due": "2024-01-01"}]}
        assert run("each", plan, opts) == [(("actions", 1, "owner"), "action 2 (X-2) has no owner"),
                                           (("actions", 1, "due"), "action 2 (X-2) is overdue")]


class TestPattern:
    def test_must_match_anywhere_below(self):
        opts = {"texts": ["/prepare/**"], "must_match": r"\bSCPO\b", "label": "an SCPO"}
        assert run("pattern", {"prepare": {"actions": [{"action": "Apply for an SCPO"}]}}, opts) == []
        assert len(run("pattern", {"prepare": {"actions": [{"action": "Nothing"}]}}, opts)) == 1

    def test_must_not_match_quotes(self):
        opts = {"texts": ["/log/*/text"], "must_not_match": "secret", "label": "a secret"}
        assert "“Secret”" in run("pattern", {"log": [{"text": "Secret source"}]}, opts)[0][1]


class TestNamed:
    def test_plan_author(self):
        opts = {}
        assert run("plan-author", {"lro": {"name": "Ch Insp Tom Reade"}, "author": {"name": "tom reade"}}, opts) == []
        assert "DS Ann Lee (sio)" in run("plan-author", {"lro": {"name": "Tom Reade"},
                                                         "author": {"name": "DS Ann Lee", "role": "sio"}}, opts)[0][1]

    def test_names_own_threat(self):
        plan = {"threat": {"name": "Harbour Lane OCG"}, "operation": {"name": "Operation Gannet"},
                "log": [{"text": "The Harbour Lane OCG under Op Gannet; the Eastside OCG is a rival."}]}
        assert [d for _, d in run("names-own-threat", plan, {})] == [
            "log entry 1 text names “Eastside OCG”, which is not this plan's threat"]
        assert run("names-own-threat", plan, {"allowed": ["Eastside OCG"]}) == []


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(checks.UnknownCheck, match="presence"):
        checks.get("nope")
