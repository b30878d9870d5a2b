"""`copied-text`: passages one plan copies from another, found by the winnowed fingerprints beside it."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..read.plan import as_mapping
from . import fingerprint
from .context import PortfolioContext, PortfolioProblem

if TYPE_CHECKING:  # pragma: no cover
    pass



SCHEMA = {
    "type": "object", "required": ["min_words"], "additionalProperties": False,
    "properties": {"min_words": {"type": "integer", "minimum": fingerprint.MIN_PASSAGE_WORDS}},
}


def check(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
    """Plans for different threats share no passage of `min_words` words or more within one text. Each
    passage is one problem naming every plan that holds it, with where it is in each and the passage
    quoted. Candidates are measured on the plans' sketches and confirmed on their words."""
    min_words = options["min_words"]
    k, w = fingerprint.shingle_sizes(min_words)
    plans = list(ctx.plans)
    sketches: List[Optional[Mapping[str, Any]]] = []
    for plan in plans:
        text = as_mapping(plan.facts.get("text"))
        usable = text.get("k") == k and text.get("w") == w and all(
            isinstance(text.get(key), str) for key in ("fingerprints", "codes", "fields"))
        sketches.append(text if usable else None)
    prints = _Prints(sketches)

    def tokens(index: int) -> Optional[fingerprint.Tokens]:
        sketch = sketches[index]
        return fingerprint.sketch_tokens(sketch) if sketch else None

    @lru_cache(maxsize=64)
    def read(index: int) -> Optional[fingerprint.Prose]:
        prose = ctx.read_prose(plans[index].file) if ctx.read_prose else None
        if prose is None or fingerprint.digest(prose.words) != as_mapping(sketches[index]).get("digest"):
            return None  # unreadable now, or changed since it was evaluated: nothing to confirm or quote
        return prose

    owners = [plan.threat_identity for plan in plans]
    candidates, counts = fingerprint.find_shared(prints, owners, k, min_words, tokens)
    # Confirmed on the plans' words, by the later plan so each is read once, noting there all that is
    # reported (quote, places), so nothing is read twice.
    passages: List[Tuple[fingerprint.SharedPassage, Dict[str, Any]]] = []
    for candidate in sorted(candidates, key=lambda c: (c.b, c.a, c.start_a)):
        prose_a, prose_b = read(candidate.a), read(candidate.b)
        if prose_a is None or prose_b is None:
            continue
        passage = fingerprint.confirm(prose_a, prose_b, candidate, min_words)
        if passage is not None:
            passages.append((passage, {
                "quote": prose_a.quote(passage.start_a, passage.length),
                "subject": prose_a.quote(passage.start_a, min(passage.length, 12), limit=120),
                "places": {passage.a: _location(plans[passage.a].file, prose_a.line_of(passage.start_a),
                                                prose_a.path_of(passage.start_a)),
                           passage.b: _location(plans[passage.b].file, prose_b.line_of(passage.start_b),
                                                prose_b.path_of(passage.start_b))}}))
    # One problem per passage of the earlier plan: a paragraph pasted into several plans is one finding.
    groups: List[Dict[str, Any]] = []
    for passage, noted in sorted(passages, key=lambda item: (item[0].a, item[0].start_a, -item[0].length)):
        group = groups[-1] if groups else None
        if group is not None and group["a"] == passage.a and passage.start_a < group["end"]:
            group["end"] = max(group["end"], passage.start_a + passage.length)
            group["copies"].append((passage, noted))
        else:
            groups.append({"a": passage.a, "end": passage.start_a + passage.length, "copies": [(passage, noted)]})
    for group in groups:
        longest, noted = max(group["copies"], key=lambda item: item[0].length)
        places = {longest.a: noted["places"][longest.a]}
        for copy, copy_noted in group["copies"]:
            places.setdefault(copy.b, copy_noted["places"][copy.b])
        order = sorted(places, key=lambda index: plans[index].file)
        labels = [f"{plans[i].file} ({', '.join(filter(None, [plans[i].facts.get('plan_id'), plans[i].threat_name]))})"
                  for i in order]
        named = " and ".join([", ".join(labels[:-1]), labels[-1]])
        yield PortfolioProblem(
            f"{named} share a {longest.length}-word passage, though they manage different threats",
            files=tuple(plans[i].file for i in order), locations=tuple(places[i] for i in order),
            subject=noted["subject"], quote=noted["quote"], values={"words": longest.length, **counts})


class _Prints(Sequence[Optional[List[Tuple[int, int]]]]):
    """Each plan's fingerprints, decoded from its sketch when asked for: all of an audit's at once would
    be a hundred bytes a fingerprint, half a million fingerprints a thousand plans."""

    def __init__(self, sketches: Sequence[Optional[Mapping[str, Any]]]) -> None:
        self._sketches = sketches

    def __len__(self) -> int:
        return len(self._sketches)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        sketch = self._sketches[index]
        return fingerprint.sketch_prints(sketch) if sketch else None

    def __iter__(self) -> Iterator[Optional[List[Tuple[int, int]]]]:
        for sketch in self._sketches:
            yield fingerprint.sketch_prints(sketch) if sketch else None


def _location(file: str, line_col: Optional[Tuple[int, int]], path: Tuple[Any, ...]) -> str:
    from ..pack.pointers import pointer

    where = f"{file}:{line_col[0]}:{line_col[1]}" if line_col else file
    return f"{where} {pointer(path)}"


def reader_for_files(max_bytes: Optional[int] = None,
                     mappings: Sequence[Any] = ()) -> Callable[[str], Optional[fingerprint.Prose]]:
    """Re-reads a plan file's prose (for confirming and quoting a copied passage); None if it cannot."""
    from ..read import read as read_plan
    from ..read.plan import DEFAULT_MAX_BYTES, PlanError

    def read(path: str) -> Optional[fingerprint.Prose]:
        from .layouts import read_foreign

        try:
            plan = read_plan(path, max_bytes or DEFAULT_MAX_BYTES, mappings)
        except (PlanError, OSError):
            data = read_foreign(path, max_bytes or DEFAULT_MAX_BYTES)  # a plan on another template
            return fingerprint.prose_of(data) if data is not None else None
        return fingerprint.prose_of(plan.data, plan.locate)
    return read
