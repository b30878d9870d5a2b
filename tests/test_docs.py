"""docs/rules.md is generated from the shipped pack and must stay in step with it."""
from __future__ import annotations

import fourp
from fourp.docs import rules_markdown

from conftest import ROOT


def test_rules_reference_is_current():
    expected = rules_markdown(fourp.load_pack())
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "regenerate with: python -m fourp.docs > docs/rules.md"


def test_every_rule_is_documented():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in fourp.load_pack().rules:
        assert f"## {rule.id}" in text
