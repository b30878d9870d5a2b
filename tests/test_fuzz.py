"""Property tests over plans made from the plan schema and then broken, and over raw bytes for the loader.

`valid_plans()` builds plans from `fourp/schemas/plan.schema.json` itself (every field optional, each of
its type, enumerated values, dates in every allowed form), so a new field in the schema is fuzzed without
touching this file. `broken_plans()` then breaks them the ways real files are broken: fields dropped,
given the wrong type, duplicated, reordered, made enormous or filled with odd Unicode. The properties:
the engine never raises; findings point at real places (a line of the file, and a path to what the plan
holds, to a missing field of it, or through fields the plan format defines); scores stay within 0-100;
results are deterministic; putting back a field a finding says is missing removes that finding and never
lowers the score. The loader, fed any bytes, raises nothing
but PlanError. Inputs that once broke a property are kept as `@example`s and in tests/hostile/.
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import re
import tempfile
from typing import Any, Dict, List, Optional, Tuple

import yaml
from conftest import AS_OF, EXAMPLES
from hypothesis import assume, example, given
from hypothesis import strategies as st

import fourp
from fourp.read.plan import MAX_DEPTH, parse_text
from fourp.schemas import plan_validator, schema

PACK = fourp.load_pack()
PLAN_SCHEMA = schema("plan")

# -- valid plans, from the schema -------------------------------------------------------------------------

WORDS = ["Whitmore", "Way", "OCG", "cuckooed", "flat", "Crawley", "warrant", "executed", "arrested",
         "safeguarding", "referral", "Op", "Tern", "LRO", "reviewed", "SCPO", "partners", "housing", "the",
         "plan", "supply", "line", "cash", "seized", "children", "exploited", "county", "lines", "DS", "Nair"]
ODD_TEXT = ["\u202eWay\u202c", "Whit\u200bmore", "Z\u0351\u0352\u0353", "\U0001F6A8", "\ufeff", "\u2028",
            "caf\u00e9", "\u00a0", "'", '"', "{{ 7*1919 }}", "<script>", "- x", ": y", "#", "&a", "*a", "\\",
            "\x85", "\t"]

real_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)
any_text = st.one_of(real_text, st.text(max_size=40),
                     st.lists(st.sampled_from(WORDS + ODD_TEXT), min_size=1, max_size=8).map(" ".join))
dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31))
times = st.times().map(lambda t: t.replace(microsecond=0))


def _date_forms(day: dt.date) -> st.SearchStrategy:
    return st.sampled_from([day, day.isoformat(), day.strftime("%d/%m/%Y")])


def _datetime_forms(day: dt.date, time: dt.time) -> st.SearchStrategy:
    moment = dt.datetime.combine(day, time)
    return st.sampled_from([
        moment, day, day.isoformat(), moment.strftime("%Y-%m-%dT%H:%M"), moment.strftime("%Y-%m-%d %H:%M:%S"),
        moment.strftime("%Y-%m-%dT%H:%M:%S+01:00"), moment.strftime("%Y-%m-%dT%H:%MZ"),
        moment.strftime("%d/%m/%Y %H:%M"), day.strftime("%d/%m/%Y")])


FORMATS = {"fourp-date": dates.flatmap(_date_forms),
           "fourp-datetime": st.tuples(dates, times).flatmap(lambda dt_: _datetime_forms(*dt_))}


def from_schema(node: Dict[str, Any]) -> st.SearchStrategy:
    """A strategy for values valid under a node of the plan schema."""
    if "$ref" in node:
        return from_schema(PLAN_SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]])
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "format" in node:
        return FORMATS[node["format"]]
    kind = node.get("type")
    if kind == "object":
        return st.fixed_dictionaries({}, optional={key: from_schema(value)
                                                   for key, value in node.get("properties", {}).items()})
    if kind == "array":
        return st.lists(from_schema(node.get("items", {})), max_size=3)
    if kind == "string":
        return any_text
    if kind == "integer":
        return st.integers(min_value=-5, max_value=2000)
    if kind == "number":
        return st.one_of(st.integers(-5, 2000), st.floats(-5, 2000, allow_nan=False))
    if kind == "boolean":
        return st.booleans()
    return st.none()  # pragma: no cover - the schema has no untyped field


def valid_plans() -> st.SearchStrategy:
    return from_schema(PLAN_SCHEMA)


# -- breaking them ------------------------------------------------------------------------------------------

Path = Tuple[Any, ...]


def paths_in(data: Any, prefix: Path = ()) -> List[Path]:
    """Every path to a value in the data (the root excluded)."""
    found: List[Path] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found.append(prefix + (key,))
        found.extend(paths_in(value, prefix + (key,)))
    return found


def container_and_key(data: Any, path: Path) -> Tuple[Any, Any]:
    for key in path[:-1]:
        data = data[key]
    return data, path[-1]


WRONG_TYPES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), any_text,
                        st.lists(st.integers(), max_size=2), st.dictionaries(st.sampled_from(WORDS), st.integers(),
                                                                             max_size=2))


@st.composite
def broken_plans(draw: Any, base: Optional[st.SearchStrategy] = None) -> Dict[str, Any]:
    data = copy.deepcopy(draw(base or valid_plans()))
    for _ in range(draw(st.integers(1, 4))):
        paths = paths_in(data)
        if not paths:
            data[draw(st.sampled_from(WORDS))] = draw(WRONG_TYPES)
            continue
        path = draw(st.sampled_from(paths))
        container, key = container_and_key(data, path)
        how = draw(st.sampled_from(["drop", "retype", "duplicate", "reorder", "overlong", "odd unicode"]))
        if how == "drop":
            del container[key]
        elif how == "retype":
            container[key] = draw(WRONG_TYPES.filter(lambda v: type(v) is not type(container[key])))
        elif how == "duplicate":  # a list entry twice (repeated keys are for the text-level tests)
            value = container[key]
            if isinstance(value, list) and value:
                value.append(copy.deepcopy(value[draw(st.integers(0, len(value) - 1))]))
            else:
                container[key] = [value, copy.deepcopy(value)]
        elif how == "reorder":
            value = container[key]
            if isinstance(value, list):
                container[key] = draw(st.permutations(value))
            elif isinstance(value, dict):
                container[key] = dict(draw(st.permutations(list(value.items()))))
        elif how == "overlong":
            container[key] = draw(st.sampled_from(["A", " ", "Op ", "word ", "a", "x: "])) * draw(
                st.integers(2_000, 20_000))
        else:
            container[key] = draw(st.lists(st.sampled_from(ODD_TEXT + WORDS), min_size=1, max_size=12).map("".join))
    return data


# -- properties of the engine -------------------------------------------------------------------------------

def evaluate(data: Any) -> fourp.Report:
    return fourp.evaluate(fourp.plan_from_data(data), PACK, AS_OF)


def segments(pointer: str) -> List[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]] if pointer else []


def missing_depth(data: Any, pointer: str) -> int:
    """How many trailing segments of the finding's path do not exist in the data."""
    parts = segments(pointer)
    for depth, part in enumerate(parts):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return len(parts) - depth
    return 0


