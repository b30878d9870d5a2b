"""`wording`: entries say something of substance, not a placeholder or a plan of nothing but brief lines.

What it checks:
  Each entry's text has at least `min_words` words and is not one of the `placeholders` ("ongoing",
  "TBC"), compared ignoring case and punctuation. An entry with no text at all is a finding too, unless
  `missing: pass`.

Options:
  entries: [entry selector]  the items and the text field of each (as in `timestamps`)
  min_words: int             fewer words than this is brief (default 5)
  placeholders: [str]        whole entries that say nothing ("ongoing", "TBC"), compared ignoring case
                             and punctuation; each is a problem wherever it stands
  missing: fail|pass         an entry with no text fails, or passes (default fail); `missing_is_brief:
                             true|false` is the old spelling
  max_brief_share: number    judge brevity as the report does, of the plan: a short entry that carries a
                             fact (a number, an outcome, a named person, place or law) is substantive;
                             the plan fails when its other short entries are more than this share of its
                             entries, and the briefest are named. Without it, each short entry fails.
  outcomes: [str]            words that record an outcome ("seized", "charged", "rehoused"); a short
                             entry of two words or more holding one carries a fact

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
from typing import FrozenSet, Iterator, List, NamedTuple, Optional, Tuple

from ..pack.context import Context, Problem, describe, present
from ._common import SOURCE, Source, sources

SCHEMA = {
    "type": "object",
    "required": ["entries"],
    "properties": {
        "entries": {"type": "array", "items": SOURCE, "minItems": 1},
        "min_words": {"type": "integer", "minimum": 0},
        "placeholders": {"type": "array", "items": {"type": "string"}},
        "missing": {"enum": ["fail", "pass"]},
        "max_brief_share": {"type": "number", "minimum": 0, "maximum": 1},
        "outcomes": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NUMBER = re.compile(r"\d|[£$€%]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"twenty|thirty|hundred|thousand|half|both|all|none|no one|nobody|nothing)\b",
                     re.IGNORECASE)
#: Outcomes a terse result records; a pack may give its own.
DEFAULT_OUTCOMES = (
    "arrested", "arrest", "arrests", "charged", "convicted", "sentenced", "remanded", "bailed", "seized",
    "seizure", "recovered", "restrained", "forfeited", "confiscated", "executed", "served", "granted",
    "refused", "obtained", "rehoused", "moved", "evicted", "closed", "safeguarded", "referred", "engaging",
    "engaged", "declined", "attended", "visited", "identified", "located", "disrupted", "dismantled",
    "revoked", "suspended", "recalled", "imposed", "issued", "found", "negative", "positive", "nfa'd",
    "released", "deported", "removed", "accepted", "signed", "agreed", "delivered", "trained", "briefed",
)


class Options(NamedTuple):
    entries: Tuple[Source, ...]
    min_words: int
    placeholders: FrozenSet[str]
    missing_fails: bool
    max_brief_share: Optional[float] = None
    outcomes: FrozenSet[str] = frozenset(DEFAULT_OUTCOMES)


def _plain(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def prepare(options: dict) -> Options:
    return Options(sources(options["entries"]), options.get("min_words", 5),
                   frozenset(_plain(p) for p in options.get("placeholders", ())),
                   options.get("missing", "fail") == "fail", options.get("max_brief_share"),
                   frozenset(o.lower() for o in options.get("outcomes", DEFAULT_OUTCOMES)))


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def carries_fact(text: str, outcomes: FrozenSet[str]) -> bool:
    """Whether a terse entry still says something: a number or amount, a name (a capitalised word after
    the first, or an acronym such as POCA or MASH), or an outcome in two words or more."""
    if _NUMBER.search(text):
        return True
    words = _WORD.findall(text)
    for index, word in enumerate(words):
        if len(word) >= 2 and word.isupper():
            return True
        if index > 0 and word[:1].isupper():
            return True
    return len(words) >= 2 and any(w.lower() in outcomes for w in words)


class _Short(NamedTuple):
    path: tuple
    where: str
    text: str
    words: int


def check(ctx: Context, options: Options) -> Iterator[Problem]:
    total = 0
    short: List[_Short] = []
    for source in options.entries:
        for entry in source.entries(ctx):
            value = entry.value
            if not present(value):
                if options.missing_fails:
                    total += 1
                    yield Problem(entry.path, f"{describe(entry.item_path)} is empty",
                                  {"issue": "empty", "words": 0})
                continue
            total += 1
            if not isinstance(value, str):
                value = str(value)
            plain = _plain(value)
            words = len(plain.split())
            if plain in options.placeholders or not plain:
                yield Problem(entry.path, f"{describe(entry.item_path)} says only “{_quote(value)}”",
                              {"issue": "placeholder", "text": value, "words": words})
            elif words < options.min_words:
                if options.max_brief_share is None:
                    yield Problem(entry.path, f"{describe(entry.item_path)} is brief: “{_quote(value)}” "
                                  f"({words} word{'s' if words != 1 else ''})",
                                  {"issue": "brief", "text": value, "words": words})
                elif not carries_fact(value, options.outcomes):
                    short.append(_Short(entry.path, describe(entry.item_path), value, words))
    if options.max_brief_share is None or not short or total == 0:
        return
    share = len(short) / total
    if share <= options.max_brief_share:
        return
    worst = sorted(short, key=lambda s: (s.words, len(s.text)))[:3]
    named = "; ".join(f"{s.where} “{_quote(s.text, 40)}”" for s in worst)
    yield Problem(worst[0].path, f"{len(short)} of the plan's {total} entries ({share:.0%}) are brief and "
                  f"say no fact (more than the {options.max_brief_share:.0%} allowed); the briefest: {named}",
                  {"issue": "brief", "count": len(short), "total": total, "share": round(share, 3),
                   "entries": [str(s.path) for s in worst]})
