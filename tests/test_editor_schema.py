"""The plan schema in the editor: a plan written by `fourp new` names it on its first line, and the real
YAML language server (Red Hat's yaml-language-server, from npm) reports a misspelt field and a wrong value.

The server is installed under .cache/yaml-language-server (as .ci/run does) the first time, if it is not
there and npm is; FOURP_YAML_LANGUAGE_SERVER may name another one.
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import ROOT
from lsp_client import LspClient

from fourp.cli import main

PREFIX = ROOT / ".cache" / "yaml-language-server"
SETTINGS = {"yaml": {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False}}}


@pytest.fixture(scope="module")
def yaml_language_server():
    given = os.environ.get("FOURP_YAML_LANGUAGE_SERVER")
    if given:
        return given
    binary = PREFIX / "node_modules" / ".bin" / "yaml-language-server"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            pytest.skip("yaml-language-server is not installed and there is no npm to install it "
                        "(.ci/run installs it; or: npm install --prefix .cache/yaml-language-server "
                        "yaml-language-server@1)")
        subprocess.run([npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund", "--silent",
                        "yaml-language-server@1"], check=True, timeout=600)
    return str(binary)


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def diagnostics(server_binary, folder, plan):
    client = LspClient([server_binary, "--stdio"], cwd=str(folder), settings=SETTINGS)
    try:
        client.initialize(str(folder))
        client.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        uri = plan.as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": plan.read_text(encoding="utf-8")}})
        return client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)["diagnostics"]
    finally:
        client.close()


def _misspell(plan):
    """The blank plan with `force:` misspelt and a status the format does not have; their line numbers."""
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    force = next(i for i, line in enumerate(lines) if line.startswith("force:"))
    status = next(i for i, line in enumerate(lines) if line.startswith("status:"))
    lines[force] = 'forse: "Surrey Police"\n'
    lines[status] = "status: in-progress\n"
    plan.write_text("".join(lines), encoding="utf-8")
    return force, status


@pytest.mark.parametrize("own_schema", [False, True], ids=["installed-schema", "schema-beside-plans"])
def test_yaml_language_server_reports_the_schemas_findings(yaml_language_server, tmp_path, own_schema):
    folder = tmp_path / "plans"
    folder.mkdir()
    plan = folder / "new.yaml"
    if own_schema:  # a shared drive: the schema written once beside the plans, named relative to each
        run("schema", "plan", "--editor", "-o", folder / "plan.schema.json")
        run("new", "--schema", folder / "plan.schema.json", "-o", plan)
        assert plan.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=plan.schema.json\n")
    else:
        run("new", "-o", plan)
    first = plan.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert os.path.isfile(os.path.join(folder, first.split("$schema=", 1)[1]))  # a local file, no network

    assert diagnostics(yaml_language_server, folder, plan) == []  # the blank plan as written is clean
    force, status = _misspell(plan)
    found = diagnostics(yaml_language_server, folder, plan)
    lines = {d["range"]["start"]["line"] for d in found}
    assert {force, status} <= lines, found
    assert all(d["source"].startswith("yaml-schema") for d in found)
    on_status = next(d for d in found if d["range"]["start"]["line"] == status)
    assert on_status["range"]["start"]["character"] == len("status: ")  # the value, not the key


def test_installed_editor_schema_is_current():
    import json

    from fourp.schemas import editor_schema

    shipped = json.loads((ROOT / "fourp" / "schemas" / "plan.editor.schema.json").read_text(encoding="utf-8"))
    assert shipped == editor_schema("plan"), ("regenerate with: fourp schema plan --editor "
                                              "-o fourp/schemas/plan.editor.schema.json")


def test_editor_schema_refuses_unknown_fields_the_format_accepts(tmp_path):
    import json

    import jsonschema

    run("schema", "plan", "-o", tmp_path / "format.json")
    run("schema", "plan", "--editor", "-o", tmp_path / "editor.json")
    plan = {"fourp": 1, "forse": "Surrey Police", "threat": {"nmae": "x"}}
    assert jsonschema.Draft202012Validator(json.loads((tmp_path / "format.json").read_text())).is_valid(plan)
    errors = list(jsonschema.Draft202012Validator(json.loads((tmp_path / "editor.json").read_text())).iter_errors(plan))
    assert sorted(list(e.absolute_path) for e in errors) == [[], ["threat"]]
