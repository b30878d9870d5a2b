"""`each`: every item of a kind (each action, each done action) meets per-item conditions.

What it checks:
  Each item `items` names (those its `where` conditions hold for) has something in every `require`d
  field and meets every `assert` condition. An item short of required fields is one finding naming them
  all; each assertion an item fails is one more, saying `detail`.

Options:
  items: pattern                         the items
  where: [condition]                     only the items these hold for
  require: [pattern | {field, label}]    fields (relative to the item) each must hold something in
  assert: [{that: condition, detail: str}]  conditions each item must meet; `detail` says what is wrong
                                         when it does not ("is past its due date")

Example:
  check: each
  options:
    items: "@actions"
    where: [{field: status, not_in: [done, cancelled]}]
    require: [owner, due]
    assert: [{that: {field: due, not_past: true}, detail: is past its due date}]
  examples:
    - expect: pass
      plan: {pursue: {actions: [{owner: DS Neil Hart, due: "2024-12-01", status: open}, {status: done}]}}
    - {name: no owner, expect: fail, plan: {pursue: {actions: [{due: "2024-12-01", status: open}]}}}
    - name: overdue
      expect: fail
      plan: {protect: {actions: [{owner: PC Ann Bell, due: "2024-06-01", status: open}]}}
"""
from __future__ import annotations

from typing import Iterator, List, NamedTuple, Tuple

from ..pack.conditions import CONDITION_SCHEMA, Condition, compile_conditions, judge_all
from ..pack.context import Context, Problem, describe, present
from ..pack.pointers import Pattern, compile_pattern
from ._common import CONDITIONS
from .presence import FIELD

SCHEMA = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {"type": "string"},
        "where": CONDITIONS,
        "require": {"type": "array", "items": FIELD},
        "assert": {
            "type": "array",
            "items": {"type": "object", "required": ["that", "detail"], "additionalProperties": False,
                      "properties": {"that": {"$ref": "#/$defs/condition"}, "detail": {"type": "string"}}},
        },
    },
    "additionalProperties": False,
    "anyOf": [{"required": ["require"]}, {"required": ["assert"]}],
}
del CONDITION_SCHEMA  # referenced through $defs in the pack schema


class Required(NamedTuple):
    pattern: Pattern
    label: str


class Assertion(NamedTuple):
    that: Condition
    detail: str


class Options(NamedTuple):
    items: Pattern
    where: List[Condition]
    require: Tuple[Required, ...]
    asserts: Tuple[Assertion, ...]


def prepare(options: dict) -> Options:
    required = []
    for spec in options.get("require", ()):
        if isinstance(spec, str):
            spec = {"field": spec}
        required.append(Required(compile_pattern(spec["field"]),
                                 spec.get("label") or spec["field"].replace("/", " ").replace("_", " ")))
    return Options(compile_pattern(options["items"]), compile_conditions(options.get("where", ())),
                   tuple(required),
                   tuple(Assertion(Condition(a["that"]), a["detail"]) for a in options.get("assert", ())))


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    for path, item in ctx.select(options.items):
        if options.where and judge_all(options.where, ctx, item, path) is not True:
            continue  # not one of the items, or fourp cannot tell (an unreadable date): no conclusion
        name = describe(path)
        ident = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
        if ident:
            name = f"{name} ({ident})"
        missing = [r for r in options.require
                   if not any(present(v) for _, v in ctx.select(r.pattern, item, path))]
        if missing:
            labels = [r.label for r in missing]
            text = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
            field = missing[0].pattern
            at = path + field.segments if field.literal and not field.absolute else path
            yield Problem(at, f"{name} has no {text}", {"issue": "missing", "missing": labels,
                                                         "item": item if isinstance(item, dict) else {}})
        for assertion in options.asserts:
            if assertion.that.judge(ctx, item, path) is False:  # None: a date it cannot read
                field = assertion.that.pattern
                at = path + field.segments if field.literal and not field.absolute else path
                yield Problem(at, f"{name} {assertion.detail}",
                              {"issue": "assert", "item": item if isinstance(item, dict) else {}})
