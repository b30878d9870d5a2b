"""Passages plans share, found without comparing every pair: winnowed word k-grams and an inverted index.

A plan's prose (its free-text values, in document order) becomes a stream of words. Every run of `k` words
is hashed, and winnowing (Schleimer, Wilkerson and Aiken, 2003) keeps the smallest hash of each window of
`w` consecutive runs. Any passage of at least `w + k - 1` words that two plans share leaves the same
fingerprint in both, so choosing `k` and `w` from the shortest passage that counts guarantees it is found,
while each plan keeps only about `2 / (w + 1)` of its positions as fingerprints. An index from fingerprint
to the first plan that had it turns a shared fingerprint into a candidate pair in constant time, so the
cost grows with the amount of text, not with the square of the number of plans. Candidates are then
confirmed word by word, which also measures and quotes the passage.
"""
from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple

__all__ = ["Prose", "prose_of", "shingle_sizes", "fingerprints", "encode", "decode", "digest",
           "SharedPassage", "find_shared", "MIN_FIELD_WORDS", "MIN_PASSAGE_WORDS"]

#: Values with fewer words (numbers aside) are names, dates, references and labels, not prose: copying them
#: proves nothing.
MIN_FIELD_WORDS = 4
#: Below this, stock phrases ("refer to the youth diversion scheme") would be taken for copying.
MIN_PASSAGE_WORDS = 8

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LRU_SIZE = 64


@dataclass(frozen=True)
class Prose:
    """A plan's free text as one stream of normalised words, remembering where each word came from."""

    words: Tuple[str, ...]
    fields: Tuple[Tuple[Tuple[Any, ...], str], ...]  # (document path, original text)
    spans: Tuple[Tuple[int, int, int], ...]  # per word: (field index, start, end) in the field's text
    locate: Optional[Callable[[Tuple[Any, ...]], Optional[Tuple[int, int]]]] = field(
        default=None, repr=False, compare=False)

    def quote(self, start: int, length: int, limit: int = 700) -> str:
        """The original text of words [start, start + length), one piece per field, joined by ' … '."""
        pieces: List[str] = []
        index = start
        end = start + length
        while index < end:
            field_index, first, _ = self.spans[index]
            last = index
            while last + 1 < end and self.spans[last + 1][0] == field_index:
                last += 1
            text = self.fields[field_index][1][first:self.spans[last][2]]
            pieces.append(" ".join(text.split()))
            index = last + 1
        quoted = " … ".join(pieces)
        return quoted if len(quoted) <= limit else quoted[:limit - 1].rstrip() + "…"

    def path_of(self, word: int) -> Tuple[Any, ...]:
        return self.fields[self.spans[word][0]][0]

    def line_of(self, word: int) -> Optional[Tuple[int, int]]:
        return self.locate(self.path_of(word)) if self.locate else None


def _strings(value: Any, path: Tuple[Any, ...]) -> Iterator[Tuple[Tuple[Any, ...], str]]:
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _strings(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, path + (index,))
    elif isinstance(value, str):
        yield path, value


def prose_of(data: Any, locate: Optional[Callable[[Tuple[Any, ...]], Optional[Tuple[int, int]]]] = None) -> Prose:
    """The prose of a plan's data: every text value of at least MIN_FIELD_WORDS words, in document order."""
    words: List[str] = []
    fields: List[Tuple[Tuple[Any, ...], str]] = []
    spans: List[Tuple[int, int, int]] = []
    for path, text in _strings(data, ()):
        found = list(_WORD.finditer(text))
        if sum(1 for match in found if not match.group().isdigit()) < MIN_FIELD_WORDS:
            continue  # a date, a reference or a name: not prose
        index = len(fields)
        fields.append((path, text))
        for match in found:
            words.append(match.group().casefold().replace("’", "'"))
            spans.append((index, match.start(), match.end()))
    return Prose(tuple(words), tuple(fields), tuple(spans), locate)


def shingle_sizes(min_words: int) -> Tuple[int, int]:
    """(k, w): runs of k words, windows of w runs, so any shared passage of min_words words is found.

    Half the passage as k keeps chance matches of short stock phrases rare and the fingerprints sparse.
    """
    if min_words < MIN_PASSAGE_WORDS:
        raise ValueError(f"a copied passage must be at least {MIN_PASSAGE_WORDS} words")
    k = (min_words + 1) // 2
    return k, min_words - k + 1


def _hash(words: Sequence[str]) -> int:
    # Deterministic across processes (unlike hash()), as fingerprints are made in worker processes.
    return int.from_bytes(hashlib.blake2b("\x1f".join(words).encode("utf-8"), digest_size=8).digest(), "little")


