"""The documentation stays true. docs/rules.md is generated from the shipped pack and stays in step with it;
and every shell command (```sh, ```console) and every Python block (```python) in README.md, CONTRIBUTING.md
and docs/*.md is run here, page by page in the order shown, unless `NOT_RUN` below says which other test
runs it or why it cannot be run.

How a page sets up what its commands need, in a fresh folder: `examples/` is a copy of the shipped
examples and `plans/` of the example plans; `<!-- file: PATH -->` before a block writes the block to PATH;
`<!-- copy: SOURCE TARGET -->` copies a file of the repository there. A command exits 0 unless its line
says `   # exit N` (after a comment's other words too), and writes every file it names after `-o`,
`--output`, `--history` or `--report FORMAT:`. An ```sh block followed straight away by a ```text block is
the last command and its output: each line of the output shown (except `...` lines) must be in what fourp
prints. Python blocks of a page share one namespace, so a later block can use what an earlier one made,
and run in the folder.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Set, Tuple

import pytest

import fourp
from fourp.docs import rules_markdown

from conftest import EXAMPLES, ROOT

#: Blocks not run here: (page, the block's first line) and which test runs it instead, or why nothing can.
NOT_RUN: Dict[Tuple[str, str], str] = {
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/fourp check examples/*.yaml "
                  "--as-of 2024-09-30"):
        "installs fourp into a new environment from the package index: .ci/run does the same from a built "
        "wheel and checks an example from outside the repository",
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"):
        "the test command: .ci/run reads it from the README and runs it; run from here it would recurse",
    ("CONTRIBUTING.md", "python3 -m venv .venv && .venv/bin/pip install -e '.[test]'"):
        "tests/test_contributing.py: it must be the README's test command's first half",
    ("CONTRIBUTING.md", ".venv/bin/python -m pytest -q"):
        "tests/test_contributing.py: it must be the README's test command's second half",
    ("CONTRIBUTING.md", "ruff check ."):
        "tests/test_contributing.py: the lint and type commands must be the ones .ci/run runs",
    ("CONTRIBUTING.md", "python -m fourp.docs > docs/rules.md"):
        "tests/test_contributing.py runs each and compares its output with the page it regenerates",
    ("docs/benchmarks.md", "npm install --prefix bench/.spectral @stoplight/spectral-cli@6"):
        "an hour's measurement and an npm install: run by hand (speed is measured, never tested); "
        "tests/test_bench.py runs bench/run.py end to end on a handful of plans",
}

#: CONTRIBUTING.md's Python blocks are fragments of fourp's own modules (a reader, a check kind, a
#: cross-plan check, an output format): tests/test_contributing.py runs each inside the module it belongs to.
PYTHON_RUN_ELSEWHERE = {"CONTRIBUTING.md": "tests/test_contributing.py"}

_BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.S | re.M)
_COPY = re.compile(r"<!-- copy: (\S+) (\S+) -->")
RUN_LANGS = ("sh", "console", "python")


def pages() -> List[str]:
    return ["README.md", "CONTRIBUTING.md"] + sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))


class Step(NamedTuple):
    """One thing to run: a shell command (with its expected exit codes and the output lines it must
    print) or a Python block."""

    kind: str  # "sh" or "python"
    text: str
    expected: Set[int]
    sample: Tuple[str, ...]


def _read(page: str) -> str:
    return (ROOT / page).read_text(encoding="utf-8")


def _blocks(text: str):
    return list(_BLOCK.finditer(text))


def _not_run(page: str, body: str) -> bool:
    first = next((line for line in body.splitlines() if line.strip()), "")
    return (page, first) in NOT_RUN


def _command(line: str) -> Tuple[str, Set[int]]:
    command, _, comment = line.partition("   # ")
    code = re.search(r"\bexit (\d)\b", comment)
    return command.strip(), ({int(code[1])} if code else {0})


def steps(page: str) -> List[Step]:
    """What the page shows to run, in its order."""
    text = _read(page)
    blocks = _blocks(text)
    found: List[Step] = []
    for index, block in enumerate(blocks):
        lang, body = block["lang"], block["body"]
        if lang not in RUN_LANGS or block["file"] or _not_run(page, body):
            continue
        if lang == "python":
            if page not in PYTHON_RUN_ELSEWHERE:
                found.append(Step("python", body, set(), ()))
        elif lang == "sh":
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            sample = (following["body"].splitlines() if following is not None and following["lang"] == "text"
                      and not text[block.end():following.start()].strip() else [])
            lines = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
            for number, line in enumerate(lines):
                command, expected = _command(line)
                found.append(Step("sh", command, expected, tuple(sample) if number == len(lines) - 1 else ()))
        else:  # console: `$ command`, then what it prints
            chunks = re.split(r"^\$ ", body, flags=re.M)
            for chunk in chunks[1:]:
                line, *output = chunk.splitlines()
                command, expected = _command(line)
                found.append(Step("sh", command, expected, tuple(output)))
    return found


def _setup(folder: Path, text: str) -> None:
    shutil.copytree(EXAMPLES, folder / "examples")
    plans = folder / "plans"
    plans.mkdir()
    for example in EXAMPLES.glob("*.yaml"):
        shutil.copy(example, plans / example.name)
    for block in _BLOCK.finditer(text):
        if block["file"]:
            target = folder / block["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block["body"], encoding="utf-8")
    for source, target in _COPY.findall(text):
        (folder / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / source, folder / target)


RUN_PAGES = [page for page in pages() if steps(page)]


def test_every_block_is_run_or_says_why_not():
    """A new block is run by default; a block left out is in NOT_RUN, and NOT_RUN names only real blocks."""
    seen = set()
    for page in pages():
        for block in _blocks(_read(page)):
            if block["lang"] in RUN_LANGS:
                first = next((line for line in block["body"].splitlines() if line.strip()), "")
                seen.add((page, first))
    assert set(NOT_RUN) <= seen, set(NOT_RUN) - seen
    assert {"README.md", "docs/library.md", "docs/audit.md", "docs/packs.md", "docs/templates.md", "docs/check.md",
            "docs/config.md", "docs/ci.md", "docs/office.md", "docs/history.md"} <= set(RUN_PAGES)


@pytest.mark.parametrize("page", RUN_PAGES)
def test_every_command_and_code_block_on_the_page_runs(tmp_path, monkeypatch, page):
    _setup(tmp_path, _read(page))
    bin_dir = os.path.dirname(sys.executable)
    assert shutil.which("fourp", path=bin_dir), "fourp is not installed beside this Python"
    # the page's caches and cache key in its folder, for its Python blocks (run here) and its commands
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1", COLUMNS="200")
    monkeypatch.chdir(tmp_path)
    space: dict = {"__name__": "__docs__"}
    for step in steps(page):
        if step.kind == "python":
            exec(compile(step.text, page, "exec"), space)
            continue
        result = subprocess.run(step.text, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode in step.expected, \
            (step.text, result.returncode, result.stdout[-2000:], result.stderr[-2000:])
        for target in re.findall(r"(?:^|\s)(?:(?:-o|--output|--history)\s+|--report \w+:)(\S+)", step.text):
            assert (tmp_path / target).exists(), (step.text, target)  # every file a command writes is there
        shown = result.stdout + result.stderr
        for line in step.sample:
            if line.strip() and "…" not in line and "..." not in line:
                assert line.rstrip() in shown, (step.text, line, shown[:3000])


def test_rules_reference_is_current():
    expected = rules_markdown(fourp.load_pack())
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "regenerate with: python -m fourp.docs > docs/rules.md"


def test_every_rule_is_documented():
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in fourp.load_pack().rules:
        assert f"## {rule.id}" in text


def _file_block(page: str, name: str) -> str:
    [body] = [b["body"] for b in _blocks(_read(page)) if b["file"] == name]
    return body


def test_the_force_pack_on_docs_packs_overrides_what_it_says(tmp_path):
    (tmp_path / "surrey.yaml").write_text(_file_block("docs/packs.md", "surrey.yaml"), encoding="utf-8")
    pack = fourp.load_pack(str(tmp_path / "surrey.yaml"))
    assert pack.rule("lro-reviews-regular").params["max_gap_days"] == 60
    assert pack.rule("qa-evidenced").severity == "warning"
    assert "lifetime-management-considered" not in {rule.id for rule in pack.rules if rule.enabled}


def test_the_new_rule_on_docs_packs_passes_and_fails_its_examples(tmp_path):
    for name in ("surrey.yaml", "surrey-deputies.yaml"):
        (tmp_path / name).write_text(_file_block("docs/packs.md", name), encoding="utf-8")
    pack = fourp.load_pack(str(tmp_path / "surrey-deputies.yaml"))
    results = {r.expected: r.got for r in fourp.verify_pack(pack, ["deputy-appointed"])}
    assert results == {"pass": "pass", "fail": "fail"}
    assert pack.rule("lro-reviews-regular").params["max_gap_days"] == 60  # and it extends the force's pack


_LINK = re.compile(r"\]\(([^()\s]+)\)")


def _anchors(text: str) -> Set[str]:
    """GitHub's anchors for a page's headings."""
    out = set()
    for heading in re.findall(r"^#+ (.+)$", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M), re.M):
        out.add(re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page", pages())
def test_every_link_between_pages_leads_somewhere(page):
    """Moving a section between pages must not leave a link to where it was."""
    text = _read(page)
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        file = (ROOT / page).parent / path if path else ROOT / page
        assert file.exists(), (page, target)
        if anchor and file.suffix == ".md":
            assert anchor in _anchors(file.read_text(encoding="utf-8")), (page, target)
