"""The README's first steps for an LRO with a Word plan lead from the template to feedback (every command on
docs/office.md is run by tests/test_docs.py)."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys

from click.testing import CliRunner
from conftest import ROOT
from office import fill_docx

from fourp.cli import main

README = (ROOT / "README.md").read_text("utf-8")


def commands(text):
    """The first ```sh block's commands, without their comments (`   # exit 1`)."""
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line.split("   # ")[0] for line in block.splitlines() if line.strip() and not line.startswith("#")]


def run_line(line, folder):
    words = shlex.split(line)
    if words[0] == "python":
        done = subprocess.run([sys.executable, *words[1:]], cwd=folder, capture_output=True, text=True)
        return done.returncode, done.stderr
    assert words[0] == "fourp", line
    result = CliRunner().invoke(main, words[1:])
    return result.exit_code, result.output


def test_the_readme_shows_an_lros_path_from_word_template_to_feedback_in_three_commands(tmp_path, monkeypatch):
    section = README.split("<!-- office-commands -->", 1)[1]
    lines = commands(section)
    assert len(lines) == 3 and lines[0].startswith("fourp new --format docx")
    monkeypatch.chdir(tmp_path)
    assert run_line(lines[0], tmp_path)[0] == 0
    import yaml

    fill_docx("plan.docx", yaml.safe_load((ROOT / "examples" / "sussex-copied-text.yaml").read_text("utf-8")))
    code, out = run_line(lines[1], tmp_path)
    assert code == 1 and "plan.docx: " in out and " table" in out  # findings, each at its place
    assert run_line(lines[2], tmp_path)[0] == 1
    assert "<html" in (tmp_path / "feedback.html").read_text("utf-8")
