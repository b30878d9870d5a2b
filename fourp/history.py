"""The audit history: each audit's verdicts kept in a SQLite file, and the trends across them.

Per audit it keeps when it ran, the pack and its version, the as-of date and what was audited; per plan its
id, file, force, LRO, status, score, grade and each rule's status and finding count; the cross-plan rules'
results and each recommendation's state. Never a plan's text: no finding message, quote or field value
beyond those. One audit is one transaction (a killed audit leaves the history as it was); the file is in
WAL mode with a busy timeout, so audits recording at once both land; it is made readable by its owner only.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import statistics
from contextlib import closing
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, cast

from .errors import FourpError
from .sqlite import BUSY_TIMEOUT, retrying
from .kept import light

__all__ = ["HistoryError", "open_history", "record", "trends", "SCHEMA_VERSION", "MIGRATIONS", "APPLICATION_ID"]

#: Marks the file as a fourp history (`PRAGMA application_id`), so fourp never writes into another database.
APPLICATION_ID = 0x34503450  # "4P4P"

#: Each migration takes the schema one version up; the file's `PRAGMA user_version` is how many have run.
#: Append, never edit: a history written by an older fourp is brought up to date by the ones it lacks.
MIGRATIONS: Tuple[Tuple[str, ...], ...] = (
    (  # 1: audits, their plans, and each plan's rule results
        f"PRAGMA application_id = {APPLICATION_ID}",
        """CREATE TABLE audits (
               id INTEGER PRIMARY KEY AUTOINCREMENT,
               recorded_at TEXT NOT NULL,      -- when the audit ran (UTC); the as-of date is what it judged
               as_of TEXT NOT NULL,
               pack TEXT NOT NULL,
               pack_version TEXT,
               fourp_version TEXT NOT NULL,
               paths TEXT NOT NULL,            -- JSON list of the folders and files audited
               plans INTEGER NOT NULL,
               unreadable INTEGER NOT NULL)""",
        """CREATE TABLE plans (
               id INTEGER PRIMARY KEY,
               audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
               plan_id TEXT, file TEXT, force TEXT, lro TEXT, status TEXT,
               score REAL NOT NULL, grade TEXT NOT NULL,
               failing INTEGER NOT NULL)       -- a finding at error severity""",
        "CREATE INDEX plans_by_audit ON plans(audit_id)",
        # A rule's result is a row per plan and rule (300,000 for an audit of 10,000 plans): rules and
        # statuses are numbered once, so a row is a few bytes; the view reads it back in words.
        "CREATE TABLE rules (id INTEGER PRIMARY KEY, rule TEXT NOT NULL UNIQUE)",
        "CREATE TABLE statuses (id INTEGER PRIMARY KEY, status TEXT NOT NULL UNIQUE)",
        """CREATE TABLE rule_results (
               plan INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
               rule INTEGER NOT NULL REFERENCES rules(id), status INTEGER NOT NULL REFERENCES statuses(id),
               findings INTEGER NOT NULL,
               PRIMARY KEY (plan, rule)) WITHOUT ROWID""",
        """CREATE VIEW plan_rule_results AS
               SELECT r.plan, ru.rule, s.status, r.findings FROM rule_results r
               JOIN rules ru ON ru.id = r.rule JOIN statuses s ON s.id = r.status""",
    ),
    (  # 2: the cross-plan rules' results and the recommendations' state at each audit
        """CREATE TABLE portfolio_results (
               audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
               rule TEXT NOT NULL, status TEXT NOT NULL, findings INTEGER NOT NULL,
               PRIMARY KEY (audit_id, rule)) WITHOUT ROWID""",
        """CREATE TABLE recommendations (
               audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
               recommendation TEXT NOT NULL, position INTEGER NOT NULL, -- its place in the pack
               state TEXT NOT NULL, deadline TEXT, days_left INTEGER,
               targets TEXT NOT NULL,          -- JSON: each target rule and how many plans fail it
               PRIMARY KEY (audit_id, recommendation)) WITHOUT ROWID""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(FourpError):
    """A history file that cannot be used: the file, the reason and a code (`fourp.errors.CODES`)."""

    default_code = "invalid-history"


