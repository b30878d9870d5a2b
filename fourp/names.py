"""Matching people's names as officers write them: with or without rank, spacing and case."""
from __future__ import annotations

import re
from typing import Any, Optional, Tuple

__all__ = ["person_key", "same_person", "rank_of", "name_forms", "name_key", "plain_words", "NOT_NAMES",
           "without_group_suffix", "without_operation_prefix"]

# Longest first, so "Ch Insp" is taken whole before "Insp".
_RANKS = sorted({
    "chief constable", "deputy chief constable", "assistant chief constable", "cc", "dcc", "acc",
    "chief superintendent", "ch supt", "chief supt", "c supt", "det ch supt", "dcs",
    "detective chief superintendent", "superintendent", "supt", "det supt", "dsupt", "dsu",
    "detective superintendent", "chief inspector", "ch insp", "chief insp", "c insp", "ci", "dci",
    "det ch insp", "detective chief inspector", "inspector", "insp", "di", "det insp",
    "detective inspector", "sergeant", "sgt", "ps", "ds", "det sgt", "detective sergeant",
    "constable", "pc", "dc", "det con", "detective constable", "psc", "pcso", "mr", "mrs", "ms",
    "miss", "mx", "dr", "prof", "acting", "temporary", "a", "t",
}, key=len, reverse=True)
_RANK_RE = re.compile(r"^(?:(?:%s)\b\.?\s*)+" % "|".join(re.escape(r) for r in _RANKS))


def person_key(name: Any) -> str:
    """A comparable form of a person's name: `Ch Insp Tom Reade` and `tom  reade` give `tom reade`."""
    if not isinstance(name, str):
        return ""
    text = re.sub(r"[/_,.()]+", " ", name.lower())
    text = re.sub(r"\s+", " ", text).strip()
    stripped = _RANK_RE.sub("", text).strip()
    return stripped or text


def same_person(a: Any, b: Any) -> bool:
    key = person_key(a)
    return bool(key) and key == person_key(b)


#: Ranks an LRO's name may begin with (police ranks only: `Mr`, `Acting` alone are not a rank).
_POLICE_RANK_RE = re.compile(r"^(?:(?:acting|temporary|a/|t/)\s*)*(%s)\b\.?\s+\S" % "|".join(
    re.escape(r) for r in _RANKS if r not in ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "acting",
                                              "temporary", "a", "t")))


def rank_of(name: Any) -> Optional[str]:
    """The rank written at the front of a name (`Ch Insp Tom Reade` gives `ch insp`), or None."""
    if not isinstance(name, str):
        return None
    text = re.sub(r"\s+", " ", re.sub(r"[.()]+", " ", name.lower())).strip()
    match = _POLICE_RANK_RE.match(text)
    if not match:
        return None
    rank = match.group(1)
    if " " not in rank and len(rank) <= 4:  # `DI Marsh` is a rank; `Di Marsh` may be a first name
        written = re.sub(r"^(?:(?:acting|temporary)\s+|[at]/\s*)*", "", name.strip(), flags=re.IGNORECASE)
        if not written[:len(rank)].isupper() and rank not in ("insp", "supt"):
            return None
    return rank


# -- the names of threats and operations, as text writes them (`names-own-threat`, the cross-plan rules)


NOT_NAMES = {"the", "this", "that", "a", "an", "each", "every", "our", "their", "its", "rival",
             "any", "another", "other", "same", "local", "serious", "and", "of", "named", "for", "no"}


def name_key(text: str) -> str:
    words = [w for w in re.split(r"\s+", text.strip().lower()) if w]
    while words and words[0] in NOT_NAMES:
        words.pop(0)
    return " ".join(words)


def plain_words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text.lower()))


def name_forms(name: Any) -> Tuple[str, ...]:
    """The ways a threat or operation's name is written in text: whole, without `OCG`, without `Op`."""
    if not isinstance(name, str):
        return ()
    forms = {plain_words(name), plain_words(without_group_suffix(name)), plain_words(without_operation_prefix(name))}
    forms = {name_key(f) for f in forms}
    return tuple(sorted(f for f in forms if len(f) >= 4))


def without_group_suffix(name: Any) -> str:
    if not isinstance(name, str):
        return ""
    # `(?<!\s)`: try a run of spaces once, from its start, not from each space in it (quadratic)
    return re.sub(r"(?<!\s)\s*(?:OCG|organised crime group)\s*$", "", name.strip(), flags=re.IGNORECASE)


def without_operation_prefix(name: Any) -> str:
    if not isinstance(name, str):
        return ""
    return re.sub(r"^(?:Op|Operation)\.?\s+", "", name.strip(), flags=re.IGNORECASE)
