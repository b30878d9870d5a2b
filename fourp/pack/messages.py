"""Rendering a pack's message without Jinja when the message only inserts values: `No named LRO: {{ detail }}.`

Importing Jinja and compiling a message costs more than checking a plan; most messages only put the
check's words into a sentence. Such a message is rendered here, exactly as Jinja renders it (`str()` of
each value); anything else (filters, tags, a name the values do not hold, which Jinja might find among
its globals) is left to Jinja's sandbox.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional

__all__ = ["simple_message", "compiled_message", "new_environment"]

_INSERT = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_LITERALS = frozenset({"true", "false", "none", "True", "False", "None"})


@lru_cache(maxsize=1024)
def simple_message(source: str) -> Optional[Callable[[Mapping[str, Any]], Optional[str]]]:
    """A renderer for a message that only inserts plain names, or None if Jinja must render it. The
    renderer returns None when the values lack one of the names."""
    if "\r" in source or source.endswith("\n"):  # Jinja rewrites line ends and drops a final newline
        return None
    parts = _INSERT.split(source)
    texts, names = parts[0::2], parts[1::2]
    if any("{" in t or "}" in t for t in texts) or any(n in _LITERALS for n in names):  # braces: Jinja's
        return None

    def render(values: Mapping[str, Any]) -> Optional[str]:
        out = [texts[0]]
        for name, text in zip(names, texts[1:]):
            if name not in values:
                return None
            out.append(str(values[name]))
            out.append(text)
        return "".join(out)
    return render


def new_environment() -> Any:
    """The Jinja sandbox pack messages are compiled in: a pack is other people's text."""
    from ..sandbox import StrictSandbox

    return StrictSandbox(autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=1024)
def compiled_message(source: str) -> Any:
    """A message compiled once per text, for rules from the pack cache (which keeps no compiled template)."""
    return new_environment().from_string(source)