def _create_private(path: str) -> None:
    """A new history file readable and writable by its owner only (it names plans, forces and LROs);
    SQLite gives its -wal and -shm files the same permissions."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise HistoryError(path, f"cannot create the history: {exc.strerror or exc}", code="unreadable") from None
    os.close(fd)


def open_history(path: str, create: bool = True) -> sqlite3.Connection:
    """A connection to the history at `path` (created, 0600, if absent and `create`), in WAL mode with a
    busy timeout and its schema brought up to date. Raises HistoryError for a file that is not a fourp
    history, or one written by a newer fourp."""
    if os.path.isdir(path):
        raise HistoryError(path, "is a folder, not a history file", code="not-a-file")
    if not os.path.exists(path):
        if not create:
            raise HistoryError(path, "there is no history here", hint="record one with `fourp audit --history FILE`",
                               code="not-found")
        _create_private(path)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    except sqlite3.Error as exc:
        raise HistoryError(path, f"cannot open the history: {exc}", code="unreadable") from None
    try:
        db.execute("PRAGMA foreign_keys = ON")
        _set_up(db, path)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise HistoryError(path, f"not a fourp history (SQLite could not read it: {exc})") from None
    except HistoryError:
        db.close()
        raise
    return db


def _set_up(db: sqlite3.Connection, path: str) -> None:
    """Checks the file is a fourp history, brings its schema up to date and puts it in WAL mode,
    retrying while other audits set up the same file (`fourp.sqlite.retrying`)."""
    def once() -> None:
        _migrate(db, path)
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
    retrying(db, once)


def _state(db: sqlite3.Connection) -> Tuple[int, int, int]:
    """The file's application id, schema version and number of schema objects. Read by the caller inside
    one transaction, so all three come from the same moment even while another audit migrates."""
    application = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return application, version, objects


def _check_is_ours(path: str, state: Tuple[int, int, int]) -> None:
    application, version, objects = state
    if application == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise HistoryError(path, f"written by a newer fourp (schema {version}; this fourp reads up to "
                               f"{SCHEMA_VERSION})", hint="upgrade fourp to use it", code="newer-history")
        return
    if application != 0 or objects:
        raise HistoryError(path, "is a SQLite database but not a fourp history; fourp leaves it alone",
                           hint="give --history a new file name")


def _migrate(db: sqlite3.Connection, path: str) -> None:
    """Runs the migrations the file lacks, all in one transaction (re-reading the state once it holds
    the write lock, so two audits creating one history at once migrate it once). A history already up to
    date is only read, so a read-only one can still be viewed."""
    db.execute("BEGIN")
    try:
        state = _state(db)
    finally:
        db.execute("COMMIT")
    _check_is_ours(path, state)
    if state[1] == SCHEMA_VERSION and state[0] == APPLICATION_ID:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        state = _state(db)
        _check_is_ours(path, state)
        for steps in MIGRATIONS[state[1]:]:
            for statement in steps:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


# -- recording ------------------------------------------------------------------------------------------------

class _Numbers:
    """The numbers of rules and statuses in the history, adding those it does not hold yet."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.known: Dict[Tuple[str, str], int] = {}

    def __call__(self, table: str, value: str) -> int:
        key = (table, value)
        if key not in self.known:
            column = "rule" if table == "rules" else "status"
            self.db.execute(f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)", (value,))
            self.known[key] = self.db.execute(f"SELECT id FROM {table} WHERE {column} = ?", (value,)).fetchone()[0]
        return self.known[key]


def _insert_plan(db: sqlite3.Connection, audit_id: int, report: Any, number: _Numbers) -> None:
    cursor = db.execute(
        "INSERT INTO plans (audit_id, plan_id, file, force, lro, status, score, grade, failing) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (audit_id, report.plan_id, report.file, report.force, report.lro, report.status, report.score,
         report.grade, int(report.failed("error"))))
    db.executemany("INSERT OR REPLACE INTO rule_results (plan, rule, status, findings) VALUES (?, ?, ?, ?)",
                   [(cursor.lastrowid, number("rules", r.rule), number("statuses", r.status), r.findings)
                    for r in report.results])


