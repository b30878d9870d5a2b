"""The `fourp` command: parses arguments, calls the library, renders, and chooses the exit code."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import click

from . import __version__
from .pack.load import DEFAULT_PACK, PackError, RulePack, load_pack, shipped_packs
from .read.plan import DEFAULT_MAX_BYTES, PlanError
from .report import SEVERITIES, plan_fails

#: Exit codes: documented in docs/check.md and `fourp --help`.
EXIT_FAILED, EXIT_USAGE = 1, 2


def _as_of(ctx: click.Context, param: click.Parameter, value: Optional[str]) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2024-09-30") from None


class _Problem(click.ClickException):
    """Something fourp cannot work with (a bad pack, template, baseline or register; a report it will not
    write): exit 2, as click's usage errors do. A subclass, so other click programs in the same process
    keep their codes. Its message, which may quote a file name or a file's text, reaches the terminal
    through the same neutraliser as the reports (no escape sequences, one line)."""

    exit_code = EXIT_USAGE

    def format_message(self) -> str:
        from .output.render import one_line

        return one_line(self.message)


def _one_line(text: str) -> str:
    from .output.render import one_line

    return one_line(text)


def _say(message: str) -> None:
    """A message to standard error, one line, escape sequences and line breaks made visible."""
    from .output.render import one_line

    click.echo(one_line(f"fourp: {message}"), err=True)


def _load_pack(name: Optional[str]) -> RulePack:
    try:
        return load_pack(name)
    except PackError as exc:
        raise _Problem(f"bad rule pack: {exc}") from None


def _mappings(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> Tuple[Any, ...]:
    if not values:  # mappings are for Word and Excel plans: a YAML check need not load them
        return ()
    from .read import MappingError, load_mapping

    try:
        return tuple(load_mapping(value) for value in values)
    except MappingError as exc:
        raise click.BadParameter(str(exc)) from None


mapping_option = click.option("--mapping", "mappings", multiple=True, callback=_mappings, metavar="FILE",
                              type=click.Path(dir_okay=False, path_type=str),
                              help="Read Word or Excel plans kept in a force's own template through this "
                                   "mapping (see `fourp schema mapping`); repeatable.")
pack_option = click.option("--pack", "pack_name", metavar="NAME|PATH", default=None,
                           help=f"Rule pack: a shipped pack's name or a pack file (default {DEFAULT_PACK}).")
as_of_option = click.option("--as-of", callback=_as_of, metavar="YYYY-MM-DD",
                            help="Judge plans as at this date (default today); same plan, pack and date "
                                 "give the same result anywhere.")


class _Signalled(BaseException):
    """SIGTERM or SIGHUP, raised where the program is, so that what is being written is cleaned up (the
    temporary file of a report, the worker processes) as it is for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: The signals received, kept too in case the exception was swallowed: raised inside an object's
#: finalizer (`__del__`), Python prints and ignores it, and the run goes on to the end.
_received: List[int] = []


