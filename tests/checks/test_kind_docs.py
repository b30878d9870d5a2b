"""Each check kind is documented from its code: the same sections, every option, and examples that run."""
from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT
from examplepack import example_pack, run_examples

from fourp import checks
from fourp.cli import main
from fourp.docs import KIND_SECTIONS, kind_docs, kind_sections, kinds_markdown

BUILTIN = checks.builtin_names()


def test_the_kinds_reference_is_current():
    actual = (ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    assert actual == kinds_markdown(), "regenerate with: python -m fourp.docs --kinds > docs/kinds.md"


@pytest.mark.parametrize("name", BUILTIN)
def test_each_kind_has_the_same_sections(name):
    doc = checks.get(name).doc
    assert doc.startswith(f"`{name}`: ")
    headings = [line[:-1] for line in doc.splitlines() if line.endswith(":") and line[:-1] in KIND_SECTIONS]
    assert headings == list(KIND_SECTIONS)
    assert all(kind_sections(doc)[section].strip() for section in KIND_SECTIONS)


@pytest.mark.parametrize("name", BUILTIN)
def test_each_kind_documents_every_option(name):
    options = kind_sections(checks.get(name).doc)["Options"]
    for option in checks.get(name).schema.get("properties", {}):
        assert re.search(rf"(^|\W){re.escape(option)}\b", options), f"{name}: option {option} undocumented"
    for test in ("tests", "pairs"):  # kinds whose options are a list of tests: each test's keys too
        items = checks.get(name).schema.get("properties", {}).get(test, {}).get("items", {})
        for option in items.get("properties", {}):
            assert re.search(rf"(^|\W){re.escape(option)}\b", options), f"{name}: {test} {option} undocumented"


@pytest.mark.parametrize("name", BUILTIN)
def test_each_kinds_example_runs_as_it_says(tmp_path, name):
    example = yaml.safe_load(kind_sections(checks.get(name).doc)["Example"])
    assert example["check"] == name
    outcomes = run_examples(example_pack(tmp_path, [example]))
    assert {"pass", "fail"} <= {expected for expected, _ in outcomes}


def test_an_example_that_lies_is_caught(tmp_path):
    example = yaml.safe_load(kind_sections(checks.get("presence").doc)["Example"])
    example["examples"][0]["expect"] = "fail"
    with pytest.raises(AssertionError):
        run_examples(example_pack(tmp_path, [example]))


def test_fourp_kinds_lists_every_kind_and_prints_one():
    runner = CliRunner()
    listed = runner.invoke(main, ["kinds"])
    assert listed.exit_code == 0
    names = [line.split()[0] for line in listed.output.splitlines()]
    assert names == [d.name for d in kind_docs()]
    assert set(BUILTIN) | {"copied-text", "lro-workload"} <= set(names)
    one = runner.invoke(main, ["kinds", "recency"])
    assert one.exit_code == 0 and one.output.strip() == checks.get("recency").doc
    assert runner.invoke(main, ["kinds", "no-such-kind"]).exit_code == 2


def test_the_readme_links_the_kinds_reference_instead_of_a_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/kinds.md" in readme
    assert "| `presence` |" not in readme