def _schema_child(node: Optional[Dict[str, Any]], part: str) -> Optional[Dict[str, Any]]:
    while node is not None and "$ref" in node:
        node = PLAN_SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]]
    if node is None:
        return None
    if part in node.get("properties", {}):
        return node["properties"][part]
    if part.isdigit() and "items" in node:
        return node["items"]
    return None


def points_somewhere_real(data: Any, pointer: str) -> bool:
    """The path leads through what the plan holds, and where it holds nothing more, on through fields the
    plan format defines (where the missing field belongs): never to a place no plan could have."""
    node: Optional[Dict[str, Any]] = PLAN_SCHEMA
    parts = segments(pointer)
    for depth, part in enumerate(parts):
        present = (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and part.isdigit() and int(part) < len(data))
        if not present:
            return all(_step_known(node, parts[depth:]))
        data = data[int(part)] if isinstance(data, list) else data[part]
        node = _schema_child(node, part)
    return True


def _step_known(node: Optional[Dict[str, Any]], rest: List[str]) -> List[bool]:
    known = []
    for part in rest:
        node = _schema_child(node, part)
        known.append(node is not None)
    return known


def check_report(report: fourp.Report, data: Any) -> None:
    assert 0 <= report.score <= 100
    assert all(v is None or 0 <= v <= 100 for v in report.p_scores.values())
    for finding in report.findings:
        # The node itself or its parent is there (a missing field of something the plan holds, even of
        # something of the wrong type), or the missing part is where the plan format puts it.
        assert missing_depth(data, finding.path) <= 1 or points_somewhere_real(data, finding.path), \
            (finding.rule, finding.path)


