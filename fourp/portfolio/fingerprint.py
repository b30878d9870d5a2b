"""Passages plans share, found without comparing every pair: winnowed word k-grams and an inverted index.

A plan's prose (its free-text values, in document order) becomes a stream of words. Every run of `k` words
is hashed, and winnowing (Schleimer, Wilkerson and Aiken, 2003) keeps the smallest hash of each window of
`w` consecutive runs. Any passage of at least `w + k - 1` words that two plans share leaves the same
fingerprint in both, so choosing `k` and `w` from the shortest passage that counts guarantees it is found,
while each plan keeps only about `2 / (w + 1)` of its positions as fingerprints. An index from fingerprint
to the first plan that had it turns a shared fingerprint into a candidate pair in constant time, so the
cost grows with the amount of text, not with the square of the number of plans.

A candidate is measured on a *sketch* of each plan kept beside its fingerprints (a 16-bit hash of every
word and where each field starts: about two bytes a word), so that stock phrases many plans share cost
no file reads; only passages long enough to report are confirmed word for word from the plans themselves,
which also quotes them.

A passage counts within one text, or spread over consecutive entries of one *flow* (a list's entries
read in document order: a P's actions, its objectives, the log) in one plan and held in one text of the
other: three actions pasted into one log entry. The side that spreads it may cross entries; the other
may not, so stock entries two plans share in the same order never chain into a passage.
"""
from __future__ import annotations

import base64
import hashlib
import re
import struct
import zlib
from collections import OrderedDict, deque
from collections.abc import Mapping as _Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

__all__ = ["Prose", "Tokens", "prose_of", "texts", "shingle_sizes", "fingerprints", "encode", "decode", "digest",
           "sketch", "sketch_tokens", "sketch_prints", "SharedPassage", "find_shared", "confirm", "MIN_FIELD_WORDS",
           "MIN_PASSAGE_WORDS"]

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
    flows: Tuple[int, ...] = ()  # per field: its flow (fields of one flow are consecutive)

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

    @cached_property
    def field_of(self) -> Tuple[int, ...]:
        """Each word's field (index into `fields`)."""
        return tuple(span[0] for span in self.spans)

    @cached_property
    def flow_of(self) -> Tuple[int, ...]:
        """Each word's flow (consecutive entries of one list, in document order)."""
        flows = self.flows or tuple(range(len(self.fields)))
        return tuple(flows[span[0]] for span in self.spans)

    def fingerprints(self, k: int, w: int) -> List[Tuple[int, int]]:
        return fingerprints(self.words, k, w, self.flow_of)

    def path_of(self, word: int) -> Tuple[Any, ...]:
        return self.fields[self.spans[word][0]][0]

    def line_of(self, word: int) -> Optional[Tuple[int, int]]:
        return self.locate(self.path_of(word)) if self.locate else None


def _strings(value: Any, path: Tuple[Any, ...]) -> Iterator[Tuple[Tuple[Any, ...], str]]:
    kind = type(value)
    if kind is str or (kind is not dict and kind is not list and isinstance(value, str)):
        yield path, value
    elif kind is list or (kind is not dict and isinstance(value, list)):
        for index, child in enumerate(value):
            yield from _strings(child, path + (index,))
    elif kind is dict or isinstance(value, _Mapping):  # exact type first: parsed plans hold only dicts
        for key, child in value.items():
            yield from _strings(child, path + (key,))


def texts(data: Any) -> Iterator[Tuple[Tuple[Any, ...], str]]:
    """Every text value of a plan's data with its document path, in document order."""
    return _strings(data, ())


#: (document path, flow key, text) for every text value, in document order; what one walk of a plan gives
#: the copied-text sketch and the names it mentions.
Text = Tuple[Tuple[Any, ...], Tuple[Any, ...], str]


