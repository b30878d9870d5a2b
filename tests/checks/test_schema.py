"""The schema kind: a value of the wrong type, outside its list or not a date is found at its place; a
misspelt field is named with the field it stands for; a value in the wrong case is left to enum-case."""
from __future__ import annotations

import pytest
from kindcase import paths, run


class TestSchema:
    def test_a_well_formed_plan_passes(self):
        assert run("schema", {"status": "active", "lro": {"name": "Ch Insp Tom Reade"}, "created": "2024-03-01"},
                   {}) == []

    @pytest.mark.parametrize("plan, where", [
        ({"status": "ongoing"}, ("status",)), ({"lro": "Ch Insp Tom Reade"}, ("lro",)),
        ({"created": "31/02/2024"}, ("created",)),
        ({"pursue": {"actions": [{"due": "soon"}]}}, ("pursue", "actions", 0, "due")),
    ])
    def test_each_problem_is_at_its_place(self, plan, where):
        assert paths("schema", plan, {}) == [where]

    def test_a_misspelt_field_is_named_with_the_one_it_stands_for(self):
        [(path, detail)] = run("schema", {"lro": {"nmae": "Ch Insp Tom Reade"}}, {})
        assert path == ("lro", "nmae") and "`name`" in detail

    def test_a_value_in_the_wrong_case_is_not_this_kinds_finding(self):
        assert run("schema", {"status": "Active", "pursue": {"actions": [{"status": "Done"}]}}, {}) == []

    @pytest.mark.parametrize("plan, article", [
        ({"lro": "Ch Insp Tom Reade"}, "should be a mapping"),          # the schema says "object"
        ({"pursue": {"actions": "none"}}, "should be a list"),          # the schema says "array"
    ])
    def test_the_article_agrees_with_the_word_shown(self, plan, article):
        [(_, detail)] = run("schema", plan, {})
        assert article in detail
