"""`one-structure` (one-template): a force's plans are written on one template."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Tuple

from .context import PlanFacts, PortfolioContext, PortfolioProblem, int_option

if TYPE_CHECKING:  # pragma: no cover
    pass



SCHEMA = int_option("max_structures", 1)


def check(ctx: PortfolioContext, options: Mapping[str, Any]) -> Iterator[PortfolioProblem]:
    """The plans use at most `max_structures` layouts (format version and structure). The most common are
    taken as the force's template; each other layout is one problem naming its plans and how it differs."""
    layouts: Dict[Tuple[Any, Tuple[str, ...]], List[PlanFacts]] = {}
    for plan in ctx.plans:
        layout = (plan.facts.get("format"), tuple(plan.facts.get("structure") or ()))
        layouts.setdefault(layout, []).append(plan)
    allowed = options["max_structures"]
    if len(layouts) <= allowed:
        return
    # Most plans first; on a tie, the one closest to the published format.
    ranked = sorted(layouts.items(), key=lambda item: (-len(item[1]), item[0][0] != 1, len(item[0][1]),
                                                       repr(item[0])))
    common = ranked[:allowed]
    (main_format, main_structure), main_plans = common[0]
    for (version, structure), plans in ranked[allowed:]:
        differences = []
        if version != main_format:
            differences.append(f"{_version(version)} where {len(main_plans)} other plan"
                               f"{'s have' if len(main_plans) != 1 else ' has'} {_version(main_format)}")
        extra = [s for s in structure if s not in main_structure]
        missing = [s for s in main_structure if s not in structure]
        differences += extra[:5]
        if len(extra) > 5:
            differences.append(f"and {len(extra) - 5} more")
        if missing:
            differences.append("without " + ", ".join(missing[:3]) + (" …" if len(missing) > 3 else ""))
        files = tuple(sorted(p.file for p in plans))
        count = len(plans)
        yield PortfolioProblem(
            f"{count} plan{'s are' if count != 1 else ' is'} laid out differently from the "
            f"{len(main_plans)} that share the most common layout: {'; '.join(differences)}",
            files=files, locations=files, subject="; ".join(differences[:2]),
            values={"plans": count, "layouts": len(layouts)})


def _version(value: Any) -> str:
    if value == "another template":  # a 4P plan in another layout (fourp.portfolio.layouts)
        return "another template, not the plan format"
    return "no format version (`fourp:`)" if value is None else f"format version `fourp: {value}`"