@given(valid_plans())
def test_the_generator_makes_valid_plans(data):
    assert plan_validator().is_valid(data), list(plan_validator().iter_errors(data))[:1]
    report = evaluate(data)
    assert report.result("plan-structure").status == "pass"
    check_report(report, data)


@given(broken_plans())
@example({"fourp": 1, "threat": {"name": "A" * 60_000 + " OCG"}, "log": [{"text": " " * 60_000 + "x"}]})
@example({"pursue": {"actions": [{"result": {"text": "Op " * 20_000}}]}})
def test_the_engine_never_raises_on_a_broken_plan(data):
    report = evaluate(data)
    check_report(report, data)
    assert evaluate(copy.deepcopy(data)).to_dict() == report.to_dict()  # deterministic


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


TEXT_BREAKS = ["none", "duplicate a line", "delete a line", "tab", "truncate", "insert", "bom"]


@given(broken_plans(), st.sampled_from(TEXT_BREAKS), st.data())
@example({"fourp": 1, "id": "SXP-1", "lro": {"name": "Supt Helen Okafor"}}, "duplicate a line", None)
@example({"reviews": {"Whitmore": 0}, "fourp": 1, "closure": {}, "log": []}, "none", None)
def test_a_broken_plan_file_gives_findings_on_its_own_lines_or_a_plan_error(data, how, draw):
    text = dump(data)
    lines = text.splitlines(keepends=True)
    if how != "none" and draw is not None:
        at = draw.draw(st.integers(0, max(0, len(lines) - 1)))
        if how == "duplicate a line" and lines:
            lines.insert(at, lines[at])
        elif how == "delete a line" and lines:
            del lines[at]
        elif how == "tab" and lines:
            lines[at] = "\t" + lines[at]
        elif how == "truncate":
            text = "".join(lines)
            lines = [text[:draw.draw(st.integers(0, len(text)))]]
        elif how == "insert" and lines:
            lines[at] = lines[at][:1] + draw.draw(st.sampled_from(ODD_TEXT + [": ", "- ", "[", "{", "&x ", "*x"])) \
                + lines[at][1:]
        elif how == "bom":
            lines.insert(0, "\ufeff")
    elif how == "duplicate a line" and draw is None:
        lines.insert(1, lines[1])
    text = "".join(lines)
    line_count = len(re.split(r"\r\n|\r|\n", text))  # as an editor counts them
    try:
        plan = parse_text(text, "fuzz.yaml")
    except fourp.PlanError as error:
        assert error.reason and error.file == "fuzz.yaml"
        assert error.line is None or 1 <= error.line <= line_count
        return
    report = fourp.evaluate(plan, PACK, AS_OF)
    check_report(report, plan.data)
    for finding in report.findings:
        assert finding.line is None or 1 <= finding.line <= line_count, finding
    again = fourp.evaluate(parse_text(text, "fuzz.yaml"), PACK, AS_OF)
    assert again.to_dict() == report.to_dict()


GOOD = yaml.safe_load((EXAMPLES / "good-plan.yaml").read_text("utf-8"))


@st.composite
def plans_missing_fields(draw: Any) -> Dict[str, Any]:
    """The good example with some of its fields dropped: each dropped value is a known-good one. List
    entries are not dropped, so every path still means what it means in the good example."""
    data = copy.deepcopy(GOOD)
    for _ in range(draw(st.integers(1, 6))):
        paths = [p for p in paths_in(data) if p[0] != "fourp" and isinstance(p[-1], str)]
        container, key = container_and_key(data, draw(st.sampled_from(paths)))
        del container[key]
    return data


