"""Regular expressions from rule packs, compiled with RE2 so matching takes time in proportion to the text.

A pack is written by a force, not by fourp, and a pattern such as `(a+)+$` makes a backtracking engine
(Python's `re`) take exponential time on a long enough line of plan text: one careless pattern would hang
an audit of a whole drive. RE2 (Google's engine, the `google-re2` package) never backtracks, so no pattern
can do that. The price is two features RE2 leaves out, look-around and back-references, which a pack
author is told about when the pack loads. RE2's `\\w`, `\\d`, `\\s` and `\\b` are ASCII; `\\pL` is any
letter.
"""
from __future__ import annotations

import re
from typing import Any

import re2

__all__ = ["compile_regex", "RegexError", "format_checker"]


class RegexError(ValueError):
    """A pattern fourp will not use: the reason, in words for a pack author."""


def _options(ignore_case: bool) -> Any:
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False  # the reason goes into the PackError, not onto the terminal
    return options


def compile_regex(pattern: str, ignore_case: bool = True) -> Any:
    """A compiled pattern with `search(text)` (a match has `group(0)`); raises RegexError."""
    if not isinstance(pattern, str):
        raise RegexError(f"a pattern must be text, not {type(pattern).__name__}")
    try:
        return re2.compile(pattern, _options(ignore_case))
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) \
            else str(exc)
        raise RegexError(_explain(pattern, detail)) from None


def _explain(pattern: str, detail: str) -> str:
    if _python_accepts(pattern):
        return (f"the pattern {pattern!r} uses look-around or a back-reference ({detail}); fourp runs "
                "patterns on RE2, which leaves those out so that no pattern can take exponential time on "
                "long text: rewrite it without them")
    return f"the pattern {pattern!r} is not a valid regular expression: {detail}"


def _python_accepts(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError):
        return False
    return True


def _is_regex(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # the type is another keyword's business
    compile_regex(value)  # RegexError carries the reason to the pack error
    return True


def format_checker() -> Any:
    """A jsonschema FormatChecker whose `regex` format is a pattern RE2 accepts."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("regex", raises=RegexError)(_is_regex)
    return checker
