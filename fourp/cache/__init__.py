"""What fourp keeps between runs: the cache folder, sealed entries, results and compiled packs."""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # `fourp.cache.ResultsCache` is how the library's documentation named the results cache before the
    # cache became a folder; it stays a name here so code written against it keeps working.
    if name == "ResultsCache":
        from .results import ResultsCache

        return ResultsCache
    raise AttributeError(f"module 'fourp.cache' has no attribute {name!r}")
