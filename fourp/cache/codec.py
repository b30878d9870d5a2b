"""Kept results as data: a plan's report, a file's error or a cross-plan verdict to JSON bytes and back.

Nothing read back can run code: the bytes are JSON, and the only objects rebuilt from them are the report's
own frozen dataclasses (`Report`, `Finding`, `RuleResult`, `Waiver`, `Place`) and dates, each in the field
the code declares for it. Each dataclass is written as a list of its fields in declaration order; the order
cannot differ between writer and reader because every key of the results cache includes a fingerprint of
fourp's code. A value whose JSON would not read back equal (a tuple in a plug-in's facts, a set, a NaN
where orjson is used) is not kept at all (`Unkept`): the plan is then simply evaluated again next time.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from functools import lru_cache
from typing import Any, Callable, Dict, List, Tuple

__all__ = ["encode", "decode", "encode_verdict", "decode_verdict", "Unkept"]

_orjson: Any
try:  # orjson reads JSON several times faster than the standard library; it is optional here
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on what is installed
    _orjson = None


class Unkept(Exception):
    """A result that cannot be written so that it reads back equal: it is not kept."""


_PLAIN = "plain"


def _classes() -> Dict[str, type]:
    from ..report import Finding, Place, Report, RuleResult, Waiver

    return {cls.__name__: cls for cls in (Report, Finding, RuleResult, Waiver, Place)}


def _kind(hint: Any) -> Tuple[str, Any]:
    """How a field's value is written, from the type the dataclass declares for it."""
    classes = _classes().values()
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is dt.date:
        return "date", None
    if hint in classes:
        return "object", hint
    if origin is typing.Union and len(args) == 2 and type(None) in args:
        inner = _kind(next(a for a in args if a is not type(None)))
        return ("optional", inner) if inner[0] != _PLAIN else (_PLAIN, None)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = _kind(args[0])
        return "tuple", inner
    return _PLAIN, None


@lru_cache(maxsize=None)
def _layout(cls: Any) -> Tuple[Tuple[str, Tuple[str, Any]], ...]:
    """Each field of a report dataclass with how it is written."""
    hints = typing.get_type_hints(cls, vars(__import__(cls.__module__, fromlist=["_"])))
    return tuple((f.name, _kind(hints[f.name])) for f in dataclasses.fields(cls))


def _out(value: Any, kind: Tuple[str, Any]) -> Any:
    name, inner = kind
    if name == _PLAIN:
        return value
    if value is None and name in ("optional", "object", "date"):
        return None
    if name == "date":
        if type(value) is not dt.date:
            raise Unkept("not a date")
        return value.isoformat()
    if name == "optional":
        return _out(value, inner)
    if name == "tuple":
        if type(value) is not tuple:
            raise Unkept("not a tuple")
        return [_out(v, inner) for v in value]
    cls: Any = type(value)
    if cls is not inner:
        raise Unkept(f"not a {inner.__name__}")
    return [_out(getattr(value, field), how) for field, how in _layout(cls)]


def _reader(kind: Tuple[str, Any]) -> Callable[[Any], Any]:
    """A function rebuilding a value written as `kind` (made once per field, so reading is a few calls)."""
    name, inner = kind
    if name == _PLAIN:
        return _same
    if name == "date":
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if name == "optional":
        read = _reader(inner)
        return lambda v: None if v is None else read(v)
    if name == "tuple":
        if inner[0] == _PLAIN:
            return tuple
        read = _reader(inner)
        return lambda v: tuple(map(read, v))
    return _builder(inner)


def _same(value: Any) -> Any:
    return value


