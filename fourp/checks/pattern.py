"""`pattern`: text in the plan does (or does not) match a regular expression.

Options:
  texts: [pattern]        where to look; every string at or below these (use `/**` for a whole subtree)
  must_match: regex       at least one text must match, or the rule fails once
  must_not_match: regex   each text that matches is a problem, quoting the match
  label: str              what is looked for, in feedback ("an SCPO or the lifetime offender manager")
Matching ignores case. Patterns are RE2 syntax (`fourp.regex`): matching time grows with the text, never
exponentially, whatever the pattern.
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Optional, Tuple

from ..context import Context, Problem, describe
from ..paths import Pattern, compile_pattern
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
