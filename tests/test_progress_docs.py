"""Every command shown in docs/history.md, docs/partners.md and the README's section on progress runs, and
does what the page says, on a copy of the examples (and a folder of four forces for the regional view)."""
from __future__ import annotations

import re
import shlex
import shutil

import pytest
import yaml
from click.testing import CliRunner

import fourp
from fourp.cli import main

from conftest import EXAMPLES, ROOT

PAGES = ("docs/history.md", "docs/partners.md", "README.md")


def commands(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    if page == "README.md":
        text = text.split("## Progress, the region and partners", 1)[1].split("\n## ", 1)[0]
    return [line for block in re.findall(r"```sh\n(.*?)```", text, re.S) for line in block.splitlines()
            if line.startswith("fourp ")]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    for force, name in (("hampshire", "hampshire-brief-undated.yaml"), ("surrey", "surrey-no-lro.yaml"),
                        ("sussex", "sussex-harbour-lane.yaml"), ("thames-valley", "thames-valley-no-results.yaml")):
        (tmp_path / "region" / force).mkdir(parents=True)
        shutil.copy(EXAMPLES / name, tmp_path / "region" / force / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FOURP_NO_CACHE", "1")
    return tmp_path


@pytest.mark.parametrize("page", PAGES)
def test_every_command_shown_runs(page, workdir):
    shown = commands(page)
    assert shown, page
    for command in shown:
        result = CliRunner().invoke(main, shlex.split(command)[1:], catch_exceptions=False)
        assert result.exit_code in (0, 1), (command, result.output)  # 1: the examples are written to fail
    names = {p.name for p in workdir.iterdir()}
    for command in shown:  # and every file a command writes is there
        for target in re.findall(r"(?:-o|--history) (\S+)", command):
            assert target in names, (command, target)


def test_the_pages_describe_what_the_code_does(workdir):
    pack = fourp.load_pack()
    partners = (ROOT / "docs" / "partners.md").read_text(encoding="utf-8")
    block = yaml.safe_load(re.findall(r"```yaml\n(.*?)```", partners, re.S)[0])["partners"]
    assert block == pack.partners.to_dict()  # the allow-list shown is the shipped one
    history = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
    for rec in pack.recommendations:
        assert f"L{rec.line}" in history, rec.id
