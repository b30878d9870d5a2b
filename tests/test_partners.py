"""`fourp partners`: each partner agency gets the actions it owns and its contacts, and nothing else of a plan
leaves: a marker planted in every field the pack's allow-list does not name appears in no partner file."""
from __future__ import annotations

import csv
import io
import itertools
import os
import re
import shutil

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES

import fourp
from fourp.cli import main
from fourp.partners import PartnerError, agency_key, write_partner_packs

_PS = ("pursue", "prevent", "protect", "prepare")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def leaves(value, path=()):
    """Every single value in a plan with its path, walking mappings and lists whatever they hold."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leaves(child, path + (index,))
    else:
        yield path, value


def put(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def allowed(data, path, policy):
    """Whether the allow-list lets this value go to a partner: a field of the plan it names, a field it
    names of an action a partner (not the police) owns, or a field it names of a `partners` entry."""
    def named(rest, paths):
        return tuple(str(k) for k in rest) in paths
    if named(path, policy.plan):
        return True
    if len(path) >= 4 and path[0] in _PS and path[1] == "actions" and isinstance(path[2], int):
        action = data[path[0]]["actions"][path[2]]
        owner = agency_key(action.get("agency"))
        return bool(owner) and owner not in policy.internal and named(path[3:], policy.action)
    return len(path) >= 3 and path[0] == "partners" and named(path[2:], policy.contact)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Every example plan with extra fields an agency must never see, and a unique marker in every value:
    SECRET-n where the allow-list does not name it, ALLOWED-n where it does (the agency, which names the
    folder, the force, and the `partners` entries' names, which say who is who, are left as they are)."""
    policy = fourp.load_pack().partners
    tmp = tmp_path_factory.mktemp("partners")
    plans = tmp / "plans"
    plans.mkdir()
    counter = itertools.count(1)
    secret, allowed_where = [], {}
    for source in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        data["handling"] = {"marking": "OFFICIAL-SENSITIVE", "notes": "source handling notes"}
        data.setdefault("partners", []).append({"name": "Probation Service", "contact": "OMU", "phone": "0100"})
        for p in _PS:
            for action in (data.get(p) or {}).get("actions") or []:
                action["notes"] = "an unlisted note on the action"
                if isinstance(action.get("result"), dict):
                    action["result"]["source"] = "a sensitive source of the result"
        for path, value in list(leaves(data)):
            keep = (path[-1] == "agency" and len(path) == 4) or path == ("force",) or (
                path[0] == "partners" and path[-1] == "name")
            if keep:
                continue
            if allowed(data, path, policy):
                marker = f"ALLOWED{next(counter):05d}Z"
                owner = data[path[0]]["actions"][path[2]]["agency"] if path[0] in _PS else None
                allowed_where[marker] = (data.get("force"), agency_key(owner) if owner else None, path)
            else:
                marker = f"SECRET{next(counter):05d}Z"
                secret.append(marker)
            put(data, path, marker)
        (plans / source.name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in plans.iterdir()}
    out = tmp / "out"
    result = run("partners", plans, "-o", out)
    assert result.exit_code == 0, result.output
    return plans, out, before, secret, allowed_where


def files_under(folder):
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


def test_nothing_outside_the_allow_list_leaves_a_plan(planted):
    _, out, _, secret, _ = planted
    written = files_under(out)
    assert len(secret) > 500  # every field of every plan but the few allowed
    for name, text in written.items():
        assert "SECRET" not in text, (name, re.findall(r"SECRET\d+Z", text)[:5])
        for phrase in ("OFFICIAL-SENSITIVE", "source handling notes", "an unlisted note", "a sensitive source", "0100"):
            assert phrase not in text, (name, phrase)


def test_what_the_allow_list_names_goes_to_its_agency_alone(planted):
    _, out, _, _, allowed_where = planted
    written = files_under(out)
    plan_level = 0
    for marker, (force, agency, path) in allowed_where.items():
        holders = {name.split("/")[0] for name, text in written.items() if marker in text}
        if agency is None:  # a plan's own field (its id): in every folder of an agency with actions on it
            plan_level += 1
            continue
        folder = f"{agency_key(force)}--{agency}"
        assert holders == {folder}, (marker, path, holders)
        assert marker in written[f"{folder}/actions.csv"] and marker in written[f"{folder}/actions.html"]
    assert plan_level and len(allowed_where) > 50