def put_back(data: Any, pointer: str) -> bool:
    """Restores, from the good example, the first missing segment of a finding's path. False if the
    good example has nothing there either."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    good, here = GOOD, data
    for part in parts:
        key: Any = int(part) if isinstance(good, list) and part.isdigit() else part
        try:
            good_child = good[key]
        except (KeyError, IndexError, TypeError):
            return False
        if isinstance(here, dict) and key in here or isinstance(here, list) and isinstance(key, int) \
                and key < len(here):
            good, here = good_child, here[key]
            continue
        if isinstance(here, dict):
            here[key] = copy.deepcopy(good_child)
        elif isinstance(here, list) and key == len(here):
            here.append(copy.deepcopy(good_child))
        else:
            return False
        return True
    return False


@given(plans_missing_fields(), st.data())
def test_putting_back_a_missing_field_fixes_its_finding_and_never_lowers_the_score(data, draw):
    before = evaluate(data)
    missing = [f for f in before.findings if missing_depth(data, f.path) > 0]
    assume(missing)
    finding = draw.draw(st.sampled_from(missing))
    fixed = copy.deepcopy(data)
    assume(put_back(fixed, finding.path))
    after = evaluate(fixed)
    assert not [f for f in after.findings if (f.rule, f.path) == (finding.rule, finding.path)]
    assert after.score >= before.score, (finding.rule, finding.path, before.score, after.score)


# -- the loader, on anything --------------------------------------------------------------------------------

YAML_PIECES = st.sampled_from(["a", "b", "1", "é", ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&x ", "*x",
                               "!!python/object:os.system ", "!!binary ", "<<: ", "? ", "|", ">", "'", '"',
                               "#", "%YAML 1.1", "---", "...", "\n", "\n  ", "\t", "\\", "\x00", "\ufeff",
                               "\x85", "\u2028", "2024-02-31", "31/02/2024", "9" * 50, "~", "@", "`"])


def load_bytes(raw: bytes, suffix: str) -> None:
    handle, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        try:
            fourp.load_plan(path)
        except fourp.PlanError as error:
            assert error.reason and error.file == path
    finally:
        os.remove(path)


@given(st.binary(max_size=3000), st.sampled_from([".yaml", ".json"]))
@example(b"a: " + b"[" * 100_000, ".yaml")
@example(b"[" * 5_000 + b"]" * 5_000, ".json")
@example(b"\xff\xfe" + "fourp: 1\n".encode("utf-16-le") + b"\x00\xd8", ".yaml")
@example(b'{"id": "\\ud800"}', ".json")
@example(b"a: 2024-02-31\nb: 2024-01-01 25:00\n", ".yaml")
def test_the_loader_raises_nothing_but_plan_error_on_any_bytes(raw, suffix):
    load_bytes(raw, suffix)


@given(st.lists(YAML_PIECES, max_size=80).map("".join), st.sampled_from(["utf-8", "utf-16", "cp1252"]),
       st.sampled_from([".yaml", ".json"]))
def test_the_loader_raises_nothing_but_plan_error_on_yaml_like_text(text, encoding, suffix):
    load_bytes(text.encode(encoding, errors="replace"), suffix)


@given(st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2), st.sampled_from(["[", "{a: ", "- "]))
def test_nesting_up_to_the_limit_is_read_and_past_it_refused(levels, opener):
    inner = levels - 1  # the plan's own mapping is the first level
    if opener == "- ":
        text = "id: x\nlog:\n  " + "- " * inner + "x\n"
    else:
        text = "id: x\nlog: " + opener * inner + "x" + ("]" if opener == "[" else "}") * inner + "\n"
    try:
        parse_text(text, "deep.yaml")
    except fourp.PlanError as error:
        assert levels > MAX_DEPTH and "nested more than" in error.reason, error
    else:
        assert levels <= MAX_DEPTH
