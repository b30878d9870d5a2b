"""The `fourp` command: parses arguments, calls the library, renders, and chooses the exit code."""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any, List, Optional, Sequence

import click

from . import __version__
from .pack import DEFAULT_PACK, PackError, RulePack, load_pack, shipped_packs
from .plan import DEFAULT_MAX_BYTES, PlanError
from .report import SEVERITIES

#: Exit codes: documented in the README and `fourp --help`.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _PackParam(click.ParamType):
    name = "pack"


def _as_of(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2024-09-30") from None


def _load_pack(name: Optional[str]) -> RulePack:
    try:
        return load_pack(name)
    except PackError as exc:
        raise click.ClickException(f"bad rule pack: {exc}") from None


pack_option = click.option("--pack", "pack_name", metavar="NAME|PATH", default=None,
                           help=f"Rule pack: a shipped pack's name or a pack file (default {DEFAULT_PACK}).")
as_of_option = click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD",
                            help="Judge plans as at this date (default today); same plan, pack and date "
                                 "give the same result anywhere.")


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        # click's usage errors already exit 2; ClickException exits 1 by default, but a bad pack or an
        # unreadable file is a usage problem for us.
        click.ClickException.exit_code = EXIT_USAGE
        return super().main(*args, **kwargs)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fourp")
def main() -> None:
    """Quality assurance for police 4P plans, against rule packs drawn from HMICFRS's findings.

    Exit codes: 0 all plans pass; 1 a plan fails (a finding at or above --fail-on, or a score under
    --min-score); 2 a usage error, a bad rule pack, or a file that cannot be read as a plan.
    """


@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@pack_option
@as_of_option
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
              help="Fail a plan with any finding of this severity or worse.")
@click.option("--min-score", type=click.FloatRange(0, 100), default=0.0, show_default=True,
              help="Fail a plan scoring under this.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--max-findings", type=click.IntRange(1), default=5, show_default=True,
              help="In text output, findings shown for each rule (the rest are counted).")
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set).")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse plan files larger than this.")
def check(plans: Sequence[str], pack_name: Optional[str], as_of: dt.date, fail_on: str, min_score: float,
          fmt: str, max_findings: int, no_color: bool, max_bytes: int) -> None:
    """Check each PLAN and print its score, grade and what to fix first."""
    from .engine import evaluate
    from .plan import load_plan

    pack = _load_pack(pack_name)
    reports, errors = [], []
    for path in plans:
        try:
            reports.append(evaluate(load_plan(path, max_bytes=max_bytes), pack, as_of))
        except PlanError as exc:
            errors.append(exc)
    if fmt == "json":
        items: List[Any] = [r.to_dict() for r in reports] + [{"file": e.file, "error": e.to_dict()}
                                                              for e in errors]
        click.echo(json.dumps(items[0] if len(plans) == 1 else items, indent=2, ensure_ascii=False))
    else:
        from .render import colour_wanted, render, template_data

        colour = colour_wanted(sys.stdout, no_color)
        click.echo(render(dict(template_data(reports, pack, errors), max_per_rule=max_findings), "text",
                          colour=colour), nl=False)
        for error in errors:  # the JSON on stdout holds them too; say so where a person will see it
            click.echo(f"fourp: {error}", err=True)
    if errors:
        sys.exit(EXIT_USAGE)
    if any(r.failed(fail_on) or r.score < min_score for r in reports):
        sys.exit(EXIT_FAILED)


@main.command()
@pack_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(pack_name: Optional[str], fmt: str) -> None:
    """List the pack's rules."""
    pack = _load_pack(pack_name)
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in pack.rules], indent=2, ensure_ascii=False, default=str))
        return
    click.echo(f"{pack.name} {pack.version or ''}: {pack.title}".rstrip())
    width = max(len(r.id) for r in pack.rules)
    for rule in pack.rules:
        ps = ",".join(rule.ps) if rule.ps else "plan"
        off = "" if rule.enabled else "  (disabled)"
        click.echo(f"  {rule.id:<{width}}  {rule.severity:<7}  w{rule.weight:<4g} {ps:<30} {rule.title}{off}")


@main.command()
@click.argument("rule_id", metavar="RULE")
@pack_option
def explain(rule_id: str, pack_name: Optional[str]) -> None:
    """Print a rule's rationale, basis, parameters and remediation."""
    pack = _load_pack(pack_name)
    try:
        rule = pack.rule(rule_id)
    except KeyError as exc:
        raise click.ClickException(exc.args[0]) from None
    out = [f"{rule.id}: {rule.title}",
           f"  severity {rule.severity}, weight {rule.weight:g}, concerns "
           f"{', '.join(rule.ps) if rule.ps else 'the whole plan'}{'' if rule.enabled else ' (disabled)'}",
           f"  check: {rule.check}", "", "Why it matters", f"  {rule.rationale}", "", "Basis"]
    for basis in rule.basis:
        where = ", ".join(str(x) for x in (basis.get("source"), basis.get("force"),
                                             f"L{basis['line']}" if basis.get("line") else None) if x)
        out.append(f"  “{basis['quote']}” ({where})")
    if rule.params:
        out += ["", "Parameters"]
        for name, value in rule.params.items():
            doc = rule.param_docs.get(name, {})
            changed = "" if value == doc.get("default") else f" (default {doc.get('default')!r})"
            out.append(f"  {name} = {value!r}{changed}")
            if doc.get("basis"):
                out.append(f"      basis: {' '.join(str(doc['basis']).split())}")
    out += ["", "How to put it right", f"  {rule.remediation}"]
    if rule.examples:
        out += ["", "Examples"]
        for example in rule.examples:
            out.append(f"  {example['expect']}: {json.dumps(example['plan'], default=str)}")
    click.echo("\n".join(out))


@main.command()
@click.argument("which", type=click.Choice(["plan", "pack"]))
def schema(which: str) -> None:
    """Print the JSON Schema of a plan or of a rule pack."""
    from .schemas import schema as get_schema

    click.echo(json.dumps(get_schema(which), indent=2))


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="Write the blank plan here (refuses to overwrite) instead of printing it.")
def new(output: Optional[str]) -> None:
    """Write a blank plan with guidance comments, to fill in."""
    from importlib import resources

    text = resources.files("fourp").joinpath("data", "new-plan.yaml").read_text("utf-8")
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise click.ClickException(f"{output} already exists; fourp never overwrites a plan") from None
    click.echo(f"wrote {output}", err=True)


@main.command()
@pack_option
@click.option("--rule", "rule_ids", multiple=True, help="Only this rule's examples (repeatable).")
def verify(pack_name: Optional[str], rule_ids: Sequence[str]) -> None:
    """Run the pack's own tests: each rule's examples must pass, fail or not apply as they say."""
    from .verify import verify_pack

    pack = _load_pack(pack_name)
    failures = total = 0
    for result in verify_pack(pack, list(rule_ids) or None):
        total += 1
        if not result.ok:
            failures += 1
            click.echo(f"FAIL {result.rule}: {result.name}: expected {result.expected}, got {result.got}"
                       + (f" ({'; '.join(result.messages)})" if result.messages else ""))
    click.echo(f"{total - failures} passed, {failures} failed")
    if failures:
        sys.exit(EXIT_FAILED)


@main.command(name="packs")
def packs() -> None:
    """List the packs shipped with fourp."""
    for name in shipped_packs():
        click.echo(name)


if __name__ == "__main__":  # pragma: no cover
    main()