def record(path: str, result: Any, paths: Sequence[str] = (), recommendations: Sequence[Mapping[str, Any]] = (),
           recorded_at: Optional[dt.datetime] = None) -> int:
    """Records an audit (`fourp.audit.AuditReport`) and the recommendations' state (from
    `fourp.recommendations.assess`) in one transaction; returns the audit's number in the history."""
    from . import __version__

    when = (recorded_at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    with closing(open_history(path)) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise HistoryError(path, f"another audit held the history for over {BUSY_TIMEOUT:g} s: {exc}",
                               hint="run the audit again", code="history-busy") from None
        try:
            audit_id = cast(int, db.execute(  # an INSERT always sets lastrowid
                "INSERT INTO audits (recorded_at, as_of, pack, pack_version, fourp_version, paths, plans, "
                "unreadable) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (when, result.as_of.isoformat(), result.pack, result.pack_version, __version__,
                 json.dumps(list(paths)), len(result.reports), len(result.errors))).lastrowid)
            number = _Numbers(db)
            for report in light(result.reports):  # fields only: never decoded
                _insert_plan(db, audit_id, report, number)
            db.executemany("INSERT INTO portfolio_results (audit_id, rule, status, findings) VALUES (?, ?, ?, ?)",
                           [(audit_id, r["rule"], r["status"], r["findings"])
                            for r in (result.portfolio or {}).get("results", ())])
            db.executemany(
                "INSERT INTO recommendations (audit_id, recommendation, position, state, deadline, days_left, "
                "targets) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(audit_id, r["id"], n, r["state"], r["deadline"], r["days_left"], json.dumps(r["targets"]))
                 for n, r in enumerate(recommendations)])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return audit_id


# -- reading the trends -------------------------------------------------------------------------------------

def _median(values: Sequence[float]) -> Optional[float]:
    return round(statistics.median(values), 1) if values else None


def _rate(failing: int, applicable: int) -> Optional[float]:
    return round(100.0 * failing / applicable, 1) if applicable else None