@lru_cache(maxsize=None)
def _builder(cls: Any) -> Callable[[List[Any]], Any]:
    layout = _layout(cls)
    names = tuple(name for name, _ in layout)
    readers = tuple((index, _reader(how)) for index, (_, how) in enumerate(layout) if how[0] != _PLAIN)
    count = len(layout)
    # A frozen dataclass's __init__ sets each field through object.__setattr__, which costs more than
    # reading the entry; its fields are given as one __dict__ instead (what unpickling does too). A class
    # with __slots__ (no __dict__) is built by its __init__.
    direct = not hasattr(cls, "__slots__")

    def build(values: List[Any]) -> Any:
        if type(values) is not list or len(values) != count:
            raise ValueError(f"not a {cls.__name__}")
        for index, read in readers:
            values[index] = read(values[index])
        if not direct:
            return cls(*values)
        obj: Any = _new(cls)
        _set(obj, "__dict__", dict(zip(names, values)))
        return obj
    return build


_new = object.__new__
_set = object.__setattr__


def _dumps(value: Any) -> bytes:
    # ASCII with escapes: a plan's text may hold lone surrogates (undecodable bytes), which JSON keeps so
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def _loads(blob: bytes) -> Any:
    if _orjson is not None:
        try:
            return _orjson.loads(blob)
        except _orjson.JSONDecodeError:  # lone surrogates, which orjson refuses: the standard library reads them
            pass
    return json.loads(blob)


def encode(result: Any) -> bytes:
    """JSON bytes for a plan's `Report` or a file's error (`PlanError.to_dict()`, perhaps with facts).
    Raises Unkept when it would not read back equal."""
    from ..report import Report

    if type(result) is Report:
        try:
            blob = _dumps(["report", [_out(getattr(result, f), how) for f, how in _layout(Report)]])
        except (TypeError, ValueError) as exc:
            raise Unkept(str(exc)) from None
        # JSON keeps each scalar's type (1, 1.0 and true stay apart) but not a tuple or a key that is not a
        # string: the report read back must equal it, facts (`meta`, which Report equality leaves out) too.
        back = decode(blob)
        if back != result or back.meta != result.meta:
            raise Unkept("the report does not read back equal")
        return blob
    if type(result) is dict:
        try:
            blob = _dumps(["data", result])
        except (TypeError, ValueError) as exc:
            raise Unkept(str(exc)) from None
        if decode(blob) != result:
            raise Unkept("the data does not read back equal")
        return blob
    raise Unkept(f"a {type(result).__name__} is not kept")


def decode(blob: bytes) -> Any:
    """The result `encode` wrote. Raises ValueError (or TypeError) for anything else."""
    from ..report import Report

    tag, body = _loads(blob)
    if tag == "report":
        if type(body) is not list:
            raise ValueError("not a report")
        return _builder(Report)(body)
    if tag == "data":
        if type(body) is not dict:
            raise ValueError("not a mapping")
        return body
    raise ValueError("not a kept result")



def encode_verdict(portfolio: dict, reports: Any = None) -> bytes:
    """JSON bytes for an audit's cross-plan verdict (`portfolio`, its dict) and the plans it judged again
    with the other plans' names (`reports`, or None when they are not known)."""
    from ..report import Report

    parts = None
    if reports is not None:
        parts = []
        for report in reports:
            if type(report) is not Report:
                raise Unkept("not a report")
            parts.append(json.loads(encode(report))[1])  # each checked to read back equal
    blob = encode(dict(portfolio=portfolio))  # checked to read back equal
    return _dumps(["verdict", json.loads(blob)[1]["portfolio"], parts])


def decode_verdict(blob: bytes) -> Tuple[dict, Any]:
    """(cross-plan verdict, reports or None) as `encode_verdict` wrote them. Raises ValueError (or
    TypeError) for anything else."""
    from ..report import Report

    tag, portfolio, parts = _loads(blob)
    if tag != "verdict" or type(portfolio) is not dict or not (parts is None or type(parts) is list):
        raise ValueError("not a verdict")
    if parts is None:
        return portfolio, None
    build = _builder(Report)
    return portfolio, tuple(build(part) for part in parts)
