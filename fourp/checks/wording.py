"""`wording`: entries say something of substance, not a placeholder or a few words.

What it checks:
  Each entry's text has at least `min_words` words and is not one of the `placeholders` ("ongoing",
  "TBC"), compared ignoring case and punctuation. An entry with no text at all is a finding too, unless
  `missing: pass`.

Options:
  entries: [entry selector]  the items and the text field of each (as in `timestamps`)
  min_words: int             fewer words than this is brief (default 5)
  placeholders: [str]        whole entries that say nothing
  missing: fail|pass         an entry with no text fails, or passes (default fail); `missing_is_brief:
                             true|false` is the old spelling

Example:
  check: wording
  options:
    entries: [{items: "@actions/result", field: text}]
    min_words: 4
    placeholders: [ongoing, tbc]
  examples:
    - {expect: pass, plan: {pursue: {actions: [{result: {text: Two arrested and 40 wraps of cocaine seized}}]}}}
    - {name: placeholder, expect: fail, plan: {pursue: {actions: [{result: {text: Ongoing.}}]}}}
    - {name: brief, expect: fail, plan: {prevent: {actions: [{result: {text: Referred.}}]}}}
"""
from __future__ import annotations

import re
from typing import FrozenSet, Iterator, NamedTuple, Tuple

from ..context import Context, Problem, describe, present
from ._common import SOURCE, Source, sources

SCHEMA = {
    "type": "object",
    "required": ["entries"],
    "properties": {
        "entries": {"type": "array", "items": SOURCE, "minItems": 1},
        "min_words": {"type": "integer", "minimum": 0},
        "placeholders": {"type": "array", "items": {"type": "string"}},
        "missing": {"enum": ["fail", "pass"]},
    },
    "additionalProperties": False,
}

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


class Options(NamedTuple):
    entries: Tuple[Source, ...]
    min_words: int
    placeholders: FrozenSet[str]
    missing_fails: bool


def _plain(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def prepare(options: dict) -> Options:
    return Options(sources(options["entries"]), options.get("min_words", 5),
                   frozenset(_plain(p) for p in options.get("placeholders", ())),
                   options.get("missing", "fail") == "fail")


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    for source in options.entries:
        for entry in source.entries(ctx):
            value = entry.value
            if not present(value):
                if options.missing_fails:
                    yield Problem(entry.path, f"{describe(entry.item_path)} is empty",
                                  {"issue": "empty", "words": 0})
                continue
            if not isinstance(value, str):
                value = str(value)
            plain = _plain(value)
            words = len(plain.split())
            if plain in options.placeholders or not plain or words < options.min_words:
                where = describe(entry.item_path)  # only for what is reported: it is not cheap
            if plain in options.placeholders or not plain:
                yield Problem(entry.path, f"{where} says only “{_quote(value)}”",
                              {"issue": "placeholder", "text": value, "words": words})
            elif words < options.min_words:
                yield Problem(entry.path, f"{where} is brief: “{_quote(value)}” ({words} "
                              f"word{'s' if words != 1 else ''})",
                              {"issue": "brief", "text": value, "words": words})
