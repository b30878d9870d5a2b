"""Colour in the text reports follows each run, not the run that first compiled (and cached) the templates."""
from __future__ import annotations

from click.testing import CliRunner
from conftest import EXAMPLES

from fourp.cli import main
from fourp.output import render


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


def test_a_template_compiled_for_html_is_not_reused_for_text(monkeypatch, tmp_path):
    """`_macros.j2` serves the HTML and the text reports; compiled (and cached) for one, it must not be
    taken from the cache for the other, or the text report prints HTML entities."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FOURP_NO_CACHE", raising=False)
    plan = str(EXAMPLES / "thames-valley-no-results.yaml")
    args = ["check", plan, "--as-of", "2024-09-30"]
    html = CliRunner().invoke(main, [*args, "--format", "html"]).output
    text = CliRunner().invoke(main, [*args, "--no-color"]).output
    assert "wasn&#39;t clear" in html
    assert "wasn't clear" in text and "&#39;" not in text
