"""Declarative conditions a pack uses to say which plans a rule applies to and which items a check looks at.

A condition is a mapping with a `field` (a pattern, relative to the item or absolute from the plan root) and
one test:

    {field: status, equals: done}          {field: agency, not_in: [police]}
    {field: disruption, present: true}     {field: text, matches: '\\bSCPO\\b'}
    {field: /created, older_than_days: 90} {field: due, not_past: true}
    {field: by, not_same_person_as: /lro/name}
    {field: /lro/name, has_rank: true}     (a name written with its rank: `Ch Insp Tom Reade`)
    {field: result/text, not_placeholder: [ongoing, complete]}  (not only a placeholder; absent passes)

or a count of items, in the shape of the `counts` kind's tests: `{items: "@actions", where: [...], min: 1}`
(`count:` is the old name of `items:` here, still read), or the status the plan is judged in,
`{status_in: [active, closed]}` (a draft in use counts as active: see `fourp.pack.lifecycle`).
`older_than_days` and `not_past` count to the end of the plan's life (a closed plan's closure date, else
the as-of date). A list of conditions holds when every one holds.
A pattern with wildcards holds when any value it names passes the test. `matches` takes an RE2 pattern
(`fourp.regex`), ignoring case.

A date test on a value that is there but is not a date (`due: 31/04/2025`) is undecided (`judge` gives
None): the plan-structure rule reports the value, and no other rule draws a conclusion from it.
"""
from __future__ import annotations

import re
from typing import Any, Callable, List, Mapping, Optional, Sequence

from ..names import rank_of, same_person
from ..regex import compile_regex
from .context import Context, present
from .pointers import MISSING, compile_pattern

__all__ = ["Condition", "compile_conditions", "all_hold", "judge_all", "CONDITION_SCHEMA", "norm"]

#: Every test a condition can make (docs/pack-language.md documents each; a test keeps the two in step).
_TESTS = ("equals", "in", "not_in", "present", "matches", "not_matches", "older_than_days",
          "not_past", "same_person_as", "not_same_person_as", "has_rank", "not_placeholder")
#: The tests that read a value as a date.
_DATE_TESTS = frozenset({"older_than_days", "not_past"})

CONDITION_SCHEMA: dict = {
    "oneOf": [
        {
            "type": "object",
            "required": ["field"],
            "properties": {
                "field": {"type": "string"},
                "equals": {},
                "in": {"type": "array"},
                "not_in": {"type": "array"},
                "present": {"type": "boolean"},
                "matches": {"type": "string", "format": "regex"},
                "not_matches": {"type": "string", "format": "regex"},
                "older_than_days": {"type": "integer", "minimum": 0},
                "not_past": {"type": "boolean"},
                "same_person_as": {"type": "string"},
                "not_same_person_as": {"type": "string"},
                "has_rank": {"type": "boolean"},
                "not_placeholder": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
            "minProperties": 2,
            "maxProperties": 2,
        },
        {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {"type": "string"},
                "where": {"type": "array", "items": {"$ref": "#/$defs/condition"}},
                "min": {"type": "integer", "minimum": 0},
                "max": {"type": "integer", "minimum": 0},
            },
            "additionalProperties": False,
        },
        {  # the old spelling of the count, read as `items` (fourp.pack.spelling)
            "type": "object",
            "required": ["count"],
            "properties": {
                "count": {"type": "string"},
                "where": {"type": "array", "items": {"$ref": "#/$defs/condition"}},
                "min": {"type": "integer", "minimum": 0},
                "max": {"type": "integer", "minimum": 0},
            },
            "additionalProperties": False,
        },
        {
            "type": "object",
            "required": ["status_in"],
            "properties": {"status_in": {"type": "array", "items": {"enum": ["draft", "active", "closed"]},
                                         "minItems": 1}},
            "additionalProperties": False,
        },
    ]
}


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def plain_words(text: str) -> str:
    """Text as its words, lower case, without punctuation: `TBC.` and ` tbc ` are both `tbc`."""
    return " ".join(_WORD.findall(text.lower()))


def norm(value: Any) -> Any:
    """Enumerated values compared as officers mean them: `Done ` is `done`."""
    return value.strip().lower() if isinstance(value, str) else value


