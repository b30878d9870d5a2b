"""Every fourp command shown in docs/config.md, docs/editor.md and docs/ci.md runs, with the exit code the page
gives it (`# exit 1`), over the files the page itself shows; its sample output lines are what fourp prints."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

PAGES = ("config.md", "editor.md", "ci.md")
_BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)
_COPY = re.compile(r"<!-- copy: (\S+) (\S+) -->")
#: A command inside a CI configuration shown on a page (`- run: fourp ...`, `- fourp ...`).
_CONFIGURED = re.compile(r"^\s*(?:-\s+)?(?:run:\s+)?(fourp .*)$")


def _commands(text):
    """(command, expected exit codes, sample output lines) for each command on the page."""
    blocks = list(_BLOCK.finditer(text))
    found = []
    for index, block in enumerate(blocks):
        lang, body = block["lang"], block["body"]
        if lang == "sh":
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            sample = (following["body"].splitlines() if following is not None and following["lang"] == "text"
                      and not text[block.end():following.start()].strip() else [])
            lines = [line for line in body.splitlines() if line.strip()]
            for number, line in enumerate(lines):
                command, _, comment = line.partition("   # ")
                expected = {int(comment.split()[-1])} if comment.startswith("exit") else {0}
                found.append((command.strip(), expected, sample if number == len(lines) - 1 else []))
        elif lang == "yaml" and block["file"] is None:
            for line in body.splitlines():
                match = _CONFIGURED.match(line.split("   #")[0])
                if match:  # judged as at today and over the examples: pass or fail, never a usage error
                    found.append((match[1].strip(), {0, 1}, []))
    return found


def _setup(folder, text):
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


CASES = [(page, command, expected, sample)
         for page in PAGES
         for command, expected, sample in _commands((ROOT / "docs" / page).read_text(encoding="utf-8"))]


def test_every_page_shows_commands():
    assert {page for page, *_ in CASES} == set(PAGES)


@pytest.mark.parametrize("page, command, expected, sample", CASES, ids=[f"{c[0]}:{c[1][:60]}" for c in CASES])
def test_documented_command_runs(tmp_path, page, command, expected, sample):
    _setup(tmp_path, (ROOT / "docs" / page).read_text(encoding="utf-8"))
    bin_dir = os.path.dirname(sys.executable)
    assert shutil.which("fourp", path=bin_dir), "fourp is not installed beside this Python"
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1",
               XDG_CACHE_HOME=str(tmp_path / "cache"), COLUMNS="200")
    result = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode in expected, (command, result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    shown = result.stdout + result.stderr
    for line in sample:
        if line.strip() and "…" not in line and "..." not in line and not line.startswith("$ "):
            assert line.rstrip() in shown, (command, line, shown[:3000])
