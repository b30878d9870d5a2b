from __future__ import annotations

import json

import pytest
import yaml
from conftest import AS_OF

import fourp
from fourp.read.plan import load_plan


def write(tmp_path, name, text, mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


PLAN = """\
fourp: 1
id: X-1
pursue:
  actions:
    - id: PU-01
      raised: 2024-03-05T14:30
    - id: PU-02
      status: done
"""


def test_findings_point_at_line_and_column(tmp_path, pack):
    report = fourp.check(write(tmp_path, "p.yaml", PLAN), pack, as_of=AS_OF)
    found = [f for f in report.findings if f.rule == "actions-resulted"]
    assert [(f.path, f.line, f.column) for f in found] == [("/pursue/actions/1/result/text", 7, 7)]


def test_location_of_a_present_value(tmp_path):
    plan = load_plan(write(tmp_path, "p.yaml", PLAN))
    assert plan.locate(("pursue", "actions", 0, "raised")) == (6, 15)
    assert plan.locate(("nowhere",)) == (1, 1)


def test_duplicate_keys_are_an_error_with_both_lines(tmp_path):
    with pytest.raises(fourp.PlanError) as info:
        load_plan(write(tmp_path, "p.yaml", "id: A\nforce: X\nid: B\n"))
    assert info.value.line == 3
    assert "appears twice" in info.value.reason and "line 1" in info.value.reason


def test_duplicate_keys_in_json(tmp_path):
    with pytest.raises(fourp.PlanError, match="appears twice"):
        load_plan(write(tmp_path, "p.json", '{"id": "A", "id": "B"}'))


def test_json_plans_have_locations(tmp_path):
    text = json.dumps({"fourp": 1, "lro": {"name": "Tom Reade"}}, indent=2)
    plan = load_plan(write(tmp_path, "p.json", text))
    assert plan.data["lro"]["name"] == "Tom Reade"
    assert plan.locate(("lro", "name")) == (4, 13)


@pytest.mark.parametrize("name, content, reason", [
    ("empty.yaml", "", "empty"),
    ("list.yaml", "- a\n- b\n", "mapping"),
    ("scalar.yaml", "just words\n", "mapping"),
    ("bad.yaml", "a: [1, 2\nb: 3\n", "not valid YAML"),
    ("tag.yaml", "a: !!python/object/apply:os.system ['echo hi']\n", "not allowed"),
    ("tabs.yaml", "a:\n\tb: 1\n", "tab"),
    ("bad.json", '{"a": 1,}', "not valid JSON"),
], ids=lambda v: v if isinstance(v, str) and v.endswith(("yaml", "json")) else "")
def test_unreadable_plans_say_where_and_why(tmp_path, name, content, reason):
    with pytest.raises(fourp.PlanError) as info:
        load_plan(write(tmp_path, name, content))
    assert reason in str(info.value)
    assert info.value.file.endswith(name)


def test_binary_and_oversized_files(tmp_path):
    with pytest.raises(fourp.PlanError, match="binary"):
        load_plan(write(tmp_path, "b.yaml", b"\x89PNG\x00\x00\x01", mode="wb"))
    with pytest.raises(fourp.PlanError, match="limit"):
        load_plan(write(tmp_path, "big.yaml", "a: " + "x" * 2000), max_bytes=1000)


def test_utf16_and_bom_are_read(tmp_path):
    text = "id: X\nforce: Sussex Police\n"
    assert load_plan(write(tmp_path, "a.yaml", text.encode("utf-16"), mode="wb")).data["id"] == "X"
    assert load_plan(write(tmp_path, "b.yaml", b"\xef\xbb\xbf" + text.encode(), mode="wb")).data["id"] == "X"
    assert load_plan(write(tmp_path, "c.yaml", "id: Caf\xe9\n".encode("latin-1"), mode="wb")).data["id"] == "Café"


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(fourp.PlanError, match="aliases"):
        load_plan(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))


# -- errors: one class, a code to decide by -------------------------------------------------------------

class _RefusingParser(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """A YAML parser that refuses a document in its own words before fourp sees any event, as the libyaml
    bundled since PyYAML 6.0.4 does with flow nesting past 1,000 levels."""

    def get_event(self):  # type: ignore[no-untyped-def]
        raise yaml.scanner.ScannerError("while scanning something", None, "words fourp never reads",
                                        yaml.Mark("<text>", 0, 2, 1004, None, None))


@pytest.mark.parametrize("name, text, line", [
    ("deep-flow.yaml", "fourp: 1\nid: X\nlog: " + "[" * 2000 + "]" * 2000 + "\n", 3),
    ("deep.json", '{"fourp": 1, "log": ' + "[" * 2000 + "]" * 2000 + "}", 1),
], ids=["yaml", "json"])
def test_deep_nesting_is_refused_in_fourps_words_whatever_the_parser_refuses_first(
        tmp_path, monkeypatch, name, text, line):
    monkeypatch.setattr("fourp.read.plan._BaseLoader", _RefusingParser)
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(fourp.PlanError) as info:
        load_plan(str(path))
    assert info.value.code == "too-deep" and info.value.line == line, str(info.value)


def test_a_parser_refusal_of_a_shallow_document_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr("fourp.read.plan._BaseLoader", _RefusingParser)
    path = tmp_path / "plan.yaml"
    path.write_text("fourp: 1\nid: X\n")
    with pytest.raises(fourp.PlanError) as info:
        load_plan(str(path))
    assert info.value.code == "invalid-yaml" and info.value.line == 3


def test_every_error_is_a_fourp_error_with_a_code_that_survives_a_process_boundary():
    import pickle

    from fourp.output.render import TemplateProblem
    from fourp.read.baseline import BaselineError
    from fourp.read.register import RegisterError

    for kind in (fourp.PlanError, fourp.PackError, RegisterError, BaselineError, TemplateProblem):
        assert issubclass(kind, fourp.FourpError)
        error = kind("f.yaml", "the reason", 3, 7, "the hint", code="too-deep")
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is kind and copy.to_dict() == error.to_dict()
        assert copy.to_dict() == {"file": "f.yaml", "line": 3, "column": 7, "code": "too-deep",
                                  "reason": "the reason", "hint": "the hint"}
        assert kind("f.yaml", "why").code == kind.default_code


def test_every_code_raised_is_listed_in_the_registry():
    import re

    from conftest import ROOT

    from fourp.errors import CODES

    used = set()
    for path in (ROOT / "fourp").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'code(?:: str)? ?= ?"([a-z-]+)"', text))
        used |= set(re.findall(r'[(,]\s*"([a-z]+(?:-[a-z]+)+)"\)', text))  # a code passed by position
    assert used and used <= set(CODES), used - set(CODES)
    assert {"too-deep", "duplicate-key", "not-a-plan", "extends-circle", "self-alias"} <= used