def _raise_signalled(signum: int, frame: Any) -> None:
    _received.append(signum)
    raise _Signalled(signum)


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        from .cache.signing import forget_key

        forget_key()  # read the key afresh each run: it may have been made private since
        previous = {}
        _received.clear()
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                try:
                    previous[number] = signal.signal(number, _raise_signalled)
                except ValueError:  # not the main thread (fourp embedded): leave signals alone
                    pass
        try:
            return super().main(*args, **kwargs)
        except _Signalled as exc:
            sys.exit(128 + exc.signum)  # as a shell reports a process a signal ended
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            if _received:  # its exception was swallowed (see _received): the exit code still says so
                sys.exit(128 + _received[0])

    # click's own usage errors quote what was typed (`No such option: ...`): shown through the same
    # neutraliser as every other message.
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:
            raise _neutralised(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            raise _neutralised(exc)


def _neutralised(exc: click.ClickException) -> click.ClickException:
    from .output.render import one_line

    words = exc.format_message
    exc.format_message = lambda: one_line(words())  # type: ignore[method-assign]
    return exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fourp")
def main() -> None:
    """Quality assurance for police 4P plans, against rule packs drawn from HMICFRS's findings.

    Exit codes: 0 all plans pass; 1 a plan fails (a finding at or above --fail-on, or a score under
    --min-score); 2 a usage error, a bad rule pack, a file that cannot be read as a plan, or a report
    that cannot be written.
    """


def _report_specs(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> List[Tuple[str, str]]:
    from .output import parse_report_spec

    try:
        return [parse_report_spec(value) for value in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


config_options = [
    click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
                 help="Use this configuration file for every plan instead of each plan's nearest .fourp.yaml."),
    click.option("--no-config", is_flag=True, help="Read no .fourp.yaml: only the options given and defaults."),
]


def _finder(config_file: Optional[str], no_config: bool, **overrides: Any) -> Any:
    """Each plan's settings: its nearest .fourp.yaml (or --config's), with the options given over it."""
    from .config import ConfigFinder

    return ConfigFinder(explicit=config_file, enabled=not no_config, overrides=overrides)


def _settings(finder: Any, path: str) -> Any:
    from .config import ConfigError

    try:
        return finder.for_path(path)
    except ConfigError as exc:
        raise _Problem(f"bad configuration: {exc}") from None


def _run_settings(finder: Any, paths: Sequence[str]) -> Any:
    from .config import ConfigError

    try:
        return finder.for_run(paths)
    except ConfigError as exc:
        raise _Problem(f"bad configuration: {exc}") from None


def report_options(max_findings: int, max_findings_help: str) -> Callable[[Any], Any]:
    """The options `check` and `audit` share: what fails a plan, and what reports to write where."""
    from .output import FORMATS

    options = [
        click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
                     help="Fail a plan with any finding of this severity or worse (default error)."),
        click.option("--min-score", type=click.FloatRange(0, 100), default=None,
                     help="Fail a plan scoring under this (default 0)."),
        click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True,
                     help="The report's format."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
                     help="Write the report to FILE (atomically) instead of printing it."),
        click.option("--report", "reports", multiple=True, callback=_report_specs, metavar="FORMAT:FILE",
                     help="Also write a report in FORMAT to FILE, e.g. html:audit.html (repeatable)."),
        click.option("--template", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
                     help="Render the report with your own Jinja template (sandboxed) instead of --format."),
        click.option("--max-findings", type=click.IntRange(1), default=max_findings, show_default=True,
                     help=max_findings_help),
        click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set)."),
        click.option("--max-bytes", type=click.IntRange(1), default=None,
                     help=f"Refuse plan files larger than this (default {DEFAULT_MAX_BYTES})."),
        *config_options,
    ]

    def decorate(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


def _outputs(fmt: str, output: Optional[str], reports: Sequence[Tuple[str, str]], template: Optional[str],
             inputs: Sequence[str], folders: Sequence[str] = ()) -> List[Tuple[str, Optional[str]]]:
    """Every report to produce, as (format, file or None for standard output). Refuses to write a report
    over any file the run reads or would read, whatever its name: `inputs` (the plans named, the pack's
    files, a baseline, a register, a template) and every file an audit of `folders` would take for a plan;
    and refuses two reports to one file, or to standard output (`-`)."""
    from .read import suffixes
    from .output.render import TemplateProblem, check_template

    if template is not None:
        try:
            check_template(template)
        except TemplateProblem as exc:
            raise _Problem(f"bad template: {exc}") from None
    outputs: List[Tuple[str, Optional[str]]] = [("template" if template else fmt, output)] + list(reports)
    outputs = [(kind, None if path == "-" else path) for kind, path in outputs]
    read = {os.path.realpath(p) for p in inputs if p}
    if any(path is not None and os.path.isfile(path) and _inside(path, folders) for _, path in outputs):
        from .audit import discover
        from .output.write import is_fourp_report

        # Every file the audit would take for a plan, as it will find them; an earlier report of fourp's
        # among them is not read (the audit skips its own reports) and may be written over.
        read.update(os.path.realpath(p) for p in discover(list(folders)) if not is_fourp_report(p))
    seen: Dict[str, str] = {}
    to_stdout = 0
    for _, path in outputs:
        if path is None:
            to_stdout += 1
            if to_stdout > 1:
                raise _Problem("two reports would be written to standard output")
            continue
        real = os.path.realpath(path)
        if real in read or path.lower().endswith(tuple(s for s in suffixes() if s != ".json")):
            raise _Problem(f"{path} is (or looks like) a plan, or is a file this run reads; fourp never "
                           "writes over a plan or any file it reads")
        if real in seen and not _is_stream(real):
            raise _Problem(f"two reports would be written to {path}")
        seen[real] = path
    return outputs


def _inside(path: str, folders: Sequence[str]) -> bool:
    real = os.path.realpath(path)
    return any(os.path.commonpath([real, os.path.realpath(f)]) == os.path.realpath(f) for f in folders)


def _is_stream(path: str) -> bool:
    """A character device (`/dev/null`) or a named pipe: written in place, so more than once is fine."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def _write_stdout(text: Any) -> Optional[str]:
    """Writes a report (its text, or its pieces) to standard output; the reason if it cannot be written (a
    full disk, a closed pipe), after which standard output is pointed at nothing so that exiting cannot fail
    on it too."""
    from .output.write import report_chunks

    stream = sys.stdout
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            for chunk in report_chunks(text):
                buffer.write(chunk)
            buffer.flush()
        else:
            for chunk in report_chunks(text):
                stream.write(chunk.decode("utf-8"))
            stream.flush()
    except OSError as exc:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except Exception:  # noqa: BLE001 - a stream without a descriptor (embedded): nothing to point
            pass
        return exc.strerror or str(exc)
    return None



def _emit(outputs: Sequence[Tuple[str, Optional[str]]], data: Dict[str, Any], document: Any,
          template: Optional[str], no_color: bool) -> List[str]:
    """Renders and writes every report; returns the problems (a report that could not be written)."""
    from .output import format_pieces
    from .output.render import TemplateProblem, colour_wanted, render
    from .output.write import write_atomic

    problems = []
    for fmt, path in outputs:
        colour = path is None and colour_wanted(sys.stdout, no_color)
        try:
            # A report is written as it is made (a plan at a time), never whole in memory; a user's
            # template is rendered whole first, so that a mistake in it writes nothing.
            text: Any = (render(data, template_file=template, colour=colour) if fmt == "template"
                         else format_pieces(fmt, data, document, colour=colour))
        except TemplateProblem as exc:
            problems.append(f"bad template: {exc}")
            continue
        if path is None:
            failure = _write_stdout(text)
            if failure is not None:  # the other reports are still written
                problems.append(f"cannot write the {fmt} report to standard output: {failure}")
            continue
        try:
            write_atomic(path, text)
        except OSError as exc:
            problems.append(f"cannot write {path}: {exc.strerror or exc}")
        else:
            _say(f"wrote {path}")
    return problems


def _cache_notes() -> None:
    """Each cache this run could not use, said once, so that a slower run is not a mystery."""
    from .cache.store import cache_problems

    for problem in cache_problems():
        _say(f"note: {problem}")


@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@pack_option
@as_of_option
@report_options(5, "In text output, findings shown for each rule (the rest are counted).")
@click.option("--stdin-filename", metavar="NAME",
              help="With PLAN `-` (read from standard input): the name shown in findings, and where to look "
                   "for its .fourp.yaml.")
@click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="The force's register of managed threats (CSV or YAML): their names are other threats'.")
@mapping_option
def check(plans: Sequence[str], pack_name: Optional[str], as_of: dt.date, fail_on: Optional[str],
          min_score: Optional[float], fmt: str, output: Optional[str], reports: Sequence[Tuple[str, str]],
          template: Optional[str], max_findings: int, no_color: bool, max_bytes: Optional[int],
          config_file: Optional[str], no_config: bool, stdin_filename: Optional[str],
          register_file: Optional[str], mappings: Tuple[Any, ...]) -> None:
    """Check each PLAN (YAML, JSON, Word or Excel) and print its score, grade and what to fix first. PLAN
    `-` reads one (YAML or JSON) from standard input."""
    from .engine import evaluate
    from .output.json import check_document
    from .output.render import template_data
    from .read import read
    from .read.register import load_register
    from .read.plan import plan_from_bytes

    if list(plans).count("-") > 1:
        raise click.UsageError("standard input (`-`) can be read only once")
    stdin_name = stdin_filename or "<stdin>"
    names = [(stdin_filename or os.path.join(os.getcwd(), "<stdin>")) if p == "-" else p for p in plans]
    finder = _finder(config_file, no_config, pack=pack_name, fail_on=fail_on, min_score=min_score,
                     max_bytes=max_bytes, reports=tuple(reports) or None)
    run = _run_settings(finder, names)
    fail_on, min_score = run["fail_on"], run["min_score"]
    packs: Dict[Optional[str], RulePack] = {}

    def pack_for(settings: Any) -> RulePack:
        if settings.pack_ref not in packs:
            packs[settings.pack_ref] = _load_pack(settings.pack_ref)
        return packs[settings.pack_ref]

    pack = pack_for(run)
    outputs = _outputs(fmt, output, run["reports"], template,
                       [n for p, n in zip(plans, names) if p != "-"] + list(pack.files) + list(run.files)
                       + list(run.named) + [template or "", register_file or ""])
    register = _load_input(register_file, load_register, "register")
    other_names = register.names if register is not None else ()
    results, errors = [], []
    notes = []
    for path, name in zip(plans, names):
        settings = _settings(finder, name)
        try:
            if path == "-":
                raw = sys.stdin.buffer.read(settings["max_bytes"] + 1)
                plan = plan_from_bytes(raw, stdin_name, max_bytes=settings["max_bytes"])
            else:
                plan = read(path, settings["max_bytes"], mappings)
            results.append(evaluate(plan, pack_for(settings), as_of, other_names=other_names))
            notes += [f"{path}: {note}" for note in plan.notes]
        except PlanError as exc:
            from .portfolio.layouts import as_other_template  # only for a file that cannot be read

            errors.append(as_other_template(exc, path, settings["max_bytes"]) if path != "-" else exc)
    data = template_data(results, pack, errors, fail_on=fail_on, min_score=min_score, max_per_rule=max_findings)
    problems = _emit(outputs, data, check_document(results, errors, single=len(plans) == 1), template, no_color)
    for note in notes:
        _say(f"note: {note}")
    for problem in [str(e) for e in errors] + problems:  # the reports hold them too; say so where a person will see it
        _say(problem)
    _cache_notes()
    if errors or problems:
        sys.exit(EXIT_USAGE)
    if any(plan_fails(r, fail_on, min_score) for r in results):
        sys.exit(EXIT_FAILED)


def _load_input(path: Optional[str], load: Callable[[str], Any], what: str) -> Any:
    """An optional input file (a baseline, a register) loaded, or a usage error naming it and its fault."""
    from .errors import FourpError

    if path is None:
        return None
    try:
        return load(path)
    except FourpError as exc:
        raise _Problem(f"bad {what}: {exc}") from None


class _Progress:
    """A progress bar on standard error, created once the audit knows how many files it has."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Auditing plans", file=sys.stderr,
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _progress_wanted() -> bool:
    """A bar only for a person watching: standard error is a terminal and this is not a CI job."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str), metavar="DIR|FILE...")
@pack_option
@as_of_option
@report_options(3, "Findings shown for each plan (its worst, most important first).")
@click.option("--sort", type=click.Choice(["score", "file", "grade"]), default="score", show_default=True,
              help="Order of the plans: lowest score first, by file, or worst grade first.")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None,
              help="Plans evaluated at once (default: all cores).")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="An earlier audit's JSON: report only findings not in it, and what got better or worse.")
@click.option("--register", "register_file", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="The force's register of managed threats (CSV or YAML), for every-threat-has-plan and "
                   "text-specific-to-threat.")
@click.option("--no-cache", is_flag=True,
              help="Evaluate every plan afresh, and keep no results (see `fourp cache`).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=str), metavar="DIR", default=None,
              help="Keep results here instead of the user's cache folder (XDG_CACHE_HOME or ~/.cache/fourp).")
@click.option("--exclude", "exclude_globs", multiple=True, metavar="GLOB",
              help="Leave out files and folders matching GLOB under each DIR (repeatable): `archive`, "
                   "`*.draft.yaml`, `surrey/old/**`.")
@click.option("--history", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Record this audit in a history file (SQLite; made if absent) and show the trend "
                   "(see `fourp history`).")
@click.option("--force-from", type=click.Choice(["field", "folder"]), default="field", show_default=True,
              help="Each plan's force: its `force` field, or its folder (one folder of force folders, or "
                   "one folder per force).")
@mapping_option
def audit(paths: Sequence[str], pack_name: Optional[str], as_of: dt.date, fail_on: Optional[str],
          min_score: Optional[float], fmt: str, output: Optional[str], reports: Sequence[Tuple[str, str]],
          template: Optional[str], max_findings: int, no_color: bool, max_bytes: Optional[int], sort: str,
          jobs: Optional[int], baseline: Optional[str], register_file: Optional[str], no_cache: bool,
          cache_dir: Optional[str], config_file: Optional[str], no_config: bool,
          exclude_globs: Sequence[str], history: Optional[str], force_from: str,
          mappings: Tuple[Any, ...]) -> None:
    """Audit every plan under the given folders and files: a summary, each plan's result, breakdowns.

    Exit codes: 0 every plan passes; 1 a plan fails (with --baseline: on its new findings), or, without
    --baseline, a cross-plan finding is at or above --fail-on; 2 a usage error, a bad pack, template,
    baseline or register, no plan found, a file that cannot be read as a plan, or a
    report that cannot be written. Every report is written whatever the exit code, unless the audit
    could not start (a usage error, a bad pack, template, baseline or register).
    """
    from . import audit as auditing
    from .read.baseline import compare, load_baseline
    from .cache.results import ResultsCache
    from .config import Exclude, excluded
    from .kept import light
    from .output.json import audit_document
    from .output.render import audit_data

    finder = _finder(config_file, no_config, pack=pack_name, fail_on=fail_on, min_score=min_score,
                     max_bytes=max_bytes, reports=tuple(reports) or None, jobs=jobs, register=register_file,
                     history=history)
    run = _run_settings(finder, paths)
    fail_on, min_score, jobs, register_file = run["fail_on"], run["min_score"], run["jobs"], run["register"]
    history = run["history"]
    pack_name = run.pack_ref
    pack = _load_pack(pack_name)
    outputs = _outputs(fmt, output, run["reports"], template,
                       [p for p in paths if not os.path.isdir(p)] + list(pack.files) + list(run.files)
                       + list(run.named) + [baseline or "", register_file or "", template or "", history or ""],
                       [p for p in paths if os.path.isdir(p)])
    from .audit import available_cpus
    from .read.register import load_register

    # --exclude globs are relative to each folder audited; a .fourp.yaml's to its own folder.
    given = [Exclude(os.path.abspath(p), glob) for glob in exclude_globs for p in paths if os.path.isdir(p)]

    def plan_settings(path: str) -> Any:
        settings = _settings(finder, path)
        ref = settings.pack_ref if settings.pack_ref is not None or pack_name is None else DEFAULT_PACK
        # A pack, register or mapping a .fourp.yaml names often sits beside the plans: it is not one.
        named = {os.path.realpath(f) for f in settings.named}
        return auditing.PlanSettings(ref, settings["max_bytes"], excluded(path, given)
                                     or excluded(path, settings["exclude"]) or os.path.realpath(path) in named)

    if jobs is not None and jobs > available_cpus():  # a worker per CPU is the most that helps
        _say(f"note: --jobs {jobs} is more than the {available_cpus()} CPUs this process may use; "
             f"using {available_cpus()}")
        jobs = available_cpus()

    earlier = _load_input(baseline, load_baseline, "baseline")
    register = _load_input(register_file, load_register, "register")
    _check_history(history, paths)
    progress = _Progress() if _progress_wanted() else None
    try:
        result = auditing.audit(list(paths), pack=pack, pack_ref=pack_name, as_of=as_of, jobs=jobs,
                                exclude=[p for _, p in outputs if p] + ([baseline] if baseline else [])
                                + ([register_file] if register_file else []) + ([history] if history else []),
                                max_bytes=run["max_bytes"], progress=progress, register=register,
                                cache=None if no_cache else ResultsCache(cache_dir), settings=plan_settings,
                                force_from=force_from, mappings=mappings)
    finally:
        if progress is not None:
            progress.close()
    import gc

    # What the audit keeps lives until the command ends: the collections the reports' writing sets off
    # need not walk it.
    gc.freeze()
    kept = light(result.reports)
    comparison = compare(earlier, [r.to_dict() for r in kept]) if earlier is not None else None
    extra, problems = _progress_views(result, pack, paths, history, run["max_bytes"], mappings)
    data = audit_data(result, pack, sort=sort, worst=max_findings, fail_on=fail_on, min_score=min_score,
                      comparison=comparison, **extra)
    document = audit_document(result, comparison)
    document.update(recommendations=extra["recommendations"], region=extra["region"])
    problems += _emit(outputs, data, document, template, no_color)
    if not result.reports and not result.errors:
        from .read import suffixes

        problems.append(f"no plan files ({', '.join(suffixes())}) found under {', '.join(paths)}"
                        + (f"; {len(result.skipped)} other files skipped" if result.skipped else ""))
    for skipped in result.skipped:
        _say(f"skipped {skipped['file']}: {skipped['reason']} ({skipped['hint']})")
    for error in result.errors:
        _say(str(error))
    for note in result.notes:  # one plan id in several files: the reports hold these too
        _say(f"note: {note['message']} ({note['hint']})")
    for problem in problems:
        _say(problem)
    _cache_notes()
    if result.errors or problems:
        sys.exit(EXIT_USAGE)
    failing = (comparison.failing(kept, fail_on, min_score) if comparison is not None
               else result.failed(fail_on, min_score) or result.portfolio_failed(fail_on))
    if failing:
        sys.exit(EXIT_FAILED)


def _check_history(history: Optional[str], paths: Sequence[str]) -> None:
    """A history that cannot be used stops the audit before it starts, naming the file and why."""
    from .history import HistoryError, open_history
    from .read.plan import PLAN_SUFFIXES

    if history is None:
        return
    if history.lower().endswith(PLAN_SUFFIXES) or os.path.realpath(history) in {os.path.realpath(p) for p in paths}:
        raise _Problem(f"{history} is (or looks like) a plan; fourp never writes over a plan")
    try:
        open_history(history).close()
    except HistoryError as exc:
        raise _Problem(f"bad history: {exc}") from None


def _progress_views(result: Any, pack: RulePack, paths: Sequence[str], history: Optional[str],
                    max_bytes: int, mappings: Sequence[Any] = ()) -> Tuple[Dict[str, Any], List[str]]:
    """The recommendations' state, the regional view and (recording the audit first) the history's trend,
    for the reports; and any problem recording it."""
    from .history import HistoryError, record, trends
    from .region import assess_audit, regional_view

    extra: Dict[str, Any] = {"recommendations": assess_audit(result, pack, max_bytes, mappings),
                             "region": regional_view(result, pack), "history": None}
    problems = []
    if history is not None:
        try:
            record(history, result, paths, extra["recommendations"])
            extra["history"] = trends(history, pack=pack.name)
        except HistoryError as exc:
            problems.append(f"this audit is not recorded in the history: {exc}")
    return extra, problems


@main.command(name="history")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Write the trend to FILE (atomically) instead of printing it.")
@click.option("--pack", "pack_name", metavar="NAME", default=None, help="Only the audits with this pack.")
@click.option("--force", metavar="NAME", default=None, help="Only this force's plans.")
@click.option("--last", type=click.IntRange(1), default=None, help="Only the latest N audits.")
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set).")
def history_command(file: str, fmt: str, output: Optional[str], pack_name: Optional[str], force: Optional[str],
                    last: Optional[int], no_color: bool) -> None:
    """Print the trend across the audits recorded in FILE: per force and per rule, movers, recommendations."""
    from .history import HistoryError, format_trends, trends
    from .output.render import colour_wanted

    if output is not None and output.lower().endswith((".yaml", ".yml")):
        raise _Problem(f"{output} looks like a plan; fourp never writes over a plan")
    try:
        data = trends(file, pack=pack_name, force=force, last=last)
    except HistoryError as exc:
        raise _Problem(f"bad history: {exc}") from None
    _emit_text(format_trends(data, fmt, colour=output is None and colour_wanted(sys.stdout, no_color)), output)


def _emit_text(text: str, output: Optional[str]) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    _write_text(output, text)


def _write_text(path: str, text: str) -> None:
    """Writes a report atomically and says so; a file that cannot be written is the run's problem."""
    from .output.write import write_atomic

    try:
        write_atomic(path, text)
    except OSError as exc:
        raise _Problem(f"cannot write {path}: {exc.strerror or exc}") from None
    _say(f"wrote {path}")


@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(path_type=str), metavar="DIR|FILE...")
@click.option("-o", "--output", "directory", required=True, type=click.Path(file_okay=False, path_type=str),
              metavar="DIR", help="Write each agency's folder here (made if absent).")
