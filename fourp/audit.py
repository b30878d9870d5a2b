"""Auditing many plans: find them, evaluate each (in parallel, the pack copied once per process), summarise.

An unreadable or malformed file is one row with its reason; the audit always goes on. A worker process
killed while it evaluates plans (as the out-of-memory killer does) loses nothing: its plans are evaluated
again, each on its own, and a plan that kills a worker a second time is that plan's error. Workers end when
the audit's process does, however it ends.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import pickle
import signal
import statistics
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union, cast

from .cache.results import ResultsCache, Row
from .names import person_key
from .pack.load import RulePack, load_pack
from .cache.packs import without_templates
from .read.plan import DEFAULT_MAX_BYTES, PlanError
from .read.register import Register
from .kept import KeptReport, KeptReports, light
from .report import FAILED_STATUSES, PS, Report, at_or_above, plan_fails

__all__ = ["discover", "audit", "PlanSettings", "AuditReport", "summarise", "repeated_ids", "available_cpus"]

_GRADE_BINS = tuple(range(0, 100, 10))


def discover(paths: Sequence[str], exclude: Sequence[str] = (),
             errors: Optional[List[PlanError]] = None,
             skipped: Optional[List[Dict[str, str]]] = None) -> List[str]:
    """Every plan file under the paths, sorted: files of the formats `fourp.read` registers (YAML, JSON,
    Word, Excel), hidden folders and files skipped, the excluded paths (the audit's own outputs) skipped,
    symbolic links to folders not followed (no loops).

    A file named directly is taken whatever its suffix. Folders that cannot be listed are added to `errors`;
    every other file found and not taken is added to `skipped` with why (`file`, `reason`, `hint`).
    """
    from .read import MAPPING_SUFFIXES, skip_reason, suffixes

    plan_suffixes = suffixes()
    excluded = {os.path.realpath(p) for p in exclude}
    found: Dict[str, str] = {}
    for path in paths:
        if os.path.isdir(path):
            def failed(exc: OSError) -> None:
                if errors is not None:
                    errors.append(PlanError(exc.filename or path, f"cannot list this folder: {exc.strerror}",
                                            hint="ask for read access, or leave it out of the audit",
                                            code="unreadable"))
            for folder, dirs, files in os.walk(path, onerror=failed, followlinks=False):
                if skipped is not None:  # a hidden folder (.git, .Trash) is one line, not each file in it
                    skipped.extend({"file": os.path.join(folder, d), "reason": "a hidden folder, not audited",
                                    "hint": "nothing, unless it holds plans: then rename it without the dot"}
                                   for d in sorted(dirs) if d.startswith("."))
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and os.path.realpath(os.path.join(folder, d)) not in excluded)
                for name in sorted(files):
                    full = os.path.join(folder, name)
                    real = os.path.realpath(full)
                    if real in excluded:
                        continue
                    if name.startswith((".", "~$")) or not name.lower().endswith(plan_suffixes) \
                            or name.lower().endswith(MAPPING_SUFFIXES):
                        if skipped is not None:
                            reason, hint = skip_reason(full)
                            skipped.append({"file": full, "reason": reason, "hint": hint})
                        continue
                    found.setdefault(real, full)
        elif os.path.realpath(path) not in excluded:
            found.setdefault(os.path.realpath(path), path)
    return sorted(found.values())


# -- evaluation, in this process or in workers ------------------------------------------------------------

#: Where a report keeps what its reader said about the file (`Plan.notes`), for the audit's notes.
NOTES_KEY = "reader_notes"
_worker_packs: Dict[int, RulePack] = {}
_worker_settings: Dict[str, Any] = {}


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity, which a container or `taskset` narrows)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


_PR_SET_PDEATHSIG = 1


def _end_with_parent(parent: int) -> None:
    """Makes this worker end when the audit's process ends, however it ends (SIGKILL included): a worker
    left behind would wait on its pipe for ever. On Linux the kernel sends SIGKILL when the parent dies
    (prctl PR_SET_PDEATHSIG); elsewhere a thread watches for the parent to go."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)
        threading.Thread(target=watch, name="fourp-parent-watch", daemon=True).start()


def _init_worker(packs_blob: bytes, as_of: dt.date, max_bytes: int, cache_dir: Optional[str] = None,
                 cache_context: str = "", names: Tuple[str, ...] = (), mappings: Sequence[Any] = (),
                 parent: Optional[int] = None) -> None:
    if parent is not None:
        _end_with_parent(parent)
    for name in ("SIGTERM", "SIGHUP"):  # the command's handlers are for the parent; a worker just ends
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _worker_packs.update(pickle.loads(packs_blob))  # our own process's bytes, never read from a file
    _worker_settings.update(as_of=as_of, max_bytes=max_bytes, cache_context=cache_context, names=names,
                            cache=ResultsCache(cache_dir) if cache_dir else None, mappings=tuple(mappings))
    _collect_less(freeze=True)


def _evaluate_one(path: str, pack: RulePack, as_of: dt.date, max_bytes: int,
                  names: Sequence[str] = (), mappings: Sequence[Any] = (),
                  data: Optional[bytes] = None) -> Union[Report, Dict[str, Any]]:
    from .engine import evaluate
    from .portfolio.facts import FACTS_KEY, plan_facts
    from .read import read

    try:
        plan = read(path, max_bytes, mappings, data=data)
        report = evaluate(plan, pack, as_of, other_names=names)
        # The audit keeps reports, not plans: what the cross-plan rules need travels in the report (and a
        # macro-enabled file's ignored macros, for the audit's notes). A new report: results are never changed.
        meta = dict(report.meta, **{FACTS_KEY: plan_facts(plan, pack)})
        if plan.notes:
            meta[NOTES_KEY] = plan.notes
        return dataclasses.replace(report, meta=meta)
    except PlanError as exc:
        error = exc.to_dict()  # exceptions with extra fields do not pickle back from workers; dicts do
        return _other_layout(path, max_bytes, pack, error)
    except Exception as exc:  # never lose the rest of an audit to one file
        return PlanError(path, f"fourp could not evaluate this file: {type(exc).__name__}: {exc}",
                         hint="a fault in fourp or a plug-in check, not in the plan: please report it with "
                              "the file", code="internal-error").to_dict()


def _other_layout(path: str, max_bytes: int, pack: RulePack, error: Dict[str, Any]) -> Dict[str, Any]:
    """A file that is not a plan in the plan format may still be a 4P plan on another template: then it
    stays an unreadable file, says so, and carries facts for the cross-plan rules (one-template, the
    register)."""
    from .portfolio.facts import foreign_plan_facts
    from .portfolio.layouts import OTHER_TEMPLATE, foreign_plan, read_foreign

    if error.get("code") != "not-a-plan":
        return error
    data = read_foreign(path, max_bytes)
    if data is None:
        return error
    headings = foreign_plan(data)
    assert headings is not None
    error.update(code="other-template", reason=OTHER_TEMPLATE[0], hint=OTHER_TEMPLATE[1], line=1, column=1,
                 facts=foreign_plan_facts(data, headings, pack))
    return error


Kept = Tuple[Optional[str], Optional[Row]]  # a plan's content key and the row keeping its result


def _evaluate_and_keep(path: str, pack: RulePack, as_of: dt.date, max_bytes: int,
                       cache: Optional[ResultsCache], context: str, names: Sequence[str] = (),
                       mappings: Sequence[Any] = ()) -> Tuple[Union[Report, Dict[str, Any]], Kept]:
    """A plan's result and, with a cache, its content key and the row that keeps it. The file is read
    once: the bytes hashed for the key are the bytes evaluated, and the row holds the identity the file
    had when they were read (a plan edited meanwhile is then seen as changed by the next audit)."""
    from .read import read_limit
    from .read.files import FileRefused, read_file

    content = info = None
    if cache is not None:
        limit = read_limit(path, max_bytes)
        if limit is not None:
            try:
                content, info = read_file(path, limit)
            except FileRefused:  # not kept; the reader says why in its own words
                content = None
    result = _evaluate_one(path, pack, as_of, max_bytes, names, mappings, content)
    if cache is None or content is None or info is None:
        return result, (None, None)
    return result, cache.entry(context, path, info, content, result)


def _work(tasks: Sequence["Work"]
          ) -> Tuple[List[Union[KeptReport, Dict[str, Any]]], List[Tuple[str, str]], List[Kept]]:
    """A worker's part: the results of some plans, what went wrong with the cache meanwhile, and each
    plan's content key and row (the audit writes the rows: one writer, in batches)."""
    from .cache.store import take_noted

    results, kept = [], []
    settings = _worker_settings
    for path, pack_number, max_bytes, context in tasks:
        result, keeping = _evaluate_and_keep(path, _worker_packs[pack_number], settings["as_of"], max_bytes,
                                             settings["cache"], context, settings.get("names", ()),
                                             settings["mappings"])
        # Kept compactly here, in parallel: the audit's process only takes it in (a small object to unpickle).
        results.append(KeptReport(result) if isinstance(result, Report) else result)
        kept.append(keeping)
    return results, take_noted(), kept


#: What a plan that killed a worker twice is reported as.
OUT_OF_MEMORY = "fourp ran out of memory on this file"
_OUT_OF_MEMORY_HINT = ("the process evaluating it was killed twice (as the system does when memory runs out); "
                       "the other plans were audited. Check the file is one plan, and audit it alone")

Work = Tuple[str, int, int, str]  # (path, pack number, max bytes, context)


def _portable(packs: Dict[int, RulePack]) -> Optional[bytes]:
    """The packs as bytes a worker process rebuilds exactly (Jinja templates are compiled again there),
    or None if some part of one (a plug-in's) cannot be copied."""
    try:
        return pickle.dumps({n: without_templates(p) for n, p in packs.items()},
                            protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return None
Task = Tuple[int, Work]  # (slot, what to evaluate)


def _pool_run(tasks: Sequence[Task], workers: int, chunk: int, in_flight: int, initargs: Tuple[Any, ...],
              done: Callable[[Task, Union[Report, KeptReport, Dict[str, Any]]], None],
              keep: Optional[Callable[[Task, Kept], None]] = None) -> Optional[Tuple[List[Task], List[Task]]]:
    """Evaluates tasks in one pool, passing each result to `done`. None when all are done; if a worker dies,
    (the tasks that were in flight, the tasks not yet sent). Interrupted, it stops its workers at once."""
    from .cache.store import note_problem

    chunks = iter([list(tasks[i:i + chunk]) for i in range(0, len(tasks), chunk)])
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=initargs)
    running: Dict[Any, List[Task]] = {}
    try:
        while True:
            while len(running) < in_flight:
                part = next(chunks, None)
                if part is None:
                    break
                running[pool.submit(_work, [work for _, work in part])] = part
            if not running:
                return None
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            lost: List[Task] = []
            for future in list(running):
                if future not in finished and not future.done():
                    continue
                part = running.pop(future)
                try:
                    results, problems, kept = future.result()
                except BrokenProcessPool:
                    lost.extend(part)
                    continue
                for folder, reason in problems:
                    note_problem(folder, reason)
                for task, result, keeping in zip(part, results, kept):
                    if keep is not None:
                        keep(task, keeping)
                    done(task, result)
            if lost:
                lost.extend(task for part in running.values() for task in part)
                return lost, [task for part in chunks for task in part]
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP: the workers stop now, not after every plan
        _stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, AttributeError, ValueError):
            pass