class Condition:
    """One compiled condition; `holds(ctx, item)` never raises on any plan data."""

    arg: Any  # the test's argument as compiled: a set, a pattern, a regex, a number
    _test: Callable[[Context, Any, tuple], bool]

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = dict(spec)
        self._where: List[Condition] = []
        if "status_in" in spec:
            self.pattern = compile_pattern("/status")
            self.arg = frozenset(spec["status_in"])
            self._test = self._status
            return
        if "field" not in spec:  # a count: `items`, or its old name `count`
            self.pattern = compile_pattern(spec["items"] if "items" in spec else spec["count"])
            self._where = compile_conditions(spec.get("where", ()))
            self._low, self._high = spec.get("min", 1), spec.get("max")
            self._test = self._count
            return
        self.pattern = compile_pattern(spec["field"])
        (name, arg), = ((k, v) for k, v in spec.items() if k != "field")
        self.name = name
        if name in ("matches", "not_matches"):
            arg = compile_regex(arg)
        elif name in ("equals",):
            arg = norm(arg)
        elif name in ("in", "not_in"):
            arg = {norm(a) for a in arg if isinstance(a, (str, int, float, bool))}
        elif name in ("same_person_as", "not_same_person_as"):
            arg = compile_pattern(arg)
        elif name == "not_placeholder":
            arg = frozenset(plain_words(a) for a in arg)
        self.arg = arg
        self._test = self._field

    def holds(self, ctx: Context, item: Any = MISSING, base: tuple = ()) -> bool:
        return self._test(ctx, item, base)

    def _status(self, ctx: Context, item: Any, base: tuple) -> bool:
        return ctx.status in self.arg

    def judge(self, ctx: Context, item: Any = MISSING, base: tuple = ()) -> Optional[bool]:
        """True or False; None when the answer turns on a value that should be a date but cannot be read."""
        if self._test(ctx, item, base):
            return True
        if self._test == self._field and self.name in _DATE_TESTS and any(
                present(v) and ctx.moment(v) is None for v in self._values(ctx, item, base)):
            return None
        return False

    def _count(self, ctx: Context, item: Any, base: tuple) -> bool:
        n = sum(1 for path, value in ctx.select(self.pattern, item, base)
                if all_hold(self._where, ctx, value, path))
        return n >= self._low and (self._high is None or n <= self._high)

    def _values(self, ctx: Context, item: Any, base: tuple) -> list:
        return [value for _, value in ctx.select(self.pattern, item, base)]

    def _field(self, ctx: Context, item: Any, base: tuple) -> bool:
        name, arg = self.name, self.arg
        values = self._values(ctx, item, base)
        if name == "present":
            return any(present(v) for v in values) == arg
        if name == "not_in":  # absent is not one of the listed values
            return all(_hashable(norm(v)) not in arg for v in values) if values else True
        if name == "not_matches":
            return not any(isinstance(v, str) and arg.search(v) for v in values)
        if name == "not_placeholder":
            return not any(isinstance(v, str) and v.strip() and plain_words(v) in arg for v in values)
        if name == "has_rank":
            return any(rank_of(v) is not None for v in values) == arg
        if name == "not_same_person_as":
            others = [v for _, v in ctx.select(arg, item, base)]
            return not any(same_person(v, o) for v in values for o in others)
        for value in values:
            if name == "equals" and norm(value) == arg:
                return True
            if name == "in" and _hashable(norm(value)) in arg:
                return True
            if name == "matches" and isinstance(value, str) and arg.search(value):
                return True
            if name == "older_than_days":
                moment = ctx.moment(value)
                if moment is not None and ctx.days_before_until(moment) > arg:
                    return True
            if name == "not_past":
                moment = ctx.moment(value)
                if moment is not None and (moment.date >= ctx.until) == arg:
                    return True
            if name == "same_person_as":
                if any(same_person(value, o) for _, o in ctx.select(arg, item, base)):
                    return True
        return False


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return None
    return value


def compile_conditions(specs: Sequence[Mapping[str, Any]]) -> List[Condition]:
    return [Condition(spec) for spec in specs or ()]


def all_hold(conditions: Sequence[Condition], ctx: Context, item: Any = MISSING, base: tuple = ()) -> bool:
    return all(c.holds(ctx, item, base) for c in conditions)


def judge_all(conditions: Sequence[Condition], ctx: Context, item: Any = MISSING,
              base: tuple = ()) -> Optional[bool]:
    """Whether every condition holds: False if one does not, None if none fails but one is undecided."""
    verdict: Optional[bool] = True
    for condition in conditions:
        answer = condition.judge(ctx, item, base)
        if answer is False:
            return False
        if answer is None:
            verdict = None
    return verdict
