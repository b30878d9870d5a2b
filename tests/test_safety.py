"""fourp's promises about what it is given, each with a test that would catch it breaking:

- no input file is modified, moved or deleted, even with reports written into the audited folder;
- reports are written atomically: an interrupted run leaves the previous report or none, never half;
- no network connection is opened while checking or auditing;
- one bad file never changes another file's result, and the exit code says there were bad files;
- every error names the file, the line where there is one, what is wrong and what to do.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from typing import Dict, List, Tuple

import pytest
from click.testing import CliRunner
from conftest import AS_OF, EXAMPLES, ROOT
from test_hostile import HOSTILE, PLANS, hostile_drive

import fourp
from fourp.audit import audit
from fourp.cli import main

AS_OF_ARGS = ["--as-of", AS_OF.isoformat()]


def fingerprint(root: pathlib.Path) -> Dict[str, Tuple[str, int, int]]:
    """Every entry under root: its kind and content hash (or link target), size and modification time."""
    seen: Dict[str, Tuple[str, int, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                what = "link -> " + os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:  # never a pipe: that is not a regular file
                    what = hashlib.sha256(handle.read()).hexdigest()
            else:
                what = "folder" if stat.S_ISDIR(info.st_mode) else f"mode {stat.S_IFMT(info.st_mode)}"
            seen[os.path.relpath(path, root)] = (what, info.st_size if not stat.S_ISDIR(info.st_mode) else 0,
                                                 info.st_mtime_ns if not stat.S_ISDIR(info.st_mode) else 0)
    return seen


def run(*args: str) -> "click.testing.Result":  # noqa: F821
    return CliRunner().invoke(main, list(args))


# -- inputs are only read -----------------------------------------------------------------------------------

def test_auditing_the_hostile_drive_changes_no_input(tmp_path, pack, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "drive"
    hostile_drive(root)
    before = fingerprint(root)
    audit([str(root)], pack=pack, as_of=AS_OF, jobs=2)
    for name, expected in PLANS.items():
        if not expected.get("skipped"):
            try:
                fourp.check(str(root / name), pack, AS_OF)
            except fourp.PlanError:
                pass
    assert fingerprint(root) == before
    assert sorted(os.listdir(tmp_path)) == ["drive"]  # and nothing was left beside it


def test_reports_written_inside_the_audited_folder_change_no_input_and_are_not_audited(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "drive"
    hostile_drive(root)
    before = fingerprint(root)
    outputs = {"report.json", "report.html", "report.csv"}
    command = ["audit", str(root), *AS_OF_ARGS, "--jobs", "2", "--format", "json", "-o", str(root / "report.json"),
               "--report", f"html:{root / 'report.html'}", "--report", f"csv:{root / 'report.csv'}"]
    first = run(*command)
    assert first.exit_code == 2, first.output  # bad files in the folder: said so
    second = run(*command)  # the first run's reports are now in the folder being audited
    assert second.exit_code == 2, second.output
    after = fingerprint(root)
    assert {k: v for k, v in after.items() if k not in outputs} == before
    assert set(after) - set(before) == outputs  # no temporary file left behind
    document = json.loads((root / "report.json").read_text("utf-8"))
    audited = [p["file"] for p in document["plans"]] + [e["file"] for e in document["errors"]]
    assert not any(os.path.basename(f).startswith("report.") for f in audited)
    assert len(audited) == len(set(audited)) == document["summary"]["files"]


def test_fourp_refuses_to_write_a_report_over_a_plan(tmp_path):
    plan = tmp_path / "plan.yaml"
    shutil.copy(EXAMPLES / "good-plan.yaml", plan)
    before = plan.read_bytes()
    result = run("check", str(plan), *AS_OF_ARGS, "--format", "json", "-o", str(plan))
    assert result.exit_code == 2 and "never writes over a plan" in result.output
    assert plan.read_bytes() == before


# -- reports are whole or absent -----------------------------------------------------------------------------

PREVIOUS = '{"previous": "report"}\n'


@pytest.mark.parametrize("failure", ["interrupted before the rename", "disk full while writing"])
def test_an_interrupted_report_leaves_the_previous_one_whole(tmp_path, monkeypatch, failure):
    report = tmp_path / "report.json"
    report.write_text(PREVIOUS)
    if failure == "interrupted before the rename":
        def stop(*args, **kwargs):
            raise KeyboardInterrupt  # Ctrl-C at the last moment
        monkeypatch.setattr(os, "replace", stop)
    else:
        def full(fd):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "fsync", full)
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "good-plan.yaml"), *AS_OF_ARGS, "--format",
                                       "json", "-o", str(report)])
    assert result.exit_code != 0
    assert report.read_text() == PREVIOUS
    assert os.listdir(tmp_path) == ["report.json"]  # the temporary file is gone too


KILLED_AUDIT_DELAYS = (0.3, 0.6, 0.9, 1.2, 1.6, 2.0)


def test_a_killed_audit_leaves_the_previous_report_or_a_whole_new_one(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for index in range(40):
        shutil.copy(sorted(EXAMPLES.glob("*.yaml"))[index % 7], plans / f"plan-{index:02}.yaml")
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "fourp", "audit", str(plans), *AS_OF_ARGS, "--jobs", "2", "--format",
               "json", "-o", str(report)]
    subprocess.run(command, capture_output=True, check=False, timeout=600)
    whole = report.read_text("utf-8")
    assert json.loads(whole)["summary"]["files"] == 40
    for delay in KILLED_AUDIT_DELAYS:  # killed at different points of the run, up to after it finished
        report.write_text(PREVIOUS)
        # its own process group, so that the pool workers a kill of the parent orphans are ended after
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=hasattr(os, "killpg"))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        process.wait(timeout=600)
        if hasattr(os, "killpg"):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        text = report.read_text("utf-8")
        assert text in (PREVIOUS, whole), f"half a report after {delay}s"
        leftovers = set(os.listdir(tmp_path)) - {"plans", "report.json"}
        for name in leftovers:  # a kill (unlike an error) cannot clean up: only a hidden temporary file
            assert name.startswith(".report.json.") and name.endswith(".tmp"), name
            os.remove(tmp_path / name)


# -- no network ---------------------------------------------------------------------------------------------

class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to reach another machine fails the test (in this process and in forked workers)."""
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"fourp tried to use the network: {args!r}")
    real_connect = socket.socket.connect

    def connect(self, address):
        if self.family == getattr(socket, "AF_UNIX", None):  # a local pipe between processes
            return real_connect(self, address)
        refuse(address)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "gethostbyname", refuse)


