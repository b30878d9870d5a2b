"""The JSON Schemas fourp ships: the plan document (format 1) and the rule pack.

jsonschema is imported only when a validator is asked for: `plan_is_valid` answers "is this plan well
formed?" without it, from the same schema compiled into plain Python tests.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Sequence

__all__ = ["SCHEMAS", "schema", "editor_schema", "plan_validator", "pack_validator", "plan_is_valid",
           "plan_surely_valid"]


#: The schemas `fourp schema NAME` prints (mapping: of a Word or Excel template).
SCHEMAS = ("plan", "pack", "config", "mapping")


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """The schema named `plan`, `pack`, `config` or `mapping` (of a Word or Excel template), as parsed JSON."""
    if name not in SCHEMAS:
        raise ValueError(f"no schema named {name!r}; there are {', '.join(SCHEMAS)}")
    beside = os.path.join(os.path.dirname(__file__), f"{name}.schema.json")
    if os.path.isfile(beside):  # installed as files: read directly, as importlib.resources costs a cold check
        with open(beside, encoding="utf-8") as handle:
            return json.loads(handle.read())
    from importlib import resources  # a zipped install

    return json.loads(resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8"))


def editor_schema(name: str) -> dict:
    """The schema for an editor's YAML language server. For a plan, every object the format describes
    also refuses field names it does not have: fourp itself accepts extra fields, but while a plan is
    being typed an unknown name is almost always a misspelt one (`stauts:`), which the editor should
    underline. Other schemas are as shipped."""
    import copy

    document = copy.deepcopy(schema(name))
    if name != "plan":
        return document

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict) and node.get("additionalProperties", True) is True:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(document)
    document["$id"] = document["$id"].replace("plan-1", "plan-1-editor")
    document["description"] += (" This is the editor's version: field names the format does not have are "
                                "flagged as likely misspellings (fourp check itself accepts them).")
    return document


def _is_string(checker: Any, instance: Any) -> bool:
    # YAML hands dates over as date objects; for the plan format they are the same value as the string.
    return isinstance(instance, (str, dt.date))


def _parse_moment(value: Any) -> Any:
    """`fourp.read.dates.parse_moment`, imported on first use (not at start-up), then called directly:
    a plan has thousands of dates and an import statement costs at each."""
    global _parse_moment
    from ..read.dates import parse_moment

    _parse_moment = parse_moment
    return parse_moment(value)


def _is_datetime(value: Any) -> bool:
    return not isinstance(value, (str, dt.date)) or _parse_moment(value) is not None


def _is_date(value: Any) -> bool:
    moment = _parse_moment(value) if isinstance(value, (str, dt.date)) else True
    return moment is not None


#: The plan format's own formats, shared by jsonschema's format checker and the compiled tests.
_FORMATS: Dict[str, Callable[[Any], bool]] = {"fourp-datetime": _is_datetime, "fourp-date": _is_date}


@lru_cache(maxsize=None)
def plan_validator() -> Any:
    import jsonschema

    formats = jsonschema.FormatChecker(formats=())
    for name, test in _FORMATS.items():
        formats.checks(name)(test)
    return validator_class()(schema("plan"), format_checker=formats)


# -- the plan schema as plain Python tests ------------------------------------------------------------
#
# Checking a plan with jsonschema costs more than parsing it; almost every plan is well formed, so
# `plan_is_valid` answers from the schema compiled into closures, and only a plan it finds fault with
# goes to jsonschema for the errors. The closures are never more lenient than jsonschema (where unsure,
# they say "not valid" and jsonschema decides), so the findings are the same either way.

_NOTES = frozenset({"description", "title", "$schema", "$id", "$defs", "$comment", "default", "examples"})
_Test = Callable[[Any], bool]


class _Unsupported(Exception):
    """A schema keyword the compiler does not know: jsonschema then checks every plan."""


def _type_test(name: str) -> _Test:
    if name == "string":  # YAML's dates are strings for the plan format (see `_is_string`)
        return lambda v: isinstance(v, (str, dt.date))
    if name == "object":
        return lambda v: isinstance(v, dict)
    if name == "array":
        return lambda v: isinstance(v, list)
    if name == "integer":  # floats such as 1.0 are integers to jsonschema: left to it
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if name == "number":
        return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if name == "boolean":
        return lambda v: isinstance(v, bool)
    if name == "null":
        return lambda v: v is None
    raise _Unsupported(f"type {name!r}")


def _same(expected: Any) -> _Test:
    # Stricter than jsonschema's equality (which has 1 equal 1.0): same type and value, scalars only.
    if isinstance(expected, (dict, list)):
        raise _Unsupported("a structured const or enum value")
    kind = type(expected)
    return lambda v: type(v) is kind and v == expected


def _any(tests: Sequence[_Test]) -> _Test:
    tests = tuple(tests)
    if len(tests) == 2:
        first, second = tests
        return lambda v: first(v) or second(v)

    def any_of(v: Any) -> bool:
        for test in tests:
            if test(v):
                return True
        return False
    return any_of


def _all(tests: Sequence[_Test]) -> _Test:
    tests = tuple(tests)
    if len(tests) == 2:
        first, second = tests
        return lambda v: first(v) and second(v)

    def all_of(v: Any) -> bool:
        for test in tests:
            if not test(v):
                return False
        return True
    return all_of


def _one_of(values: Sequence[Any]) -> _Test:
    """An enum: the same type and value as one of `values`. Of text alone (every enum of the plan
    format), one set lookup."""
    if values and all(type(e) is str for e in values):
        texts = frozenset(values)
        return lambda v: type(v) is str and v in texts
    return _any([_same(e) for e in values])


def _by_name(refs: Dict[str, _Test], name: str) -> _Test:
    return lambda v: refs[name](v)  # looked up when called: a $ref may be compiled after its first use


def _compile(node: Any, root: dict, refs: Dict[str, _Test]) -> _Test:
    if node is True or node == {}:
        return lambda v: True
    if not isinstance(node, dict):
        raise _Unsupported(repr(node))
    tests: List[_Test] = []
    for key, value in node.items():
        if key in _NOTES:
            continue
        if key == "type":
            names = value if isinstance(value, list) else [value]
            kinds = [_type_test(n) for n in names]
            tests.append(kinds[0] if len(kinds) == 1 else _any(kinds))
        elif key == "const":
            tests.append(_same(value))
        elif key == "enum":
            tests.append(_one_of(value))
        elif key == "format":
            if value not in _FORMATS:
                raise _Unsupported(f"format {value!r}")
            tests.append(_FORMATS[value])
        elif key == "$ref":
            if not (isinstance(value, str) and value.startswith("#/$defs/")):
                raise _Unsupported(f"$ref {value!r}")
            name = value[len("#/$defs/"):]
            if name not in refs:
                refs[name] = lambda v: False  # recursion guard while compiling; replaced below
                target = root.get("$defs", {}).get(name)
                if target is None:
                    raise _Unsupported(f"$ref {value!r}")
                refs[name] = _compile(target, root, refs)
            tests.append(_by_name(refs, name))
        elif key == "properties":
            props = {k: _compile(v, root, refs) for k, v in value.items()}

            def properties(v: Any, props: Dict[str, _Test] = props) -> bool:
                if not isinstance(v, dict):
                    return True
                get = props.get
                for k, child in v.items():  # the plan's fields, usually fewer than the format's
                    test = get(k)
                    if test is not None and not test(child):
                        return False
                return True
            tests.append(properties)
        elif key == "additionalProperties":
            if value is not True:
                raise _Unsupported("additionalProperties other than true")
        elif key == "items":
            item = _compile(value, root, refs)

            def items(v: Any, test: _Test = item) -> bool:
                if isinstance(v, list):
                    for entry in v:
                        if not test(entry):
                            return False
                return True
            tests.append(items)
        else:
            raise _Unsupported(key)
    if not tests:
        return lambda v: True
    if len(tests) == 1:
        return tests[0]
    return _all(tests)


@lru_cache(maxsize=None)
def _compiled_plan_test() -> Optional[_Test]:
    root = schema("plan")
    try:
        return _compile(root, root, {})
    except _Unsupported:
        return None


def plan_surely_valid(data: Any) -> bool:
    """True when the plan's data certainly matches the plan format; False means "ask jsonschema"."""
    test = _compiled_plan_test()
    if test is None:
        return False
    try:
        return test(data)
    except RecursionError:
        return False


def plan_is_valid(data: Any) -> bool:
    """Whether a plan's data matches the plan format, as `plan_validator().is_valid(data)` answers, but
    without importing jsonschema in the common case."""
    return plan_surely_valid(data) or plan_validator().is_valid(data)


@lru_cache(maxsize=None)
def validator_class() -> Any:
    """Draft 2020-12, with YAML's date objects counting as strings."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    return jsonschema.validators.extend(base, type_checker=base.TYPE_CHECKER.redefine("string", _is_string))


@lru_cache(maxsize=None)
def pack_validator() -> Any:
    from ..regex import format_checker

    return validator_class()(schema("pack"), format_checker=format_checker())
