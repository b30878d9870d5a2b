"""`schema`: the plan's shape matches the plan format (types, enumerated values, readable dates).

What it checks:
  The plan against the plan format's JSON Schema (`fourp schema plan`): each field of the wrong type,
  each value outside its list (a `status` that is not draft, active or closed) and each unreadable date
  is a finding at its place in the file, never a crash. This is the check of the built-in
  `plan-structure` rule, which every pack has.

Options:
  none

Example:
  check: schema
  examples:
    - {expect: pass, plan: {status: active, lro: {name: Ch Insp Tom Reade}, created: "2024-03-01"}}
    - {name: unknown status, expect: fail, plan: {status: ongoing}}
    - {name: LRO as text, expect: fail, plan: {lro: Ch Insp Tom Reade}}
"""
from __future__ import annotations

from typing import Any, Iterator

from ..context import Context, Problem, describe

SCHEMA = {"type": "object", "additionalProperties": False}


def prepare(options: dict) -> None:
    return None


def _explain(error: Any) -> str:
    where = describe(tuple(error.absolute_path))
    value = error.instance
    shown = repr(value) if not isinstance(value, (dict, list)) else ("a list" if isinstance(value, list)
                                                                     else "a mapping")
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return f"{where} is {shown}, which is not one of: {choices}"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        article = "an" if wanted[0] in "aeiou" else "a"
        noun = {"object": "mapping", "array": "list"}.get(wanted, wanted)
        return f"{where} should be {article} {noun}, not {shown}"
    if error.validator == "format":
        form = "date" if error.validator_value == "fourp-date" else "date and time"
        return f"{where} is {shown}, which is not a {form} (e.g. 2024-03-05T14:30 or 05/03/2024 14:30)"
    if error.validator == "const":
        return f"{where} is {shown}; it must be {error.validator_value!r}"
    return f"{where}: {error.message}"


def check(ctx: Context, options: None) -> Iterator[Problem]:
    from ..schemas import plan_surely_valid, plan_validator

    if plan_surely_valid(ctx.data):  # the common case, answered without jsonschema
        return
    for error in plan_validator().iter_errors(ctx.data):
        yield Problem(tuple(error.absolute_path), _explain(error), {"validator": str(error.validator)})
