"""The one-pass YAML reader gives exactly what the composing reader gives: the same data (types too), the
same refusal (code, line, column, words) and the same line and column for every path, on generated YAML
with every tricky scalar, on the hostile corpus, the examples, the calibration plans, benchmark plans and
packs, and the same report for every plan.

The composing reader (`FOURP_PARSER=pyyaml`, `plan.ONE_PASS = False`) is the oracle.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import sys
from typing import Any, Iterator, List, Tuple

import pytest
import yaml
from conftest import AS_OF, EXAMPLES, ROOT
from hypothesis import example, given
from hypothesis import strategies as st

import fourp
from fourp.read import plan as plan_module
from fourp.read.plan import PlanError, load_plan, read_yaml

sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

PACK = fourp.load_pack()


def _composing(call: Any, *args: Any) -> Any:
    saved = plan_module.ONE_PASS
    plan_module.ONE_PASS = False
    try:
        return call(*args)
    finally:
        plan_module.ONE_PASS = saved


def _paths(data: Any, path: Tuple[Any, ...] = ()) -> Iterator[Tuple[Any, ...]]:
    """Every path in the data, each also one step too far and with a key that is not there, and each
    mapping key also as its text (a finding's path names keys either way)."""
    yield path
    yield path + ("not-there",)
    yield path + (0,)
    if isinstance(data, dict):
        for key, value in data.items():
            yield path + (str(key),)
            yield from _paths(value, path + (key,))
    elif isinstance(data, list):
        yield path + (len(data),)
        yield path + (True,)  # a bool is an int index, as the composing Locator reads it
        for index, value in enumerate(data):
            yield from _paths(value, path + (index,))


def _outcome(text: str, construct: bool = True) -> Tuple[Any, ...]:
    """What read_yaml gives for a text, in a form that differs wherever a type, value, order, location or
    refusal differs: `repr` tells a date from a datetime from a string, True from 1, and keeps key order.
    Without construction (how JSON is located) the paths asked are those of the oracle's data."""
    loader = plan_module._Loader if construct else plan_module._BaseLoader
    try:
        data, locator = read_yaml(text, "t.yaml", loader, construct)
    except PlanError as exc:
        return ("refused", exc.to_dict())
    shape = data if construct else _oracle_data(text)
    return ("read", repr(data), [(path, locator.locate(path)) for path in _paths(shape)])


def _oracle_data(text: str) -> Any:
    try:
        return _composing(read_yaml, text, "t.yaml")[0]
    except PlanError:
        return None


def assert_same(text: str) -> None:
    for construct in (True, False):
        one_pass = _outcome(text, construct)
        assert one_pass == _composing(_outcome, text, construct), (construct, text)


# -- generated YAML -------------------------------------------------------------------------------------

#: Scalars whose type YAML 1.1 (PyYAML) decides from their form, and forms that look like them but are not.
TRICKY = ["yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "y", "n", "Y", "true", "False", "TRUE", "~",
          "null", "Null", "NULL", "", "2024-01-02", "2024-02-31", "2024-13-01", "2024-1-2", "2024-01-02T09:00",
          "2024-01-02T09:00:00", "2024-01-02 09:00:00", "2024-01-02T09:00:00Z", "2024-01-02t09:00:00.5-05:30",
          "2024-01-02T09:00:00+01:00", "2001-12-14 21:59:43.10 -5", "2024-01-02T25:00:00", "2024-02-31T09:00:00Z",
          "0o17", "017", "0x1F", "0b101", "0b102", "1_000", "1:20", "-1:20:30", "190:20:30.15", "1__0", "+12",
          "-0", "0", "00", "1e3", "1.5e-3", "1.0e+3", "6.8523015e+5", "685.230_15e+03", ".5", "1.", "-.inf",
          ".inf", "-.Inf", ".NaN", ".nan", "NaN", "1_0.5", "12345678901234567890", "9" * 5000, "-" + "7" * 4400,
          "=", "<<", "!", "&", "*", "%", "@x", "`x", "x: y", "- x", "a #b", "a#b", "#", "'", '"', "\\", "a\tb",
          "\t", " x", "x ", "\u2028", "\x85", "\ufeff", "caf\u00e9", "\U0001F6A8", "0.", "-", "?", ",", "[", "{",
          "}", "]", "|", ">", "Whitmore Way OCG", "DS Nair", "PU-01", "status", "fourp", "1"]
WORDS = ["status", "open", "due", "id", "threat", "name", "actions", "yes", "1", "2024-01-02", "~", "<<", "on"]


def _quoted_single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quoted_double(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _plain_in_both_contexts(text: str) -> bool:
    try:
        yaml.safe_load(f"a: {text}\nb: [{text}]\n")
    except yaml.YAMLError:
        return False
    except ValueError:  # read, but PyYAML cannot build it (2024-02-31): fourp keeps such text
        pass
    return True


#: Most plain scalars are ones YAML can read as plain (the rest make the document invalid, also compared).
PLAIN = [text for text in TRICKY if _plain_in_both_contexts(text)]
scalar_text = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                                                         max_size=12))
scalar = st.one_of(st.tuples(st.just("plain"), st.sampled_from(PLAIN)),
                   st.tuples(st.sampled_from(["plain", "multiline"]), st.sampled_from(PLAIN)),
                   st.tuples(st.sampled_from(["single", "double", "literal", "folded", "multiline"]), scalar_text),
                   st.tuples(st.just("plain"), scalar_text))
