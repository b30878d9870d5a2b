"""docs/history.md and docs/partners.md describe what the code does (their commands are run by
tests/test_docs.py)."""
from __future__ import annotations

import re

import yaml

import fourp

from conftest import ROOT


def test_the_pages_describe_what_the_code_does():
    pack = fourp.load_pack()
    partners = (ROOT / "docs" / "partners.md").read_text(encoding="utf-8")
    block = yaml.safe_load(re.findall(r"```yaml\n(.*?)```", partners, re.S)[0])["partners"]
    assert block == pack.partners.to_dict()  # the allow-list shown is the shipped one
    history = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    for rec in pack.recommendations:
        assert f"L{rec.line}" in history, rec.id
