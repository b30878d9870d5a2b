"""The audit dashboard (`fourp audit --format html`): what it shows, that it is inert and self-contained,
and that a real browser loads it with no failed request and no console error, and prints it on A4."""
from __future__ import annotations

import os
import re
import struct

import chromium
import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES

from fourp.cli import main

REGISTER = EXAMPLES / "register.csv"


def run_audit(*args):
    return CliRunner().invoke(main, ["audit", *args, "--as-of", "2024-09-30"], catch_exceptions=False)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    page = tmp_path_factory.mktemp("dashboard") / "audit.html"
    result = run_audit(str(EXAMPLES), "--register", str(REGISTER), "--format", "html", "--output", str(page))
    assert result.exit_code == 1, result.output  # the examples are written to fail
    return page


def test_dashboard_shows_every_part(dashboard):
    html = dashboard.read_text(encoding="utf-8")
    for heading in ("Score distribution", "Grades", "How often each rule fails", "Across the plans",
                    "By force", "By LRO", "By P"):
        assert f">{heading}</h2>" in html, heading
    assert html.count("<svg") == 3  # score distribution, grades, rule failure rates
    assert html.count('<section class="plan"') == 7  # a section for each plan, with its findings
    assert "no-copied-text" in html and "share a 62-word passage" in html
    assert "SOCML-SE-20877 (Copnor Road OCG) is on the register with no 4P plan" in html
    assert "@page { size: A4" in html and "@media print" in html


def test_dashboard_is_self_contained(dashboard):
    html = dashboard.read_text(encoding="utf-8")
    assert not re.search(r"<script|<link|<img|<iframe|<object|@import|url\(|\bsrc=", html, re.I)
    assert not re.search(r"""href=["'](?!#)""", html)  # only links within the page


def test_plan_text_is_inert_in_the_dashboard(tmp_path):
    hostile = ('<script>alert(1)</script> {{ 7*7 }} <img src=x onerror=alert(2)> "quoted" & '
               "the rest of a long pasted passage about safeguarding tenants, runners and the youth diversion "
               "scheme with housing officers and closure orders where needed")
    for number, (name, base) in enumerate([("a", "good-plan.yaml"), ("b", "sussex-harbour-lane.yaml")], 1):
        plan = yaml.safe_load((EXAMPLES / base).read_text(encoding="utf-8"))
        plan["threat"]["reference"] = f"SOCML-X-{number}"
        plan["threat"]["name"] = f"<b>{name}</b> OCG"
        plan["protect"]["objectives"] = [hostile]
        plan["lro"]["name"] = "<i>Insp</i> X"
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    page = tmp_path / "out" / "audit.html"
    page.parent.mkdir()
    run_audit(str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--format", "html", "--output", str(page))
    html = page.read_text(encoding="utf-8")
    assert "share a" in html  # the pasted passage is found and quoted...
    assert "alert(1)&lt;/script&gt; {{ 7*7 }} &lt;img src=x onerror=alert(2)&gt;" in html  # ...as text, never markup
    assert "&lt;b&gt;a&lt;/b&gt; OCG" in html and "&lt;i&gt;Insp&lt;/i&gt; X" in html
    assert "<script" not in html and "<img" not in html and "<b>a</b>" not in html and "<i>Insp" not in html


def test_register_errors_exit_2_with_file_and_line(tmp_path):
    bad = tmp_path / "register.csv"
    bad.write_text("reference,name,managed_since\nSOCML-1,A,someday\n", encoding="utf-8")
    result = run_audit(str(EXAMPLES), "--register", str(bad))
    assert result.exit_code == 2
    assert f"bad register: {bad}:2: managed_since 'someday' is not a date" in result.output


def test_cross_plan_findings_set_the_exit_code(tmp_path):
    # Two plans that pass every single-plan rule, but one pastes the other's paragraph.
    for name in ("a", "b"):
        plan = yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text(encoding="utf-8"))
        plan["threat"]["reference"] = f"SOCML-X-{name}"
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    assert run_audit(str(tmp_path / "a.yaml"), "--format", "json").exit_code == 0
    copied = run_audit(str(tmp_path), "--format", "json")
    assert copied.exit_code == 1 and '"rule": "no-copied-text"' in copied.output


# -- in a real browser --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if chromium.available() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed: `apt-get install chromium` (Debian) runs this test")
    with chromium.Chromium() as instance:
        yield instance


def png_size(path):
    with open(path, "rb") as handle:
        head = handle.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_dashboard_in_chromium(browser, dashboard, tmp_path):
    browser.open(dashboard.as_uri())
    assert browser.requests() == [dashboard.as_uri()]  # the page itself and nothing else
    assert browser.failed_requests() == []
    assert browser.console_errors() == []
    assert browser.evaluate("document.title").startswith("4P plan audit: 7 plans")
    # The charts are drawn, with a bar per score band, grade and rule.
    assert browser.evaluate("document.querySelectorAll('svg.chart').length") == 3
    assert browser.evaluate("document.querySelectorAll('svg.chart rect').length") > 20
    assert browser.evaluate("document.querySelector('#portfolio').getBoundingClientRect().height") > 0
    shot = tmp_path / "dashboard.png"
    browser.screenshot(str(shot))
    width, height = png_size(shot)
    assert width == 1200 and height > 3000 and os.path.getsize(shot) > 50_000
    pdf = browser.pdf()
    sizes = {tuple(round(float(v)) for v in box.split()[2:]) for box in
             re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)}
    assert sizes == {(595, 842)}, sizes  # every page A4 (595 x 842 points)


def test_the_browser_check_catches_what_it_should(browser, tmp_path):
    """The harness itself: a failed request and a console error on a page are seen."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><img src="missing.png"><script>console.error("boom")</script>', encoding="utf-8")
    browser.open(page.as_uri())
    assert any("ERR_FILE_NOT_FOUND" in failure for failure in browser.failed_requests())
    assert "boom" in " ".join(browser.console_errors())
    assert len(browser.requests()) >= 2


def test_the_audit_page_shows_the_dashboard_screenshot():
    page = (EXAMPLES.parent / "docs" / "audit.md").read_text(encoding="utf-8")
    assert "](dashboard.png)" in page
    width, height = png_size(EXAMPLES.parent / "docs" / "dashboard.png")
    assert width >= 1000 and height >= 1000