def _evaluate_in_pools(tasks: Sequence[Task], jobs: int, chunk: int, initargs: Tuple[Any, ...],
                       done: Callable[[Task, Union[Report, KeptReport, Dict[str, Any]]], None],
                       keep: Optional[Callable[[Task, Kept], None]] = None) -> None:
    """Evaluates tasks in worker processes. When a worker dies, the plans it may have been evaluating are
    evaluated again one at a time (so the one that killed it is known), then the rest go on in a new
    pool; a plan that kills a worker on its own is reported as out of memory."""
    pending: List[Task] = list(tasks)
    suspects: List[Task] = []
    while pending or suspects:
        alone = bool(suspects)
        batch = suspects if alone else pending
        if alone:
            suspects = []
        else:
            pending = []
        broken = _pool_run(batch, 1 if alone else jobs, 1 if alone else chunk, 1 if alone else 2 * jobs,
                           initargs, done, keep)
        if broken is None:
            continue
        in_flight, unsent = broken
        if alone:  # it killed a worker with nothing else running: the second time
            for task in in_flight:
                done(task, PlanError(task[1][0], OUT_OF_MEMORY, hint=_OUT_OF_MEMORY_HINT,
                                     code="out-of-memory").to_dict())
            suspects = unsent
        else:
            suspects = in_flight
            pending = unsent




