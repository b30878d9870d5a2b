"""The one registry of check kinds, looked up by scope: one-plan kinds (`scope: plan`, the modules here, plus
third parties' entry points) and cross-plan kinds (`scope: portfolio`, the modules in `fourp.portfolio`).

A check kind has a `SCHEMA` for its options (validated once, when a pack loads), `prepare(options)` that
compiles them, and `check(ctx, prepared)` yielding `Problem`s. It knows only what it looks at: the engine
stamps rule id, severity, weight and location onto what it yields. Third parties register kinds in the
`fourp.checks` entry-point group; a plain function `check(ctx, options)` is accepted too.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Iterator, List, NamedTuple

from ..pack.context import Context, Problem
from ..portfolio import copied_text, lro_workload, one_structure, threat_coverage
from ..portfolio.context import PortfolioCheck, portfolio_kind
from . import (cadence, counts, date_order, draft_in_use, each, enum_case, pattern, presence, recency, schema,
               timestamps, wording)
from .names_own_threat import NamesOwnThreat
from .plan_author import PlanAuthor

__all__ = ["CheckKind", "get", "builtin_names", "names", "UnknownCheck", "ENTRY_POINT_GROUP", "SCOPES",
           "portfolio_kinds"]

ENTRY_POINT_GROUP = "fourp.checks"


class CheckKind(NamedTuple):
    name: str
    schema: dict
    prepare: Callable[[dict], Any]
    check: Callable[[Context, Any], Iterator[Problem]]
    doc: str = ""


class UnknownCheck(LookupError):
    pass


def _kind(name: str, source: Any) -> CheckKind:
    if callable(source) and not hasattr(source, "check"):
        return CheckKind(name, {"type": "object"}, lambda options: options, source,
                         inspect.cleandoc(source.__doc__ or ""))
    # The docstring is the kind's documentation (`fourp kinds`, docs/kinds.md): a class's is indented.
    return CheckKind(name, getattr(source, "SCHEMA", {"type": "object"}),
                     getattr(source, "prepare", lambda options: options), source.check,
                     inspect.cleandoc(source.__doc__ or ""))


_BUILTIN: Dict[str, CheckKind] = {
    name: _kind(name, source) for name, source in {
        "presence": presence,
        "timestamps": timestamps,
        "wording": wording,
        "counts": counts,
        "date-order": date_order,
        "recency": recency,
        "cadence": cadence,
        "each": each,
        "pattern": pattern,
        "schema": schema,
        "enum-case": enum_case,
        "draft-in-use": draft_in_use,
        "plan-author": PlanAuthor,
        "names-own-threat": NamesOwnThreat,
    }.items()
}
#: Cross-plan kinds, judged once every plan of an audit is in, on the plans' facts (`fourp.portfolio`).
_PORTFOLIO: Dict[str, PortfolioCheck] = {
    name: portfolio_kind(name, module) for name, module in {
        "threat-coverage": threat_coverage,
        "lro-workload": lro_workload,
        "copied-text": copied_text,
        "one-structure": one_structure,
    }.items()
}
#: The scopes a rule may have (`scope:` in a pack), the first the default.
SCOPES = ("plan", "portfolio")
_plugins: Dict[str, CheckKind] = {}
_plugins_loaded = False


def builtin_names() -> list:
    return sorted(_BUILTIN)


def names() -> List[str]:
    """Every kind a rule for one plan can name: the built-in ones, then the plug-ins' (loading them)."""
    _load_plugins()
    return sorted(_BUILTIN) + sorted(_plugins)


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _BUILTIN:
            continue  # a plug-in cannot replace a built-in kind: packs' meaning must not shift under them
        try:
            _plugins[ep.name] = _kind(ep.name, ep.load())
        except Exception as exc:  # a broken plug-in is reported when a pack asks for it
            _plugins[ep.name] = _broken(ep.name, exc)


def _broken(name: str, exc: Exception) -> CheckKind:
    def fail(options: dict) -> Any:
        raise UnknownCheck(f"the check {name!r} could not be loaded: {exc}")
    return CheckKind(name, {"type": "object"}, fail, lambda ctx, opts: iter(()))


def get(name: str, scope: str = "plan") -> Any:
    """The check kind called `name` for a rule of `scope` (a `CheckKind`, or a `PortfolioCheck` for
    `scope: portfolio`); a clear UnknownCheck naming the kinds of that scope otherwise."""
    if scope == "portfolio":
        found = _PORTFOLIO.get(name)
        if found is None:
            raise UnknownCheck(f"there is no portfolio check kind {name!r}; the kinds for `scope: portfolio` "
                               f"are: {', '.join(sorted(_PORTFOLIO))}")
        return found
    kind = _BUILTIN.get(name)
    if kind is not None:
        return kind
    _load_plugins()
    kind = _plugins.get(name)
    if kind is None:
        known = ", ".join(sorted(_BUILTIN) + sorted(_plugins))
        raise UnknownCheck(f"there is no check kind {name!r}; the kinds are: {known}")
    return kind


def portfolio_kinds() -> Dict[str, PortfolioCheck]:
    """The cross-plan kinds by name (`fourp kinds`, docs/kinds.md)."""
    return dict(_PORTFOLIO)


def register(name: str, source: Any) -> None:
    """Adds a check kind at run time (for library users and tests; packages use the entry point)."""
    _load_plugins()
    _plugins[name] = _kind(name, source)