@pack_option
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse plan files larger than this.")
def partners(plans: Sequence[str], directory: str, pack_name: Optional[str], max_bytes: int) -> None:
    """Write, for each partner agency that owns actions, its own folder: those actions and its contacts.

    Only the fields the pack's `partners:` allow-list names leave a plan (HTML and CSV in DIR/AGENCY/).
    """
    from .partners import PartnerError, write_partner_packs

    pack = _load_pack(pack_name)
    try:
        written, errors = write_partner_packs(list(plans), directory, pack.partners, max_bytes=max_bytes)
    except PartnerError as exc:
        raise _Problem(str(exc)) from None
    except OSError as exc:
        raise _Problem(f"cannot write the partner files: {exc.strerror or exc}") from None
    if not written:
        click.echo("fourp: no partner agency owns an action in these plans; nothing written", err=True)
    for work, folder in written:
        _say(f"wrote {folder} ({len(work.actions)} action{'s' if len(work.actions) != 1 else ''})")
    for error in errors:
        _say(str(error))
    if errors:
        sys.exit(EXIT_USAGE)


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
        ps = ",".join(rule.ps) if rule.ps else ("portfolio" if rule.scope == "portfolio" else "plan")
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
        raise _Problem(exc.args[0]) from None
    out = [f"{rule.id}: {rule.title}",
           f"  severity {rule.severity}, weight {rule.weight:g}, concerns "
           f"{', '.join(rule.ps) if rule.ps else 'the whole plan'}{'' if rule.enabled else ' (disabled)'}",
           f"  check: {rule.check}"] + ([f"  why {rule.severity}: {' '.join(rule.severity_basis.split())}"]
                                        if rule.severity_basis else []) + [
           "", "Why it matters", f"  {rule.rationale}", "", "Basis"]
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
@click.argument("name", required=False, metavar="[KIND]")
def kinds(name: Optional[str]) -> None:
    """List the check kinds a rule can use, or print one kind's documentation."""
    from .checks import UnknownCheck
    from .docs import kind_doc, kind_docs

    if name is None:
        docs = kind_docs()
        width = max(len(d.name) for d in docs)
        for doc in docs:
            scope = "  (cross-plan)" if doc.scope == "portfolio" else ""
            click.echo(f"{doc.name:<{width}}  {doc.summary}{scope}")
        return
    try:
        click.echo(kind_doc(name).doc)
    except UnknownCheck as exc:
        raise _Problem(str(exc)) from None


