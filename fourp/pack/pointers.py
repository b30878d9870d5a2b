"""Document paths (`/pursue/actions/2/result`) and the patterns rules use to select parts of a plan.

A pattern is a JSON-pointer-like path whose segments may be `*` (any key or list index), `**` (any depth,
including none) or `{a,b}` (any of the names). A path without a leading `/` is relative to an item. A
pattern may start with a named selector (`@actions`, `@actions/result`), which stands for the absolute
pattern `SELECTORS` gives it.
"""
from __future__ import annotations

from collections import abc
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from ..read.plan import Key

__all__ = [
    "Path", "Pattern", "MISSING", "compile_pattern", "select", "pointer",
    "PatternError", "SELECTORS",
]

Path = Tuple[Key, ...]


class _Missing:
    """The value of a path that leads nowhere; distinct from a present `null`."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:  # one MISSING, even in a compiled pack read back from the cache
        return "MISSING"


MISSING: Any = _Missing()


class _Wildcard:
    """`*` or `**` in a compiled pattern; compared by identity, so it unpickles as the same object."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __reduce__(self) -> str:
        return self._name


_ANY = _Wildcard("_ANY")
_DEEP = _Wildcard("_DEEP")


class PatternError(ValueError):
    """A pattern that cannot be read."""


#: Named selectors: `@actions` is every action of every P, the pattern packs need most often.
SELECTORS = {"actions": "/{pursue,prevent,protect,prepare}/actions/*"}


def _expand(text: str) -> str:
    """The pattern a named selector stands for, followed by the rest of `text`."""
    name, slash, rest = text[1:].partition("/")
    if name not in SELECTORS:
        known = ", ".join(f"@{n}" for n in sorted(SELECTORS))
        raise PatternError(f"there is no named selector @{name} in pattern {text!r} (there is: {known})")
    return SELECTORS[name] + slash + rest


class Pattern:
    """A compiled pattern: a tuple of segments, each a name, a set of names, `*` or `**`."""

    __slots__ = ("text", "segments", "absolute", "literal", "_deep_tail")

    def __init__(self, text: str) -> None:
        self.text = text  # as written, so a cached pattern compiles again from it
        if text.startswith("@"):
            text = _expand(text)
        self.absolute = text.startswith("/")
        body = text.strip("/")
        segments: list = []
        for raw in body.split("/") if body else []:
            if raw == "*":
                segments.append(_ANY)
            elif raw == "**":
                segments.append(_DEEP)
            elif raw.startswith("{") and raw.endswith("}"):
                names = frozenset(n.strip() for n in raw[1:-1].split(",") if n.strip())
                if not names:
                    raise PatternError(f"empty alternative in pattern {text!r}")
                segments.append(names)
            elif any(c in raw for c in "{}*"):
                raise PatternError(f"segment {raw!r} of pattern {text!r} mixes names and wildcards")
            else:
                segments.append(raw.replace("~1", "/").replace("~0", "~"))
        self.segments = tuple(segments)
        self.literal = all(isinstance(s, str) for s in self.segments)
        # Where `**` appears only as the last segment (or not at all), select walks level by level
        # instead of recursing through generators: the same values in the same order, much faster.
        deep = [i for i, s in enumerate(self.segments) if s is _DEEP]
        self._deep_tail: Optional[bool] = None if not deep else (deep == [len(self.segments) - 1])

    def __reduce__(self) -> Any:  # compiled again from its text when read back from a cache
        return (compile_pattern, (self.text,))

    @property
    def anchor(self) -> Path:
        """The literal start of the pattern: where to point when nothing it names exists."""
        out = []
        for segment in self.segments:
            if not isinstance(segment, str):
                break
            out.append(segment)
        return tuple(out)

    def __repr__(self) -> str:
        return f"Pattern({self.text!r})"


def compile_pattern(text: str) -> Pattern:
    if not isinstance(text, str):
        raise PatternError(f"a pattern must be a string, not {type(text).__name__}")
    return Pattern(text)


def _children(value: Any) -> Iterator[Tuple[Key, Any]]:
    kind = type(value)  # exact types first: parsed plans hold only dicts and lists
    if kind is dict or (kind is not list and isinstance(value, abc.Mapping)):
        for key, child in value.items():
            if type(key) is str or (isinstance(key, (str, int)) and not isinstance(key, bool)):
                yield key, child
    elif kind is list or isinstance(value, list):
        yield from enumerate(value)


def _step(value: Any, name: str) -> Tuple[Optional[Key], Any]:
    if type(value) is dict or isinstance(value, abc.Mapping):
        return (name, value[name]) if name in value else (None, MISSING)
    if isinstance(value, list) and name.isdigit():
        index = int(name)
        return (index, value[index]) if index < len(value) else (None, MISSING)
    return None, MISSING


def select(root: Any, pattern: Pattern, base: Path = ()) -> Iterator[Tuple[Path, Any]]:
    """Every (path, value) in `root` that the pattern names, in document order; nothing for parts that
    are absent."""
    deep_tail = pattern._deep_tail
    if deep_tail is False:  # `**` in the middle: the general recursive walk
        return _select(root, pattern.segments, base)
    segments = pattern.segments[:-1] if deep_tail else pattern.segments
    level: List[Tuple[Path, Any]] = [(base, root)]
    for head in segments:
        found: List[Tuple[Path, Any]] = []
        if type(head) is str:
            for path, value in level:
                key, child = _step(value, head)
                if key is not None:
                    found.append((path + (key,), child))
        elif head is _ANY:
            for path, value in level:
                if type(value) is list:
                    found.extend((path + (index,), child) for index, child in enumerate(value))
                else:
                    found.extend((path + (key,), child) for key, child in _children(value))
        else:
            for path, value in level:
                if type(value) is dict or isinstance(value, abc.Mapping):
                    found.extend((path + (key,), child) for key, child in value.items() if key in head)
        level = found
        if not level:
            break
    if deep_tail:
        return _walk(level)
    return iter(level)


def _walk(starts: List[Tuple[Path, Any]]) -> Iterator[Tuple[Path, Any]]:
    """Each start and everything below it, depth first, parents before children (what `**` names)."""
    for start in starts:
        stack = [start]
        while stack:
            path, value = stack.pop()
            yield path, value
            kind = type(value)
            if kind is dict or kind is list or (kind is not str and isinstance(value, abc.Mapping)):
                children = [(path + (key,), child) for key, child in _children(value)]
                children.reverse()
                stack.extend(children)


def _select(value: Any, segments: tuple, path: Path) -> Iterator[Tuple[Path, Any]]:
    if not segments:
        yield path, value
        return
    head, rest = segments[0], segments[1:]
    if isinstance(head, str):
        key, child = _step(value, head)
        if key is not None:
            yield from _select(child, rest, path + (key,))
    elif head is _ANY:
        for key, child in _children(value):
            yield from _select(child, rest, path + (key,))
    elif head is _DEEP:
        yield from _select(value, rest, path)
        for key, child in _children(value):
            yield from _select(child, segments, path + (key,))
    else:
        if isinstance(value, abc.Mapping):
            for key, child in value.items():
                if key in head:
                    yield from _select(child, rest, path + (key,))


def pointer(path: Sequence[Key]) -> str:
    """The JSON pointer of a path: `/pursue/actions/2/result`."""
    if not path:
        return ""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)