def fingerprints(words: Sequence[str], k: int, w: int) -> List[Tuple[int, int]]:
    """(hash, position) of the rightmost smallest k-gram hash of every window of w k-grams (robust winnowing)."""
    hashes = [_hash(words[i:i + k]) for i in range(len(words) - k + 1)]
    out: List[Tuple[int, int]] = []
    window: deque = deque()  # positions whose hashes increase: the window's minimum is at the front
    last = -1
    for position, value in enumerate(hashes):
        while window and hashes[window[-1]] >= value:
            window.pop()
        window.append(position)
        if window[0] <= position - w:
            window.popleft()
        if position >= w - 1 and window[0] != last:
            last = window[0]
            out.append((hashes[last], last))
    return out


def encode(prints: Sequence[Tuple[int, int]]) -> str:
    """Fingerprints as compact text (12 bytes each, base64), so they travel in JSON and in caches."""
    count = len(prints)
    packed = struct.pack(f"<{count}Q{count}I", *(h for h, _ in prints), *(p for _, p in prints))
    return base64.b64encode(packed).decode("ascii")


def decode(text: str) -> List[Tuple[int, int]]:
    raw = base64.b64decode(text.encode("ascii"))
    count = len(raw) // 12
    values = struct.unpack(f"<{count}Q{count}I", raw[:count * 12])
    return list(zip(values[:count], values[count:]))


def digest(words: Sequence[str]) -> str:
    """Identifies a word stream, to tell whether a plan re-read for quoting is the one fingerprinted."""
    return hashlib.blake2b("\x1f".join(words).encode("utf-8"), digest_size=8).hexdigest()


class SharedPassage(NamedTuple):
    """Words [start_a, start_a + length) of plan `a` are words [start_b, start_b + length) of plan `b`."""

    a: int
    b: int
    start_a: int
    start_b: int
    length: int


class _Recent:
    """The prose of the plans last read, so a plan paired with many others is read once."""

    def __init__(self, read: Callable[[int], Optional[Prose]]) -> None:
        self._read = read
        self._held: "OrderedDict[int, Optional[Prose]]" = OrderedDict()
        self.reads = 0

    def __call__(self, index: int) -> Optional[Prose]:
        if index in self._held:
            self._held.move_to_end(index)
            return self._held[index]
        self.reads += 1
        prose = self._read(index)
        self._held[index] = prose
        if len(self._held) > _LRU_SIZE:
            self._held.popitem(last=False)
        return prose


def _extend(a: Sequence[str], b: Sequence[str], i: int, j: int, k: int) -> Optional[Tuple[int, int, int]]:
    """The longest run of equal words through a[i:i+k] == b[j:j+k]: (start in a, start in b, length)."""
    if list(a[i:i + k]) != list(b[j:j + k]):
        return None  # a hash collision, or text changed since it was fingerprinted
    while i > 0 and j > 0 and a[i - 1] == b[j - 1]:
        i, j = i - 1, j - 1
    end = 0
    while i + end < len(a) and j + end < len(b) and a[i + end] == b[j + end]:
        end += 1
    return i, j, end


def find_shared(prints: Sequence[Optional[Sequence[Tuple[int, int]]]], owners: Sequence[str], k: int,
                min_words: int, read: Callable[[int], Optional[Prose]]) -> Tuple[List[SharedPassage], Dict[str, int]]:
    """Passages of at least `min_words` words shared by plans with different `owners` (threat keys).

    `prints[i]` are plan i's fingerprints (None: not fingerprinted); `read(i)` gives plan i's prose to
    confirm and measure a candidate (None when it can no longer be read). Each fingerprint is paired only
    with the first plan that had it, so a phrase in many plans gives one candidate per plan, not one per
    pair. Returns the passages and counts (candidate pairs, plans re-read, candidates not confirmed).
    """
    first: Dict[int, int] = {}
    candidates: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}
    for index, plan_prints in enumerate(prints):
        if not plan_prints:
            continue
        for value, position in plan_prints:
            seen = first.setdefault(value, (index << 32) | position)
            other = seen >> 32
            if other != index and owners[other] != owners[index]:
                candidates.setdefault((other, index), []).append((seen & 0xFFFFFFFF, position))
    recent = _Recent(read)
    passages: List[SharedPassage] = []
    unconfirmed = 0
    # By the later plan, so each is read once; the earlier ones are few and stay in the recent reads.
    for (a, b) in sorted(candidates, key=lambda pair: (pair[1], pair[0])):
        prose_a, prose_b = recent(a), recent(b)
        if prose_a is None or prose_b is None:
            unconfirmed += 1
            continue
        runs: List[Tuple[int, int, int]] = []
        for i, j in sorted(candidates[(a, b)]):
            if any(i - j == ra - rb and ra <= i < ra + length for ra, rb, length in runs):
                continue  # within a passage already measured
            run = _extend(prose_a.words, prose_b.words, i, j, k)
            if run is not None and run[2] >= min_words:
                runs.append(run)
        passages.extend(SharedPassage(a, b, *run) for run in runs)
    return passages, {"candidate_pairs": len(candidates), "plans_reread": recent.reads,
                      "unconfirmed_pairs": unconfirmed}
