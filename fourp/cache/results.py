"""The results cache: one index of kept reports, so re-auditing an unchanged folder reads no plan again.

Every kept result is a row of one SQLite file (`results/index-v3.sqlite` in the cache folder, WAL mode with
a busy timeout, so audits sharing a `--cache-dir` read and write it at once). A row is found by the audit's
context (everything a report depends on besides the plan: the compiled pack as `pack_digest`, the as-of
date, the size limit for a plan, the mappings' and the register's content, fourp's version and, for a
development checkout, its code) and the plan's path; it holds the file's identity when its bytes were read
(size, mtime_ns, ctime_ns, inode, device), the SHA-256 of those bytes and the result. A re-audit `stat`s
every plan, reads the index once, and takes the result of each file whose identity is unchanged without
opening it; a changed or new file is read once, and the bytes read are the ones parsed and hashed.

Why the file's identity can stand for its content, and where it cannot (see docs/audit.md): any write to a
file sets its ctime to the clock's time, and no call lets a user set ctime back (`touch` and `os.utime`
set mtime and atime, and set ctime to now), so an edited file, one replaced by another (a new inode) or one
restored from a backup with its old mtime has another identity. What a timestamp cannot show is a second
write within one tick of the file system's clock after fourp read the file (a few milliseconds on Linux,
two seconds on FAT): a row whose file changed less than `RACY_SECONDS` before it was read, or whose times
are in the future, is marked racy, and is used only after the file's bytes are read and found to hash as
they did. Windows reports the creation time as ctime, so there an edit that keeps the size and sets the
modification time back is not seen: `fourp cache clear`, or `--no-cache`, for such a folder.

A row's result is JSON (`fourp.cache.codec`; reading it back builds only the report's own dataclasses;
not compressed: that saved a quarter of its size and cost a re-audit a seventh of its time), sealed
(`fourp.cache.signing`) to the row's context, path, identity and content digest:
a row copied over another's, edited, truncated or planted is a miss. An audit's cross-plan verdict is kept
under the content keys of all its plans (and its register). Rows written more than `MAX_AGE_DAYS` ago are
pruned. The folder is private (0700), the index 0600 (SQLite gives its -wal and -shm files the same). A
cache that cannot be used (read-only, full, a file in the way, an index that is not one) is noted once
(`cache_problems`), so the command can say why it is slower, and the audit goes on without it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import sqlite3
import stat
import time
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from ..sqlite import BUSY_TIMEOUT, retrying
from .signing import seal, unseal
from .store import default_cache_dir, note_problem, write_entry

__all__ = ["ResultsCache", "Row", "pack_fingerprint", "pack_digest", "identity", "MAX_AGE_DAYS", "RACY_SECONDS"]

#: Bumped when what the index holds changes shape: an older index is then never read (and is pruned).
CACHE_FORMAT = 3
#: Entries written longer ago than this are removed (an audit prunes at most once a day).
MAX_AGE_DAYS = 14
#: A file changed this recently before it was read may change again within one tick of its file system's
#: clock without its times changing (FAT keeps mtime to two seconds): its row is checked by content.
RACY_SECONDS = 3
#: How long an audit waits for another that is writing the index (seconds).
#: Marks the file as fourp's results index (`PRAGMA application_id`), so fourp never writes into another.
APPLICATION_ID = 0x34503443  # "4P4C"
_PRUNE_MARK = ".last-pruned"
#: Rows are written in batches of this many (one transaction each), so a first audit holds few in memory.
_BATCH = 256
_SCHEMA = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    """CREATE TABLE IF NOT EXISTS plans (
           ctx BLOB NOT NULL,        -- SHA-256 of the audit's context
           path BLOB NOT NULL,       -- the plan's path as given, in the file system's bytes
           ident TEXT NOT NULL,      -- size, mtime_ns, ctime_ns, inode, device when its bytes were read
           digest BLOB NOT NULL,     -- SHA-256 of those bytes
           racy INTEGER NOT NULL,    -- changed just before it was read: check by content before use
           stored INTEGER NOT NULL,  -- when written (Unix time), for pruning
           blob BLOB NOT NULL,       -- the result, sealed to all of the above but `stored`
           PRIMARY KEY (ctx, path))""",
    """CREATE TABLE IF NOT EXISTS verdicts (
           key TEXT PRIMARY KEY, stored INTEGER NOT NULL, blob BLOB NOT NULL)""",
)


def pack_fingerprint(files: Iterable[str]) -> str:
    """A digest of the content of a pack's files (the pack first, then each pack it extends)."""
    from ..read.files import MAX_OPTION_FILE_BYTES, read_bytes

    digest = hashlib.sha256()
    for path in files:
        content = read_bytes(path, MAX_OPTION_FILE_BYTES)
        digest.update(len(content).to_bytes(8, "big"))
        digest.update(content)
    return digest.hexdigest()


