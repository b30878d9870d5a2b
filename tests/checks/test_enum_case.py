"""The enum-case kind: an enumerated value written in another case is named with the format's spelling."""
from __future__ import annotations

from kindcase import paths, run


class TestEnumCase:
    def test_the_formats_spellings_pass(self):
        assert run("enum-case", {"status": "active", "pursue": {"actions": [{"status": "done"}]}}, {}) == []

    def test_each_value_in_another_case_is_found_with_its_right_spelling(self):
        found = run("enum-case", {"status": "Active", "pursue": {"actions": [{"status": " Done"}]}}, {})
        assert [path for path, _ in found] == [("status",), ("pursue", "actions", 0, "status")]
        assert "`active`" in found[0][1] and "`done`" in found[1][1]

    def test_a_value_outside_the_list_is_left_to_schema(self):
        assert paths("enum-case", {"status": "ongoing"}, {}) == []