def test_the_network_guard_would_catch_a_connection(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("192.0.2.1", 80))
    with pytest.raises(NetworkUsed):
        socket.socket().connect(("192.0.2.1", 80))


def test_checking_and_auditing_open_no_connection(no_network, tmp_path, pack, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "drive"
    hostile_drive(root)
    shutil.copytree(EXAMPLES, root / "examples")
    for jobs in (1, 2):
        result = audit([str(root)], pack=pack, as_of=AS_OF, jobs=jobs)
        assert result.reports and result.errors
    fourp.check(str(EXAMPLES / "good-plan.yaml"), fourp.load_pack(), AS_OF)
    for fmt in ("text", "markdown", "html", "json", "csv", "junit", "sarif"):
        for command in ("check", "audit"):
            target = str(EXAMPLES / "good-plan.yaml") if command == "check" else str(root / "examples")
            result = run(command, target, *AS_OF_ARGS, "--format", fmt)
            assert not isinstance(result.exception, NetworkUsed), (command, fmt)
            assert result.exit_code in (0, 1), (command, fmt, result.output[:2000])


HOOK = '''
import os, socket, sys

_LOG = {log!r}
_EVENTS = {{"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
           "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg", "http.client.connect", "urllib.Request"}}


def _hook(event, args):
    if event not in _EVENTS:
        return
    if event == "socket.connect" and getattr(args[0], "family", None) == getattr(socket, "AF_UNIX", None):
        return  # a local pipe between processes
    with open(_LOG, "a") as log:
        log.write(f"{{os.getpid()}} {{event}} {{args[1:]!r}}\\n")
    raise RuntimeError(f"network use: {{event}}")


sys.addaudithook(_hook)
'''


def run_with_hook(tmp_path: pathlib.Path, *args: str) -> Tuple[subprocess.CompletedProcess, str]:
    """Runs Python with an audit hook, installed by sitecustomize before anything else runs, that records
    every attempt at the network (in this process and every worker it starts)."""
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    log = tmp_path / "network.log"
    (hook / "sitecustomize.py").write_text(HOOK.format(log=str(log)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), str(ROOT)]))
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=600,
                          cwd=str(tmp_path))
    return done, log.read_text() if log.exists() else ""


@pytest.mark.parametrize("attempt, event", [
    ("socket.create_connection(('192.0.2.1', 9), 1)", "socket.getaddrinfo"),
    ("socket.socket().connect(('192.0.2.1', 9))", "socket.connect"),
])
def test_the_audit_hook_would_catch_a_connection(tmp_path, attempt, event):
    done, log = run_with_hook(tmp_path, "-c", f"import socket; {attempt}")
    assert done.returncode != 0 and event in log


def test_a_real_audit_and_check_open_no_connection(tmp_path):
    root = tmp_path / "drive"
    hostile_drive(root)
    shutil.copytree(EXAMPLES, root / "examples")
    done, log = run_with_hook(tmp_path, "-m", "fourp", "audit", str(root), *AS_OF_ARGS, "--jobs", "2",
                              "-o", str(tmp_path / "audit.html"), "--format", "html")
    assert log == "", log
    assert done.returncode == 2, done.stderr  # bad files in the drive: said so
    assert (tmp_path / "audit.html").exists()
    done, log = run_with_hook(tmp_path, "-m", "fourp", "check", str(EXAMPLES / "good-plan.yaml"), *AS_OF_ARGS,
                              "--format", "html")
    assert log == "", log
    assert done.returncode == 0, done.stderr


# -- one bad file changes nothing else ----------------------------------------------------------------------

