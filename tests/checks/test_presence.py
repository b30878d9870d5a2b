"""The presence kind: required fields, wildcards that need one match, and any-of groups."""
from __future__ import annotations

from kindcase import run, paths


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
