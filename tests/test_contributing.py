"""CONTRIBUTING.md stays true: its commands are the ones that work, and each worked example runs."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import types
from typing import Any, Dict

import pytest
import yaml
from conftest import AS_OF, EXAMPLES, ROOT
from examplepack import example_pack, run_examples

import fourp
from fourp import checks
from fourp.docs import kind_sections
from fourp.output import FORMATS, Format, format_report
from fourp.output.render import template_data
from fourp.portfolio.context import portfolio_kind
from fourp.read.plan import PlanError, _check_size

TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list:
    return [textwrap.dedent(b) for b in re.findall(rf"```{language}\n(.*?)```", TEXT, re.S)]


def block(language: str, containing: str) -> str:
    [found] = [b for b in blocks(language) if containing in b]
    return found


def test_setup_and_test_commands_are_the_readmes():
    readme_test = re.search(r"<!-- test-command -->\n```sh\n(.*?)\n```", README, re.S).group(1)
    setup = block("sh", "pip install").strip()
    test = block("sh", "pytest").strip()
    assert readme_test.startswith(setup + " && ")
    assert test.startswith(readme_test[len(setup) + 4:])


@pytest.mark.parametrize("command", [line for line in block("sh", "fourp.docs").splitlines() if line])
def test_the_regenerate_commands_give_the_docs_as_they_are(command):
    args, target = command.split(" > ")
    assert args.startswith("python -m fourp.docs")
    out = subprocess.run([sys.executable, *args.split()[1:]], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    assert out == (ROOT / target).read_text(encoding="utf-8")


def test_lint_and_type_commands_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in block("sh", "ruff").splitlines() if line]
    assert commands == ["ruff check .", "mypy fourp"]
    if "ruff" not in ci or "mypy" not in ci:
        pytest.skip("CI does not run ruff and mypy yet (added by another change)")
    for command in commands:
        assert command.split()[0] in ci and command.split()[-1] in ci


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is Python 3.11's")
def test_the_input_format_example_reads_a_plan_and_refuses_what_is_not_toml():
    space: Dict[str, Any] = {"Any": Any, "PlanError": PlanError, "_check_size": _check_size}
    exec(block("python", "_parse_toml"), space)
    toml = 'fourp = 1\nid = "TVP-4P-2024-031"\nstatus = "active"\n\n[lro]\nname = "Ch Insp Tom Reade"\n'
    twin = "fourp: 1\nid: TVP-4P-2024-031\nstatus: active\nlro: {name: Ch Insp Tom Reade}\n"
    pack = fourp.load_pack()
    from_toml = fourp.evaluate(fourp.plan_from_data(space["_parse_toml"](toml, "p.toml")), pack, AS_OF)
    from_yaml = fourp.evaluate(fourp.plan_from_data(yaml.safe_load(twin)), pack, AS_OF)
    assert [f.message for f in from_toml.findings] == [f.message for f in from_yaml.findings]
    assert from_toml.score == from_yaml.score
    with pytest.raises(PlanError) as caught:
        space["_parse_toml"]("id = ", "bad.toml")
    assert caught.value.file == "bad.toml" and caught.value.code == "invalid-toml" and caught.value.hint


def test_the_check_kind_example_is_documented_and_runs(monkeypatch, tmp_path):
    module = types.ModuleType("unique")
    exec(block("python", '"""`unique`'), module.__dict__)
    monkeypatch.setattr(checks, "_plugins", dict(checks._plugins))
    checks.register("unique", module)
    doc = checks.get("unique").doc
    assert set(kind_sections(doc)) == {"What it checks", "Options", "Example"}
    outcomes = run_examples(example_pack(tmp_path, [yaml.safe_load(kind_sections(doc)["Example"])]))
    assert {"pass", "fail"} <= {expected for expected, _ in outcomes}


def test_the_cross_plan_example_runs_as_its_rule_says(monkeypatch, tmp_path):
    module = types.ModuleType("one_plan_per_threat")
    exec(block("python", '"""`one-plan-per-threat`'), module.__dict__)
    monkeypatch.setitem(checks._PORTFOLIO, "one-plan-per-threat", portfolio_kind("one-plan-per-threat", module))
    rules = yaml.safe_load(block("yaml", "id: one-plan-per-threat"))
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump({"fourp-pack": 1, "name": "x", "rules": rules}), encoding="utf-8")
    pack = fourp.load_pack(str(path))
    results = list(fourp.verify_pack(pack, ["one-plan-per-threat"]))
    assert [(r.expected, r.got) for r in results] == [("pass", "pass"), ("fail", "fail")]


def test_the_output_format_example_writes_a_line_per_finding_and_escapes_plan_text(monkeypatch):
    space: Dict[str, Any] = {"Any": Any, "Dict": Dict}
    exec(block("python", "def to_github"), space)
    module = types.ModuleType("fourp.output.example_github")
    module.__dict__.update(space)
    monkeypatch.setitem(sys.modules, "fourp.output.example_github", module)
    monkeypatch.setitem(FORMATS, "example-github", Format("example-github", "example_github"))
    pack = fourp.load_pack()
    report = fourp.evaluate(fourp.load_plan(str(EXAMPLES / "thames-valley-no-results.yaml")), pack, AS_OF)
    text = format_report("example-github", template_data([report], pack))  # through the one registry
    lines = text.splitlines()
    assert len(lines) == len(report.findings) > 0
    assert all(re.match(r"::(error|warning|notice) file=[^,]+(,line=\d+,col=\d+)?,title=[\w-]+::", line)
               for line in lines)
    hostile = {"reports": [{"file": "a,b.yaml", "findings": [
        {"severity": "error", "line": 3, "column": 1, "rule": "r", "message": "x\n::error::forged 100%"}]}]}
    [line] = space["to_github"](hostile).splitlines()
    assert line == "::error file=a%2Cb.yaml,line=3,col=1,title=r::x%0A::error::forged 100%25"


def test_the_tests_are_laid_out_as_the_package_is():
    """Each stage folder of the package has its tests' folder, and each built-in check kind its module."""
    stages = {p.parent.name for p in (ROOT / "fourp").glob("*/__init__.py")}
    assert {"read", "pack", "checks", "portfolio", "output", "cache"} <= stages
    assert all((ROOT / "tests" / stage).is_dir() for stage in {"read", "pack", "checks", "portfolio", "output",
                                                               "cache"})
    missing = [name for name in checks.builtin_names()
               if not (ROOT / "tests" / "checks" / f"test_{name.replace('-', '_')}.py").is_file()]
    assert not missing, missing


def test_every_test_file_a_page_names_exists():
    pages = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    named = {(page.name, path) for page in pages
             for path in re.findall(r"tests/[\w/]*test_\w+\.py", page.read_text(encoding="utf-8"))}
    assert named
    assert not [(page, path) for page, path in sorted(named) if not (ROOT / path).is_file()]