def pack_digest(pack: Any) -> str:
    """A digest of what a compiled pack judges by: every rule as compiled (options, parameters, conditions,
    message, enabled or not, its check kind) and the grades. Not its files: a pack changed in memory
    (a rule disabled through the API) must not be handed the results of the pack on disk."""
    content = {
        "name": pack.name, "version": pack.version,
        "grades": [[g.grade, g.min, dict(g.max_failed)] for g in pack.grades],
        "rules": [{**rule.to_dict(), "options": rule.options, "applies_when": [c.spec for c in rule.applies_when],
                   "kind": f"{getattr(rule.kind, '__module__', '')}.{getattr(rule.kind, '__qualname__', '')}"
                           f":{type(rule.kind).__module__}.{type(rule.kind).__qualname__}"}
                  for rule in pack.rules],
    }
    text = json.dumps(content, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Row(NamedTuple):
    """A plan's result as the index keeps it (made where the plan was evaluated, written by the audit)."""

    ctx: bytes
    path: bytes
    ident: str
    digest: bytes
    racy: int
    stored: int
    blob: bytes


def identity(info: os.stat_result) -> str:
    """What says a file is unchanged: size, mtime and ctime to the nanosecond, inode and device."""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}:{info.st_dev}"


def _racy(info: os.stat_result, now_ns: int) -> int:
    changed = max(info.st_mtime_ns, info.st_ctime_ns)
    return int(changed > now_ns or now_ns - changed < RACY_SECONDS * 1_000_000_000)


def _binding(row_ctx: bytes, path: bytes, ident: str, digest: bytes, racy: int) -> bytes:
    parts = (b"plan", row_ctx, path, ident.encode("ascii"), digest, bytes([racy]))
    return b"".join(len(p).to_bytes(8, "big") + p for p in parts)


