"""The pattern kind: must_match anywhere below a path, must_not_match quoting what it found."""
from __future__ import annotations

from kindcase import run


class TestPattern:
    def test_must_match_anywhere_below(self):
        opts = {"texts": ["/prepare/**"], "must_match": r"\bSCPO\b", "label": "an SCPO"}
        assert run("pattern", {"prepare": {"actions": [{"action": "Apply for an SCPO"}]}}, opts) == []
        assert len(run("pattern", {"prepare": {"actions": [{"action": "Nothing"}]}}, opts)) == 1

    def test_must_not_match_quotes(self):
        opts = {"texts": ["/log/*/text"], "must_not_match": "secret", "label": "a secret"}
        assert "“Secret”" in run("pattern", {"log": [{"text": "Secret source"}]}, opts)[0][1]