@main.command()
@click.argument("which", type=click.Choice(["plan", "pack", "config", "mapping"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Write the schema to FILE (atomically) instead of printing it; point your editor at it.")
@click.option("--editor", is_flag=True,
              help="The editor's version: a plan's field names the format does not have are flagged as "
                   "likely misspellings (fourp check accepts them).")
def schema(which: str, output: Optional[str], editor: bool) -> None:
    """Print the JSON Schema of a plan, a rule pack, a .fourp.yaml or a mapping of a Word or Excel template."""
    from .schemas import editor_schema
    from .schemas import schema as get_schema

    text = json.dumps(editor_schema(which) if editor else get_schema(which), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    _write_file(output, text)


def _write_file(path: str, text: str) -> None:
    from .read.plan import PLAN_SUFFIXES

    if path.lower().endswith(tuple(s for s in PLAN_SUFFIXES if s != ".json")):
        raise _Problem(f"{path} is (or looks like) a plan; fourp never writes over a plan")
    _write_text(path, text)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              help="Write the blank plan here (refuses to overwrite) instead of printing it.")
@click.option("--schema", "schema_file", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="The plan schema the editor should use (written by `fourp schema plan --editor -o FILE`); "
                   "default: the one installed with fourp.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "docx", "xlsx"]), default="yaml", show_default=True,
              help="YAML with guidance comments, or a Word or Excel template with the same guidance.")
def new(output: Optional[str], schema_file: Optional[str], fmt: str) -> None:
    """Write a blank plan with guidance, to fill in: YAML, or a Word or Excel template.

    A YAML plan's first line points the YAML language server (VS Code's YAML extension, Neovim's yamlls)
    at the plan schema, a file on this machine, so the editor flags misspelt fields and values as they are
    typed.
    """
    from .write import blank, write

    content = blank(fmt)
    if fmt == "yaml":
        content = f"# yaml-language-server: $schema={_schema_reference(schema_file, output)}\n".encode() + content
    if output is None:
        if fmt != "yaml":
            raise click.UsageError(f"a {fmt} template is a file: give -o FILE")
        click.echo(content.decode("utf-8"), nl=False)
        return
    try:
        write(output, content)
    except FileExistsError:
        raise _Problem(f"{output} already exists; fourp never overwrites a plan") from None
    except OSError as exc:
        raise _Problem(f"cannot write {output}: {exc.strerror or exc}") from None
    _say(f"wrote {output}")


@main.command()
@click.argument("plan", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str), metavar="OUT",
              help="The new file: .yaml, .json, .docx or .xlsx (its suffix names the format; never overwritten).")
@mapping_option
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse plan files larger than this.")
def convert(plan: str, output: str, mappings: Tuple[Any, ...], max_bytes: int) -> None:
    """Convert PLAN (YAML, JSON, Word or Excel) into another format; Word and Excel in fourp's templates."""
    from .write import convert as convert_plan

    try:
        lost = convert_plan(plan, output, mappings, max_bytes)
    except PlanError as exc:
        raise _Problem(str(exc)) from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="-o") from None
    except FileExistsError:
        raise _Problem(f"{output} already exists; fourp never overwrites a file") from None
    except OSError as exc:
        raise _Problem(f"cannot write {output}: {exc.strerror or exc}") from None
    for path in lost:
        _say(f"warning: {path} has no place in the {os.path.splitext(output)[1]} template and is not in it")
    _say(f"wrote {output}")


def _schema_reference(schema_file: Optional[str], plan_file: Optional[str]) -> str:
    """Where a new plan's modeline finds the schema: a file given is named relative to the plan's folder
    (the language server reads it so, and the pair can move together); fourp's own installed copy by its
    full path."""
    from .resources import shipped

    if schema_file is None:
        return str(shipped("schemas").joinpath("plan.editor.schema.json"))
    base = os.path.dirname(os.path.abspath(plan_file)) if plan_file else os.getcwd()
    return os.path.relpath(os.path.abspath(schema_file), base).replace(os.sep, "/")


@main.command()
@click.argument("pack_files", nargs=-1, type=click.Path(dir_okay=False, path_type=str), metavar="[PACK]...")
@pack_option
@click.option("--rule", "rule_ids", multiple=True, help="Only this rule's examples (repeatable).")
def verify(pack_files: Sequence[str], pack_name: Optional[str], rule_ids: Sequence[str]) -> None:
    """Run the pack's own tests: each rule's examples must pass, fail or not apply as they say.

    PACK files may be named as arguments (as the pre-commit hook passes them), or one with --pack.
    Old spellings of the pack language are listed as deprecated (file, line, what to write); they still
    work and never fail the run."""
    from .verify import old_spellings, verify_pack

    refs: List[Optional[str]] = [*pack_files, *([pack_name] if pack_name or not pack_files else [])]
    failures = total = 0
    for ref in refs:
        pack = _load_pack(ref)
        prefix = f"{ref}: " if len(refs) > 1 else ""
        for old in old_spellings(pack):
            click.echo(_one_line(f"{prefix}deprecated: {old}"), err=True)
        for result in verify_pack(pack, list(rule_ids) or None):
            total += 1
            if not result.ok:
                failures += 1
                click.echo(f"{prefix}FAIL {result.rule}: {result.name}: expected {result.expected}, got {result.got}"
                           + (f" ({'; '.join(result.messages)})" if result.messages else ""))
    click.echo(f"{total - failures} passed, {failures} failed")
    if failures:
        sys.exit(EXIT_FAILED)


@main.group(name="cache")
def cache_group() -> None:
    """The results cache of `fourp audit`: where it is, and clearing it.

    It holds each audited plan's report (findings quote plan text), so treat it as you treat the plans.
    """


@cache_group.command(name="dir")
def cache_dir_command() -> None:
    """Print the folder the cache is kept in."""
    from .cache.store import default_cache_dir

    click.echo(default_cache_dir())


@cache_group.command(name="clear")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=str), metavar="DIR", default=None,
              help="Clear this cache folder instead of the user's.")
