"""The Jinja sandbox for templates other people write: pack messages, and a user's own report template.

Jinja's `SandboxedEnvironment` already keeps templates away from Python's internals, but it answers a
forbidden attribute (`''.__class__`) with an empty value, so a template that reaches for one renders
silently, and it lets a template ask for a string of a thousand million characters. Here both are
refused with a `SecurityError` that says what was refused:

- any attribute the sandbox considers unsafe (dunders, function globals, frames, ...);
- arithmetic, calls and filters given a number above `MAX_NUMBER` (`'x' * 10**9`, `'x'|center(10**9)`,
  `9**9**9`), and `%`/`format` strings asking for widths of five digits or more.

Loops are bounded by Jinja's own `range` limit (100,000); a template can still be slow, so treat a
template from elsewhere as code and read it before use.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

from jinja2.sandbox import SandboxedEnvironment, SecurityError

__all__ = ["StrictSandbox", "SecurityError", "MAX_NUMBER", "MAX_LENGTH"]

#: The largest number a template may hand to arithmetic, a call or a filter (plenty for widths and counts).
MAX_NUMBER = 10_000
#: The longest string or list a template may make by repetition.
MAX_LENGTH = 1_000_000
_WIDE_FORMAT = re.compile(r"\d{5}")


def _check_numbers(values: Any) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise SecurityError(f"the number {value} is larger than a template may use ({MAX_NUMBER:,})")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise SecurityError("a format with a width of five digits or more is not allowed in a template")


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_numbers(args)
        _check_numbers(kwargs.values())
        return function(*args, **kwargs)
    return guarded


class StrictSandbox(SandboxedEnvironment):
    """A SandboxedEnvironment that refuses, loudly, instead of rendering nothing or rendering too much."""

    intercepted_binops = frozenset({"*", "**", "%", "//"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = {name: _guarded(f) for name, f in self.filters.items()}

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__!r} value is unsafe "
                            "and not allowed in a template")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_numbers((left, right))
        if operator == "%":
            _check_format(left)
        if operator == "*":  # repetition: the length it would make, not only the count
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) \
                        and len(sequence) * count > MAX_LENGTH:
                    raise SecurityError(f"a template may not make a value longer than {MAX_LENGTH:,}")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_numbers(args)
        _check_numbers(kwargs.values())
        if getattr(__obj, "__name__", "") in ("format", "format_map"):  # Jinja wraps str.format
            bound = getattr(__obj, "__wrapped__", __obj)
            _check_format(getattr(bound, "__self__", None))
        return super().call(__context, __obj, *args, **kwargs)
