"""Matching people's names as officers write them: with or without rank, spacing and case."""
from __future__ import annotations

import re
from typing import Any

__all__ = ["person_key", "same_person"]

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
