"""A pack's own tests: each rule's examples must pass, fail or not apply as they say (like `vale test`)."""
from __future__ import annotations

import datetime as dt
from typing import Iterator, List, NamedTuple, Optional

from .engine import evaluate
from .pack.load import RulePack, shipped_packs
from .pack.spelling import OldSpelling
from .read.dates import parse_date
from .read.plan import plan_from_data

__all__ = ["ExampleResult", "verify_pack", "DEFAULT_EXAMPLE_DATE", "old_spellings"]

#: Examples without an `as_of` are judged at this date, so the pack's tests never depend on today.
DEFAULT_EXAMPLE_DATE = dt.date(2024, 9, 30)


class ExampleResult(NamedTuple):
    rule: str
    name: str
    expected: str
    got: str
    messages: List[str]

    @property
    def ok(self) -> bool:
        return self.expected == self.got


def verify_pack(pack: RulePack, rule_ids: Optional[List[str]] = None) -> Iterator[ExampleResult]:
    """Evaluates every example of every enabled rule (or of the rules named) with that rule alone."""
    from .portfolio.evaluate import verify_example

    for rule in pack.enabled_rules:
        if rule_ids and rule.id not in rule_ids:
            continue
        if rule.scope == "portfolio":  # its example is a set of plans (and a register), judged together
            for number, example in enumerate(rule.examples, 1):
                as_of = parse_date(example.get("as_of")) or DEFAULT_EXAMPLE_DATE
                got, messages = verify_example(rule, example, pack, as_of)
                yield ExampleResult(rule.id, example.get("name") or f"example {number} ({example['expect']})",
                                    example["expect"], got, messages)
            continue
        for number, example in enumerate(rule.examples, 1):
            as_of = parse_date(example.get("as_of")) or DEFAULT_EXAMPLE_DATE
            report = evaluate(plan_from_data(example["plan"]), pack, as_of, only=[rule.id])
            result = report.result(rule.id)
            got = result.status if result else "missing"
            yield ExampleResult(rule.id, example.get("name") or f"example {number} ({example['expect']})",
                                example["expect"], got, [f.message for f in report.findings])


def old_spellings(pack: RulePack) -> List[OldSpelling]:
    """Where the pack's own files use the language's old spellings, in file and line order. A pack shipped
    with fourp is the pack's author's to change only when it is the pack verified, not one it extends."""
    from .pack.load import _resolve

    shipped = {_resolve(name, None) for name in shipped_packs()} - {pack.file}
    return sorted((o for o in pack.old_spellings if o.file not in shipped),
                  key=lambda o: (o.file, o.line or 0, o.column or 0))
