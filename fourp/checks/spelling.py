"""`spelling`: enumerated values written in another case (`Done`, `LRO`, `Active`) are understood as
meant, and named with their right spelling so that other tools reading the plan understand them too.

No options. The values are those the plan format enumerates (`fourp schema plan`).
"""
from __future__ import annotations

from typing import Iterator

from ..context import Context, Problem, describe
from .structure import case_of_enum, schema_errors

SCHEMA = {"type": "object", "additionalProperties": False}


def prepare(options: dict) -> None:
    return None


def check(ctx: Context, options: None) -> Iterator[Problem]:
    for error in schema_errors(ctx.data):
        right = case_of_enum(error)
        if right is not None:
            path = tuple(error.absolute_path)
            yield Problem(path, f"{describe(path)} is written “{error.instance}”; fourp reads it as "
                          f"`{right}`, the plan format's spelling", {"value": str(error.instance),
                                                                       "right": right})