def flowed_texts(data: Any) -> List[Text]:
    """Every text value of a plan's data with its document path and its flow key (`_flow_key`), in
    document order, from one walk that builds both keys as it goes down."""
    out: List[Text] = []
    append = out.append

    def walk(value: Any, path: Tuple[Any, ...], flow: Tuple[Any, ...]) -> None:
        kind = type(value)
        if kind is dict:
            for key, child in value.items():
                ckind = type(child)
                if ckind is str:
                    append((path + (key,), flow + (key if type(key) is str else _flow_part(key),), child))
                elif ckind is dict or ckind is list or not (ckind is int or ckind is float or ckind is bool
                                                            or child is None):
                    walk(child, path + (key,), flow + (key if type(key) is str else _flow_part(key),))
        elif kind is list:
            inner = flow + ("*",)
            for index, child in enumerate(value):
                ckind = type(child)
                if ckind is str:
                    append((path + (index,), inner, child))
                elif ckind is dict or ckind is list or not (ckind is int or ckind is float or ckind is bool
                                                            or child is None):
                    walk(child, path + (index,), inner)
        elif isinstance(value, str):
            append((path, flow, value))
        elif isinstance(value, list):
            inner = flow + ("*",)
            for index, child in enumerate(value):
                walk(child, path + (index,), inner)
        elif isinstance(value, _Mapping):
            for key, child in value.items():
                walk(child, path + (key,), flow + (_flow_part(key),))

    walk(data, (), ())
    return out


def _flow_part(key: Any) -> Any:
    return "*" if isinstance(key, int) else key