key = st.one_of(st.tuples(st.just("plain"), st.sampled_from(WORDS)),
                st.tuples(st.just("plain"), st.sampled_from(PLAIN)),
                st.tuples(st.sampled_from(["single", "double"]), st.sampled_from(TRICKY + WORDS)))
tree = st.recursive(scalar, lambda children: st.one_of(
    st.tuples(st.sampled_from(["map", "flowmap"]), st.lists(st.tuples(key, children), max_size=5)),
    st.tuples(st.sampled_from(["seq", "flowseq"]), st.lists(children, max_size=5))), max_leaves=25)


def _inline(node: Any) -> str:
    """A node written on one line (flow style)."""
    style, value = node
    if style in ("map", "flowmap"):
        return "{" + ", ".join(f"{_inline(k)}: {_inline(v)}" for k, v in value) + "}"
    if style in ("seq", "flowseq"):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if style == "single":
        return _quoted_single(value)
    if style in ("double", "literal", "folded"):
        return _quoted_double(value)
    return value


def _block(node: Any, indent: int) -> List[str]:
    """A node's lines in block style at an indentation (its first line is what follows `key:` or `- `)."""
    style, value = node
    pad = " " * indent
    if style == "map" and value:
        lines = []
        for k, v in value:
            child = _block(v, indent + 2)
            if v[0] in ("map", "seq") and v[1]:
                lines += [f"{pad}{_inline(k)}:"] + child
            else:
                lines += [f"{pad}{_inline(k)}: {child[0].lstrip()}"] + child[1:]
        return lines
    if style == "seq" and value:
        lines = []
        for v in value:
            child = _block(v, indent + 2)
            lines += [f"{pad}- {child[0].lstrip()}"] + child[1:]
        return lines
    if style in ("literal", "folded"):
        return [pad + ("|" if style == "literal" else ">")] + [pad + "  " + part for part in value.split("\n")]
    if style == "multiline" and " " in value:
        first, rest = value.split(" ", 1)
        return [pad + first, pad + "  " + rest]
    return [pad + _inline(node)]


@st.composite
def documents(draw: Any) -> str:
    root = draw(st.tuples(st.just("map"), st.lists(st.tuples(key, tree), min_size=1, max_size=6)))
    lines = _block(root, 0)
    if draw(st.booleans()):
        lines = [line + draw(st.sampled_from(["", "", " # a comment", "  #", "\t# tab"])) for line in lines]
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["---", "--- # plan", "%YAML 1.1\n---", "# head"])))
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["...", "---", "--- x", "... # end", "# tail"])))
    text = draw(st.sampled_from(["\n", "\r\n", "\r", "\n"])).join(lines) + draw(st.sampled_from(["\n", ""]))
    if draw(st.booleans()):
        text = "\ufeff" + text
    if draw(st.integers(0, 3)) == 3:  # a stray character anywhere: a tab, a line break YAML reads and editors do not
        at = draw(st.integers(0, len(text)))
        stray = draw(st.sampled_from(["\t", "\u2028", "\x85", " ", "\n", "&a ", "*a", "!x ", ":", "- "]))
        text = text[:at] + stray + text[at:]
    return text


@given(documents())
@example("a: yes\nb: [on, 'off', \"no\", ~, 2024-02-31, 2024-01-02, 1:20, 017, 0o17, 0x1F, .nan]\n")
@example("a: 1\n1: x\n'1': y\n")                          # equal texts, different keys
@example("True: 1\n1: 2\n")                               # equal keys, different texts: refused
@example(".nan: 1\n.nan: 2\n")                            # PyYAML's one NaN: refused as a repeat
@example("a: &x 1\nb: *x\n")                              # an alias: the composing path
@example("base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n")       # a merge key
@example("a: !!python/object:os.system x\n")             # a tag
@example("? [a]\n: 1\n")                                 # a list as a key
@example("a: 1\n---\nb: 2\n")                            # two documents
@example("a:\n  b: x\n\u2028c: 2024-01-02\n")            # a break only YAML counts
@example("a: " + "[" * 70 + "]" * 70 + "\n")             # too deep
@example("a: x\nb: 'unclosed\n")
@example("? a\n: 1\n? 'b'\n: [x, {c: ~}]\nd:\n")          # explicit keys that are plain text, an empty value
def test_generated_yaml_reads_the_same_either_way(text):
    assert_same(text)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.sampled_from(TRICKY),
              st.text(max_size=8)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(WORDS + TRICKY), children, max_size=4)),
    max_leaves=20)


