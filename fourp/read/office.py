"""What the Word and Excel readers share: choosing the mapping that fits, and the plan or "not a plan"."""
from __future__ import annotations

from typing import Any, Callable, List, Sequence, Tuple

from ..report import PS
from .layout import Grid, OfficeLocator, Passage, Reading, apply
from .mapping import Mapping, shipped_mapping
from .plan import Plan, PlanError

__all__ = ["read_office"]



def _looked_like(grids: Sequence[Grid], passages: Sequence[Passage], what: str) -> str:
    """What a document that is not a plan holds, in a few words, so a supervisor knows what it is."""
    if not grids and not passages:
        return f"this {what} has no tables or headings"
    shown = []
    for grid in grids[:3]:
        first = next((row for row in grid.rows if any(isinstance(c, str) and c.strip() for c in row)), ())
        headings = ", ".join(str(c).strip() for c in first[:6] if str(c or "").strip())
        name = f"sheet {grid.caption}" if grid.sheet else f"a table under {grid.caption!r}" if grid.caption \
            else "a table"
        shown.append(f"{name} headed {headings}" if headings else name)
    if not grids:
        shown.append("headings " + ", ".join(p.heading for p in passages[:4]))
    return f"this {what} holds " + "; ".join(shown)


def _names_the_four_ps(grids: Sequence[Grid], passages: Sequence[Passage]) -> bool:
    """Whether the document's headings and cells name at least three of the four Ps: a 4P plan, on a
    template none of the mappings describes."""
    words = {p.heading.casefold() for p in passages}
    for grid in grids:
        words.add(grid.caption.casefold())
        words.update(str(cell).casefold() for row in grid.rows for cell in row if isinstance(cell, str))
    text = " ".join(words)
    return sum(1 for p in PS if p in text) >= 3


def read_office(path: str, package: Any, fmt: str, mappings: Sequence[Mapping],
                parts: Callable[[Mapping], Tuple[List[Grid], List[Passage]]], what: str) -> Plan:
    """Reads the document through each mapping for its format (the user's first, then fourp's own) and
    keeps the reading that finds the most of a plan."""
    candidates = [m for m in mappings if m.format == fmt] + [shipped_mapping(fmt)]
    best: Reading = Reading()
    grids: List[Grid] = []
    passages: List[Passage] = []
    for mapping in candidates:
        grids, passages = parts(mapping)
        reading = apply(mapping, grids, passages)
        # Every 4P plan template has its four Ps: a document in which a mapping finds none of them is not
        # in that template, whatever labels it shares with it (a force's template read as fourp's).
        if reading.values > best.values and any(path[0] in PS for path in reading.places):
            best = reading
    if not best.values and _names_the_four_ps(grids, passages):
        raise PlanError(path, f"a 4P plan on another template: {_looked_like(grids, passages, what)}, which no "
                        "mapping given reads", hint="describe the template in a mapping file and give it with "
                        "--mapping (see docs/office.md), or move the plan onto fourp's template",
                        code="other-template")
    if not best.values:
        raise PlanError(path, f"not a plan: {_looked_like(grids, passages, what)}, and not the four Ps' "
                        "objectives and actions where the template's mapping looks for them",
                        hint="if it is a plan in your force's own template, describe the template in a mapping "
                             "file and give it with --mapping (see docs/office.md); if not, keep it out of "
                             "the folder", code="not-a-plan")
    notes = list(package.notes) + best.notes
    return Plan(data=best.data, source=path, _locator=OfficeLocator(best.places), notes=tuple(notes))
