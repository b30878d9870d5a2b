"""`presence`: named fields hold something (not absent, null, blank or empty).

What it checks:
  Each field in `require` holds a value; in each group of `any_of`, at least one field does. A pattern
  with a wildcard is met when any value it names is present. Each missing field is one finding, at the
  field's parent when the field itself is absent.

Options:
  require: [pattern | {field: pattern, label: str, unless: [condition]}]   every one must be present,
                                         unless its `unless` conditions hold (`/lro/rank` unless the name
                                         is written with its rank)
  any_of:  [[pattern | {field: pattern, label: str}]] in each group, at least one must be present
  label    how the field is named in feedback (default: from its path, "lro name")

Example:
  check: presence
  options:
    require: [{field: /lro/name, label: a named LRO}]
    any_of: [[/threat/assessment/risk, /threat/assessment/priority]]
  examples:
    - {expect: pass, plan: {lro: {name: Ch Insp Tom Reade}, threat: {assessment: {priority: high}}}}
    - {name: no LRO, expect: fail, plan: {lro: {name: " "}, threat: {assessment: {risk: high}}}}
    - {name: neither risk nor priority, expect: fail, plan: {lro: {name: Ch Insp Tom Reade}}}
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Tuple

from ..pack.conditions import Condition, all_hold, compile_conditions
from ..pack.context import Context, Problem, describe, present
from ..pack.pointers import Pattern, compile_pattern

FIELD = {"oneOf": [{"type": "string"},
                   {"type": "object", "required": ["field"], "additionalProperties": False,
                    "properties": {"field": {"type": "string"}, "label": {"type": "string"},
                                   "unless": {"type": "array", "items": {"$ref": "#/$defs/condition"}}}}]}
SCHEMA = {
    "type": "object",
    "properties": {
        "require": {"type": "array", "items": FIELD},
        "any_of": {"type": "array", "items": {"type": "array", "items": FIELD, "minItems": 1}},
    },
    "additionalProperties": False,
    "anyOf": [{"required": ["require"]}, {"required": ["any_of"]}],
}


class Field(NamedTuple):
    pattern: Pattern
    label: str
    unless: Tuple[Condition, ...] = ()


def _field(spec: Any) -> Field:
    if isinstance(spec, str):
        spec = {"field": spec}
    pattern = compile_pattern(spec["field"])
    label = spec.get("label") or describe(tuple(s for s in pattern.segments if isinstance(s, str)))
    return Field(pattern, label, tuple(compile_conditions(spec.get("unless", ()))))


class Options(NamedTuple):
    require: Tuple[Field, ...]
    any_of: Tuple[Tuple[Field, ...], ...]


def prepare(options: dict) -> Options:
    return Options(tuple(_field(f) for f in options.get("require", ())),
                   tuple(tuple(_field(f) for f in group) for group in options.get("any_of", ())))


def _has(ctx: Context, field: Field) -> bool:
    if field.unless and all_hold(field.unless, ctx):
        return True
    return any(present(value) for _, value in ctx.select(field.pattern))


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    for field in options.require:
        if not _has(ctx, field):
            yield Problem(field.pattern.anchor, f"{field.label} is not recorded", {"missing": field.label})
    for group in options.any_of:
        if not any(_has(ctx, field) for field in group):
            names = " or ".join(f.label for f in group)
            neither = " nor ".join(f.label for f in group)
            yield Problem(group[0].pattern.anchor[:-1] or group[0].pattern.anchor,
                          f"neither {neither} is recorded" if len(group) == 2 else f"none of {names} is recorded",
                          {"missing": names})