def _in(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def trends(path: str, pack: Optional[str] = None, force: Optional[str] = None,
           last: Optional[int] = None, movers: int = 5) -> Dict[str, Any]:
    """Per audit (oldest as-of date first), per force and per rule: median score, plans failing and each
    rule's failure rate; the plans and rules that moved most from the first audit shown to the last; and
    each recommendation's path. `pack` and `force` narrow it; `last` keeps the latest N audits."""
    from .recommendations import force_key

    with closing(open_history(path, create=False)) as db:
        where, args = ("WHERE pack = ?", [pack]) if pack else ("", [])
        columns = ("id", "recorded_at", "as_of", "pack", "pack_version", "paths", "recorded_plans", "unreadable")
        audits = [dict(zip(columns, row)) for row in db.execute(
            f"SELECT id, recorded_at, as_of, pack, pack_version, paths, plans, unreadable FROM audits {where} "
            "ORDER BY as_of, id", args)]
        if last:
            audits = audits[-last:]
        ids = [a["id"] for a in audits]
        plans = db.execute(f"SELECT id, audit_id, plan_id, file, force, score, failing FROM plans "
                           f"WHERE audit_id IN ({_in(ids)})", ids).fetchall() if ids else []
        if force is not None:
            plans = [p for p in plans if force_key(p[4]) == force_key(force)]
        # counted by SQLite, per audit, force and rule: an audit of 10,000 plans is 300,000 rule results
        db.create_function("force_key", 1, force_key, deterministic=True)
        only_force = " AND force_key(p.force) = ?" if force is not None else ""
        rule_rows = db.execute(
            "SELECT p.audit_id, p.force, ru.rule, SUM(s.status IN ('fail', 'error')), "
            "SUM(s.status != 'not-applicable') FROM rule_results r JOIN plans p ON r.plan = p.id "
            "JOIN rules ru ON ru.id = r.rule JOIN statuses s ON s.id = r.status "
            f"WHERE p.audit_id IN ({_in(ids)}){only_force} GROUP BY p.audit_id, p.force, r.rule",
            ids + ([force_key(force)] if force is not None else [])).fetchall() if ids else []
        portfolio = db.execute(f"SELECT audit_id, rule, status, findings FROM portfolio_results "
                               f"WHERE audit_id IN ({_in(ids)})", ids).fetchall() if ids else []
        recs = db.execute(f"SELECT audit_id, recommendation, state, deadline, days_left, targets "
                          f"FROM recommendations WHERE audit_id IN ({_in(ids)}) ORDER BY position",
                          ids).fetchall() if ids else []
    by_audit: Dict[int, List[Tuple[Any, ...]]] = {i: [] for i in ids}
    for row in plans:
        by_audit[row[1]].append(row)
    as_of = {a["id"]: a["as_of"] for a in audits}
    for audit in audits:
        rows = by_audit[audit["id"]]
        audit.update(paths=json.loads(audit["paths"]), plans=len(rows), median_score=_median([r[5] for r in rows]),
                     failing=sum(r[6] for r in rows))
    forces: Dict[str, List[Dict[str, Any]]] = {}
    for name in sorted({r[4] or "(no force)" for r in plans}):
        series = []
        for audit in audits:
            rows = [r for r in by_audit[audit["id"]] if (r[4] or "(no force)") == name]
            series.append({"audit": audit["id"], "as_of": audit["as_of"], "plans": len(rows),
                           "median_score": _median([r[5] for r in rows]), "failing": sum(r[6] for r in rows)})
        forces[name] = series
    counts: Dict[Tuple[str, int], List[int]] = {}
    force_counts: Dict[Tuple[str, str, int], List[int]] = {}
    for audit_id, plan_force, rule, failing, applicable in rule_rows:
        for key, table in (((rule, audit_id), counts), ((plan_force or "(no force)", rule, audit_id), force_counts)):
            entry = table.setdefault(key, [0, 0])  # type: ignore[arg-type]
            entry[0] += failing
            entry[1] += applicable

    def series_of(lookup: Any) -> List[Dict[str, Any]]:
        out = []
        for audit in audits:
            failing, applicable = lookup(audit["id"]) or (0, 0)
            out.append({"audit": audit["id"], "as_of": audit["as_of"], "failing": failing,
                        "applicable": applicable, "rate": _rate(failing, applicable)})
        return out

    rules = {rule: series_of(lambda i, rule=rule: counts.get((rule, i))) for rule in sorted({k[0] for k in counts})}
    force_rules = {name: {rule: series_of(lambda i, name=name, rule=rule: force_counts.get((name, rule, i)))
                          for rule in sorted({k[1] for k in force_counts if k[0] == name})}
                   for name in sorted({k[0] for k in force_counts})}
    cross: Dict[str, List[Dict[str, Any]]] = {}
    for audit_id, rule, status, findings in sorted(portfolio, key=lambda r: (as_of[r[0]], r[0])):
        cross.setdefault(rule, []).append({"audit": audit_id, "as_of": as_of[audit_id], "status": status,
                                           "findings": findings})
    paths: Dict[str, List[Dict[str, Any]]] = {}
    # in the pack's order (as the earliest audit shown recorded it), each by date
    for audit_id, rec, state, deadline, days_left, targets in sorted(recs, key=lambda r: (as_of[r[0]], r[0])):
        paths.setdefault(rec, []).append({"audit": audit_id, "as_of": as_of[audit_id], "state": state,
                                          "deadline": deadline, "days_left": days_left,
                                          "targets": json.loads(targets)})
    return {"file": path, "pack": pack, "force": force, "audits": audits, "forces": forces, "rules": rules,
            "force_rules": force_rules, "portfolio": cross, "recommendations": paths,
            "movers": _movers(audits, by_audit, rules, movers)}


def _plan_identity(row: Tuple[Any, ...]) -> str:
    return ("id:" + row[2].casefold()) if row[2] else ("file:" + str(row[3]))


def _movers(audits: List[Dict[str, Any]], by_audit: Mapping[int, List[Tuple[Any, ...]]],
            rules: Mapping[str, List[Dict[str, Any]]], limit: int) -> Dict[str, Any]:
    """The plans whose score, and the rules whose failure rate, changed most between the first and the
    last audit shown (plans in both; rules judged in both)."""
    if len(audits) < 2:
        return {"from": None, "to": None, "plans": {"better": [], "worse": []}, "rules": {"better": [], "worse": []}}
    first, latest = audits[0], audits[-1]
    before = {_plan_identity(r): r for r in by_audit[first["id"]]}
    moved = []
    for row in by_audit[latest["id"]]:
        was = before.get(_plan_identity(row))
        if was is not None and row[5] != was[5]:
            moved.append({"plan": row[2] or row[3], "file": row[3], "force": row[4], "score_was": was[5],
                          "score": row[5], "change": round(row[5] - was[5], 1)})
    rule_moves = []
    for rule, series in rules.items():
        a, b = series[0]["rate"], series[-1]["rate"]
        if a is not None and b is not None and a != b:
            rule_moves.append({"rule": rule, "rate_was": a, "rate": b, "change": round(b - a, 1)})
    def most(moves: List[Dict[str, Any]], rising: bool, name: str) -> List[Dict[str, Any]]:
        chosen = (m for m in moves if (m["change"] > 0) == rising and m["change"] != 0)
        return sorted(chosen, key=lambda m: (-abs(m["change"]), m[name]))[:limit]

    return {"from": first["as_of"], "to": latest["as_of"],
            "plans": {"better": most(moved, True, "plan"), "worse": most(moved, False, "plan")},
            # a falling failure rate is the better move
            "rules": {"better": most(rule_moves, False, "rule"), "worse": most(rule_moves, True, "rule")}}


# -- formats ------------------------------------------------------------------------------------------------

HISTORY_FORMATS = ("text", "json", "csv", "html")


def format_trends(data: Mapping[str, Any], fmt: str, colour: bool = False) -> str:
    """The trends in one of `HISTORY_FORMATS`; text and HTML through the shipped templates (escaped)."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt == "csv":
        return _csv(data)
    from .output.render import _environment
    from .resources import shipped

    flavour, name = {"text": ("text", "history.txt.j2"), "html": ("html", "history.html.j2")}[fmt]
    env = _environment(flavour, colour, sandboxed=False, search=str(shipped("templates")))
    text = env.get_template(name).render(dict(data), colour=colour)
    return text if text.endswith("\n") else text + "\n"


CSV_COLUMNS = ("record", "audit", "as_of", "force", "rule", "recommendation", "plans", "median_score", "failing",
               "applicable", "rate", "state", "days_left", "plan", "was", "now", "change")


def _rows(data: Mapping[str, Any]) -> Iterator[Dict[str, Any]]:
    for audit in data["audits"]:
        yield {"record": "audit", "audit": audit["id"], "as_of": audit["as_of"], "plans": audit["plans"],
               "median_score": audit["median_score"], "failing": audit["failing"]}
    for name, series in data["forces"].items():
        for point in series:
            yield {"record": "force", "audit": point["audit"], "as_of": point["as_of"], "force": name,
                   "plans": point["plans"], "median_score": point["median_score"], "failing": point["failing"]}
    for rule, series in data["rules"].items():
        for point in series:
            yield {"record": "rule", "audit": point["audit"], "as_of": point["as_of"], "rule": rule,
                   "failing": point["failing"], "applicable": point["applicable"], "rate": point["rate"]}
    for name, rules in data["force_rules"].items():
        for rule, series in rules.items():
            for point in series:
                yield {"record": "force-rule", "audit": point["audit"], "as_of": point["as_of"], "force": name,
                       "rule": rule, "failing": point["failing"], "applicable": point["applicable"],
                       "rate": point["rate"]}
    for rec, series in data["recommendations"].items():
        for point in series:
            yield {"record": "recommendation", "audit": point["audit"], "as_of": point["as_of"],
                   "recommendation": rec, "state": point["state"], "days_left": point["days_left"],
                   "failing": sum(t.get("failing", 0) for t in point["targets"])}
    for kind in ("better", "worse"):
        for move in data["movers"]["plans"][kind]:
            yield {"record": f"plan-{kind}", "plan": move["plan"], "force": move["force"], "was": move["score_was"],
                   "now": move["score"], "change": move["change"]}
        for move in data["movers"]["rules"][kind]:
            yield {"record": f"rule-{kind}", "rule": move["rule"], "was": move["rate_was"], "now": move["rate"],
                   "change": move["change"]}


def _csv(data: Mapping[str, Any]) -> str:
    import csv
    import io

    from .output.csv import cell as _cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in _rows(data):
        writer.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()
