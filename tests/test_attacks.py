"""Issue 12: what attacking fourp as a hostile user and as a failing machine broke, each held by a test.

Nothing lost (no report over a file fourp reads, no device or link replaced, no half-written or exposed
temporary file, no audit lost to one killed worker or a full disk), nothing forged (cache entries bound to
their keys, one line per value, no escape sequence reaching a terminal), nothing run (every cache sealed,
every file fourp reads ordinary and bounded). Names are the issue's items: `test_item_N_...`.
"""
from __future__ import annotations

import ast
import json
import os
import pathlib
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from typing import Dict, List

import pytest
import yaml
from click.testing import CliRunner

import fourp
from fourp import audit as auditing
from fourp.cache.results import ResultsCache
from fourp.cli import main

from conftest import AS_OF, EXAMPLES, ROOT

HOSTILE = ROOT / "tests" / "hostile"
AS_OF_ARGS = ["--as-of", AS_OF.isoformat()]
NAMES: Dict[str, bytes] = {key: ast.literal_eval(value) for key, value in
                           yaml.safe_load((HOSTILE / "names.yaml").read_text("utf-8"))["names"].items()}
ESCAPES = ("\x1b", "\x07", "\x9b")


@pytest.fixture(autouse=True)
def own_homes(tmp_path, monkeypatch):
    """A cache folder and a key of this test's own (the attacks plant things in them)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    from fourp.cache import signing

    forget = getattr(signing, "forget_key", lambda: setattr(signing, "_key", None))  # older fourp: _key
    forget()
    yield
    forget()


def run(*args: object) -> "click.testing.Result":  # noqa: F821
    return CliRunner().invoke(main, [str(a) for a in args])


def fourp_process(*args: object, **kwargs: object) -> subprocess.CompletedProcess:
    """fourp as its own process (for signals, file descriptors and exit codes as a shell sees them)."""
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("timeout", 120)
    return subprocess.run([sys.executable, "-m", "fourp", *map(str, args)], check=False, **kwargs)  # type: ignore


def json_plan(source: pathlib.Path, target: pathlib.Path) -> None:
    target.write_text(json.dumps(yaml.safe_load(source.read_text("utf-8")), default=str, indent=1), "utf-8")


@pytest.fixture
def folder(tmp_path):
    """Two passing plans and two failing ones, one of them a JSON plan in a subfolder."""
    root = tmp_path / "d"
    (root / "sub").mkdir(parents=True)
    shutil.copy(EXAMPLES / "good-plan.yaml", root / "good.yaml")
    shutil.copy(EXAMPLES / "sussex-harbour-lane.yaml", root / "harbour.yaml")
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", root / "surrey.yaml")
    json_plan(EXAMPLES / "thames-valley-no-results.yaml", root / "sub" / "kingfisher.json")
    return root


def snapshot(root: pathlib.Path) -> Dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- 1. no report over any file the run reads -------------------------------------------------------------

def test_item_1_an_audits_report_is_never_written_over_a_file_it_reads(folder, tmp_path):
    register = tmp_path / "register.csv"
    shutil.copy(EXAMPLES / "register.csv", register)
    baseline = tmp_path / "baseline.json"
    assert run("audit", folder, *AS_OF_ARGS, "--format", "json", "-o", baseline).exit_code == 1
    before, inputs = snapshot(folder), {p: p.read_bytes() for p in (register, baseline)}
    attempts = [["-o", folder / "sub" / "kingfisher.json"],                       # a JSON plan audited
                ["--report", f"sarif:{folder / 'sub' / 'kingfisher.json'}"],      # the same, as --report
                ["--register", register, "-o", register],                          # the register
                ["--baseline", baseline, "--report", f"json:{baseline}"]]          # the baseline
    for attempt in attempts:
        result = run("audit", folder, *AS_OF_ARGS, *attempt)
        assert result.exit_code == 2 and "never writes over a plan or any file it reads" in result.output, attempt
    assert snapshot(folder) == before
    assert {p: p.read_bytes() for p in inputs} == inputs
    # An earlier report of its own in the folder is still written over (it is not read: the audit skips it).
    mine = folder / "audit.json"
    assert run("audit", folder, *AS_OF_ARGS, "--format", "json", "-o", mine).exit_code == 1
    assert run("audit", folder, *AS_OF_ARGS, "--format", "sarif", "-o", mine).exit_code == 1
    assert run("audit", folder, *AS_OF_ARGS, "--format", "json", "-o", mine).exit_code == 1
    assert json.loads(mine.read_text("utf-8"))["summary"]["plans"] == 4


def test_item_1_check_never_writes_over_its_pack_or_template(tmp_path):
    pack = tmp_path / "pack.json"  # a pack may have any name
    pack.write_text(json.dumps(yaml.safe_load(pathlib.Path(fourp.load_pack().file).read_text("utf-8")),
                               default=str))
    template = tmp_path / "mine.txt"
    template.write_text("{{ reports | length }} plans\n")
    before = pack.read_bytes(), template.read_bytes()
    plan = EXAMPLES / "good-plan.yaml"
    assert run("check", plan, *AS_OF_ARGS, "--pack", pack, "--format", "json", "-o", pack).exit_code == 2
    assert run("check", plan, *AS_OF_ARGS, "--template", template, "-o", template).exit_code == 2
    assert (pack.read_bytes(), template.read_bytes()) == before


# -- 2. devices, pipes, `-` and links ---------------------------------------------------------------------

def test_item_2_a_character_device_is_written_in_place_never_replaced(tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the system's /dev/null, in a test folder
    except (PermissionError, OSError, AttributeError) as exc:
        pytest.skip(f"cannot make a device here (needs root on a filesystem that allows them): {exc}")
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "-o", null)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(null).st_mode) and os.stat(null).st_rdev == os.makedev(1, 3)
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_item_2_a_named_pipe_is_written_in_place_never_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: List[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--format", "json", "-o", fifo)
    thread.join(10)
    if thread.is_alive() and stat.S_ISFIFO(os.stat(fifo).st_mode):  # fourp never opened it: free the reader
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        thread.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and json.loads(received[0])["plan"]["id"] == "SXP-4P-2024-007"


def test_item_2_dash_is_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--format", "json", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["plan"]["id"] == "SXP-4P-2024-007"
    assert not (tmp_path / "-").exists()
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--report", "json:-")
    assert result.exit_code == 2 and "two reports would be written to standard output" in result.output


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_item_2_a_link_is_followed_and_its_file_replaced_never_the_link(tmp_path):
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "latest.json"
    target.write_text("{}\n")
    target.chmod(0o640)
    link = tmp_path / "report.json"
    link.symlink_to(target)
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--format", "json", "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text("utf-8"))["plan"]["id"] == "SXP-4P-2024-007"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path / "reports")) == ["latest.json"]


# -- 3. cache entries bound to their keys -------------------------------------------------------------------

def _index(cache_dir: str) -> sqlite3.Connection:
    """The results index of a cache folder, opened as anyone who can write to the folder could."""
    return sqlite3.connect(ResultsCache(cache_dir).index_path, isolation_level=None)


def _verdicts(result: auditing.AuditReport) -> Dict[str, float]:
    return {os.path.basename(r.file): r.score for r in result.reports}


def test_item_3_an_entry_copied_over_another_plans_is_ignored(folder, tmp_path, pack):
    cache = str(tmp_path / "shared")
    fresh = auditing.audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, cache=ResultsCache(cache))
    assert len(fresh.failed()) == 2
    db = _index(cache)
    rows = {os.path.basename(os.fsdecode(path)): (blob, digest, racy)
            for path, blob, digest, racy in db.execute("SELECT path, blob, digest, racy FROM plans")}
    for name in ("surrey.yaml", "kingfisher.json"):  # a passing plan's result over the failing plans'
        db.execute("UPDATE plans SET blob = ?, digest = ?, racy = ? WHERE path = ?",
                   (*rows["good.yaml"], os.fsencode(str(folder / name))))
    db.close()
    again = auditing.audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, cache=ResultsCache(cache))
    assert _verdicts(again) == _verdicts(fresh) and len(again.failed()) == 2
    assert sorted(os.path.basename(r.file) for r in again.reports) == sorted(_verdicts(fresh))


def test_item_3_an_entry_of_the_wrong_kind_is_ignored(folder, tmp_path, pack):
    cache = str(tmp_path / "shared")
    fresh = auditing.audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, cache=ResultsCache(cache))
    db = _index(cache)
    [(cross_plan,)] = db.execute("SELECT blob FROM verdicts").fetchall()
    db.execute("UPDATE plans SET blob = ?", (cross_plan,))  # the cross-plan verdict where each report belongs
    again = auditing.audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, cache=ResultsCache(cache))
    assert _verdicts(again) == _verdicts(fresh) and not again.errors
    # and a plan's report where the cross-plan verdict belongs
    (plan,) = db.execute("SELECT blob FROM plans LIMIT 1").fetchone()
    db.execute("UPDATE verdicts SET blob = ?", (plan,))
    db.close()
    third = auditing.audit([str(folder)], pack=pack, as_of=AS_OF, jobs=1, cache=ResultsCache(cache))
    assert third.portfolio == fresh.portfolio


# -- 4. the compiled-template cache --------------------------------------------------------------------------

def _template_bucket(name: str) -> "jinja2.bccache.Bucket":  # noqa: F821
    import jinja2

    from fourp.resources import shipped

    filename = os.path.normpath(os.path.join(str(shipped("templates")), name))
    source = pathlib.Path(filename).read_text("utf-8")
    cache = jinja2.BytecodeCache()
    return jinja2.bccache.Bucket(jinja2.Environment(), cache.get_cache_key(name, filename),
                                 cache.get_source_checksum(source))


def test_item_4_a_planted_compiled_template_never_runs(tmp_path):
    """A compiled template is Python bytecode: one planted in the cache (under the name Jinja's own cache
    would use, and the name fourp uses) must never be loaded."""
    marker = tmp_path / "planted-template-ran"
    code = (HOSTILE / "cache" / "planted-template.py").read_text("utf-8").replace("MARKER", repr(str(marker)))
    from fourp.cache.code_identity import code_fingerprint

    templates = tmp_path / "xdg-cache" / "fourp" / "templates"
    # where each layout fourp has used keeps them: one folder, and one per version of its code and flavour
    folders = [templates, templates / code_fingerprint()[:16] / "text"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for name in ("text.j2", "_macros.j2", "audit.txt.j2"):
        bucket = _template_bucket(name)
        bucket.code = compile(code, name, "exec")
        planted = bucket.bytecode_to_string()
        for folder in folders:
            for file in (f"__jinja2_{bucket.key}.cache", f"{bucket.key}.cache"):
                (folder / file).write_bytes(planted)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg-cache"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    done = fourp_process("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, env=env)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert b"Score" in done.stdout


def test_item_4_a_flipped_bit_in_any_cache_file_changes_nothing(folder, tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg-cache"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    first = fourp_process("audit", folder, *AS_OF_ARGS, "--jobs", "1", env=env)
    cached = [p for p in (tmp_path / "xdg-cache").rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert any("templates" in p.parts for p in cached) and any("results" in p.parts for p in cached)
    for path in cached:
        data = bytearray(path.read_bytes())
        data[len(data) * 2 // 3] ^= 0x10
        path.write_bytes(bytes(data))
    again = fourp_process("audit", folder, *AS_OF_ARGS, "--jobs", "1", env=env)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout), again.stderr


# -- 5. the key ----------------------------------------------------------------------------------------------

def test_item_5_an_empty_key_is_replaced_and_the_cache_works(folder, tmp_path):
    from fourp.cache import signing

    key = pathlib.Path(signing.key_path())
    key.parent.mkdir(parents=True)
    key.write_bytes(b"")  # what a full disk left when the key was first made
    key.chmod(0o600)
    cache = tmp_path / "cache"
    assert run("audit", folder, *AS_OF_ARGS, "--jobs", "1", "--cache-dir", cache).exit_code == 1
    assert len(key.read_bytes()) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert ResultsCache(str(cache)).entries() == 5  # four plans, one verdict


def test_item_5_a_key_others_can_read_is_refused_saying_how_to_fix_it(folder, tmp_path):
    from fourp.cache import signing

    cache = tmp_path / "cache"
    assert run("audit", folder, *AS_OF_ARGS, "--jobs", "1", "--cache-dir", cache).exit_code == 1
    shutil.rmtree(cache)
    key = pathlib.Path(signing.key_path())
    key.chmod(0o644)
    result = CliRunner().invoke(main, ["audit", str(folder), *AS_OF_ARGS, "--jobs", "1", "--cache-dir", str(cache)])
    assert result.exit_code == 1
    [said] = [line for line in result.stderr.splitlines() if "cache key" in line]
    assert f"chmod 600 {key}" in said
    assert ResultsCache(str(cache)).entries() == 0  # nothing kept under a key others know


# -- 6. private folders and files; an unusable cache said once ----------------------------------------------

def test_item_6_every_folder_fourp_makes_for_its_caches_is_0700_and_every_file_0600(folder, tmp_path):
    old = os.umask(0o022)
    try:
        deep = tmp_path / "xdg-cache" / "not" / "yet"
        env = dict(os.environ, XDG_CACHE_HOME=str(deep), XDG_CONFIG_HOME=str(tmp_path / "cfg" / "new"))
        done = fourp_process("audit", folder, *AS_OF_ARGS, "--jobs", "1", env=env)
    finally:
        os.umask(old)
    assert done.returncode == 1, done.stderr
    made = [tmp_path / "xdg-cache", tmp_path / "cfg"]
    seen = 0
    for root in made:
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
            seen += 1
    assert seen > 10


def test_item_6_a_cache_with_a_file_in_the_way_is_said_once(folder, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder\n")
    result = CliRunner().invoke(main, ["audit", str(folder), *AS_OF_ARGS, "--jobs", "2",
                                       "--cache-dir", str(blocker / "cache")])
    assert result.exit_code == 1
    said = [line for line in result.stderr.splitlines() if "cannot be used" in line]
    assert len(said) == 1 and str(blocker / "cache") in said[0], result.stderr
    assert blocker.read_text() == "not a folder\n"


@pytest.fixture
def full_tmpfs(tmp_path):
    """A small tmpfs, mounted for the test and filled, then unmounted: a full disk."""
    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        (mount / "cache").mkdir()
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_item_6_a_full_cache_disk_is_said_once_and_the_audit_goes_on(folder, full_tmpfs, tmp_path):
    for index in range(12):  # enough plans for worker processes, each failing to store
        shutil.copy(EXAMPLES / "good-plan.yaml", folder / f"copy-{index}.yaml")
    result = CliRunner().invoke(main, ["audit", str(folder), *AS_OF_ARGS, "--jobs", "2", "--format", "json",
                                       "--cache-dir", str(full_tmpfs / "cache")])
    assert result.exit_code == 1 and json.loads(result.stdout)["summary"]["plans"] == 16
    said = [line for line in result.stderr.splitlines() if "cannot be used" in line]
    assert len(said) == 1 and str(full_tmpfs / "cache") in said[0], result.stderr


def test_item_5_a_full_disk_when_the_key_is_made_is_said_and_the_audit_goes_on(folder, full_tmpfs):
    env = dict(os.environ, XDG_CONFIG_HOME=str(full_tmpfs / "config"))
    done = fourp_process("audit", folder, *AS_OF_ARGS, "--jobs", "1", env=env)
    assert done.returncode == 1
    said = [line for line in done.stderr.decode().splitlines() if "cache key" in line]
    assert len(said) == 1, done.stderr
    assert not (full_tmpfs / "config" / "fourp" / "cache.key").exists() or \
        len((full_tmpfs / "config" / "fourp" / "cache.key").read_bytes()) in (0, 32)


# -- 7, 8, 9. worker processes -------------------------------------------------------------------------------

def _children(pid: int) -> List[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = pathlib.Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds the workers through /proc (Linux)")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_item_7_workers_end_when_the_audit_is_killed(tmp_path, how):
    plans = tmp_path / "plans"
    plans.mkdir()
    for index in range(400):
        shutil.copy(EXAMPLES / "sussex-harbour-lane.yaml", plans / f"plan-{index:03}.yaml")
    process = subprocess.Popen([sys.executable, "-m", "fourp", "audit", str(plans), *AS_OF_ARGS, "--jobs", "2",
                                "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    workers: List[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            workers = _children(process.pid)
        assert len(workers) >= 2, "the audit never started its workers"
        process.send_signal(getattr(signal, how))
        process.wait(timeout=60)
        number = getattr(signal, how)
        assert process.returncode in (-number, 128 + number), "the audit ended before it was killed"
        deadline = time.monotonic() + 20
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _running(w)], "workers left running after the audit died"
    finally:
        for pid in [process.pid, *workers]:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _plans(tmp_path: pathlib.Path, count: int) -> pathlib.Path:
    root = tmp_path / "plans"
    root.mkdir()
    names = ["good-plan.yaml", "surrey-no-lro.yaml", "sussex-harbour-lane.yaml"]
    for index in range(count):
        shutil.copy(EXAMPLES / names[index % 3], root / f"plan-{index:02}.yaml")
    shutil.copy(EXAMPLES / "good-plan.yaml", root / "killer.yaml")
    return root


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("times", [1, 2])
def test_item_8_a_killed_worker_loses_nothing_and_a_plan_killing_two_is_its_error(tmp_path, pack, monkeypatch,
                                                                                  times):
    """As the out-of-memory killer would: the worker evaluating `killer.yaml` is killed, once or every time."""
    root = _plans(tmp_path, 15)
    kills = tmp_path / "kills"
    real = auditing._evaluate_one

    def evaluate(path, *args, **kwargs):
        if path.endswith("killer.yaml"):
            with open(kills, "a") as handle:
                handle.write("x")
            if len(kills.read_text()) <= times:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(auditing, "_evaluate_one", evaluate)  # workers are forked with it
    if auditing.ProcessPoolExecutor(max_workers=1)._mp_context.get_start_method() != "fork":  # pragma: no cover
        pytest.skip("the killing stand-in reaches workers only when they are forked")
    result = auditing.audit([str(root)], pack=pack, pack_ref=pack.file, as_of=AS_OF, jobs=2)
    evaluated = {os.path.basename(r.file) for r in result.reports} | {os.path.basename(e.file) for e in result.errors}
    assert evaluated == {p.name for p in root.iterdir()}
    if times == 1:
        assert not result.errors and len(result.reports) == 16
    else:
        [error] = result.errors
        assert error.file.endswith("killer.yaml") and error.code == "out-of-memory" and error.hint
        assert error.reason == auditing.OUT_OF_MEMORY
        assert len(result.reports) == 15


def test_item_9_jobs_are_capped_at_the_cpus_available(folder, monkeypatch):
    sizes = []

    class Recording(auditing.ProcessPoolExecutor):
        def __init__(self, max_workers=None, **kwargs):
            sizes.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)
    monkeypatch.setattr(auditing, "ProcessPoolExecutor", Recording)
    for index in range(12):
        shutil.copy(EXAMPLES / "good-plan.yaml", folder / f"copy-{index}.yaml")
    result = CliRunner().invoke(main, ["audit", str(folder), *AS_OF_ARGS, "--jobs", "1000", "--no-cache"])
    assert result.exit_code == 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert f"--jobs 1000 is more than the {cpus} CPU" in result.stderr
    assert sizes and max(sizes) <= cpus
    library = auditing.audit([str(folder)], pack_ref=None, as_of=AS_OF, jobs=1000)
    assert len(library.reports) == 16 and max(sizes) <= cpus


# -- 10. signals while writing a report ----------------------------------------------------------------------

KILL_WHILE_WRITING = """
import os, signal, sys, time
real_fsync, how = os.fsync, getattr(signal, sys.argv[1])
def fsync(fd):
    os.kill(os.getpid(), how)
    time.sleep(30)
    real_fsync(fd)
