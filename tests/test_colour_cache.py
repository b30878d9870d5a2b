"""Colour in the text reports follows each run, not the run that first compiled (and cached) the templates."""
from __future__ import annotations

from click.testing import CliRunner

from fourp import render
from fourp.cli import main

from conftest import EXAMPLES


def audit_text(monkeypatch, colour):
    monkeypatch.setattr(render, "colour_wanted", lambda *args, **kwargs: colour)
    return CliRunner().invoke(main, ["audit", str(EXAMPLES), "--as-of", "2024-09-30", "--jobs", "1"],
                              color=True).output


def test_headings_take_the_colour_of_each_run(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a fresh template cache, filled by the first run
    monkeypatch.delenv("FOURP_NO_CACHE", raising=False)
    plain = audit_text(monkeypatch, False)
    coloured = audit_text(monkeypatch, True)
    again = audit_text(monkeypatch, False)
    assert "\x1b" not in plain and "\x1b" not in again
    for heading in ("Grades", "Across the plans", "Recommendations"):
        assert f"\x1b[1;36m{heading}\x1b[0m" in coloured, heading
