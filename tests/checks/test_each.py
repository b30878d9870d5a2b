"""The each kind: per-item requirements and assertions, with the item named in the detail."""
from __future__ import annotations

from kindcase import run


class TestEach:
    def test_require_and_assert(self):
        opts = {"items": "/actions/*", "where": [{"field": "status", "equals": "open"}], "require": ["owner"],
                "assert": [{"that": {"field": "due", "not_past": True}, "detail": "is overdue"}]}
        plan = {"actions": [{"status": "open", "owner": "A", "due": "2024-12-01"},
                            {"status": "open", "due": "2024-01-01", "id": "X-2"},
                            {"status": "done", "due": "2024-01-01"}]}
        assert run("each", plan, opts) == [(("actions", 1, "owner"), "action 2 (X-2) has no owner"),
                                           (("actions", 1, "due"), "action 2 (X-2) is overdue")]
