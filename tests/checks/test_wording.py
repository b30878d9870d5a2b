"""The wording kind: entries too brief to say anything, and placeholders."""
from __future__ import annotations

import pytest
from kindcase import run


class TestWording:
    OPTS = {"entries": [{"items": "/log/*", "field": "text"}], "min_words": 4, "placeholders": ["ongoing", "n/a"]}

    @pytest.mark.parametrize("text, found", [
        ("Met housing about the flats", False), ("Ongoing.", True), ("N/A", True), ("Arrests made", True),
        ("", True), ("???", True),
    ])
    def test_brief_and_placeholders(self, text, found):
        assert bool(run("wording", {"log": [{"text": text}]}, self.OPTS)) is found
