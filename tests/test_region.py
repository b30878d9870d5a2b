"""The regional view: one audit over four forces' folders shows them side by side, with text copied between
forces found; `--force-from folder` names each plan's force by its folder."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES

from fourp.cli import main

FORCES = {"hampshire": ["hampshire-brief-undated.yaml"], "surrey": ["surrey-no-lro.yaml"],
          "sussex": ["good-plan.yaml", "sussex-harbour-lane.yaml", "sussex-copied-text.yaml"],
          "thames-valley": ["thames-valley-no-results.yaml"]}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """Four force folders; the Surrey plan pastes the Sussex Harbour Lane plan's protect objective (another
    force, another threat), and within Sussex one plan copies another (as the examples do)."""
    root = tmp_path_factory.mktemp("region") / "region"
    for force, names in FORCES.items():
        (root / force).mkdir(parents=True)
        for name in names:
            shutil.copy(EXAMPLES / name, root / force / name)
    harbour = yaml.safe_load((EXAMPLES / "sussex-harbour-lane.yaml").read_text(encoding="utf-8"))
    surrey = root / "surrey" / "surrey-no-lro.yaml"
    plan = yaml.safe_load(surrey.read_text(encoding="utf-8"))
    plan.setdefault("protect", {})["objectives"] = list(harbour["protect"]["objectives"])
    surrey.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return root


def audit_json(*args):
    result = run("audit", *args, "--as-of", "2024-09-30", "--format", "json", "--jobs", "1", "--no-cache")
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_four_force_folders_side_by_side(region):
    data = audit_json(region, "--force-from", "folder")
    view = data["region"]
    assert view["forces"] == ["hampshire", "surrey", "sussex", "thames-valley"]
    assert {p["plan"]["force"] for p in data["plans"]} == set(FORCES)
    rules = {r["rule"]: r["forces"] for r in view["rules"]}
    assert rules["lro-named"]["surrey"] == {"failing": 1, "applicable": 1, "rate": 100.0}
    assert rules["lro-named"]["sussex"] == {"failing": 0, "applicable": 3, "rate": 0.0}
    assert rules["entries-timed-dated"]["hampshire"]["failing"] == 1
    assert rules["actions-resulted"]["thames-valley"]["failing"] == 1
    spread = view["spread"]
    assert spread["sussex"]["plans"] == 3 and spread["sussex"]["max"] == 100.0
    assert spread["sussex"]["min"] <= spread["sussex"]["q1"] <= spread["sussex"]["median"] <= spread["sussex"]["q3"]
    assert spread["surrey"]["plans"] == 1 and spread["surrey"]["min"] == spread["surrey"]["max"]
    portfolio = {r["rule"]: r for r in view["portfolio"]}
    copied = portfolio["no-copied-text"]["forces"]
    assert copied["surrey"]["status"] == "fail" and copied["sussex"]["status"] == "fail"
    assert copied["hampshire"] == {"status": "pass", "findings": 0}
    assert portfolio["lro-workload"]["forces"]["sussex"]["status"] == "pass"
    across = view["copied_across_forces"]
    assert len(across) == 1 and across[0]["forces"] == ["surrey", "sussex"]
    assert any("surrey-no-lro.yaml" in f for f in across[0]["files"])
    assert "Safeguard the vulnerable tenants" in across[0]["quote"]
    # one passage in three plans is one finding: two Sussex plans and the Surrey one
    assert sorted(f.rsplit("/", 2)[-2] for f in across[0]["files"]) == ["surrey", "sussex", "sussex"]


def test_one_folder_per_force_named_on_the_command_line(region):
    data = audit_json(*[region / force for force in FORCES], "--force-from", "folder")
    assert data["region"]["forces"] == list(FORCES)
    assert len(data["region"]["copied_across_forces"]) == 1


def test_forces_from_the_plans_own_field_by_default(region):
    data = audit_json(region)
    assert data["region"]["forces"] == ["Hampshire and Isle of Wight Constabulary", "Surrey Police",
                                        "Sussex Police", "Thames Valley Police"]
    assert data["region"]["copied_across_forces"][0]["forces"] == ["Surrey Police", "Sussex Police"]


def test_one_force_has_no_regional_view(region):
    data = audit_json(region / "sussex")
    assert data["region"] is None


def test_recommendations_find_their_force_by_folder_name(region):
    data = audit_json(region, "--force-from", "folder")
    recs = {r["id"]: r for r in data["recommendations"]}
    assert recs["thames-valley-4p-quality"]["plans"] == 1
    assert recs["hampshire-4p-quality"]["plans"] == 1
    assert recs["sussex-4p-quality"]["plans"] == 3
    # Sussex's cross-plan target is judged over Sussex's plans alone: the copy within Sussex fails it
    target = next(t for t in recs["sussex-4p-quality"]["targets"] if t["rule"] == "no-copied-text")
    assert target["status"] == "fail"


def test_the_region_on_the_dashboard(region, tmp_path):
    page = tmp_path / "region.html"
    run("audit", region, "--force-from", "folder", "--as-of", "2024-09-30", "--format", "html", "-o", page)
    html = page.read_text(encoding="utf-8")
    assert ">The region: 4 forces side by side</h2>" in html
    assert ">Text copied between forces</h3>" in html and "surrey and sussex: " in html
    assert html.count('<div class="box" role="img"') == 4  # the spread of each force's scores
    assert '<th class="num">thames-valley</th>' in html
    text = run("audit", region, "--force-from", "folder", "--as-of", "2024-09-30", "--no-color").stdout
    assert "Text copied between forces" in text and "surrey and sussex:" in text


def test_a_copy_within_one_force_is_not_across_forces():
    data = audit_json(EXAMPLES)  # the examples' copied passage is between two Sussex plans
    assert len(data["region"]["forces"]) == 5
    assert data["region"]["copied_across_forces"] == []
    assert any(f["rule"] == "no-copied-text" for f in data["portfolio"]["findings"])


def test_the_region_in_chromium(region, tmp_path):
    import os

    import chromium

    if chromium.available() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed: `apt-get install chromium` (Debian) runs this test")
    page = tmp_path / "region.html"
    run("audit", region, "--force-from", "folder", "--as-of", "2024-09-30", "--format", "html", "-o", page)
    with chromium.Chromium() as browser:
        browser.open(page.as_uri())
        assert browser.requests() == [page.as_uri()]
        assert browser.failed_requests() == [] and browser.console_errors() == []
        assert browser.evaluate("document.querySelector('#region').getBoundingClientRect().height") > 0
        # each force's median line sits inside its box, at its score along the track
        widths = browser.evaluate(
            "Array.from(document.querySelectorAll('.box')).map(b => b.getBoundingClientRect().width)")
        lefts = browser.evaluate("Array.from(document.querySelectorAll('.box .median')).map(m => m.offsetLeft)")
        assert len(widths) == 4 and all(w > 100 for w in widths)
        assert all(0 < left < width for left, width in zip(lefts, widths))