def test_one_folder_per_agency_with_its_contacts(planted):
    _, out, _, _, _ = planted
    folders = sorted(p.name for p in out.iterdir())
    assert "sussex-police--local-authority" in folders and "sussex-police--probation" in folders
    assert not any(name.endswith("--police") for name in folders)  # police actions never leave
    for folder in folders:
        assert sorted(p.name for p in (out / folder).iterdir()) == ["actions.csv", "actions.html", "contacts.csv"]
    contacts = list(csv.DictReader(io.StringIO((out / "sussex-police--probation" / "contacts.csv")
                                               .read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert contacts and all(c["name"] == "Probation Service" and re.fullmatch(r"ALLOWED\d+Z", c["contact"])
                            for c in contacts)
    councils = (out / "sussex-police--local-authority" / "contacts.csv").read_text(encoding="utf-8")
    assert "West Sussex County Council" in councils and "Probation" not in councils


def test_partner_files_are_self_contained_printable_and_never_written_elsewhere(planted):
    plans, out, before, _, _ = planted
    assert {p.name: p.read_bytes() for p in plans.iterdir()} == before  # no plan touched
    assert sorted(p.name for p in plans.parent.iterdir()) == ["out", "plans"]  # nothing beside them
    html = (out / "sussex-police--local-authority" / "actions.html").read_text(encoding="utf-8")
    assert not re.search(r"<script|<link|<img|@import|url\(|\bsrc=", html, re.I)
    assert "@page { size: A4" in html and "<title>Actions for local-authority from Sussex Police" in html


def test_plan_text_is_escaped_and_an_agency_name_cannot_leave_the_folder(tmp_path):
    plan = yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text(encoding="utf-8"))
    plan["prevent"]["actions"][0]["action"] = "<script>alert(1)</script> runners"
    plan["prevent"]["actions"][0]["owner"] = '=HYPERLINK("http://x")'
    plan["prevent"]["actions"][1]["agency"] = "../../../etc/evil"
    plan["force"] = "../Sussex Police"
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    out = tmp_path / "deep" / "out"
    assert run("partners", tmp_path / "plan.yaml", "-o", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "plan.yaml"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]
    folders = [p.name for p in out.iterdir()]
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in folders), folders
    html = "".join((out / f / "actions.html").read_text(encoding="utf-8") for f in folders)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    rows = "".join((out / f / "actions.csv").read_text(encoding="utf-8") for f in folders)
    assert "'=HYPERLINK" in rows  # never a spreadsheet formula


def test_a_pack_without_an_allow_list_gives_nothing_away(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("fourp-pack: 1\nname: bare\nrules: []\n", encoding="utf-8")
    result = run("partners", EXAMPLES, "-o", tmp_path / "out", "--pack", pack)
    assert result.exit_code == 2 and "partners" in result.output
    assert not (tmp_path / "out").exists()
    with pytest.raises(PartnerError) as info:
        write_partner_packs([str(EXAMPLES)], str(tmp_path / "out"), fourp.load_pack(str(pack)).partners)
    assert info.value.code == "no-allow-list" and not (tmp_path / "out").exists()


def test_a_narrower_allow_list_lets_less_leave(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("fourp-pack: 1\nname: narrow\nextends: hmicfrs-2024\npartners:\n  action: [id, due]\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    assert run("partners", EXAMPLES, "-o", out, "--pack", pack).exit_code == 0
    rows = (out / "local-authority" / "actions.csv").read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    assert rows[0] == "id,due" and "PV-01,2024-03-15" in rows
    assert "diversion" not in (out / "local-authority" / "actions.html").read_text(encoding="utf-8")


def test_an_unreadable_plan_is_reported_and_the_rest_written(tmp_path):
    shutil.copy(EXAMPLES / "good-plan.yaml", tmp_path / "good.yaml")
    (tmp_path / "bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    result = run("partners", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "bad.yaml" in result.output
    assert os.path.exists(tmp_path / "out" / "sussex-police--probation" / "actions.csv")


def test_a_partner_page_in_chromium_prints_on_a4(planted):
    import chromium

    if chromium.available() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed: `apt-get install chromium` (Debian) runs this test")
    _, out, _, _, _ = planted
    page = out / "sussex-police--local-authority" / "actions.html"
    with chromium.Chromium() as browser:
        browser.open(page.as_uri())
        assert browser.requests() == [page.as_uri()]
        assert browser.failed_requests() == [] and browser.console_errors() == []
        assert browser.evaluate("document.querySelectorAll('tbody tr').length") >= 2
        pdf = browser.pdf()
    sizes = {tuple(round(float(v)) for v in box.split()[2:]) for box in
             re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)}
    assert sizes == {(595, 842)}
