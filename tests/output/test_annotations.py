"""CI annotations (--format github, --format gitlab) and SARIF's links to the rules reference: shape and escaping."""
from __future__ import annotations

import json
import re
import shutil
import urllib.parse
import urllib.request

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES

from fourp.cli import main
from fourp.output.github import github_escape_data, github_escape_property, to_github
from fourp.output.gitlab import to_gitlab
from fourp.output.places import rules_reference

AS_OF_ARGS = ["--as-of", AS_OF.isoformat()]
HOSTILE = "50% done,\r\n::error file=x.yaml::forged, a: b"


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


# -- GitHub workflow commands ------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(text):
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse_github(output):
    """Each line as GitHub's runner reads it: (level, {property: value}, message), unescaped."""
    commands = []
    for line in output.splitlines():
        match = _COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        level, props, message = match.groups()
        properties = {}
        for part in props.split(","):
            name, _, value = part.partition("=")
            properties[name] = _unescape(value)
        commands.append((level, properties, _unescape(message)))
    return commands


def test_github_one_command_per_finding_at_its_line():
    result = run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--format", "github", "--no-config")
    assert result.exit_code == 1
    commands = parse_github(result.stdout)
    report = json.loads(run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--format", "json",
                            "--no-config").stdout)
    assert len(commands) == len(report["findings"])
    for (level, props, message), finding in zip(commands, report["findings"]):
        assert level == {"error": "error", "warning": "warning", "info": "notice"}[finding["severity"]]
        assert props["file"].endswith("surrey-no-lro.yaml")
        assert int(props["line"]) == finding["line"] and int(props["col"]) == finding["column"]
        assert props["title"] == f"fourp {finding['rule']}: {finding['title']}"
        assert message.startswith(finding["message"]) and finding["remediation"] in message


def test_github_escapes_data_and_properties_as_githubs_toolkit_does():
    assert github_escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert github_escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    data = {"reports": [{"file": "force, a:b/plan%.yaml", "findings": [
        {"rule": "r", "severity": "warning", "title": "T: x, y", "message": HOSTILE, "remediation": "fix\nit",
         "line": 3, "column": 1, "path": "/a"}]}], "errors": [], "portfolio": None}
    output = to_github(data)
    assert output.count("\n") == 1  # a plan's line break cannot start a second, forged command
    [(level, props, message)] = parse_github(output)
    assert level == "warning" and props == {"file": "force, a:b/plan%.yaml", "line": "3", "col": "1",
                                            "title": "fourp r: T: x, y"}
    assert message == HOSTILE + "\nFix: fix\nit"


