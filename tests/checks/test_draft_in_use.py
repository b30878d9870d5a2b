"""The draft-in-use kind: a draft that records work or has lasted too long is a plan in use."""
from __future__ import annotations

import pytest
from kindcase import paths, run


class TestDraftInUse:
    def test_a_new_draft_and_an_active_plan_pass(self):
        assert run("draft-in-use", {"status": "draft", "created": "2024-09-20T09:00"}, {}) == []
        assert run("draft-in-use", {"status": "active", "created": "2024-01-20T09:00"}, {}) == []

    def test_done_actions_make_a_draft_in_use(self):
        plan = {"status": "draft", "created": "2024-09-01T09:00", "pursue": {"actions": [{"status": "done"}]}}
        assert paths("draft-in-use", plan, {}) == [("status",)]

    @pytest.mark.parametrize("created, limit, found", [
        ("2024-01-20T09:00", None, True), ("2024-08-20T09:00", None, False), ("2024-08-20T09:00", 30, True),
    ])
    def test_a_draft_older_than_the_limit_is_in_use(self, created, limit, found):
        options = {} if limit is None else {"max_draft_days": limit}
        assert bool(run("draft-in-use", {"status": "draft", "created": created}, options)) is found