def _sharing(result: Union[Report, Dict[str, Any]], shared: Dict[Any, Any]) -> Union[Report, Dict[str, Any]]:
    """The report with the parts many reports hold alike (a rule passed, its title and remediation) made
    one object for all of them: reports from workers and the cache arrive as copies, and ten thousand
    plans' copies of the same results are most of an audit's memory."""
    if not isinstance(result, Report):
        return result
    results = tuple(shared.setdefault(r, r) for r in result.results)
    findings = tuple(dataclasses.replace(f, title=shared.setdefault(f.title, f.title),
                                         remediation=shared.setdefault(f.remediation, f.remediation))
                     for f in result.findings)
    return dataclasses.replace(result, results=results, findings=findings)


def _collect_less(freeze: bool = False) -> Tuple[int, int, int]:
    """Runs Python's cycle collector far less often; returns the old thresholds.

    A parsed plan is tens of thousands of small objects with no cycles among them (reference counting
    frees them), yet each allocation burst triggers collections that walk them all: with the default
    thresholds that doubles the cost of reading a plan. A worker also freezes what it holds for good
    (the pack), so the collections it still makes do not walk it.
    """
    old = gc.get_threshold()
    if freeze:
        gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    return old


def _as_error(data: Dict[str, Any]) -> PlanError:
    return PlanError(data["file"], data["reason"], data.get("line"), data.get("column"), data.get("hint", ""),
                     code=data.get("code"))