def test_github_audit_covers_cross_plan_findings_and_unreadable_files(tmp_path):
    for name in ("sussex-copied-text.yaml", "sussex-harbour-lane.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    (tmp_path / "broken.yaml").write_text("fourp: 1\nid: [x\n", encoding="utf-8")
    result = run("audit", tmp_path, *AS_OF_ARGS, "--format", "github", "--no-cache", "--no-config")
    assert result.exit_code == 2
    commands = parse_github(result.stdout)
    copied = [c for c in commands if c[1]["title"].startswith("fourp no-copied-text:")]
    assert {c[1]["file"].rsplit("/", 1)[-1] for c in copied} == {"sussex-copied-text.yaml",
                                                                  "sussex-harbour-lane.yaml"}
    assert all(c[1]["line"].isdigit() for c in copied)
    [broken] = [c for c in commands if c[1]["file"].endswith("broken.yaml")]
    assert broken[0] == "error" and broken[1]["title"].startswith("fourp unreadable:")


# -- GitLab Code Quality -----------------------------------------------------------------------------------

#: The fields GitLab reads from a Code Quality report (docs: "Code Quality report format").
GITLAB_ISSUE = {
    "type": "array",
    "items": {"type": "object", "required": ["description", "check_name", "fingerprint", "severity", "location"],
              "properties": {
                  "description": {"type": "string", "minLength": 1},
                  "check_name": {"type": "string", "pattern": "^fourp/"},
                  "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                  "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
                  "location": {"type": "object", "required": ["path", "lines"],
                               "properties": {"path": {"type": "string"},
                                              "lines": {"type": "object", "required": ["begin"],
                                                        "properties": {"begin": {"type": "integer", "minimum": 1}}}}}}}}


def test_gitlab_code_quality_shape():
    files = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    result = run("audit", *files, *AS_OF_ARGS, "--format", "gitlab", "--no-cache", "--no-config")
    issues = json.loads(result.stdout)
    jsonschema.validate(issues, GITLAB_ISSUE)
    document = json.loads(run("audit", *files, *AS_OF_ARGS, "--format", "json", "--no-cache",
                              "--no-config").stdout)
    plan_findings = sum(len(p["findings"]) for p in document["plans"])
    cross = sum(len(f["files"]) for f in document["portfolio"]["findings"])
    assert len(issues) == plan_findings + cross
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab keeps one issue per fingerprint
    surrey = [i for i in issues if i["location"]["path"].endswith("surrey-no-lro.yaml")]
    lro = [i for i in surrey if i["check_name"] == "fourp/lro-named"]
    assert {i["location"]["lines"]["begin"] for i in lro} == {5} and {i["severity"] for i in lro} == {"major"}
    again = json.loads(run("audit", *files, *AS_OF_ARGS, "--format", "gitlab", "--no-cache", "--no-config").stdout)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]  # stable across runs


def test_gitlab_escapes_through_json():
    data = {"reports": [{"file": "a\\b\".yaml", "findings": [
        {"rule": "r", "severity": "info", "title": "T", "message": HOSTILE + "\u2028</script>", "remediation": "",
         "line": None, "column": None, "path": ""}]}],
        "errors": [{"file": "bad.yaml", "line": 2, "column": 1, "reason": "not YAML", "hint": "fix"}],
        "portfolio": None}
    issues = json.loads(to_gitlab(data))
    jsonschema.validate(issues, GITLAB_ISSUE)
    assert issues[0]["description"] == "T: " + HOSTILE + "\u2028</script>"
    assert issues[0]["location"] == {"path": "a\\b\".yaml", "lines": {"begin": 1}} and issues[0]["severity"] == "info"
    assert issues[1]["check_name"] == "fourp/unreadable" and issues[1]["location"]["lines"]["begin"] == 2


# -- SARIF: where each rule is explained --------------------------------------------------------------------

def test_sarif_links_each_rule_to_its_section_of_the_rules_reference():
    result = run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--format", "sarif", "--no-config")
    driver = json.loads(result.stdout)["runs"][0]["tool"]["driver"]
    reference, documented = rules_reference()
    assert driver["informationUri"] == reference and reference.startswith("file:")
    text = urllib.request.url2pathname(urllib.parse.urlparse(reference).path)
    headings = set(re.findall(r"^## (\S+)$", open(text, encoding="utf-8").read(), re.M))
    assert driver["rules"] and all(rule["helpUri"] == f"{reference}#{rule['id']}" for rule in driver["rules"])
    assert {rule["id"] for rule in driver["rules"]} <= headings


def test_a_forces_new_rule_has_no_link_to_a_section_that_is_not_there(tmp_path):
    pack = tmp_path / "force.yaml"
    pack.write_text("fourp-pack: 1\nname: force\nextends: hmicfrs-2024\nrules:\n  - id: deputy-appointed\n"
                    "    title: A deputy\n    severity: info\n    weight: 1\n    check: presence\n"
                    "    options: {require: [{field: /deputies/*/name, label: a deputy}]}\n"
                    "    message: 'No deputy.'\n    rationale: Cover.\n    remediation: Appoint one.\n"
                    "    basis: [{source: force policy, quote: Each LRO has a deputy.}]\n",
                    encoding="utf-8")
    driver = json.loads(run("check", EXAMPLES / "good-plan.yaml", "--pack", pack, *AS_OF_ARGS, "--format",
                            "sarif").stdout)["runs"][0]["tool"]["driver"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert "helpUri" not in rules["deputy-appointed"] and "helpUri" in rules["lro-named"]


@pytest.mark.parametrize("fmt", ["github", "gitlab"])
def test_report_option_takes_the_new_formats(tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    result = run("check", EXAMPLES / "surrey-no-lro.yaml", *AS_OF_ARGS, "--report", f"{fmt}:{target}",
                 "--no-config")
    assert result.exit_code == 1 and target.read_text(encoding="utf-8").strip()
