"""The Jinja sandbox for templates other people write: pack messages, and a user's own report template.

Jinja's `SandboxedEnvironment` already keeps templates away from Python's internals, but it answers a
forbidden attribute (`''.__class__`) with an empty value, so a template that reaches for one renders
silently, and it lets a template ask for a string of a thousand million characters. Here both are
refused with a `SecurityError` that says what was refused:

- any attribute the sandbox considers unsafe (dunders, function globals, frames, ...);
- making text or a list longer than `MAX_LENGTH` by repetition (`'x' * 10**9`), padding or wrapping to
  a width over `MAX_NUMBER` (`'x'|center(10**9)`, `'x'.ljust(10**9)`, `'%999999d' % 1`,
  `'{:>999999}'.format(1)`), and powers with an exponent over `MAX_NUMBER` (`9**9**9`).

Ordinary arithmetic and counts are left alone. Loops are bounded by Jinja's own `range` limit (100,000
items); a template can still be slow, so treat a template from elsewhere as code and read it first.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Dict

from jinja2.sandbox import SandboxedEnvironment, SecurityError

__all__ = ["StrictSandbox", "SecurityError", "MAX_NUMBER", "MAX_LENGTH"]

#: The widest padding or wrapping, and the largest exponent, a template may ask for.
MAX_NUMBER = 10_000
#: The longest string or list a template may make by repetition.
MAX_LENGTH = 1_000_000
#: Filters, and methods of text, whose number arguments are widths or sizes of what they make.
_SIZED_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "batch", "slice"})
_SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_WIDE_FORMAT = re.compile(r"\d{5}")


def _check_sizes(values: Any) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise SecurityError(f"the size {value} is larger than a template may ask for ({MAX_NUMBER:,})")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise SecurityError("a format with a width of five digits or more is not allowed in a template")


def _sized(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment marks
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_sizes(args[1:])  # the first is the value filtered
        _check_sizes(kwargs.values())
        return function(*args, **kwargs)
    return guarded


class StrictSandbox(SandboxedEnvironment):
    """A SandboxedEnvironment that refuses, loudly, instead of rendering nothing or rendering too much."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        filters: Dict[str, Any] = dict(self.filters)
        for name in _SIZED_FILTERS & set(filters):
            filters[name] = _sized(filters[name])
        filters["format"] = _formatting(filters["format"])
        self.filters = filters

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__!r} value is unsafe "
                            "and not allowed in a template")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_sizes((right,))
        elif operator == "%":
            _check_format(left)
        elif operator == "*":  # repetition: the length it would make
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) \
                        and len(sequence) * count > MAX_LENGTH:
                    raise SecurityError(f"a template may not make a value longer than {MAX_LENGTH:,}")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        name = getattr(__obj, "__name__", "")
        bound = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)  # Jinja wraps str.format
        if isinstance(bound, str):
            if name in _SIZED_METHODS:
                _check_sizes(args)
                _check_sizes(kwargs.values())
            elif name in ("format", "format_map"):
                _check_format(bound)
        return super().call(__context, __obj, *args, **kwargs)


def _formatting(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def guarded(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_format(value)
        return function(value, *args, **kwargs)
    return guarded
