"""`enum-case`: enumerated values written in another case (`Done`, `LRO`) are named with their right spelling.

What it checks:
  Each value the plan format enumerates (`status`, an action's `status`, `author.role`, a disruption's
  `impact` ...) that differs from one of the format's values only in case or surrounding space. fourp
  reads it as meant (`Done` is `done`), so nothing is lost; the finding names the spelling other tools
  expect. The `plan-structure` rule leaves such values to this kind.

Options:
  none

Example:
  check: enum-case
  examples:
    - {expect: pass, plan: {status: active, pursue: {actions: [{status: done}]}}}
    - {name: capitals, expect: fail, plan: {status: Active, pursue: {actions: [{status: Done}]}}}
"""
from __future__ import annotations

from typing import Iterator

from ..pack.context import Context, Problem, describe
from .schema import case_of_enum, plan_errors

SCHEMA = {"type": "object", "additionalProperties": False}


def prepare(options: dict) -> None:
    return None


def check(ctx: Context, options: None) -> Iterator[Problem]:
    for error in plan_errors(ctx):
        right = case_of_enum(error)
        if right is not None:
            path = tuple(error.absolute_path)
            yield Problem(path, f"{describe(path)} is written “{error.instance}”; fourp reads it as "
                          f"`{right}`, the plan format's spelling", {"value": str(error.instance),
                                                                       "right": right})