def test_bad_files_do_not_change_the_other_plans_results(tmp_path, pack):
    alone = tmp_path / "alone"
    shutil.copytree(EXAMPLES, alone)
    mixed = tmp_path / "mixed"
    hostile_drive(mixed)
    shutil.copytree(EXAMPLES, mixed / "examples")

    def by_name(result, folder):
        return {os.path.relpath(r.file, folder): dict(r.to_dict(), file=None) for r in result.reports
                if r.file.startswith(str(folder))}
    clean = by_name(audit([str(alone)], pack=pack, as_of=AS_OF, jobs=2), alone)
    whole = audit([str(mixed)], pack=pack, as_of=AS_OF, jobs=2)
    assert whole.errors
    assert by_name(whole, mixed / "examples") == clean


def test_a_fault_in_fourp_on_one_plan_is_that_plans_error_and_the_rest_go_on(tmp_path, pack, monkeypatch):
    import fourp.engine

    real = fourp.engine.evaluate

    def faulty(plan, *args, **kwargs):
        if plan.source.endswith("surrey-no-lro.yaml"):
            raise ZeroDivisionError("division by zero")  # a bug, in fourp or in a plug-in
        return real(plan, *args, **kwargs)
    monkeypatch.setattr(fourp.engine, "evaluate", faulty)
    result = audit([str(EXAMPLES)], pack=pack, as_of=AS_OF, jobs=1)
    assert len(result.reports) == len(list(EXAMPLES.glob("*.yaml"))) - 1
    [error] = result.errors
    assert error.file.endswith("surrey-no-lro.yaml") and "ZeroDivisionError" in error.reason
    assert "not in the plan" in error.hint


def test_the_exit_code_says_when_some_files_could_not_be_read(tmp_path):
    good = str(EXAMPLES / "good-plan.yaml")
    alone = run("check", good, *AS_OF_ARGS, "--format", "json")
    assert alone.exit_code == 0
    for name, expected in PLANS.items():
        if "error" not in expected:
            continue
        mixed = run("check", str(HOSTILE / "plans" / name), good, *AS_OF_ARGS, "--format", "json")
        assert mixed.exit_code == 2, name
        reports = json.loads(mixed.stdout)
        [same] = [r for r in reports if r.get("file") == good]
        assert same == json.loads(alone.stdout), name


# -- every error says where, what and what to do ----------------------------------------------------------

def test_every_error_names_file_line_reason_and_remedy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "drive"
    expected = hostile_drive(root)
    result = run("audit", str(root), *AS_OF_ARGS, "--jobs", "2", "--format", "json")
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    wanted = {name for name, e in expected.items() if "code" in e}
    assert {os.path.basename(e["file"]) for e in errors} == wanted
    messages: List[str] = [line for line in result.stderr.splitlines() if line.startswith("fourp: ")]
    for error in errors:
        name = os.path.basename(error["file"])
        assert error["reason"] and error["hint"], error
        assert error["line"] == expected[name].get("line"), error
        assert error["code"] == expected[name]["code"], error
        where = error["file"] + (f":{error['line']}" if error["line"] else "")
        [said] = [m for m in messages if m.startswith(f"fourp: {where}:")]
        assert error["reason"] in said and error["hint"] in said
    [note] = json.loads(result.stdout)["notes"]
    assert note["files"] == [str(root / "same-id-1.yaml"), str(root / "same-id-2.yaml")]
    [said] = [m for m in messages if m.startswith("fourp: note: the plan id SXP-4P-2024-050 is used by 2 files")]
    assert str(root / "same-id-1.yaml") in said and str(root / "same-id-2.yaml") in said


def test_pack_errors_name_the_pack_file_and_line():
    result = run("check", str(EXAMPLES / "good-plan.yaml"), *AS_OF_ARGS, "--pack",
                 str(HOSTILE / "packs" / "wrong-parameter-type.yaml"))
    assert result.exit_code == 2
    assert f"{HOSTILE / 'packs' / 'wrong-parameter-type.yaml'}:6:28: parameter 'max_gap_days'" in result.output


# -- plan text is data --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json", "csv", "junit", "sarif"])
def test_plan_text_is_never_run_as_a_template(fmt):
    plan = str(HOSTILE / "plans" / "template-in-text.yaml")
    result = run("check", plan, *AS_OF_ARGS, "--format", fmt)
    assert result.exit_code in (0, 1), result.output[:2000]
    assert "13433" not in result.output and "XXX" not in result.output
    assert "<class" not in result.output
    if fmt == "html":
        assert "<script>" not in result.output


def test_the_suite_keeps_fourps_caches_and_key_out_of_the_home_folder(own_cache_and_config):
    """tests/conftest.py points every test (and every fourp a test starts) away from ~/.cache, ~/.config."""
    from fourp.cache.store import default_cache_dir
    from fourp.cache.signing import key_path

    home = os.path.expanduser("~")
    for path in (key_path(), default_cache_dir()):
        assert path.startswith(str(own_cache_and_config)) and not path.startswith(os.path.join(home, ".")), path
