"""SQLite as fourp's history and results index use it: one writer at a time, waiting for the others."""
from __future__ import annotations

import random
import sqlite3
import time
from typing import Callable, TypeVar

__all__ = ["BUSY_TIMEOUT", "contended", "retrying"]

#: How long an audit waits for another that holds the database (seconds).
BUSY_TIMEOUT = 60.0

T = TypeVar("T")


def contended(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused only because another connection holds a lock it needs (decided by its
    result code, never its message). Two connections that both read the file and then both need to
    write deadlock, and SQLite answers one of them at once rather than wait: the caller retries it."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def retrying(db: sqlite3.Connection, step: Callable[[], T], timeout: float = BUSY_TIMEOUT) -> T:
    """Runs `step`, again (after a short random pause, its transaction rolled back) while other
    connections hold the database, up to `timeout` seconds; any other error is raised at once."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if not contended(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.02, 0.1))
