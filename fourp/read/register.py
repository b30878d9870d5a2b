"""A force's register of managed threats (CSV or YAML), read for the `every-threat-has-plan` audit rule.

Each entry is a threat the force manages: its reference on the SOC master list, its name, its kind and,
optionally, the date management began. A register that cannot be used is a `RegisterError` naming the file,
the line and the reason; nothing in it is silently dropped.

CSV: a header row, then one threat a row::

    reference,name,kind,managed_since
    SOCML-SE-20931,Harbour Lane OCG,ocg,2024-01-29

YAML: a list of mappings with the same keys, or a mapping whose `threats` holds that list.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..errors import FourpError
from .dates import parse_date
from .plan import DEFAULT_MAX_BYTES, PlanError, read_yaml

__all__ = ["RegisteredThreat", "Register", "RegisterError", "load_register", "register_from_entries",
           "threat_key", "THREAT_KINDS"]

THREAT_KINDS = ("ocg", "priority-individual", "vulnerability")

# Column names as forces write them, folded to the register's own (case, spaces, hyphens ignored).
_ALIASES = {
    "reference": "reference", "ref": "reference", "threat reference": "reference", "threat ref": "reference",
    "apmis reference": "reference", "apmis ref": "reference", "socml reference": "reference",
    "soc master list reference": "reference", "urn": "reference",
    "name": "name", "threat": "name", "threat name": "name", "ocg name": "name",
    "kind": "kind", "type": "kind", "threat kind": "kind", "threat type": "kind",
    "managed since": "managed_since", "managed from": "managed_since", "since": "managed_since",
    "adopted": "managed_since", "date adopted": "managed_since", "mapped": "managed_since",
    "date mapped": "managed_since", "start": "managed_since", "started": "managed_since",
}


class RegisterError(FourpError):
    """A register that cannot be used: the file, the line and the reason."""

    unnamed = "<register>"
    default_code = "invalid-register"


@dataclass(frozen=True)
class RegisteredThreat:
    """One threat on the register, with the line it was read from."""

    reference: Optional[str]
    name: Optional[str]
    kind: Optional[str]
    managed_since: Optional[dt.date]
    line: Optional[int] = None

    @property
    def label(self) -> str:
        if self.reference and self.name:
            return f"{self.reference} ({self.name})"
        return self.reference or self.name or "(unnamed threat)"

    def to_dict(self) -> Dict[str, Any]:
        return {"reference": self.reference, "name": self.name, "kind": self.kind,
                "managed_since": self.managed_since.isoformat() if self.managed_since else None,
                "line": self.line}


@dataclass(frozen=True)
class Register:
    file: Optional[str]
    threats: Tuple[RegisteredThreat, ...]

    def to_dict(self) -> Dict[str, Any]:
        return {"file": self.file, "threats": [t.to_dict() for t in self.threats]}

    @property
    def names(self) -> Tuple[str, ...]:
        """The threats' names, for the rule that a plan's text is about its own threat."""
        return tuple(t.name for t in self.threats if t.name)


def threat_key(text: Any) -> str:
    """A comparable form of a threat reference or name: `SOCML-SE-20931` and `socml se 20931` match."""
    if not isinstance(text, str):
        return ""
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _entry(raw: Mapping[str, Any], file: Optional[str], line: Optional[int]) -> RegisteredThreat:
    reference, name = _text(raw.get("reference")), _text(raw.get("name"))
    if not reference and not name:
        raise RegisterError(file, "this threat has neither a reference nor a name", line)
    kind = _text(raw.get("kind"))
    if kind is not None:
        kind = re.sub(r"[\s_]+", "-", kind.lower())
        if kind not in THREAT_KINDS:
            raise RegisterError(file, f"the kind {raw.get('kind')!r} is not one of: {', '.join(THREAT_KINDS)}",
                                line)
    since_raw = raw.get("managed_since")
    since = None
    if since_raw not in (None, ""):
        since = parse_date(since_raw)
        if since is None:
            raise RegisterError(file, f"managed_since {since_raw!r} is not a date (use YYYY-MM-DD or "
                                "DD/MM/YYYY)", line)
    return RegisteredThreat(reference, name, kind, since, line)


def register_from_entries(entries: Iterable[Mapping[str, Any]], file: Optional[str] = None,
                          lines: Optional[Sequence[Optional[int]]] = None) -> Register:
    """A register from mappings (`reference`, `name`, `kind`, `managed_since`), e.g. from another system.

    Raises RegisterError for an entry that cannot be used or a threat listed twice.
    """
    threats: List[RegisteredThreat] = []
    seen: Dict[str, RegisteredThreat] = {}
    for index, raw in enumerate(entries):
        line = lines[index] if lines is not None and index < len(lines) else None
        if not isinstance(raw, Mapping):
            raise RegisterError(file, f"each threat must be a mapping of reference, name, kind and "
                                f"managed_since, not {type(raw).__name__}", line)
        unknown = sorted(str(k) for k in raw if k not in ("reference", "name", "kind", "managed_since"))
        if unknown:
            raise RegisterError(file, f"unknown field {unknown[0]!r}; a threat has reference, name, kind and "
                                "managed_since", line)
        threat = _entry(raw, file, line)
        key = threat_key(threat.reference) or "name:" + threat_key(threat.name)
        first = seen.setdefault(key, threat)
        if first is not threat:
            where = f" (first on line {first.line})" if first.line else ""
            raise RegisterError(file, f"the threat {threat.label} is listed twice{where}", line)
        threats.append(threat)
    return Register(file, tuple(threats))


def _read_csv(text: str, file: str) -> Register:
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except StopIteration:
        raise RegisterError(file, "the register is empty", code="empty") from None
    except csv.Error as exc:
        raise RegisterError(file, f"not valid CSV: {exc}", 1) from None
    columns: List[Optional[str]] = []
    for cell in header:
        folded = " ".join(re.sub(r"[_\-]+", " ", cell.strip().lower()).split())
        columns.append(_ALIASES.get(folded))
    if "reference" not in columns and "name" not in columns:
        raise RegisterError(file, "the header row names no reference or name column (expected "
                            "reference,name,kind,managed_since)", 1)
    entries, lines = [], []
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                raise RegisterError(file, f"this row has {len(row)} cells but the header has {len(columns)}",
                                    line)
            entries.append({col: cell for col, cell in zip(columns, row) if col is not None})
            lines.append(line)
    except csv.Error as exc:
        raise RegisterError(file, f"not valid CSV: {exc}", rows.line_num) from None
    return register_from_entries(entries, file, lines)


def _read_yaml(text: str, file: str) -> Register:
    if not text.strip():
        raise RegisterError(file, "the register is empty", code="empty")
    try:  # the plan loader's safe reading: no alias bombs, no deep nesting, no Python objects
        data, locator = read_yaml(text, file)
    except PlanError as exc:
        if exc.code == "no-document":
            raise RegisterError(file, "the register is empty", code="empty") from None
        raise RegisterError(file, exc.reason, exc.line, exc.column, code=exc.code) from None
    path: Tuple[Any, ...] = ()
    if isinstance(data, Mapping):
        if set(data) != {"threats"}:
            raise RegisterError(file, "a YAML register is a list of threats, or a mapping with only `threats:`",
                                1)
        data, path = data["threats"], ("threats",)
    if not isinstance(data, list):
        raise RegisterError(file, "the threats must be a list", (locator.locate(path) or (None,))[0])
    lines = [(locator.locate(path + (i,)) or (None,))[0] for i in range(len(data))]
    return register_from_entries(data, file, lines)


def load_register(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Register:
    """Reads a register from a `.csv` file, or a `.yaml`/`.yml`/`.json` one. Raises RegisterError."""
    from .files import FileRefused, read_bytes

    try:  # the limit applies to what is read: a device has no size, a file may grow
        raw = read_bytes(path, max_bytes)
    except FileRefused as exc:
        raise RegisterError(path, f"cannot read the register: {exc.reason}", code=exc.code) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # spreadsheets exported on Windows
    if path.lower().endswith(".csv"):
        return _read_csv(text, path)
    if path.lower().endswith((".yaml", ".yml", ".json")):
        return _read_yaml(text, path)
    raise RegisterError(path, "a register is a .csv, .yaml, .yml or .json file")
