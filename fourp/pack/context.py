"""What a check is given (the plan and the as-of date) and what it gives back (problems)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, NamedTuple, Optional, Tuple

from ..read.dates import Moment, parse_moment
from .lifecycle import Life, life_of
from .pointers import MISSING, Path, Pattern, select

__all__ = ["Context", "Problem", "present", "describe"]


class Problem(NamedTuple):
    """One shortfall a check found: where in the document, and in plain words what is wrong.

    The engine, not the check, stamps the rule, severity and source location onto it.
    """

    path: Path
    detail: str
    values: Dict[str, Any] = {}


@dataclass(frozen=True)
class Context:
    """A plan as checks see it: its data, the date it is judged at, and helpers that never raise."""

    data: Any
    as_of: dt.date
    #: The plan's life (its status as judged and the date its keeping is judged to); from the data if None.
    life: Optional[Life] = None
    #: Names of other threats and operations the force manages (from the register, or an audit's plans).
    other_names: Tuple[str, ...] = ()
    #: What checks work out once a plan and share (the plan's schema errors): the data does not change
    #: while it is judged.
    memo: Dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.life is None:
            object.__setattr__(self, "life", life_of(self.data, self.as_of))

    @property
    def until(self) -> dt.date:
        """The date a rule about how the plan was kept judges it to: a closed plan's closure date."""
        assert self.life is not None
        return self.life.until

    @property
    def status(self) -> Optional[str]:
        """The status the plan is judged in: a draft in use is active."""
        assert self.life is not None
        return self.life.status

    def select(self, pattern: Pattern, item: Any = MISSING, base: Path = ()) -> Iterator[Tuple[Path, Any]]:
        """Values a pattern names: from the plan root when absolute, else from `item` at `base`."""
        if pattern.absolute or item is MISSING:
            return select(self.data, pattern)
        return select(item, pattern, base)

    def first(self, pattern: Pattern, item: Any = MISSING, base: Path = ()) -> Tuple[Path, Any]:
        for found in self.select(pattern, item, base):
            return found
        return (base if not pattern.absolute else ()), MISSING

    @staticmethod
    def moment(value: Any) -> Optional[Moment]:
        return parse_moment(value)

    def days_before_as_of(self, moment: Moment) -> int:
        return (self.as_of - moment.date).days

    def days_before_until(self, moment: Moment) -> int:
        return (self.until - moment.date).days


def present(value: Any) -> bool:
    """Whether a value says something: not absent, null, blank or empty."""
    if value is MISSING or value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


_WORDS = {"lro": "LRO", "sio": "SIO", "created": "plan opened", "quality_assurance": "quality assurance",
          "next_review": "next review"}


def describe(path: Path) -> str:
    """A path in words an officer reads: `pursue action 3` rather than `/pursue/actions/2`."""
    words = []
    parts = list(path)
    i = 0
    while i < len(parts):
        part = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(part, str) and isinstance(nxt, int):
            noun = {"actions": "action", "log": "log entry", "reviews": "review",
                    "quality_assurance": "sign-off", "safeguarding": "safeguarding link",
                    "intelligence": "intelligence product", "objectives": "objective",
                    "partners": "partner", "deputies": "deputy", "waivers": "waiver"}.get(part, part)
            words.append(f"{noun} {nxt + 1}")
            i += 2
            continue
        if part not in ("at",) or not words:
            words.append(_WORDS.get(part, str(part).replace("_", " ")) if isinstance(part, str) else str(part))
        i += 1
    return " ".join(words) if words else "the plan"
