"""The plan-author kind: a plan written by its LRO passes; one written by someone else names them."""
from __future__ import annotations

from kindcase import run


class TestPlanAuthor:
    def test_plan_author(self):
        opts = {}
        assert run("plan-author", {"lro": {"name": "Ch Insp Tom Reade"}, "author": {"name": "tom reade"}}, opts) == []
        assert "DS Ann Lee (sio)" in run("plan-author", {"lro": {"name": "Tom Reade"},
                                                         "author": {"name": "DS Ann Lee", "role": "sio"}}, opts)[0][1]