@dataclass(frozen=True)
class AuditReport:
    """The verdict on a set of plans: each plan's report, the files that could not be read, a summary."""

    as_of: dt.date
    pack: str
    pack_version: Optional[str]
    #: Each plan's report: a `KeptReports` (each decoded when read) from `audit`.
    reports: Sequence[Report]
    errors: Tuple[PlanError, ...]
    summary: Dict[str, Any] = field(default_factory=dict)
    portfolio: Dict[str, Any] = field(default_factory=dict)
    #: Things about the set of files a supervisor should know, such as one plan id in several files
    #: (`repeated_ids`); each a mapping with `kind`, `message`, `files` and `hint`.
    notes: Tuple[Dict[str, Any], ...] = ()
    #: Files found and not read as plans (an old .doc, a PDF, a picture): each `file`, `reason`, `hint`.
    skipped: Tuple[Dict[str, str], ...] = ()

    def failed(self, fail_on: str = "error", min_score: float = 0.0) -> List[Report]:
        kept = light(self.reports)
        if kept is self.reports:
            return [r for r in self.reports if plan_fails(r, fail_on, min_score)]
        return [self.reports[i] for i, r in enumerate(kept) if r.fails(fail_on, min_score)]

    def portfolio_failed(self, fail_on: str = "error") -> List[Dict[str, Any]]:
        """The cross-plan findings at or above `fail_on` (a threat with no plan, copied text, ...)."""
        return [f for f in self.portfolio.get("findings", ()) if at_or_above(f["severity"], fail_on)]

    def to_dict(self, plans: Any = None) -> Dict[str, Any]:
        """The audit as its JSON document holds it; `plans` in place of the reports' dicts (the JSON
        writer's `fourp.output.json.Plans`, which writes them one at a time)."""
        from .report import REPORT_FORMAT

        return {"format": REPORT_FORMAT, "kind": "audit", "as_of": self.as_of.isoformat(), "pack": self.pack,
                "pack_version": self.pack_version, "summary": self.summary, "portfolio": self.portfolio,
                "plans": [r.to_dict() for r in light(self.reports)] if plans is None else plans,
                "errors": [e.to_dict() for e in self.errors],
                "notes": [dict(n) for n in self.notes], "skipped": [dict(s) for s in self.skipped]}


@dataclass(frozen=True)
class PlanSettings:
    """What a plan's own configuration says about it (`fourp.config`): the pack that judges it (None for
    the audit's pack), the size limit, and whether it is excluded."""

    pack_ref: Optional[str] = None
    max_bytes: int = DEFAULT_MAX_BYTES
    excluded: bool = False


@dataclass
class _Group:
    """The plans judged by one pack under one size limit, evaluated together."""

    pack_ref: Optional[str]
    pack: RulePack
    max_bytes: int
    context: str = ""
    files: List[str] = field(default_factory=list)


