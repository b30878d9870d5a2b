"""JSON as fourp writes it (2-space indent, UTF-8, `str()` of what JSON has no type for), by orjson when installed."""
from __future__ import annotations

import json
import re
from typing import Any, Optional

__all__ = ["encode", "decode", "shifted"]

_orjson: Any
try:  # a plain dependency; the standard library writes the same bytes where it is missing, 15-20x slower
    import orjson as _orjson
except ImportError:  # pragma: no cover - a test hides orjson to run the standard library's way
    _orjson = None

_OPTIONS = 0
if _orjson is not None:
    # Dates and dataclasses go to `default` (str), as json.dumps(default=str) writes them; keys that are
    # not text are written as json.dumps writes them.
    _OPTIONS = (_orjson.OPT_INDENT_2 | _orjson.OPT_NON_STR_KEYS | _orjson.OPT_PASSTHROUGH_DATETIME
                | _orjson.OPT_PASSTHROUGH_DATACLASS)


def _standard(value: Any) -> bytes:
    # A lone surrogate (a file name that is not UTF-8) written as its escape, as reports write it.
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace")


def encode(value: Any, depth: int = 0) -> bytes:
    """`value` as indented JSON (UTF-8, no final newline), byte for byte what
    `json.dumps(value, indent=2, ensure_ascii=False, default=str)` writes, as if nested `depth` levels deep
    (each line after the first indented 2 * depth more).

    orjson refuses a few values the standard library writes (text holding a lone surrogate, from a file name
    that is not UTF-8; integers past 64 bits; nesting past 254 levels): those are written by the standard
    library, escaped as `fourp.output.write.report_bytes` escapes them (`\\udcff`). One difference stays: orjson writes
    NaN and infinity as null, and a float under 1e-4 as `1e-7`, not `1e-07`; fourp's scores and weights are
    neither."""
    out: Optional[bytes] = None
    if _orjson is not None:
        try:
            out = _orjson.dumps(value, default=str, option=_OPTIONS)
        except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
            out = None
    if out is None:
        out = _standard(value)
    return shifted(out, depth)


def shifted(text: bytes, depth: int) -> bytes:
    """Indented JSON moved `depth` levels in: JSON text holds no raw line break but between its lines."""
    return text.replace(b"\n", b"\n" + b"  " * depth) if depth else text


#: A run of digits as long as the largest 64-bit integer: orjson reads an integer past 64 bits as a float.
_LONG_NUMBER = re.compile(rb"\d{19}")


def decode(data: bytes) -> Any:
    """JSON `encode` wrote, back to Python values (lone surrogates, written escaped, come back as themselves;
    an integer past 64 bits, which orjson reads as a float, comes back as the integer)."""
    if _orjson is not None and not _LONG_NUMBER.search(data):
        try:
            return _orjson.loads(data)
        except ValueError:  # an escaped lone surrogate, which orjson refuses to read
            pass
    return json.loads(data.decode("utf-8"))