def cache_clear(cache_dir: Optional[str]) -> None:
    """Remove every kept result and compiled pack."""
    from .cache.results import ResultsCache

    cache = ResultsCache(cache_dir)
    removed = cache.clear()
    from .output.render import one_line

    click.echo(one_line(f"removed {removed} cached file{'s' if removed != 1 else ''} from {cache.directory}"),
               err=True)


@main.command(name="config")
@click.argument("path", required=False, default=".", type=click.Path(path_type=str))
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Show what this configuration file sets instead of the nearest .fourp.yaml's.")
@click.option("--no-config", is_flag=True, help="Show the settings with no .fourp.yaml read.")
def config_command(path: str, config_file: Optional[str], no_config: bool) -> None:
    """Print the settings in force for PATH (a plan or a folder; default here), and where each came from.

    fourp looks for .fourp.yaml in the plan's own folder, then each folder above it; the nearest wins
    (and may `extends` another). Options given on the command line override it.
    """
    from .config import CONFIG_NAME

    settings = _settings(_finder(config_file, no_config), path)
    files = settings.files
    click.echo(f"Settings for {_one_line(path)}")
    if files:
        click.echo("Configuration: " + ", extending ".join(_one_line(f) for f in files))
    else:
        click.echo(f"Configuration: none ({'--no-config' if no_config else f'no {CONFIG_NAME} here or above'})")
    rows = settings.describe()
    width = max(len(name) for name, _, _ in rows)
    for name, value, source in rows:
        click.echo(f"  {name:<{width}}  {_one_line(value)}  [{_one_line(source)}]")


