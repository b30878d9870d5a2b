"""The names-own-threat kind: another threat named in a plan's text, unless the pack allows it."""
from __future__ import annotations

from kindcase import run


class TestNamesOwnThreat:
    def test_names_own_threat(self):
        plan = {"threat": {"name": "Harbour Lane OCG"}, "operation": {"name": "Operation Gannet"},
                "log": [{"text": "The Harbour Lane OCG under Op Gannet; the Eastside OCG is a rival."}]}
        assert [d for _, d in run("names-own-threat", plan, {})] == [
            "log entry 1 text names “Eastside OCG”, which is not this plan's threat"]
        assert run("names-own-threat", plan, {"allowed": ["Eastside OCG"]}) == []