os.fsync = fsync
from fourp.cli import main
sys.argv = ["fourp"] + sys.argv[2:]
main()
"""


def _write_killed(tmp_path: pathlib.Path, how: str, report: pathlib.Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, FOURP_NO_CACHE="1")
    return subprocess.run([sys.executable, "-c", KILL_WHILE_WRITING, how, "check", str(EXAMPLES / "good-plan.yaml"),
                           *AS_OF_ARGS, "--format", "json", "-o", str(report)], capture_output=True, timeout=120,
                          check=False, env=env)


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_item_10_sigterm_and_sighup_while_writing_remove_the_temporary_file(tmp_path, how):
    if not hasattr(signal, how):
        pytest.skip(f"no {how} here")
    report = tmp_path / "report.json"
    report.write_text("previous\n")
    done = _write_killed(tmp_path, how, report)
    assert done.returncode == 128 + getattr(signal, how), done.stderr
    assert report.read_text() == "previous\n"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_item_10_a_temporary_file_has_the_reports_permissions_and_the_next_run_removes_it(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("previous\n")
    report.chmod(0o600)
    done = _write_killed(tmp_path, "SIGKILL", report)
    assert done.returncode == -signal.SIGKILL
    [temp] = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]  # SIGKILL cannot be handled
    assert temp.startswith(".report.json.")
    assert stat.S_IMODE(os.stat(tmp_path / temp).st_mode) == 0o600
    assert report.read_text() == "previous\n"
    result = run("check", EXAMPLES / "good-plan.yaml", *AS_OF_ARGS, "--format", "json", "-o", report)
    assert result.exit_code == 0
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_item_10_another_files_temporary_and_a_live_run_are_left_alone(tmp_path):
    from fourp.output.write import _host, remove_stale_temporaries, write_atomic

    write_atomic(str(tmp_path / "a.json"), "{}")
    live = tmp_path / f".a.json.{_host()}-{os.getpid()}-0123456789ab.tmp"  # this process: alive
    live.write_text("being written")
    other = tmp_path / ".b.json.0123abcd-1-0123456789ab.tmp"
    other.write_text("another report's")
    stranger = tmp_path / ".a.json.someone-else.tmp"
    stranger.write_text("not ours")
    assert remove_stale_temporaries(str(tmp_path), "a.json") == 0
    assert live.exists() and other.exists() and stranger.exists()


# -- 11. standard output on a full disk ----------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("command", ["check", "audit"])
def test_item_11_standard_output_on_a_full_disk_is_exit_2_with_the_other_reports_written(folder, tmp_path,
                                                                                        command):
    target = EXAMPLES / "good-plan.yaml" if command == "check" else folder
    with open("/dev/full", "w") as full:
        done = fourp_process(command, target, *AS_OF_ARGS, "--report", f"json:{tmp_path / 'a.json'}",
                             "--report", f"html:{tmp_path / 'a.html'}", stdout=full, stderr=subprocess.PIPE,
                             capture_output=False)
    assert done.returncode == 2
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr and "standard output" in stderr
    assert json.loads((tmp_path / "a.json").read_text("utf-8")) and (tmp_path / "a.html").stat().st_size > 0


# -- 12, 13, 14. names and text -------------------------------------------------------------------------------

def _named_folder(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "named"
    root.mkdir()
    for name in NAMES.values():
        shutil.copy(EXAMPLES / "surrey-no-lro.yaml", os.path.join(os.fsencode(root), name))
    for name in ("id-forges-a-row.yaml", "escape-id-1.yaml", "escape-id-2.yaml", "escape-in-tag.yaml"):
        shutil.copy(HOSTILE / "texts" / name, root / name)
    return root


def _rows(text: str) -> List[str]:
    """The rows of an audit's text report that show a plan's score."""
    import re

    return [line for line in text.splitlines() if re.match(r"\s*\d+\.\d\s{2}", line)]


def test_item_12_no_value_forges_a_row_of_a_text_report(tmp_path):
    root = _named_folder(tmp_path)
    done = fourp_process("audit", root, *AS_OF_ARGS, "--no-color", "--jobs", "1", "--no-cache")
    assert done.returncode == 2
    text = done.stdout.decode("utf-8")
    document = json.loads(fourp_process("audit", root, *AS_OF_ARGS, "--format", "json", "--jobs", "1",
                                        "--no-cache").stdout)
    assert len(_rows(text)) == document["summary"]["plans"] == 7
    assert "outstanding" not in " ".join(line.split("outstanding")[0] for line in _rows(text) if
                                         line.split()[1] == "outstanding")
    assert not [line for line in text.splitlines() if line.lstrip().startswith("100.0")]
    assert "SXP-4P-2024-071\\n  100.0" in text and "\\u2028" in text
    for plan in ("id-forges-a-row.yaml",):  # `fourp check` in a terminal too
        checked = fourp_process("check", root / plan, *AS_OF_ARGS).stdout.decode("utf-8")
        assert not [line for line in checked.splitlines() if line.lstrip().startswith("100.0")]


def test_item_13_no_escape_sequence_reaches_the_terminal_even_in_errors(tmp_path):
    root = _named_folder(tmp_path)
    for colour in ([], ["--no-color"]):
        done = fourp_process("audit", root, *AS_OF_ARGS, "--jobs", "1", "--no-cache", *colour)
        out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
        assert "the plan id SXP-4P-2024-072\\x1b[2J\\x1b]0;owned\\x07" in err       # the repeated-id note
        assert "the tag tag:x\\x1b[2J\\x1b]0;owned\\x07 is not allowed" in err         # the refused tag
        for stream in (out, err) if colour else (err,):
            assert not any(c in stream for c in ESCAPES), stream
    bad_pack = tmp_path / "pack\x1b[2J.yaml"  # a usage error quoting a file name
    bad_pack.write_text("fourp-pack: 1\n")
    done = fourp_process("check", EXAMPLES / "good-plan.yaml", "--pack", bad_pack)
    assert done.returncode == 2 and b"\x1b" not in done.stderr and b"pack\\x1b[2J.yaml" in done.stderr
    done = fourp_process("check", "--no-color", "--\x1b]0;owned\x07")  # click's own usage error quotes it
    assert done.returncode == 2 and not any(c.encode() in done.stderr for c in ESCAPES), done.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json", "csv", "junit", "sarif"])
def test_item_14_a_name_that_is_not_utf8_never_crashes_a_report(tmp_path, fmt):
    root = tmp_path / "plans"
    root.mkdir()
    name = NAMES["not-utf-8"]
    shutil.copy(EXAMPLES / "surrey-no-lro.yaml", os.path.join(os.fsencode(root), name))
    shutil.copy(EXAMPLES / "good-plan.yaml", root / "good.yaml")
    here = {"cwd": tmp_path}  # relative names, as a shell passes them (SARIF makes them relative URIs)
    to_file = fourp_process("audit", "plans", *AS_OF_ARGS, "--no-cache", "--format", fmt, "-o", "out", **here)
    assert to_file.returncode == 1, to_file.stderr
    written = (tmp_path / "out").read_bytes().decode("utf-8")  # UTF-8, the name escaped
    assert "Traceback" not in to_file.stderr.decode()
    to_stdout = fourp_process("audit", "plans", *AS_OF_ARGS, "--no-cache", "--format", fmt, **here)
    assert to_stdout.returncode == 1 and "Traceback" not in to_stdout.stderr.decode()
    shown = to_stdout.stdout.decode("utf-8")
    if fmt == "json":
        assert {os.path.basename(p["file"]) for p in json.loads(written)["plans"]} == {
            "good.yaml", os.fsdecode(name)}  # JSON's \udcff escapes give the name back exactly
    elif fmt == "sarif":
        assert "plans/%FF%FE-plan.yaml" in shown
    elif fmt in ("text", "markdown"):
        assert "\\xff\\xfe-plan.yaml" in shown
    checked = fourp_process("check", os.fsdecode(os.path.join(b"plans", name)), *AS_OF_ARGS, "--format", fmt, **here)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr.decode()


# -- 15. option files ---------------------------------------------------------------------------------------

def _limited() -> None:
    """At most 1 GB of memory: reading a device until memory runs out must not take the machine down."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _usage_error(done: subprocess.CompletedProcess, file: object) -> None:
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2 and "Traceback" not in stderr, stderr
    assert str(file) in stderr, stderr