def _flow_key(path: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """Texts at the same place in each entry of a list (`/prevent/actions/*/action`) are one flow."""
    return tuple(_flow_part(key) for key in path)


def _in_flows(items: Sequence[Text]) -> List[Tuple[int, Tuple[Any, ...], str]]:
    """(flow number, path, text): flow by flow, each in document order, the flows in the order they first
    appear."""
    grouped: Dict[Tuple[Any, ...], List[Tuple[Tuple[Any, ...], str]]] = {}
    for path, flow, text in items:
        entries = grouped.get(flow)
        if entries is None:
            grouped[flow] = entries = []
        entries.append((path, text))
    return [(number, path, text) for number, entries in enumerate(grouped.values()) for path, text in entries]


def _folded(words: List[str]) -> List[str]:
    # casefold works character by character and no word holds a NUL, so one call folds every word
    return "\0".join(words).casefold().replace("’", "'").split("\0")


def prose_of(data: Any, locate: Optional[Callable[[Tuple[Any, ...]], Optional[Tuple[int, int]]]] = None,
             items: Optional[Sequence[Text]] = None) -> Prose:
    """The prose of a plan's data: every text value of at least MIN_FIELD_WORDS words, flow by flow (each in
    document order, the flows in the order they first appear). `items` are the data's `flowed_texts`
    when the caller has them already."""
    words: List[str] = []
    fields: List[Tuple[Tuple[Any, ...], str]] = []
    spans: List[Tuple[int, int, int]] = []
    flows: List[int] = []
    for flow, path, text in _in_flows(flowed_texts(data) if items is None else items):
        found = list(_WORD.finditer(text))
        if len(found) < MIN_FIELD_WORDS:
            continue  # a date, a reference or a name: not prose
        raw = [match.group() for match in found]
        if not _is_prose(text, raw):
            continue
        index = len(fields)
        fields.append((path, text))
        flows.append(flow)
        words.extend(_folded(raw))
        spans.extend([(index, *match.span()) for match in found])
    return Prose(tuple(words), tuple(fields), tuple(spans), locate, tuple(flows))


def _is_prose(text: str, found: Optional[List[str]] = None) -> bool:
    found = _WORD.findall(text) if found is None else found
    if len(found) < MIN_FIELD_WORDS:
        return False
    return len(found) - sum(map(str.isdigit, found)) >= MIN_FIELD_WORDS


def prose_words(items: Sequence[Text]) -> Tuple[List[str], List[int], List[int]]:
    """What the sketch needs of a plan's prose, without the spans quoting needs: its words, each word's
    field and each word's flow (as `prose_of(...).words`, `.field_of`, `.flow_of`)."""
    words: List[str] = []
    field_of: List[int] = []
    flow_of: List[int] = []
    index = 0
    for flow, _, text in _in_flows(items):
        found = _WORD.findall(text)
        if not _is_prose(text, found):
            continue
        words.extend(_folded(found))
        field_of.extend([index] * len(found))
        flow_of.extend([flow] * len(found))
        index += 1
    return words, field_of, flow_of


def shingle_sizes(min_words: int) -> Tuple[int, int]:
    """(k, w): runs of k words, windows of w runs, so any shared passage of min_words words is found.

    Half the passage as k keeps chance matches of short stock phrases rare and the fingerprints sparse.
    """
    if min_words < MIN_PASSAGE_WORDS:
        raise ValueError(f"a copied passage must be at least {MIN_PASSAGE_WORDS} words")
    k = (min_words + 1) // 2
    return k, min_words - k + 1


_BASE = 0x100000001B3  # the FNV prime: an odd multiplier, so every word's hash keeps its weight
_MASK = (1 << 64) - 1


@lru_cache(maxsize=1 << 16)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _kgram_hashes(words: Sequence[str], k: int, starts: Sequence[int]) -> List[int]:
    """The hash of each k-gram starting at `starts`: a polynomial rolling hash over the words' own
    (deterministic) hashes, so a text of n words costs n steps, not n × k. Passages a hash pairs are
    measured on the words, so a collision costs a comparison, never a false finding."""
    if not starts:
        return []
    codes = [_word_hash(word) for word in words]
    top = pow(_BASE, k - 1, 1 << 64)
    out: List[int] = []
    value, at = 0, -1  # the rolling hash of words[at:at + k]
    for start in starts:
        if start == at + 1 and at >= 0:
            value = ((value - codes[at] * top) * _BASE + codes[start + k - 1]) & _MASK
        else:
            value = 0
            for code in codes[start:start + k]:
                value = (value * _BASE + code) & _MASK
        at = start
        # a final mix, so the winnowing minimum is not biased towards particular words
        mixed = (value ^ (value >> 31)) * 0x94D049BB133111EB & _MASK
        out.append(mixed ^ (mixed >> 29))
    return out


def fingerprints(words: Sequence[str], k: int, w: int,
                 fields: Optional[Sequence[int]] = None) -> List[Tuple[int, int]]:
    """(hash, word position) of the rightmost smallest k-gram hash of every window of w k-grams (robust
    winnowing). With `fields` (each word's field or flow), only k-grams within one of them count: texts
    that are not read one after the other must not chain into a passage."""
    starts = [i for i in range(len(words) - k + 1) if fields is None or fields[i] == fields[i + k - 1]]
    hashes = _kgram_hashes(words, k, starts)
    out: List[Tuple[int, int]] = []
    window: deque = deque()  # indices whose hashes increase: the window's minimum is at the front
    last = -1
    for index, value in enumerate(hashes):
        while window and hashes[window[-1]] >= value:
            window.pop()
        window.append(index)
        if window[0] <= index - w:
            window.popleft()
        if index >= w - 1 and window[0] != last:
            last = window[0]
            out.append((hashes[last], starts[last]))
    return out


def encode(prints: Sequence[Tuple[int, int]], squeeze: bool = False) -> str:
    """Fingerprints as compact text (12 bytes each, base64; with `squeeze`, deflated first), so they
    travel in JSON and in caches."""
    count = len(prints)
    packed = struct.pack(f"<{count}Q{count}I", *(h for h, _ in prints), *(p for _, p in prints))
    return base64.b64encode(zlib.compress(packed, 1) if squeeze else packed).decode("ascii")


def decode(text: str, squeezed: bool = False) -> List[Tuple[int, int]]:
    raw = base64.b64decode(text.encode("ascii"))
    if squeezed:
        raw = zlib.decompress(raw)
    count = len(raw) // 12
    values = struct.unpack(f"<{count}Q{count}I", raw[:count * 12])
    return list(zip(values[:count], values[count:]))


def digest(words: Sequence[str]) -> str:
    """Identifies a word stream, to tell whether a plan re-read for quoting is the one fingerprinted."""
    return hashlib.blake2b("\x1f".join(words).encode("utf-8"), digest_size=8).hexdigest()


# -- the sketch kept for each plan ------------------------------------------------------------------------

class Tokens(NamedTuple):
    """What measuring a shared passage needs: comparable tokens, each one's field and flow (Prose has
    them all)."""

    words: Sequence[Any]
    field_of: Sequence[int]
    flow_of: Optional[Sequence[int]] = None


@lru_cache(maxsize=1 << 16)
def _word_code(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=2).digest(), "little")


def _b64(fmt: str, values: Sequence[int], squeeze: bool = False) -> str:
    packed = struct.pack(f"<{len(values)}{fmt}", *values)
    return base64.b64encode(zlib.compress(packed, 1) if squeeze else packed).decode("ascii")


