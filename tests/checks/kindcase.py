"""The shared helper of the check-kind tests, in the style of yamllint's RuleTestCase.check: a kind run on a
small plan snippet with its options, giving the (path, detail) of each problem it finds."""
from __future__ import annotations

from conftest import AS_OF

from fourp import checks
from fourp.pack.context import Context


def run(kind, plan, options, as_of=AS_OF):
    """The (path, detail) of every problem the kind finds in the plan with the options."""
    check = checks.get(kind)
    return [(p.path, p.detail) for p in check.check(Context(plan, as_of), check.prepare(options))]


def paths(kind, plan, options, as_of=AS_OF):
    """Only the paths of the problems run() finds."""
    return [path for path, _ in run(kind, plan, options, as_of)]
