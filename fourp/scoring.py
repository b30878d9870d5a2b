"""Scoring: the weighted share of applicable rules a plan passes, overall and for each P."""
from __future__ import annotations

from typing import Dict, Iterable, Optional, Tuple

from .report import APPLICABLE_STATUSES, PS, RuleResult

__all__ = ["score_results", "PS"]



def _share(results: Iterable[RuleResult], p: Optional[str] = None) -> Optional[float]:
    total = passed = 0.0
    for result in results:
        if result.status in APPLICABLE_STATUSES:  # waived and not-applicable neither help nor hurt
            total += result.weight
            if result.status == "pass" or (p is not None and p not in result.failed_ps):
                passed += result.weight
    if total == 0:
        return None
    return round(100.0 * passed / total, 1)


def score_results(results: Iterable[RuleResult]) -> Tuple[float, Dict[str, Optional[float]]]:
    """The plan's score (0-100; 100 when no rule applies) and each P's score (None when none applies)."""
    results = list(results)
    overall = _share(results)
    per_p = {p: _share((r for r in results if p in r.ps), p) for p in PS}
    return (100.0 if overall is None else overall), per_p
