"""docs/pack-language.md: every example in it gives the verdicts it says, and it covers the whole language."""
from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT
from examplepack import example_pack, run_examples

from fourp import checks
from fourp.docs import kind_docs
from fourp.pack.conditions import _TESTS
from fourp.pack.spelling import RENAMED_OPTIONS

DOC = (ROOT / "docs" / "pack-language.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, re.S)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_each_example_gives_the_verdicts_it_says(tmp_path, number):
    rule = yaml.safe_load(BLOCKS[number])
    assert rule["examples"], "every YAML block on the page is a rule with examples"
    outcomes = run_examples(example_pack(tmp_path, [rule]))
    assert len({expected for expected, _ in outcomes}) >= 2  # it shows both sides


def test_every_condition_has_an_example():
    for test in _TESTS:
        assert any(re.search(rf"[{{\s]{test}:", block) for block in BLOCKS), test
    assert any(re.search(r"^\s*-?\s*items:", block, re.M) and "applies_when" in block for block in BLOCKS)


def test_every_kind_is_listed():
    for doc in kind_docs():
        if doc.scope == "plan" and doc.name not in checks.builtin_names():
            continue  # a plug-in (tests register some): not the pack language's
        assert f"[`{doc.name}`](kinds.md#{doc.name})" in DOC, doc.name


def test_every_old_spelling_is_listed():
    table = DOC.split("## Old spellings")[1]
    for kind, renames in RENAMED_OPTIONS.items():
        for old, (new, _) in renames.items():
            row = next(line for line in table.splitlines() if line.startswith(f"| `{old}"))
            assert f"`{new}" in row and f"`{kind}`" in row
    assert "| `count: pattern` | `items: pattern` |" in table
    assert '"@actions"' in table
