"""The audit history: what it records (never plan text), one transaction per audit, audits recording at once,
its schema's migrations, `fourp history` in each format, and the dashboard's trend charts."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

from fourp import history
from fourp.cli import main

DATES = ("2024-09-30", "2024-10-01", "2024-10-02")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """Three audits of a copy of the examples: between the first and second the Surrey plan gains its LRO;
    between the second and third the good plan loses its prevent section."""
    tmp = tmp_path_factory.mktemp("history")
    plans = tmp / "plans"
    shutil.copytree(EXAMPLES, plans)
    (plans / "register.csv").unlink()
    db = tmp / "audits.db"
    pages = []

    def audit(as_of):
        page = tmp / f"audit-{as_of}.html"
        result = run("audit", plans, "--as-of", as_of, "--history", db, "--jobs", "1", "--no-cache",
                     "--format", "html", "-o", page)
        assert result.exit_code == 1, result.output  # the examples are written to fail
        pages.append(page)

    audit(DATES[0])
    edit(plans / "surrey-no-lro.yaml", lambda d: d.update(
        lro={"name": "Supt Ann Cole", "rank": "Superintendent", "appointed": "2024-01-02", "trained": "2023-05-01"}))
    audit(DATES[1])
    edit(plans / "good-plan.yaml", lambda d: d.pop("prevent"))
    audit(DATES[2])
    return db, pages


def trend_json(db, *args):
    result = run("history", db, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def failing(data, rule):
    return [p["failing"] for p in data["rules"][rule]]


def test_three_audits_give_trends_that_match_what_changed(three):
    db, _ = three
    data = trend_json(db)
    assert [a["as_of"] for a in data["audits"]] == list(DATES)
    assert [a["plans"] for a in data["audits"]] == [7, 7, 7]
    assert failing(data, "lro-named") == [1, 0, 0]  # the Surrey plan gained its LRO
    assert failing(data, "four-ps-covered") == [1, 1, 2]  # the good plan lost its prevent section
    assert [p["rate"] for p in data["rules"]["lro-named"]] == [14.3, 0.0, 0.0]
    changed = {"lro-named", "four-ps-covered", "lro-trained", "lro-owns-plan", "pursue-not-dominant",
               "partners-engaged"}
    for rule, series in data["rules"].items():  # nothing else moved
        if rule not in changed:
            assert len({p["failing"] for p in series}) == 1, (rule, series)
    surrey = data["forces"]["Surrey Police"]
    assert surrey[1]["median_score"] > surrey[0]["median_score"]
    sussex = data["forces"]["Sussex Police"]
    assert sussex[2]["median_score"] <= sussex[1]["median_score"] and sussex[2]["failing"] == sussex[1]["failing"] + 1
    assert [a["failing"] for a in data["audits"]] == [4, 4, 5]
    movers = data["movers"]
    assert (movers["from"], movers["to"]) == (DATES[0], DATES[2])
    assert [m["plan"] for m in movers["plans"]["better"]] == ["SUR-4P-2024-003"]
    assert [m["plan"] for m in movers["plans"]["worse"]] == ["SXP-4P-2024-007"]
    assert movers["plans"]["worse"][0]["score_was"] == 100.0
    assert "lro-named" in [m["rule"] for m in movers["rules"]["better"]]
    assert "four-ps-covered" in [m["rule"] for m in movers["rules"]["worse"]]
    # each recommendation's path: Surrey's target rules include lro-named, which it now meets
    path = data["recommendations"]["surrey-4p-quality"]
    lro_named = [next(t for t in p["targets"] if t["rule"] == "lro-named")["failing"] for p in path]
    assert lro_named == [1, 0, 0]
    assert [p["days_left"] for p in data["recommendations"]["hampshire-intelligence-shared"]] == [152, 151, 150]


def test_history_narrows_to_a_force_and_the_latest_audits(three):
    db, _ = three
    data = trend_json(db, "--force", "surrey police", "--last", "2")
    assert [a["as_of"] for a in data["audits"]] == list(DATES[1:])
    assert list(data["forces"]) == ["Surrey Police"] and [a["plans"] for a in data["audits"]] == [1, 1]


def test_history_text_csv_and_html(three, tmp_path):
    db, _ = three
    text = run("history", db).stdout
    assert "History of 3 audits" in text and "Surrey Police" in text
    assert re.search(r"lro-named +14% \(1/7\) +0% \(0/7\) +0% \(0/7\)", text), text
    assert "better  SUR-4P-2024-003" in text and "worse   SXP-4P-2024-007" in text
    rows = list(csv.DictReader(io.StringIO(run("history", db, "--format", "csv").stdout.lstrip("\ufeff"))))
    assert [r["failing"] for r in rows if r["record"] == "rule" and r["rule"] == "lro-named"] == ["1", "0", "0"]
    assert {r["record"] for r in rows} >= {"audit", "force", "rule", "force-rule", "recommendation", "plan-better"}
    page = tmp_path / "history.html"
    assert run("history", db, "--format", "html", "-o", page).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert html.count('<svg class="chart trend') == 2 + len(trend_json(db)["rules"])
    assert not re.search(r"<script|<link|<img|@import|url\(|\bsrc=", html, re.I)


def test_the_dashboard_shows_the_trend_when_a_history_exists(three):
    _, pages = three
    html = pages[-1].read_text(encoding="utf-8")
    assert ">Trend: 3 audits in the history</h2>" in html
    assert html.count('<svg class="chart trend"') == 2  # median score and plans failing over time
    assert html.count('<svg class="chart trend small"') > 20  # each rule's failure rate over time
    assert 'id="trend-median-title">Median score at each audit' in html
    assert "SUR-4P-2024-003: 47.3 → " in html  # the best mover


def test_no_history_no_trend(tmp_path):
    page = tmp_path / "audit.html"
    run("audit", EXAMPLES, "--as-of", "2024-09-30", "--format", "html", "-o", page)
    assert 'class="chart trend' not in page.read_text(encoding="utf-8")


def test_the_history_holds_no_plan_text_and_only_its_owner_reads_it(tmp_path):
    plans = tmp_path / "plans"
    shutil.copytree(EXAMPLES, plans)
    marker = "ZQXMARKERZQX"
    for path in plans.glob("*.yaml"):  # plan text in every kind of field: objectives, results, log, summary
        def plant(d):
            d["threat"]["name"] = f"{marker} OCG"
            d.setdefault("log", []).append({"at": "2024-09-01T10:00", "by": "PC A", "text": marker * 3})
            d["pursue"]["objectives"] = [f"{marker} objective"]
        edit(path, plant)
    db = tmp_path / "h.db"
    run("audit", plans, "--as-of", "2024-09-30", "--history", db, "--no-cache")
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("h.db"))
    assert marker.encode() not in raw
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM plans").fetchone()[0] == 7
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
        columns = {row[1] for row in conn.execute("PRAGMA table_info(plans)")}
        # each rule's result, read back in words through the view
        rows, rules = conn.execute("SELECT count(*), count(DISTINCT rule) FROM plan_rule_results").fetchone()
        assert rules > 20 and rows == 7 * rules
        assert {s for (s,) in conn.execute("SELECT DISTINCT status FROM plan_rule_results")} <= {
            "pass", "fail", "waived", "not-applicable", "error"}
    assert columns == {"id", "audit_id", "plan_id", "file", "force", "lro", "status", "score", "grade", "failing"}


# -- one transaction per audit, and audits at once -----------------------------------------------------------

SCRIPT = textwrap.dedent("""
    import datetime, pathlib, sys, time
    from fourp import audit, history
    plans, db, marker, pause = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), float(sys.argv[4])
    result = audit.audit([plans], as_of=datetime.date(2024, 9, 30), jobs=1)
    original, written = history._insert_plan, []
    def slow(conn, audit_id, report, number):  # write three plans' rows, then stop inside the transaction
        original(conn, audit_id, report, number)
        written.append(report)
        if len(written) == 3:
            marker.write_text("inside")
            time.sleep(pause)
    history._insert_plan = slow
    history.record(db, result)
