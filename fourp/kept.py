"""An audit's reports kept compactly: each plan's JSON built once and compressed, beside the fields summaries read."""
from __future__ import annotations

import datetime as dt
import zlib
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union, overload

from .report import PS, SEVERITIES, Report, RuleResult, at_or_above

__all__ = ["KeptReport", "KeptReports", "keep", "light"]

#: zlib's fastest level: a report's JSON shrinks about five times, at a tenth of the cost of writing it.
_LEVEL = 1


#: Where a finding is shown: under the whole plan or one of the four Ps.
_GROUPS = ("plan",) + PS


def _group(path: str, ps: Sequence[str]) -> str:
    """Which P a finding is shown under (as `fourp.output.render` groups them)."""
    head = path.split("/")[1:2]
    if head and head[0] in PS:
        return head[0]
    return ps[0] if len(ps) == 1 else "plan"


class KeptReport:
    """One plan's report as an audit keeps it: what the summary, the breakdowns, the history and the exit
    code read (the fields of `Report` but its findings and waivers; `result()`, `failed()`, `counts()`),
    and the whole report as its JSON (`Report.to_dict()`), compressed. About 3 KB a plan, against ten
    times that as objects; and a handful of objects, so the garbage collector has little to walk."""

    __slots__ = ("file", "plan_id", "force", "lro", "status", "threat", "as_of", "pack", "pack_version", "score",
                 "grade", "p_scores", "results", "meta", "_counts", "_groups", "_blob")
    file: Optional[str]
    plan_id: Optional[str]
    force: Optional[str]
    lro: Optional[str]
    status: Optional[str]
    threat: Optional[str]
    as_of: dt.date
    pack: str
    pack_version: Optional[str]
    score: float
    grade: str
    p_scores: Dict[str, Optional[float]]
    results: Tuple[RuleResult, ...]
    meta: Dict[str, Any]
    _counts: Tuple[int, ...]
    _groups: Tuple[int, ...]
    _blob: bytes

    def __init__(self, report: Report, document: Optional[Dict[str, Any]] = None) -> None:
        from .encode import encode

        for name in ("file", "plan_id", "force", "lro", "status", "threat", "as_of", "pack", "pack_version",
                     "score", "grade", "p_scores", "results", "meta"):
            setattr(self, name, getattr(report, name))
        counts = report.counts()
        self._counts = tuple(counts[s] for s in SEVERITIES)
        groups = [0] * len(_GROUPS)  # a tuple of counts: a dict a plan would cost five times the memory
        for finding in report.findings:
            groups[_GROUPS.index(_group(finding.path, finding.ps))] += 1
        self._groups = tuple(groups)
        # Nested as the audit's JSON holds it (`plans` items, two levels in), so it is written as it is.
        self._blob = zlib.compress(encode(document if document is not None else report.to_dict(), 2), _LEVEL)

    def sharing(self, shared: Dict[Any, Any]) -> "KeptReport":
        """Itself, its rules' results made the objects `shared` holds alike (a rule passed is the same
        result in most plans: one object for all, where workers send each plan its own copy)."""
        self.results = tuple(shared.setdefault(r, r) for r in self.results)
        return self

    def result(self, rule: str) -> Optional[RuleResult]:
        return next((r for r in self.results if r.rule == rule), None)

    def counts(self) -> Dict[str, int]:
        return dict(zip(SEVERITIES, self._counts))

    def failed(self, fail_on: str = "error") -> bool:
        """Whether any finding is at or above the given severity (as `Report.failed`)."""
        return any(n and at_or_above(severity, fail_on) for severity, n in zip(SEVERITIES, self._counts))

    def by_group(self) -> Dict[str, int]:
        """How many findings are shown under each P ("plan" for the whole plan), as the reports group them."""
        return {group: n for group, n in zip(_GROUPS, self._groups) if n}

    def fails(self, fail_on: str = "error", min_score: float = 0.0) -> bool:
        """`fourp.report.plan_fails` of the report."""
        return self.score < min_score or self.failed(fail_on)

    def json(self) -> bytes:
        """The report's JSON, indented as an item of the audit JSON's `plans` (without the first indent)."""
        return zlib.decompress(self._blob)

    def to_dict(self) -> Dict[str, Any]:
        from .encode import decode

        document: Dict[str, Any] = decode(self.json())
        return document

    def report(self) -> Report:
        return Report.from_dict(self.to_dict(), self.meta, self.results)


def keep(report: Report) -> KeptReport:
    return KeptReport(report)


class KeptReports(Sequence[Report]):
    """The reports of an audit, each decoded when asked for: a sequence of `Report` as the library has
    always given, kept as `KeptReport`s (`.kept`) that the audit's own summaries read without decoding."""

    def __init__(self, kept: Sequence[KeptReport]) -> None:
        self.kept: Tuple[KeptReport, ...] = tuple(kept)

    def __len__(self) -> int:
        return len(self.kept)

    @overload
    def __getitem__(self, index: int) -> Report: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Report]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Report, Sequence[Report]]:
        if isinstance(index, slice):
            return KeptReports(self.kept[index])
        return self.kept[index].report()

    def __iter__(self) -> Iterator[Report]:
        for item in self.kept:
            yield item.report()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, KeptReports):
            return list(self) == list(other)
        if isinstance(other, (tuple, list)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"KeptReports({len(self.kept)} reports)"


def light(reports: Sequence[Any]) -> Sequence[Any]:
    """What to read an audit's reports by where only their fields, `result()`, `failed()` and `counts()` are
    needed: the kept reports themselves when the audit kept them, else the reports."""
    kept = getattr(reports, "kept", None)
    return kept if kept is not None else reports


def as_kept(reports: Sequence[Any]) -> List[KeptReport]:
    kept = getattr(reports, "kept", None)
    if kept is not None:
        return list(kept)
    return [r if isinstance(r, KeptReport) else KeptReport(r) for r in reports]