def audit(paths: Sequence[str], pack: Optional[RulePack] = None, pack_ref: Optional[str] = None,
          as_of: Optional[dt.date] = None, jobs: Optional[int] = None, exclude: Sequence[str] = (),
          max_bytes: int = DEFAULT_MAX_BYTES,
          progress: Optional[Callable[[int, int], None]] = None,
          register: Optional[Register] = None, cache: Optional[ResultsCache] = None,
          settings: Optional[Callable[[str], PlanSettings]] = None, force_from: str = "field",
          mappings: Sequence[Any] = ()) -> AuditReport:
    """Audits every plan under `paths`, then judges the pack's portfolio rules across them.

    `pack` is the compiled pack to judge by (without one, `pack_ref`, a pack name or path, is loaded).
    With `jobs` > 1 and enough plans, each worker process gets a copy of exactly the packs this call
    judges by, so a pack changed in memory judges every plan whatever `jobs` is. `register` (from
    `fourp.read.register.load_register`) is the force's register of managed threats, for `every-threat-has-plan`.
    With a `cache` (`fourp.cache.results.ResultsCache`), a plan whose file, compiled pack, as-of date and fourp
    version are unchanged since it was last evaluated takes its report from the cache.

    `settings` gives each plan file its own pack, size limit and exclusion (from its folder's
    `.fourp.yaml`): the plans are grouped by pack and each group evaluated with its own, while the
    cross-plan rules (of `pack`) still see every plan. The summary's `packs` says which pack judged which.
    `force_from="folder"` takes each plan's force from its folder (`fourp.region.forces_from_folders`)
    instead of its `force` field. `mappings` (`fourp.read.load_mapping`) read Word and Excel plans kept
    in a force's own templates.
    """
    as_of = as_of or dt.date.today()
    if pack is None:
        pack = load_pack(pack_ref)
    discovery_errors: List[PlanError] = []
    skipped: List[Dict[str, str]] = []
    files = discover(paths, exclude, discovery_errors, skipped)
    mappings = tuple(mappings)
    own = settings or (lambda path: PlanSettings(None, max_bytes))
    groups: Dict[Tuple[Optional[str], int], _Group] = {}
    file_group: Dict[str, _Group] = {}
    kept_files = []
    for path in files:
        mine = own(path)
        if mine.excluded:
            continue
        ref = pack_ref if mine.pack_ref is None else mine.pack_ref
        group = groups.get((ref, mine.max_bytes))
        if group is None:
            same = ref == pack_ref
            group = groups[(ref, mine.max_bytes)] = _Group(ref, pack if same else load_pack(ref), mine.max_bytes)
        group.files.append(path)
        file_group[path] = group
        kept_files.append(path)
    files = kept_files
    jobs = min(max(1, jobs or available_cpus()), available_cpus())  # more workers than CPUs only cost memory
    slots: List[Optional[Union[KeptReport, Dict[str, Any]]]] = [None] * len(files)
    shared: Dict[Any, Any] = {}
    keeping = _keeper(paths if force_from == "folder" else None)

    def held(result: Union[Report, KeptReport, Dict[str, Any]]) -> Union[KeptReport, Dict[str, Any]]:
        """A report kept as it arrives (its JSON built once, compressed; by the worker that evaluated it):
        ten thousand plans' reports held as objects until the last arrived were most of an audit's memory,
        and what the collector walked."""
        if isinstance(result, KeptReport):
            if force_from == "folder":  # its force is its folder's: kept again with it
                return keeping(cast(Report, _sharing(result.report(), shared)))
            return result.sharing(shared)
        return keeping(cast(Report, _sharing(result, shared))) if isinstance(result, Report) else result
    if os.environ.get("FOURP_NO_CACHE"):  # every cache of fourp off, whatever the caller asked
        cache = None
    names = register.names if register is not None else ()
    # A report depends on the mappings that read the plan as much as on the pack.
    # (fourp's own mappings by their files, as `shipped_mapping` finds them: their content is all a key needs,
    # and parsing them cost a re-audit a tenth of its time)
    shipped_data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    reading = [m.file for m in mappings if m.file] + [os.path.join(shipped_data, f"{f}-mapping.yaml")
                                                   for f in ("docx", "xlsx")]
    if cache is not None:
        for group in groups.values():
            group.context = ResultsCache.context(group.pack, as_of, group.max_bytes, reading)
            if names:  # the register's names are part of what a plan is judged with
                group.context += "\0names " + "\0".join(names)
    tasks: List[Tuple[int, str, _Group]] = []  # (slot, path, group) to evaluate
    keys: List[Optional[str]] = [None] * len(files)  # each plan's content key, for the cross-plan verdict
    kept: Dict[str, Tuple[str, Any]] = {}
    if cache is not None:  # every file stat'ed, the index read once; an unchanged file is not opened
        for group in groups.values():
            kept.update(cache.kept(group.context, group.files, group.max_bytes))
    done = 0
    for index, path in enumerate(files):
        hit = kept.pop(path, None)
        if hit is None:
            tasks.append((index, path, file_group[path]))
            continue
        keys[index], report = hit
        slots[index] = held(report)
        done += 1
        if progress:
            progress(done, len(files))
    # Workers get the very packs this call judges by (a pack changed in memory is not the file it came
    # from); packs with plug-in parts that cannot be copied to another process are used here instead.
    numbers = {id(group): number for number, group in enumerate(groups.values())}
    packs_blob = (_portable({numbers[id(g)]: g.pack for g in groups.values()})
                  if jobs > 1 and len(tasks) >= 2 * jobs else None)
    if packs_blob is None:  # a pool costs more than it saves on a handful of plans
        thresholds = _collect_less()
        try:
            for index, path, group in tasks:
                result, (keys[index], row) = _evaluate_and_keep(path, group.pack, as_of, group.max_bytes, cache,
                                                                group.context, names, mappings)
                slots[index] = held(result)
                if cache is not None and row is not None:
                    cache.keep((row,))
                done += 1
                if progress:
                    progress(done, len(files))
        finally:
            gc.set_threshold(*thresholds)
    else:
        chunk = max(1, min(64, len(tasks) // (jobs * 8) or 1))
        finished = [done]

        def record(task: Task, result: Union[Report, KeptReport, Dict[str, Any]]) -> None:
            slots[task[0]] = held(result)
            finished[0] += 1
            if progress:
                progress(finished[0], len(files))

        def keep(task: Task, keeping: Kept) -> None:
            key, row = keeping
            keys[task[0]] = key
            if cache is not None and row is not None:
                cache.keep((row,))
        work: List[Task] = [(index, (path, numbers[id(group)], group.max_bytes, group.context))
                            for index, path, group in tasks]
        _evaluate_in_pools(work, jobs, chunk, (packs_blob, as_of, max_bytes,
                                               cache.directory if cache is not None else None, "", names, mappings,
                                               os.getpid()), record, keep)
    if cache is not None:
        cache.flush()
        cache.prune()
    results = [r for r in slots if r is not None]
    slots.clear()
    # The cross-plan verdicts depend on every plan's content (and the register): kept under all their keys.
    context = ResultsCache.context(pack, as_of, max_bytes, reading) if cache is not None else ""
    if cache is not None and len(groups) > 1:  # which pack judged each plan is part of what it depends on
        context += "\0" + "\0".join(sorted(g.context for g in groups.values()))
    known = [key for key in keys if key is not None]
    portfolio_key = (cache.portfolio_key(context, known, register)
                     if cache is not None and known and len(known) == len(keys) and not discovery_errors else None)
    judged = _judged_with_other_plans_kept(tuple(r for r in results if isinstance(r, KeptReport)), file_group,
                                           as_of, names, mappings, cache, portfolio_key, keeping)
    reports = KeptReports(judged)
    errors = tuple(discovery_errors) + tuple(_as_error(r) for r in results if isinstance(r, dict))
    from .portfolio.copied_text import reader_for_files
    from .portfolio.evaluate import evaluate_portfolio
    from .portfolio.facts import FACTS_KEY

    portfolio = None
    if cache is not None and portfolio_key is not None:
        portfolio = cache.get_portfolio(portfolio_key)
    if portfolio is None:
        # plans on another template (unreadable as plans) still count across the folder
        others = [(r["file"], r["facts"]) for r in results if isinstance(r, dict) and r.get("facts")]
        portfolio = evaluate_portfolio([(r.file or "<plan>", r.meta.get(FACTS_KEY)) for r in judged] + others,
                                       pack, as_of, register, reader_for_files(max_bytes, mappings)).to_dict()
        if cache is not None and portfolio_key is not None:
            cache.put_portfolio(portfolio_key, portfolio)
    if cache is not None:
        cache.close()
    summary = summarise(judged, errors, pack)
    summary["packs"] = _packs_used(judged, groups.values(), pack)
    return AuditReport(as_of=as_of, pack=pack.name, pack_version=pack.version, reports=reports, errors=errors,
                       summary=summary, portfolio=portfolio,
                       notes=tuple(repeated_ids(judged)) + tuple(reader_notes(judged)), skipped=tuple(skipped))


def _keeper(paths: Optional[Sequence[str]]) -> Callable[[Report], KeptReport]:
    """How the audit keeps a report: compactly, with its force taken from its folder when `paths` is given
    (`--force-from folder`)."""
    if paths is None:
        return KeptReport
    from .region import forces_from_folders

    def keeping(report: Report) -> KeptReport:
        return KeptReport(forces_from_folders((report,), paths)[0])
    return keeping


def reader_notes(reports: Sequence[Any]) -> List[Dict[str, Any]]:
    """What the readers said about files they read (a macro-enabled file's macros ignored), as notes."""
    return [{"kind": "reader", "files": [report.file or "<plan>"], "message": f"{report.file}: {note}",
             "hint": "nothing to do; the plan was checked"}
            for report in reports for note in report.meta.get(NOTES_KEY, ())]


def _packs_used(reports: Sequence[Any], groups: Iterable[_Group], pack: RulePack) -> List[Dict[str, Any]]:
    """Which pack judged which plans: one entry per pack (name, version, its file), with how many plans
    it judged and the folder that holds them all (`under`)."""
    by_file: Dict[str, Dict[str, Any]] = {}
    for group in sorted(groups, key=lambda g: g.pack.file or ""):
        entry = by_file.setdefault(group.pack.file or group.pack.name, {
            "pack": group.pack.name, "version": group.pack.version, "file": group.pack.file, "files": []})
        entry["files"].extend(group.files)
    readable = {r.file for r in reports}
    for entry in by_file.values():
        files = entry.pop("files")  # each plan's report names its pack; the summary keeps counts
        entry["plans"] = sum(1 for f in files if f in readable)
        folders = [os.path.dirname(f) or os.curdir for f in files]
        try:
            entry["under"] = os.path.commonpath(folders) if folders else None
        except ValueError:  # relative and absolute paths, or two drives: no one folder holds them
            entry["under"] = None
    if not by_file:
        by_file[pack.file or pack.name] = {"pack": pack.name, "version": pack.version, "file": pack.file,
                                           "plans": 0, "under": None}
    return list(by_file.values())


def _judged_with_other_plans_kept(reports: Tuple[KeptReport, ...], groups: Dict[str, "_Group"], as_of: dt.date,
                                  names: Sequence[str], mappings: Sequence[Any], cache: Optional[ResultsCache],
                                  key: Optional[str], keeping: Callable[[Report], KeptReport] = KeptReport
                                  ) -> Tuple[KeptReport, ...]:
    """`_judged_with_other_plans`, its outcome (the plans it judged again) kept under the key of the
    cross-plan verdict: with every plan and the register unchanged, no plan is read or judged again."""
    if cache is None or key is None:
        return _judged_with_other_plans(reports, groups, as_of, names, mappings, keeping)
    again = cache.get_reports(key)
    if again is not None:
        by_file = {report.file: report for report in again}
        if len(by_file) == len(again) and by_file.keys() <= {report.file for report in reports}:
            return tuple(keeping(by_file[report.file]) if report.file in by_file else report for report in reports)
    raw: List[Report] = []  # as judged, before the audit keeps them (the cache keeps reports, not their folders)

    def keep_raw(report: Report) -> KeptReport:
        raw.append(report)
        return keeping(report)
    judged = _judged_with_other_plans(reports, groups, as_of, names, mappings, keep_raw)
    cache.put_reports(key, raw)
    return judged


def _judged_with_other_plans(reports: Tuple[KeptReport, ...], groups: Dict[str, "_Group"], as_of: dt.date,
                             names: Sequence[str], mappings: Sequence[Any] = (),
                             keeping: Callable[[Report], KeptReport] = KeptReport) -> Tuple[KeptReport, ...]:
    """Each plan judged again, with the other plans' threat and operation names, where its text names
    one of them (its facts list the capitalised runs of words it holds): text-specific-to-threat then
    knows them as other threats, not only the register's. Only those few plans are read again."""
    from .engine import evaluate
    from .portfolio.facts import FACTS_KEY, mentioned_names
    from .read import read

    packs = {id(g.pack): g.pack for g in groups.values()}.values()
    if not any(r.check == "names-own-threat" for p in packs for r in p.plan_rules):
        return reports
    owners: Dict[str, List[str]] = {}  # a name's form -> the files whose threat or operation it is
    shown: Dict[str, str] = {}
    for report in reports:
        facts = report.meta.get(FACTS_KEY) or {}
        for name in (facts.get("threat") or {}).get("name"), facts.get("operation"):
            for form in mentioned_names(name):
                owners.setdefault(form, []).append(report.file or "")
                shown.setdefault(form, name or "")
    out = []
    for report in reports:
        facts = report.meta.get(FACTS_KEY) or {}
        # A plan's own threat and operation are never "another threat", even where a second plan (an old
        # copy, or a new plan for the same group) shares the name.
        own = set(mentioned_names((facts.get("threat") or {}).get("name"), facts.get("operation")))
        hits = {shown[form] for form in mentioned_names(*(facts.get("mentions") or ()), runs=True)
                if form in owners and form not in own and any(f != report.file for f in owners[form])}
        if not hits:
            out.append(report)
            continue
        group = groups.get(report.file or "")
        try:
            if group is None:
                raise PlanError(report.file, "not among the audit's files")
            plan = read(report.file or "", group.max_bytes, mappings)
        except PlanError:  # changed or gone since: keep the verdict it had
            out.append(report)
            continue
        again = evaluate(plan, group.pack, as_of, other_names=tuple(names) + tuple(sorted(hits)))
        out.append(keeping(dataclasses.replace(again, meta={**again.meta, **report.meta})))
    return tuple(out)


def repeated_ids(reports: Sequence[Any]) -> List[Dict[str, Any]]:
    """Plan ids that more than one file uses (ignoring case): an old copy left beside the live plan, or
    two plans under one reference. Each file is still scored; the note names them all."""
    files: Dict[str, List[str]] = {}
    shown: Dict[str, str] = {}
    for report in reports:
        if report.plan_id:
            key = report.plan_id.casefold()
            shown.setdefault(key, report.plan_id)
            files.setdefault(key, []).append(report.file or "<plan>")
    return [{"kind": "repeated-id", "id": shown[key], "files": sorted(names),
             "message": f"the plan id {shown[key]} is used by {len(names)} files: {', '.join(sorted(names))}",
             "hint": "keep one file per plan: remove the old copy, or give each plan its own id"}
            for key, names in sorted(files.items()) if len(names) > 1]


def _median(values: List[float]) -> Optional[float]:
    return round(statistics.median(values), 1) if values else None


def _group_stats(reports: Iterable[Any]) -> Dict[str, Any]:
    reports = list(reports)
    scores = [r.score for r in reports]
    return {"plans": len(reports), "median_score": _median(scores),
            "mean_score": round(statistics.fmean(scores), 1) if scores else None,
            "failing": sum(1 for r in reports if r.failed("error")),
            "grades": _count(r.grade for r in reports)}


def _count(values: Iterable[str]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return out


def summarise(reports: Sequence[Any], errors: Sequence[PlanError], pack: RulePack) -> Dict[str, Any]:
    """Counts a supervisor reads first: how many plans, how they score, which rules most plans fail.
    `reports` are `Report`s or `KeptReport`s (the fields, `result()` and `failed()` are all it reads)."""
    reports = light(reports)
    scores = [r.score for r in reports]
    bins = {f"{low}-{low + 9 if low < 90 else 100}": 0 for low in _GRADE_BINS}
    for score in scores:
        low = min(90, int(score // 10) * 10)
        bins[f"{low}-{low + 9 if low < 90 else 100}"] += 1
    grades = {band.grade: 0 for band in pack.grades}
    for report in reports:
        grades[report.grade] = grades.get(report.grade, 0) + 1
    # (failing, applicable, waived) of each rule, in one pass over each report's results (its first
    # result for a rule counts, as `Report.result` gives it).
    tally: Dict[str, List[int]] = {rule.id: [0, 0, 0] for rule in pack.plan_rules}
    for report in reports:
        seen = set()
        for result in report.results:
            counts = tally.get(result.rule)
            if counts is None or result.rule in seen:
                continue
            seen.add(result.rule)
            counts[0] += result.status in FAILED_STATUSES
            counts[1] += result.status != "not-applicable"
            counts[2] += result.status == "waived"
    rules: List[Dict[str, Any]] = []
    for rule in pack.plan_rules:
        failing, applicable, waived = tally[rule.id]
        rules.append({"rule": rule.id, "title": rule.title, "severity": rule.severity, "failing": failing,
                      "applicable": applicable, "waived": waived, "plans": len(reports)})
    rules.sort(key=lambda r: (-r["failing"], r["rule"]))
    forces: Dict[str, List[Any]] = {}
    lros: Dict[str, List[Any]] = {}
    lro_names: Dict[str, str] = {}
    for report in reports:
        forces.setdefault(report.force or "(no force)", []).append(report)
        key = person_key(report.lro) or "(no LRO named)"
        lro_names.setdefault(key, report.lro or "(no LRO named)")
        lros.setdefault(key, []).append(report)
    by_p = {}
    for p in PS:
        values = [value for r in reports if (value := r.p_scores.get(p)) is not None]
        by_p[p] = {"median_score": _median(values),
                   "mean_score": round(statistics.fmean(values), 1) if values else None}
    return {
        "plans": len(reports),
        "unreadable": len(errors),
        "files": len(reports) + len(errors),
        "failing": sum(1 for r in reports if r.failed("error")),
        "scores": {"median": _median(scores), "mean": round(statistics.fmean(scores), 1) if scores else None,
                   "min": min(scores) if scores else None, "max": max(scores) if scores else None,
                   "distribution": bins},
        "grades": grades,
        "rules": rules,
        "by_force": {force: _group_stats(group) for force, group in sorted(forces.items())},
        "by_lro": {lro_names[key]: dict(_group_stats(group), active=sum(1 for r in group if r.status == "active"))
                   for key, group in sorted(lros.items())},
        "by_p": by_p,
    }