""")


def start(tmp_path, db, pause, name="in"):
    marker = tmp_path / name
    env = dict(os.environ, PYTHONPATH=str(ROOT), FOURP_NO_CACHE="1")
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(EXAMPLES), str(db), str(marker), str(pause)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the script never reached the middle of its write"
        time.sleep(0.05)
    return process


def counts(db):
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("audits", "plans", "rule_results"))


def test_an_audit_killed_mid_write_leaves_the_history_as_it_was(tmp_path):
    db = tmp_path / "h.db"
    assert run("audit", EXAMPLES, "--as-of", "2024-09-30", "--history", db).exit_code == 1
    before = counts(db)
    assert before[:2] == (1, 7)
    process = start(tmp_path, db, pause=120)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    left = [name for name in ("h.db", "h.db-wal", "h.db-shm") if (tmp_path / name).exists()]
    assert "h.db-wal" in left  # the killed audit left SQLite's own files, which take the history's permissions
    for name in left:
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
    assert counts(db) == before  # none of the killed audit's rows
    data = history.trends(str(db))
    assert [a["plans"] for a in data["audits"]] == [7]
    assert run("audit", EXAMPLES, "--as-of", "2024-10-30", "--history", db).exit_code == 1  # and it still records
    assert counts(db)[:2] == (2, 14)


def test_two_audits_recording_at_once_both_land(tmp_path):
    db = tmp_path / "h.db"
    holder = start(tmp_path, db, pause=1.5)  # holds the write lock for 1.5 s, mid-write
    began = time.monotonic()
    second = run("audit", EXAMPLES, "--as-of", "2024-10-30", "--history", db, "--jobs", "1")
    waited = time.monotonic() - began
    assert holder.wait(timeout=60) == 0, holder.communicate()
    assert second.exit_code == 1, second.output  # failing plans, but recorded: no usage error
    assert waited > 0.5  # it really waited for the other audit
    assert counts(db)[:2] == (2, 14)
    assert sorted(a["as_of"] for a in history.trends(str(db))["audits"]) == ["2024-09-30", "2024-10-30"]


def test_two_command_line_audits_at_once_both_land(tmp_path):
    db = tmp_path / "h.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    processes = [subprocess.Popen([sys.executable, "-m", "fourp", "audit", str(EXAMPLES), "--as-of", day,
                                   "--history", str(db), "--jobs", "1"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for day in ("2024-09-30", "2024-10-30")]
    for process in processes:
        assert process.wait(timeout=120) == 1, process.stderr.read()
    assert counts(db)[:2] == (2, 14)


def _open_at_the_barrier(path, barrier, outcomes):
    barrier.wait()
    try:
        history.open_history(path).close()
        outcomes.put("ok")
    except history.HistoryError as exc:
        outcomes.put(exc.code)


def test_audits_creating_one_history_at_once_all_open_it(tmp_path):
    # Six audits released together onto a new history: all read it empty, then all need to write. SQLite
    # answers a deadlocked one at once ("database is locked") instead of waiting, and a history read
    # between another's migration steps looked like someone else's database. Each must open it.
    import multiprocessing
    context = multiprocessing.get_context("spawn")
    for trial in range(5):
        path = str(tmp_path / f"h{trial}.db")
        barrier, outcomes = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_open_at_the_barrier, args=(path, barrier, outcomes)) for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert [outcomes.get(timeout=5) for _ in workers] == ["ok"] * 6
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()


# -- the schema -------------------------------------------------------------------------------------------

def test_an_older_history_is_migrated_keeping_its_audits(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    for statement in history.MIGRATIONS[0]:  # a history as the first schema made it
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO audits (recorded_at, as_of, pack, pack_version, fourp_version, paths, plans, "
                 "unreadable) VALUES ('2024-09-01T00:00:00+00:00', '2024-08-31', 'hmicfrs-2024', '1.0', '0.1', "
                 "'[]', 1, 0)")
    conn.execute("INSERT INTO plans (audit_id, plan_id, file, force, lro, status, score, grade, failing) "
                 "VALUES (1, 'X-1', 'x.yaml', 'Surrey Police', NULL, 'active', 40.0, 'inadequate', 1)")
    conn.close()
    assert run("audit", EXAMPLES, "--as-of", "2024-09-30", "--history", db).exit_code == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM recommendations").fetchone()[0] == 7
    data = history.trends(str(db))
    assert [a["as_of"] for a in data["audits"]] == ["2024-08-31", "2024-09-30"]
    assert data["forces"]["Surrey Police"][0]["median_score"] == 40.0


@pytest.mark.parametrize("content", [b"not a database at all\n" * 10, None], ids=["text", "other-sqlite"])
def test_a_file_that_is_not_a_fourp_history_is_refused_and_left_alone(tmp_path, content):
    db = tmp_path / "other.db"
    if content is None:
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE customers (name TEXT)")
    else:
        db.write_bytes(content)
    before = db.read_bytes()
    result = run("audit", EXAMPLES, "--as-of", "2024-09-30", "--history", db)
    assert result.exit_code == 2 and "bad history" in result.output and str(db) in result.output
    assert db.read_bytes() == before
    assert run("history", db).exit_code == 2
    with pytest.raises(history.HistoryError) as info:
        history.trends(str(db))
    assert info.value.code == "invalid-history" and info.value.file == str(db)


def test_a_history_from_a_newer_fourp_is_refused(tmp_path):
    db = tmp_path / "h.db"
    run("audit", EXAMPLES, "--as-of", "2024-09-30", "--history", db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    result = run("history", db)
    assert result.exit_code == 2 and "newer fourp" in result.output
    with pytest.raises(history.HistoryError) as info:
        history.trends(str(db))
    assert info.value.code == "newer-history"


def test_a_history_is_never_written_over_a_plan(tmp_path):
    plan = tmp_path / "plan.yaml"
    shutil.copy(EXAMPLES / "good-plan.yaml", plan)
    before = plan.read_bytes()
    result = run("audit", EXAMPLES, "--as-of", "2024-09-30", "--history", plan)
    assert result.exit_code == 2 and plan.read_bytes() == before


def test_history_of_a_missing_file_is_a_usage_error(tmp_path):
    result = run("history", tmp_path / "none.db")
    assert result.exit_code == 2 and "no history" in result.output
    assert not (tmp_path / "none.db").exists()


def test_history_escapes_what_plans_say(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("a", "b"):
        shutil.copy(EXAMPLES / "surrey-no-lro.yaml", plans / f"{name}.yaml")
    edit(plans / "a.yaml", lambda d: d.update(force="<script>alert(1)</script> Police", id="<b>X</b>"))
    db = tmp_path / "h.db"
    run("audit", plans, "--as-of", "2024-09-30", "--history", db)
    edit(plans / "a.yaml", lambda d: d.update(lro={"name": "Supt A B", "rank": "Superintendent"}))
    run("audit", plans, "--as-of", "2024-10-30", "--history", db)
    html = run("history", db, "--format", "html").stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Police" in html and "<script" not in html
    assert "&lt;b&gt;X&lt;/b&gt;" in html and "<b>X" not in html
    text = run("history", db, "--no-color").stdout
    assert "\x1b" not in text


# -- in a real browser ------------------------------------------------------------------------------------

def test_the_trend_charts_in_chromium(three):
    import chromium

    if chromium.available() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed: `apt-get install chromium` (Debian) runs this test")
    _, pages = three
    page = pages[-1]
    with chromium.Chromium() as browser:
        browser.open(page.as_uri())
        assert browser.requests() == [page.as_uri()]
        assert browser.failed_requests() == [] and browser.console_errors() == []
        assert browser.evaluate("document.querySelectorAll('svg.chart.trend').length") > 20
        # each line is drawn through its three audits, inside the chart
        points = browser.evaluate(
            "Array.from(document.querySelectorAll('svg.chart.trend polyline')).map(p => p.points.numberOfItems)")
        assert points and set(points) == {3}
        height = browser.evaluate("document.querySelector('#trend').getBoundingClientRect().height")
        assert height > 0
        box = browser.evaluate("JSON.stringify(document.querySelector('svg.chart.trend').getBoundingClientRect())")
        assert json.loads(box)["width"] > 200


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_history_with_nothing_to_show(three, tmp_path, fmt):
    db, _ = three
    assert run("history", db, "--force", "no such force", "--format", fmt).exit_code == 0
    empty = tmp_path / "empty.db"
    history.open_history(str(empty)).close()
    result = run("history", empty, "--format", fmt)
    assert result.exit_code == 0
    if fmt == "text":
        assert "No audit is recorded" in result.output


def test_a_folders_configuration_names_its_history(tmp_path, monkeypatch):
    plans = tmp_path / "plans"
    shutil.copytree(EXAMPLES, plans)
    (plans / "register.csv").unlink()
    (plans / ".fourp.yaml").write_text("history: ../audits.db\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for day in ("2024-09-30", "2024-10-30"):
        assert run("audit", "plans", "--as-of", day).exit_code == 1
    assert [a["as_of"] for a in history.trends(str(tmp_path / "audits.db"))["audits"]] == ["2024-09-30", "2024-10-30"]
    shown = run("config", "plans").output
    assert "history" in shown and "audits.db" in shown
