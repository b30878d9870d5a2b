"""The pack language's old spellings: each read as the spelling that replaced it, and reported where written.

A pack written before the language was made consistent keeps working: `modernise` rewrites a rule's
options and conditions to today's spellings before they are validated and compiled, and says what it
changed, so that `fourp verify` can name the file, the line and what to write instead. Old spellings are
removed only with a new pack format (docs/versioning.md).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

from ..report import PS

__all__ = ["Change", "OldSpelling", "SpellingError", "modernise", "RENAMED_OPTIONS"]

#: Options renamed, by check kind: the old name, the new name, and how an old value reads in the new
#: option (None: unchanged).
RENAMED_OPTIONS: Dict[str, Dict[str, Tuple[str, Optional[Mapping[Any, str]]]]] = {
    "recency": {"sources": ("entries", None)},
    "cadence": {"sources": ("entries", None)},
    "wording": {"missing_is_brief": ("missing", {True: "fail", False: "pass"})},
}

_LONG_SELECTOR = re.compile(r"/\{([^{}]*)\}/actions/\*(?=/|$)")


class Change(NamedTuple):
    """One old spelling: where in the rule (`("options", "sources")`), what was written, what to write."""

    path: Tuple[Any, ...]
    old: str
    new: str


class OldSpelling(NamedTuple):
    """An old spelling in a pack file, for `fourp verify` to report."""

    file: str
    line: Optional[int]
    column: Optional[int]
    rule: str
    old: str
    new: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}:{self.column}" if self.line is not None else "")
        return f"{where}: rule {self.rule!r}: {self.old} is an old spelling; write {self.new}"


class SpellingError(ValueError):
    """An old spelling written beside its new one: which to use cannot be guessed."""

    def __init__(self, path: Tuple[Any, ...], reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(reason)


def modernise(kind: Optional[str], options: Any, applies_when: Any,
              ) -> Tuple[Any, Any, List[Change]]:
    """`options` and `applies_when` in today's spellings, and each change made. `kind` is the rule's
    built-in check kind, or None for a kind whose options fourp does not know (a plug-in, a cross-plan
    kind): its options are left as written."""
    changes: List[Change] = []
    if kind is not None and isinstance(options, dict):
        options = _options(kind, options, changes)
    applies_when = _conditions(applies_when, ("applies_when",), changes)
    return options, applies_when, changes


def _options(kind: str, options: Dict[str, Any], changes: List[Change]) -> Dict[str, Any]:
    renamed = RENAMED_OPTIONS.get(kind, {})
    out: Dict[str, Any] = {}
    for key, value in options.items():
        path = ("options", key)
        if key in renamed:
            new, values = renamed[key]
            if new in options:
                raise SpellingError(path, f"options give both {new!r} and {key!r}, its old name: keep {new!r}")
            if values is None:
                changes.append(Change(path, f"`{key}:`", f"`{new}:`"))
            elif isinstance(value, str) and value.startswith("$"):  # a parameter, not yet substituted
                changes.append(Change(path, f"`{key}: {value}`", f"`{new}: {value}` with the parameter "
                                      f"holding {' or '.join(sorted(set(values.values())))}"))
            elif isinstance(value, bool):
                changes.append(Change(path, f"`{key}: {str(value).lower()}`", f"`{new}: {values[value]}`"))
                value = values[value]
            else:
                raise SpellingError(path, f"option {key!r} (the old spelling of {new!r}) must be true or "
                                    f"false, not {value!r}")
            out[new] = _walk(value, path, changes)
        else:
            out[key] = _walk(value, path, changes)
    return out


def _walk(value: Any, path: Tuple[Any, ...], changes: List[Change]) -> Any:
    """Finds conditions (under `where` and `that`) and patterns anywhere in a built-in kind's options."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            if key == "where":
                out[key] = _conditions(child, path + (key,), changes)
            elif key == "that":
                out[key] = _condition(child, path + (key,), changes)
            else:
                out[key] = _walk(child, path + (key,), changes)
        return out
    if isinstance(value, list):
        return [_walk(child, path + (index,), changes) for index, child in enumerate(value)]
    _pattern(value, path, changes)
    return value


def _conditions(conditions: Any, path: Tuple[Any, ...], changes: List[Change]) -> Any:
    if not isinstance(conditions, list):
        return conditions
    return [_condition(c, path + (index,), changes) for index, c in enumerate(conditions)]


def _condition(condition: Any, path: Tuple[Any, ...], changes: List[Change]) -> Any:
    if not isinstance(condition, dict):
        return condition
    count = "count" in condition and "field" not in condition
    if count:
        if "items" in condition:
            raise SpellingError(path, "a count gives both 'items' and 'count', its old name: keep 'items'")
        changes.append(Change(path + ("count",), "`count:` in a condition", "`items:` (as in the `counts` kind)"))
    out = {}
    for key, value in condition.items():
        if key == "where":
            out[key] = _conditions(value, path + (key,), changes)
        else:
            _pattern(value, path + (key,), changes)
            out["items" if count and key == "count" else key] = value
    return out


def _pattern(value: Any, path: Tuple[Any, ...], changes: List[Change]) -> None:
    """Every action of every P written out in full: equivalent to `@actions`, so left as it is."""
    if not isinstance(value, str):
        return
    match = _LONG_SELECTOR.match(value)
    if match and frozenset(n.strip() for n in match.group(1).split(",")) == frozenset(PS):
        new = "@actions" + value[match.end():]
        changes.append(Change(path, f'"{value}"', f'"{new}"'))

