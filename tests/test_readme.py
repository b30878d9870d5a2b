"""The README is a front door: the two commands, each user's first steps, and a link to every page. Its
blocks are run by tests/test_docs.py; its sample output by tests/test_cli.py."""
from __future__ import annotations

import os
import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_two_commands_are_in_the_readme():
    assert "<!-- run-command -->" in README and "<!-- test-command -->" in README
    assert os.access(ROOT / ".ci" / "run", os.R_OK)


def test_the_readme_is_a_front_door():
    lines = README.count("\n")
    assert lines <= 170, f"{lines} lines: move the detail to a page under docs/ and link it"
    for user in ("An LRO checking a plan", "A supervisor auditing a folder", "A system using the library"):
        assert f"### {user}" in README


def test_every_page_is_linked_from_the_readme():
    linked = set(re.findall(r"\]\(docs/([\w.-]+\.md)", README))
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    assert pages <= linked, pages - linked