@main.command()
@pack_option
@click.option("--as-of", "as_of_text", metavar="YYYY-MM-DD",
              help="Judge plans as at this date (default: the day each change is judged).")
@config_options[0]
@config_options[1]
def lsp(pack_name: Optional[str], as_of_text: Optional[str], config_file: Optional[str], no_config: bool) -> None:
    """Serve the Language Server Protocol on standard input and output, for editors.

    Shows fourp's findings as diagnostics while a plan is edited, a rule's explanation on hover, and
    the plan format's values on completion: the same engine, pack and .fourp.yaml as `fourp check`.
    Needs pygls: pip install 'fourp[lsp]'. See docs/editor.md.
    """
    try:
        import pygls  # noqa: F401
    except ImportError:
        raise _Problem("fourp lsp needs pygls: pip install 'fourp[lsp]'") from None
    from .lsp import PlanJudge, main as serve

    as_of = _as_of(click.get_current_context(), None, as_of_text) if as_of_text else None  # type: ignore[arg-type]
    serve(PlanJudge(config_file=config_file, use_config=not no_config, pack_name=pack_name, as_of=as_of))


@main.command(name="packs")
def packs() -> None:
    """List the packs shipped with fourp."""
    for name in shipped_packs():
        click.echo(name)


if __name__ == "__main__":  # pragma: no cover
    main()