class ResultsCache:
    """Results by plan, in one index under `directory/results`. Safe to share between processes."""

    def __init__(self, directory: Optional[str] = None) -> None:
        self.directory = os.path.abspath(directory or default_cache_dir())
        self.index_path = os.path.join(self.directory, "results", f"index-v{CACHE_FORMAT}.sqlite")
        self._db: Optional[sqlite3.Connection] = None
        self._unusable = False
        self._pending: List[Row] = []
        self._verdicts: Dict[str, Any] = {}  # cross-plan verdicts read, by key
        self._judged: Dict[str, Tuple[Any, ...]] = {}  # reports to keep with the next verdict, by key

    def __repr__(self) -> str:
        return f"ResultsCache({self.directory!r})"

    def __getstate__(self) -> Dict[str, Any]:  # a connection is this process's own
        return dict(self.__dict__, _db=None, _pending=[], _verdicts={}, _judged={})

    # -- keys ---------------------------------------------------------------------------------------------

    @staticmethod
    def context(pack: Any, as_of: dt.date, max_bytes: int, files: Sequence[str] = ()) -> str:
        """What every key of one audit shares: the compiled pack, the as-of date, the limit, fourp's code,
        and the content of any other `files` the reports depend on (the mappings that read office plans)."""
        from .code_identity import code_fingerprint

        return "\0".join((code_fingerprint(), f"cache {CACHE_FORMAT}", pack_digest(pack),
                          as_of.isoformat(), str(max_bytes), pack_fingerprint(files)))

    @staticmethod
    def key(context: str, path: str, digest: bytes) -> str:
        """A plan's content key: the context, its path and the SHA-256 of its bytes."""
        sha = hashlib.sha256()
        for part in (context.encode("utf-8", "surrogatepass"), os.fsencode(path), digest):
            sha.update(len(part).to_bytes(8, "big"))
            sha.update(part)
        return sha.hexdigest()

    @staticmethod
    def _ctx(context: str) -> bytes:
        return hashlib.sha256(context.encode("utf-8", "surrogatepass")).digest()

    # -- a plan's result ----------------------------------------------------------------------------------

    def kept(self, context: str, paths: Iterable[str], max_bytes: int) -> Dict[str, Tuple[str, Any]]:
        """(content key, result) for each of `paths` whose file is unchanged since its result was kept
        under `context`: each file is `stat`ed, the index read once, and no unchanged file opened (a
        racy row's file is read and hashed). Anything wrong with a row makes it a miss."""
        wanted: Dict[bytes, Tuple[str, str]] = {}
        for path in paths:
            try:
                info = os.stat(path)
            except (OSError, ValueError):
                continue  # the evaluation says why
            if stat.S_ISREG(info.st_mode):
                wanted[os.fsencode(path)] = (path, identity(info))
        found: Dict[str, Tuple[str, Any]] = {}
        db = self._connect(create=False) if wanted else None
        if db is None:
            return found
        ctx = self._ctx(context)
        try:
            rows = db.execute("SELECT path, ident, digest, racy, blob FROM plans WHERE ctx = ?", (ctx,))
            for path_bytes, ident, digest, racy, blob in rows:
                seen = wanted.get(path_bytes) if type(path_bytes) is bytes else None
                if seen is None or seen[1] != ident or type(digest) is not bytes or type(blob) is not bytes:
                    continue
                path = seen[0]
                payload = unseal(blob, _binding(ctx, path_bytes, ident, digest, 1 if racy else 0))
                if payload is None:  # not sealed by this user to this row: never decoded
                    continue
                if racy and not self._still(path, ident, digest, max_bytes, ctx, payload):
                    continue
                result = _open(payload)
                if result is not None and _is_plan_result(result):
                    found[path] = (self.key(context, path, digest), result)
        except sqlite3.Error as exc:
            self._fail(exc, "read")
        self.flush()  # racy rows found unchanged, sealed again as settled
        return found

    def _still(self, path: str, ident: str, digest: bytes, max_bytes: int, ctx: bytes, payload: bytes) -> bool:
        """Whether a racy row's file still hashes as it did; if it has settled, its row is kept as settled."""
        from ..read import read_limit
        from ..read.files import FileRefused, read_file

        limit = read_limit(path, max_bytes)
        try:
            content, info = read_file(path, limit if limit is not None else max_bytes)
        except FileRefused:
            return False
        if identity(info) != ident or hashlib.sha256(content).digest() != digest:
            return False
        if not _racy(info, time.time_ns()):
            sealed = seal(payload, _binding(ctx, os.fsencode(path), ident, digest, 0))
            if sealed is not None:
                self._pending.append(Row(ctx, os.fsencode(path), ident, digest, 0, int(time.time()), sealed))
        return True

    def entry(self, context: str, path: str, info: os.stat_result, content: bytes,
              result: Any) -> Tuple[str, Optional[Row]]:
        """A plan's content key and the row that keeps `result` for the file whose bytes (`content`) were
        read with identity `info` (None when the result cannot be kept). Made where the plan was evaluated
        (a worker), written by the audit (`keep`)."""
        from .codec import Unkept, encode

        digest = hashlib.sha256(content).digest()
        key = self.key(context, path, digest)
        if not _is_plan_result(result):
            return key, None
        try:
            payload = encode(result)
        except Unkept:  # something in a plug-in's report that does not read back equal
            return key, None
        ctx, path_bytes, ident = self._ctx(context), os.fsencode(path), identity(info)
        racy = _racy(info, time.time_ns())
        sealed = seal(payload, _binding(ctx, path_bytes, ident, digest, racy))
        if sealed is None:
            return key, None
        return key, Row(ctx, path_bytes, ident, digest, racy, int(time.time()), sealed)

    def keep(self, rows: Iterable[Row]) -> None:
        """Writes rows, in batches (one transaction each)."""
        self._pending.extend(rows)
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> bool:
        """Writes the rows not yet written, in one transaction. False if they could not be (noted once):
        the cache is an optimisation and never fails an audit."""
        rows, self._pending = self._pending, []
        if not rows:
            return True
        return self._write("INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    # -- the cross-plan verdict ---------------------------------------------------------------------------

    def portfolio_key(self, context: str, plan_keys: Sequence[str], register: Any = None) -> Optional[str]:
        """The key of an audit's cross-plan verdict: every plan's key (content and path) and the register.
        None when the register cannot be fingerprinted (the verdict is then not kept)."""
        digest = hashlib.sha256(f"portfolio\0{context}".encode("utf-8", "surrogatepass"))
        for key in sorted(plan_keys):
            digest.update(key.encode("ascii"))
        try:
            digest.update(pickle.dumps(register, protocol=4))
        except Exception:
            return None
        return digest.hexdigest()

    def get_portfolio(self, key: str) -> Optional[dict]:
        """The cross-plan verdict kept under `key`, or None."""
        kept = self._verdict(key)
        return kept[0] if kept is not None else None

    def get_reports(self, key: str) -> Optional[Tuple[Any, ...]]:
        """The plans an audit judged again with the other plans' names, kept with the cross-plan verdict
        under `key`, or None."""
        kept = self._verdict(key)
        return kept[1] if kept is not None else None

    def put_reports(self, key: str, reports: Sequence[Any]) -> None:
        """Keeps `reports` with the cross-plan verdict `put_portfolio` keeps next under `key`."""
        self._judged[key] = tuple(reports)

    def put_portfolio(self, key: str, portfolio: dict) -> bool:
        from .codec import Unkept, encode_verdict

        try:
            payload = encode_verdict(portfolio, self._judged.pop(key, None))
        except Unkept:
            return False
        sealed = seal(payload, _verdict_binding(key))
        return sealed is not None and self._write("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?)",
                                                  [(key, int(time.time()), sealed)])

    def _verdict(self, key: str) -> Optional[Tuple[dict, Optional[Tuple[Any, ...]]]]:
        """(verdict, reports or None) kept under `key`, read from the index once per audit; None for a miss."""
        from .codec import decode_verdict

        if key in self._verdicts:
            return self._verdicts[key]
        found = None
        db = self._connect(create=False)
        try:
            row = db.execute("SELECT blob FROM verdicts WHERE key = ?", (key,)).fetchone() if db else None
        except sqlite3.Error as exc:
            self._fail(exc, "read")
            row = None
        payload = unseal(row[0], _verdict_binding(key)) if row is not None and type(row[0]) is bytes else None
        if payload is not None:
            try:
                found = decode_verdict(payload)
            except Exception:  # not what fourp writes: a miss
                found = None
        self._verdicts[key] = found
        return found

    # -- the index file -----------------------------------------------------------------------------------

    def _connect(self, create: bool = True) -> Optional[sqlite3.Connection]:
        """The index, opened (and made, 0600 in a 0700 folder, when `create`) once per process; None when
        it does not exist yet or cannot be used (noted)."""
        if self._db is not None or self._unusable:
            return self._db
        if not create and not os.path.isfile(self.index_path):
            return None
        from ..read.files import make_private_dirs

        try:
            make_private_dirs(os.path.dirname(self.index_path))
            _create_private(self.index_path)
            db = sqlite3.connect(self.index_path, timeout=BUSY_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            self._unusable = True
            note_problem(self.directory, getattr(exc, "strerror", None) or str(exc))
            return None
        try:
            _set_up(db)
        except (sqlite3.Error, _NotOurs) as exc:
            db.close()
            self._unusable = True
            note_problem(self.directory, f"its index {self.index_path} cannot be used ({exc}); "
                                         "`fourp cache clear` removes it")
            return None
        self._db = db
        return db

    def _write(self, statement: str, rows: Sequence[Any]) -> bool:
        db = self._connect(create=True)
        if db is None:
            return False
        try:
            retrying(db, lambda: _transaction(db, statement, rows))
            return True
        except sqlite3.Error as exc:
            self._fail(exc, "write")
            return False

    def _fail(self, exc: sqlite3.Error, doing: str) -> None:
        """An index that failed mid-audit (a full disk, a damaged file) is not used again by this audit."""
        note_problem(self.directory, f"cannot {doing} its index {self.index_path} ({exc})")
        self.close()
        self._unusable = True

    def close(self) -> None:
        """Writes what is pending and lets go of the index (SQLite then folds its log back into the file)."""
        if self._pending and self._db is not None:
            self.flush()
        self._pending = []
        self._verdicts.clear()
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    def entries(self) -> int:
        """How many results (plans' and cross-plan verdicts) the index holds."""
        db = self._connect(create=False)
        if db is None:
            return 0
        try:
            return sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("plans", "verdicts"))
        except sqlite3.Error:
            return 0

    # -- housekeeping ------------------------------------------------------------------------------------

    def clear(self) -> int:
        """Removes every result (of every format) and the compiled packs and templates kept beside them;
        returns how many were removed."""
        removed = self.entries()
        self.close()
        self._unusable = False
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(self.index_path + suffix)
            except OSError:
                pass
        for folder, files in _walk_up(*(os.path.join(self.directory, part)
                                        for part in ("results", "packs", "templates"))):
            for name in files:
                try:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
                except OSError:
                    pass
            try:
                os.rmdir(folder)
            except OSError:
                pass
        try:
            os.unlink(os.path.join(self.directory, _PRUNE_MARK))
        except OSError:
            pass
        return removed

    def prune(self, max_age_days: int = MAX_AGE_DAYS, force: bool = False) -> int:
        """Removes results written more than `max_age_days` ago, and what older versions of fourp kept
        (entry files, older indexes), at most once a day unless forced; returns how many."""
        mark = os.path.join(self.directory, _PRUNE_MARK)
        now = time.time()
        try:
            if not force and now - os.stat(mark).st_mtime < 86400:
                return 0
        except OSError:
            pass
        removed = 0
        limit = int(now - max_age_days * 86400)
        db = self._connect(create=False)
        if db is not None:
            try:
                for table in ("plans", "verdicts"):
                    def delete(t: str = table) -> int:
                        return db.execute(f"DELETE FROM {t} WHERE stored < ?", (limit,)).rowcount
                    removed += retrying(db, delete)
            except sqlite3.Error as exc:
                self._fail(exc, "write")
        root = os.path.join(self.directory, "results")
        ours = {os.path.basename(self.index_path) + suffix for suffix in ("", "-wal", "-shm")}
        for folder, files in _walk_up(root):
            for name in files:
                if folder == root and name in ours:
                    continue
                try:
                    os.unlink(os.path.join(folder, name))  # an older fourp's entries: never read by this one
                    removed += 1
                except OSError:
                    pass
            if folder != root:
                try:
                    os.rmdir(folder)
                except OSError:
                    pass
        write_entry(mark, dt.datetime.now().isoformat().encode("ascii"), self.directory)
        return removed


class _NotOurs(Exception):
    pass


def _create_private(path: str) -> None:
    """A new index readable and writable by its owner only (it quotes plans); SQLite gives its -wal and
    -shm files the same permissions."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _transaction(db: sqlite3.Connection, statement: str, rows: Sequence[Any]) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany(statement, rows)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _set_up(db: sqlite3.Connection) -> None:
    """Checks the file is fourp's index (or empty), makes its tables and puts it in WAL mode, retrying
    while other audits set up the same file."""
    def step() -> None:
        if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            db.execute("BEGIN IMMEDIATE")  # looked at again holding the write lock: made once, by one audit
            try:
                application = db.execute("PRAGMA application_id").fetchone()[0]
                if application != APPLICATION_ID:
                    if application != 0 or db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                        raise _NotOurs("it is not fourp's results index")
                    for statement in _SCHEMA:
                        db.execute(statement)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        # A cache may lose its last rows to a power cut (they are evaluated again), never its consistency.
        db.execute("PRAGMA synchronous = NORMAL")
    retrying(db, step)


def _verdict_binding(key: str) -> bytes:
    return b"portfolio\0" + key.encode("ascii")


def _open(payload: bytes) -> Any:
    """A sealed row's result, or None when it does not decode (written by something else)."""
    from .codec import decode

    try:
        return decode(payload)
    except Exception:  # truncated, or not what fourp writes: a miss
        return None


def _walk_up(*roots: str) -> Iterable[Tuple[str, List[str]]]:
    """Each folder under the roots with its files, deepest first (so emptied folders can be removed)."""
    for root in roots:
        for folder, _, files in os.walk(root, topdown=False):
            yield folder, files


def _is_plan_result(value: Any) -> bool:
    """A plan's report, or the error a plan file gave (as `PlanError.to_dict()`)."""
    from ..report import Report

    if isinstance(value, Report):
        return True
    return (isinstance(value, dict) and value.get("kind") is None
            and isinstance(value.get("file"), (str, type(None))) and isinstance(value.get("reason"), str)
            and all(isinstance(value.get(k), (int, type(None))) for k in ("line", "column"))
            and isinstance(value.get("hint", ""), str))

