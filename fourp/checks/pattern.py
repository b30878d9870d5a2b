"""`pattern`: text in the plan does (or does not) match a regular expression.

What it checks:
  With `must_match`, at least one text at or below the `texts` patterns matches it, or the rule fails
  once. With `must_not_match`, each text that matches is a finding quoting the match. Matching ignores
  case. Expressions are RE2 syntax (`fourp.regex`): matching time grows with the text, never
  exponentially, whatever the expression.

Options:
  texts: [pattern]        where to look; every string at or below these (`/**` is the whole plan)
  must_match: regex       at least one text must match
  must_not_match: regex   no text may match
  label: str              what is looked for, in feedback ("an SCPO or the lifetime offender manager")

Example:
  check: pattern
  options:
    texts: [/pursue/**]
    must_match: '\\b(SCPO|serious crime prevention order|lifetime offender)'
    label: an SCPO or lifetime offender management
  examples:
    - {expect: pass, plan: {pursue: {objectives: [Seek an SCPO against each principal on conviction]}}}
    - {name: not considered, expect: fail, plan: {pursue: {objectives: [Arrest the principals]}}}
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Optional, Tuple

from ..pack.context import Context, Problem, describe
from ..pack.pointers import Pattern, compile_pattern
from ..regex import compile_regex

SCHEMA = {
    "type": "object",
    "required": ["texts", "label"],
    "properties": {
        "texts": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "must_match": {"type": "string", "format": "regex"},
        "must_not_match": {"type": "string", "format": "regex"},
        "label": {"type": "string"},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["must_match"]}, {"required": ["must_not_match"]}],
}


class Options(NamedTuple):
    texts: Tuple[Pattern, ...]
    must: Optional[Any]      # compiled RE2 patterns
    must_not: Optional[Any]
    label: str


def prepare(options: dict) -> Options:
    def rx(key: str) -> Optional[Any]:
        return compile_regex(options[key]) if options.get(key) else None
    return Options(tuple(compile_pattern(t) for t in options["texts"]), rx("must_match"),
                   rx("must_not_match"), options["label"])


def texts(ctx: Context, patterns: Tuple[Pattern, ...]) -> Iterator[Tuple[tuple, str]]:
    for pattern in patterns:
        for path, value in ctx.select(pattern):
            if isinstance(value, str):
                yield path, value


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    if options.must is not None:
        if not any(options.must.search(text) for _, text in texts(ctx, options.texts)):
            yield Problem(options.texts[0].anchor, f"nothing mentions {options.label}",
                          {"issue": "absent"})
    if options.must_not is not None:
        for path, text in texts(ctx, options.texts):
            match = options.must_not.search(text)
            if match:
                yield Problem(path, f"{describe(path)} mentions {options.label}: “{match.group(0)}”",
                              {"issue": "present", "match": match.group(0)})