@pytest.mark.parametrize("option,file", [("--baseline", "baseline-deep.json"),
                                         ("--baseline", "baseline-huge-format.json"),
                                         ("--register", "register-deep.yaml")])
def test_item_15_a_hostile_option_file_is_a_usage_error(folder, option, file):
    path = HOSTILE / "options" / file
    _usage_error(fourp_process("audit", folder, *AS_OF_ARGS, option, path, "--jobs", "1"), path)


@pytest.mark.parametrize("option", ["--baseline", "--register", "--pack", "--template", "--config"])
def test_item_15_a_device_or_a_pipe_as_an_option_file_is_refused_unread(folder, tmp_path, option):
    suffix = {"--register": ".csv", "--pack": ".yaml", "--config": ".yaml"}.get(option, "")
    targets = ["/dev/zero"] if os.path.exists("/dev/zero") else []
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / f"pipe{suffix}"
        os.mkfifo(fifo)
        targets.append(str(fifo))
    if not targets:
        pytest.skip("no devices or named pipes here")
    for target in targets:
        try:
            done = fourp_process("audit", folder, *AS_OF_ARGS, option, target, "--jobs", "1", timeout=20,
                                 preexec_fn=_limited)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{option} {target} hung")
        _usage_error(done, target)
        assert b"not an ordinary file" in done.stderr


def test_item_15_the_safe_reader_limits_what_it_reads_not_what_a_file_claims(tmp_path):
    from fourp.read.files import FileRefused, read_bytes

    grown = tmp_path / "grows.json"
    grown.write_bytes(b"x" * 100)
    assert read_bytes(str(grown), 100) == b"x" * 100
    with pytest.raises(FileRefused) as refused:
        read_bytes(str(grown), 99)
    assert refused.value.kind == "too-large" and str(grown) in str(refused.value)
    if os.path.exists("/dev/zero"):
        with pytest.raises(FileRefused) as refused:
            read_bytes("/dev/zero", 10)
        assert refused.value.kind == "not-a-file"