@given(st.dictionaries(st.sampled_from(WORDS), json_values, min_size=1), st.sampled_from([None, 0, 2]))
def test_generated_json_plans_read_and_are_located_the_same_either_way(data, indent):
    """A JSON plan's data comes from the JSON reader; its locations from reading it as YAML."""
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    assert _parse_outcome(text, "p.json") == _composing(_parse_outcome, text, "p.json")


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n", "base: &b {x: 1}\nm:\n  <<: *b\n", "a: !!str 1\n", "a: ! 1\n", "? [a]\n: 1\n",
    "? {a: 1}\n: 1\n", "a: 1\na: 2\n", "a: 1\n---\nb: 2\n", "%YAML 1.1\n---\na: 1\n", "a: =\n", "",
    "# only a comment\n", "a: " + "[" * 70 + "]" * 70 + "\n", "a: [1, 2\n", "a:\n\t- b\n",
])
def test_what_the_one_pass_reader_leaves_to_the_composing_path(text):
    assert plan_module._read_events(text) is None
    assert_same(text)


# -- real files -----------------------------------------------------------------------------------------

CORPUS = sorted(
    [p for folder in ("tests/hostile/plans", "tests/hostile/packs", "tests/hostile/options", "examples",
                      "tests/calibration", "rules", "tests/data")
     for p in (ROOT / folder).rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()],
    key=str)


def _text(path: pathlib.Path) -> str:
    raw = path.read_bytes()
    try:
        return plan_module._decode(raw, str(path))
    except PlanError:
        return raw.decode("utf-8", errors="replace")


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_of_the_project_reads_the_same_either_way(path):
    text = _text(path)
    assert_same(text)
    if path.suffix == ".json":
        plan_outcome = _parse_outcome(text, path.name)
        assert plan_outcome == _composing(_parse_outcome, text, path.name)


def _parse_outcome(text: str, name: str) -> Tuple[Any, ...]:
    try:
        plan = plan_module.parse_text(text, name, os.path.splitext(name)[1])
    except PlanError as exc:
        return ("refused", exc.to_dict())
    return ("read", repr(plan.data), [(p, plan.locate(p)) for p in _paths(plan.data)])


def test_the_one_pass_reader_is_what_reads_ordinary_plans():
    """Not vacuous: the examples, calibration plans and benchmark plans go through the one-pass reader."""
    plans = sorted(EXAMPLES.glob("*.yaml")) + sorted((ROOT / "tests/calibration/plans").glob("*.yaml"))
    assert len(plans) > 30
    for path in plans:
        assert plan_module._read_events(_text(path)) is not None, path


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    generate.generate(24, str(folder), seed=6, fail_share=0.3, copy_share=0.1)
    return sorted(folder.glob("*.yaml"))


def _report(path: pathlib.Path) -> Any:
    try:
        plan = load_plan(str(path))
    except PlanError as exc:
        return exc.to_dict()
    return fourp.evaluate(plan, PACK, AS_OF).to_dict()


def test_every_finding_of_every_plan_is_placed_the_same_either_way(generated):
    plans = generated + sorted(EXAMPLES.glob("*.yaml")) + sorted((ROOT / "tests/calibration").rglob("*.yaml"))
    plans += sorted((ROOT / "tests/hostile/plans").glob("*.y*ml"))
    located = 0
    for path in plans:
        assert plan_module._read_events(_text(path)) is not None or "hostile" in str(path), path
        report = _report(path)
        assert report == _composing(_report, path), path
        located += sum(1 for f in report.get("findings", ()) if f.get("line"))
    assert located > 100  # the comparison covers many findings with a line, not a few


def test_packs_registers_and_configs_read_the_same_either_way():
    assert repr(fourp.load_pack()) == repr(_composing(fourp.load_pack))


def test_the_switch_is_read_from_the_environment():
    import subprocess

    code = "import fourp.read.plan as p; print(p.ONE_PASS)"
    for value, expected in (("pyyaml", "False"), ("", "True")):
        out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "FOURP_PARSER": value},
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == expected


def test_dates_and_datetimes_keep_their_types():
    data = read_yaml("a: 2024-01-02\nb: 2024-01-02T09:00:00Z\nc: 2024-01-02T09:00\nd: '2024-01-02'\n", "t")[0]
    assert type(data["a"]) is dt.date and type(data["b"]) is dt.datetime
    assert data["b"].tzinfo is not None and data["c"] == "2024-01-02T09:00" and data["d"] == "2024-01-02"


def test_without_libyaml_the_one_pass_reader_uses_pyyamls_own_parser_and_still_agrees():
    """Where PyYAML is built without libyaml both readers use its pure-Python parser, which checks the
    text when it is made (a control character refused there must still become the composing path's
    PlanError). The module is imported afresh in a process where `yaml.CSafeLoader` does not exist."""
    import subprocess

    code = ("import sys, yaml; del yaml.CSafeLoader; "
            f"sys.path[:0] = [{str(ROOT / 'tests')!r}, {str(ROOT / 'tests' / 'read')!r}]; "
            "import test_one_pass as T; from fourp.read import plan as P; "
            "assert P._BaseLoader is yaml.SafeLoader; "
            "files = [p for p in T.CORPUS if 'hostile' in str(p) or p.parent.name == 'examples']; "
            "[T.assert_same(T._text(p)) for p in files]; print(len(files))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout) > 40