def _unb64(fmt: str, size: int, text: str, squeezed: bool = False) -> Tuple[int, ...]:
    raw = base64.b64decode(text.encode("ascii"))
    if squeezed:
        raw = zlib.decompress(raw)
    return struct.unpack(f"<{len(raw) // size}{fmt}", raw[:len(raw) // size * size])


#: How a sketch's fingerprints and word codes are packed: deflated (zlib), which halves the facts an
#: audit keeps for every plan until the cross-plan rules are judged.
PACKING = "zlib"


def _squeezed(data: Mapping[str, Any]) -> bool:
    return data.get("packing") == PACKING


def sketch_prints(data: Mapping[str, Any]) -> List[Tuple[int, int]]:
    """A sketch's fingerprints, (hash, word position) each."""
    return decode(data["fingerprints"], _squeezed(data))


def sketch(prose: Prose, min_words: int) -> Dict[str, Any]:
    """The compact, JSON-ready form of a plan's text the copied-text rule works from."""
    return sketch_words(prose.words, prose.field_of, prose.flow_of, min_words)


def _changes(units: Sequence[int]) -> List[int]:
    """Where each run of equal units starts."""
    return [0] + [i for i, (a, b) in enumerate(zip(units, units[1:]), 1) if a != b] if len(units) else []


def sketch_words(words: Sequence[str], field_of: Sequence[int], flow_of: Sequence[int],
                 min_words: int) -> Dict[str, Any]:
    """`sketch` from a plan's words, each word's field and each word's flow (`prose_words`)."""
    k, w = shingle_sizes(min_words)
    starts = _changes(field_of)
    flow_starts = _changes(flow_of)
    return {"k": k, "w": w, "words": len(words), "digest": digest(words), "packing": PACKING,
            "fingerprints": encode(fingerprints(words, k, w, flow_of), squeeze=True),
            "codes": _b64("H", [_word_code(word) for word in words], squeeze=True),
            "fields": _b64("I", starts), "flows": _b64("I", flow_starts)}


def sketch_tokens(data: Mapping[str, Any]) -> Tokens:
    """A sketch's words (as 16-bit codes) and fields, to measure candidates without reading the plan."""
    codes = _unb64("H", 2, data["codes"], _squeezed(data))

    def runs(key: str) -> List[int]:
        starts = list(_unb64("I", 4, data[key])) + [len(codes)]
        out: List[int] = []
        for number, (start, end) in enumerate(zip(starts, starts[1:])):
            out.extend([number] * (end - start))
        return out
    field_of = runs("fields")
    return Tokens(codes, field_of, runs("flows") if isinstance(data.get("flows"), str) else field_of)


# -- finding shared passages ------------------------------------------------------------------------------

class SharedPassage(NamedTuple):
    """Words [start_a, start_a + length) of plan `a` are words [start_b, start_b + length) of plan `b`."""

    a: int
    b: int
    start_a: int
    start_b: int
    length: int


class _Recent:
    """The tokens of the plans last used, so a plan paired with many others is decoded once."""

    def __init__(self, read: Callable[[int], Optional[Tokens]]) -> None:
        self._read = read
        self._held: "OrderedDict[int, Optional[Tokens]]" = OrderedDict()
        self.reads = 0

    def __call__(self, index: int) -> Optional[Tokens]:
        if index in self._held:
            self._held.move_to_end(index)
            return self._held[index]
        self.reads += 1
        tokens = self._read(index)
        self._held[index] = tokens
        if len(self._held) > _LRU_SIZE:
            self._held.popitem(last=False)
        return tokens


def _run(words_a: Sequence[Any], words_b: Sequence[Any], unit_a: Sequence[int], unit_b: Sequence[int],
         i: int, j: int, k: int) -> Optional[Tuple[int, int, int]]:
    """The longest run of equal tokens through a[i:i+k] == b[j:j+k] within one unit (field or flow) of
    each, or None when those k lie across units."""
    ua, ub = unit_a[i], unit_b[j]
    if unit_a[i + k - 1] != ua or unit_b[j + k - 1] != ub:
        return None
    while i > 0 and j > 0 and unit_a[i - 1] == ua and unit_b[j - 1] == ub and words_a[i - 1] == words_b[j - 1]:
        i, j = i - 1, j - 1
    end = 0
    while (i + end < len(words_a) and j + end < len(words_b) and unit_a[i + end] == ua
           and unit_b[j + end] == ub and words_a[i + end] == words_b[j + end]):
        end += 1
    return i, j, end


def _extend(a: Union[Tokens, Prose], b: Union[Tokens, Prose], i: int, j: int, k: int) -> Optional[Tuple[int, int, int]]:
    """The longest run of equal tokens through a[i:i+k] == b[j:j+k] that lies within one field of at
    least one plan and one flow of the other: (start in a, start in b, length), or None when those k do
    not match."""
    words_a, words_b = a.words, b.words
    if i + k > len(words_a) or j + k > len(words_b) or list(words_a[i:i + k]) != list(words_b[j:j + k]):
        return None  # text changed since it was fingerprinted (or a hash collision)
    flow_a, flow_b = a.flow_of or a.field_of, b.flow_of or b.field_of
    best: Optional[Tuple[int, int, int]] = None
    for unit_a, unit_b in ((a.field_of, b.field_of), (flow_a, b.field_of), (a.field_of, flow_b)):
        run = _run(words_a, words_b, unit_a, unit_b, i, j, k)
        if run is not None and (best is None or run[2] > best[2]):
            best = run
    return best


def _repeated(prints: Sequence[Optional[Sequence[Tuple[int, int]]]]) -> set:
    """The fingerprint values that may occur twice (all that do, and a few that share a bit with one)."""
    size = 1 << 16
    while size < len(prints) * (1 << 14):
        size <<= 1
    table = bytearray(size >> 3)
    mask = size - 1
    repeated: set = set()
    for plan_prints in prints:
        for value, _ in plan_prints or ():
            slot = value & mask
            bit = 1 << (slot & 7)
            if table[slot >> 3] & bit:
                repeated.add(value)
            else:
                table[slot >> 3] |= bit
    return repeated


def find_shared(prints: Sequence[Optional[Sequence[Tuple[int, int]]]], owners: Sequence[str], k: int,
                min_words: int, tokens: Callable[[int], Optional[Tokens]]
                ) -> Tuple[List[SharedPassage], Dict[str, int]]:
    """Passages of at least `min_words` words (within one field) that plans with different `owners`
    (threat keys) share.

    `prints[i]` are plan i's fingerprints (None: not fingerprinted); `tokens(i)` gives what measures a
    candidate (a sketch's codes, or the words themselves). Each fingerprint is paired only with the first
    plan that had it, so a phrase in many plans gives one candidate per plan, not one per pair. Returns
    the passages and counts: candidate pairs, and plans' tokens decoded.
    """
    # Most fingerprints are one plan's alone, and an index of them all would hold every fingerprint of an
    # audit (a gigabyte at 10,000 plans). A first pass marks each in a bit table (about 16 bits a
    # fingerprint, so few unique ones share a bit); those met twice are the only ones that can pair plans,
    # and only they are indexed. Passing over `prints` twice, each plan's are decoded when reached.
    repeated = _repeated(prints)
    first: Dict[int, int] = {}
    candidates: Dict[Tuple[int, int], List[Tuple[int, int]]] = {}
    for index, plan_prints in enumerate(prints):
        if not plan_prints:
            continue
        for value, position in plan_prints:
            if value not in repeated:
                continue  # in no other plan: it pairs nothing
            seen = first.setdefault(value, (index << 32) | position)
            other = seen >> 32
            if other != index and owners[other] != owners[index]:
                candidates.setdefault((other, index), []).append((seen & 0xFFFFFFFF, position))
    recent = _Recent(tokens)
    passages: List[SharedPassage] = []
    # By the later plan, so each is decoded once; the earlier ones are few and stay in the recent ones.
    for (a, b) in sorted(candidates, key=lambda pair: (pair[1], pair[0])):
        tokens_a, tokens_b = recent(a), recent(b)
        if tokens_a is None or tokens_b is None:
            continue
        runs: List[Tuple[int, int, int]] = []
        for i, j in sorted(candidates[(a, b)]):
            if any(i - j == ra - rb and ra <= i < ra + length for ra, rb, length in runs):
                continue  # within a passage already measured
            run = _extend(tokens_a, tokens_b, i, j, k)
            if run is not None and run[2] >= min_words:
                runs.append(run)
        passages.extend(SharedPassage(a, b, *run) for run in runs)
    return passages, {"candidate_pairs": len(candidates), "plans_decoded": recent.reads}


def confirm(a: Prose, b: Prose, passage: SharedPassage, min_words: int) -> Optional[SharedPassage]:
    """The passage measured again on the plans' own words (the sketch's 16-bit codes can, rarely, match
    different words): the passage as it truly is, or None when it is shorter than `min_words`."""
    anchor = min(passage.length, MIN_PASSAGE_WORDS)
    middle = (passage.length - anchor) // 2  # away from the ends, where a code collision would show
    run = _extend(a, b, passage.start_a + middle, passage.start_b + middle, anchor)
    if run is None or run[2] < min_words:
        return None
    return SharedPassage(passage.a, passage.b, *run)
