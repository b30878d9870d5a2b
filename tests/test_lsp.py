"""`fourp lsp` over stdio with a real LSP client session: findings as diagnostics on open and change, hover,
completion, and the same pack and configuration as `fourp check`."""
from __future__ import annotations

import json
import shutil
import sys

import pytest
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES
from lsp_client import LspClient

from fourp.cli import main
from fourp.lsp import key_path

pytest.importorskip("pygls", reason="fourp lsp needs pygls (the lsp and test extras)")

THAMES_PACK = ("fourp-pack: 1\nname: thames-valley\nextends: hmicfrs-2024\noverrides:\n"
               "  actions-resulted:\n    severity: warning\n")


def check_json(path, *args):
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", AS_OF.isoformat(), "--format", "json", *args])
    return json.loads(result.stdout)


@pytest.fixture
def server(tmp_path):
    client = LspClient([sys.executable, "-m", "fourp", "lsp", "--as-of", AS_OF.isoformat()], cwd=str(tmp_path))
    client.initialize(str(tmp_path))
    yield client
    client.close()


def _open(client, path, text, version=1):
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": version,
                                                            "text": text}})
    return uri


def _diagnostics(client, uri, version):
    params = client.wait_for("textDocument/publishDiagnostics",
                             lambda p: p["uri"] == uri and p.get("version") == version)
    return params["diagnostics"]


def test_findings_come_back_as_diagnostics_on_open_and_change(server, tmp_path):
    plan = tmp_path / "surrey.yaml"
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", plan)
    uri = _open(server, plan, plan.read_text(encoding="utf-8"))
    diagnostics = _diagnostics(server, uri, 1)
    report = check_json(plan)
    assert sorted((d["code"], d["range"]["start"]["line"] + 1) for d in diagnostics) == \
        sorted((f["rule"], f["line"]) for f in report["findings"])
    lro = next(d for d in diagnostics if d["code"] == "lro-named")
    finding = next(f for f in report["findings"] if f["rule"] == "lro-named")
    assert lro["source"] == "fourp" and lro["severity"] == 1  # Error
    assert lro["message"].startswith(finding["message"]) and finding["remediation"] in lro["message"]
    assert lro["codeDescription"]["href"].endswith("rules.md#lro-named")

    good = (EXAMPLES / "good-plan.yaml").read_text(encoding="utf-8")
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": good}]})
    assert _diagnostics(server, uri, 2) == []

    broken = good.replace("status: active", "status: [active", 1)
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": broken}]})
    [unreadable] = _diagnostics(server, uri, 3)
    assert unreadable["code"] == "unreadable" and unreadable["range"]["start"]["line"] > 0


def test_other_yaml_in_the_editor_is_left_alone(server, tmp_path):
    pipeline = tmp_path / "pipeline.yaml"
    uri = _open(server, pipeline, "stages: [build, test]\nimage: python:3.11\n")
    assert _diagnostics(server, uri, 1) == []
    config = tmp_path / ".fourp.yaml"
    uri = _open(server, config, "pack: hmicfrs-2024\n")
    assert _diagnostics(server, uri, 1) == []


def test_hover_explains_the_rule_and_completion_offers_the_formats_values(server, tmp_path):
    plan = tmp_path / "surrey.yaml"
    text = (EXAMPLES / "surrey-no-lro.yaml").read_text(encoding="utf-8")
    uri = _open(server, plan, text)
    diagnostics = _diagnostics(server, uri, 1)
    line = next(d for d in diagnostics if d["code"] == "lro-named")["range"]["start"]["line"]
    hover = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": line, "character": 0}})
    value = hover["contents"]["value"]
    assert "A lead responsible officer is named" in value and "`lro-named`" in value
    assert "Some plans had no identified lead responsible officer" in value and "To put it right" in value

    lines = text.splitlines()
    status = lines.index("status: active")
    field = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": status, "character": 2}})
    assert "`status`" in field["contents"]["value"] and "`closed`" in field["contents"]["value"]
    items = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                       "position": {"line": status, "character": 8}})
    assert [i["label"] for i in items["items"]] == ["draft", "active", "closed"]
    action = next(i for i, text in enumerate(lines) if text.strip().startswith("status:") and i > status)
    items = server.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                       "position": {"line": action, "character": 10}})
    assert [i["label"] for i in items["items"]] == ["open", "done", "cancelled"]


def test_the_server_uses_the_plans_folder_configuration(server, tmp_path):
    force = tmp_path / "thames"
    force.mkdir()
    (force / "tvp.yaml").write_text(THAMES_PACK, encoding="utf-8")
    (force / ".fourp.yaml").write_text("pack: tvp.yaml\n", encoding="utf-8")
    plan = force / "plan.yaml"
    shutil.copy(EXAMPLES / "thames-valley-no-results.yaml", plan)
    uri = _open(server, plan, plan.read_text(encoding="utf-8"))
    resulted = [d for d in _diagnostics(server, uri, 1) if d["code"] == "actions-resulted"]
    assert resulted and {d["severity"] for d in resulted} == {2}  # Warning, as the force's pack says
    assert {f["severity"] for f in check_json(plan)["findings"] if f["rule"] == "actions-resulted"} == {"warning"}

    (force / ".fourp.yaml").write_text("pack: nowhere.yaml\n", encoding="utf-8")
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    [bad] = server.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)["diagnostics"]
    assert bad["code"] == "configuration" and "nowhere.yaml" in bad["message"]


@pytest.mark.parametrize("lines, index, path", [
    (["status: dr"], 0, ["status"]),
    (["threat:", "  kind: o"], 1, ["threat", "kind"]),
    (["pursue:", "  actions:", "    - id: PU-01", "      status: d"], 3, ["pursue", "actions", "*", "status"]),
    (["pursue:", "  actions:", "    - status: d"], 2, ["pursue", "actions", "*", "status"]),
    (["pursue:", "  actions:", "    - id: PU-01", "      disruption:", "        impact: m"], 4,
     ["pursue", "actions", "*", "disruption", "impact"]),
    (["reviews:", "- at: x", "  role: l"], 2, ["reviews", "*", "role"]),
    (["author:", "  # a comment: here", "  role: l"], 2, ["author", "role"]),
    (["  just text"], 0, None),
])
def test_key_path_from_indentation(lines, index, path):
    assert key_path(lines, index) == path
