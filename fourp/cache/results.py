"""The results cache: a plan's report, kept so re-auditing an unchanged folder does not evaluate it again.

An entry is found by a key made from everything a report depends on: the plan file's bytes (by SHA-256),
the path it was read from (reports name it), the compiled pack (`pack_digest`: its rules as compiled and
its grades, so a pack changed in memory is not taken for its file), the as-of date, the size limit for a
plan, and fourp's version (and, for a development checkout, its code). An audit's cross-plan verdict is
kept under the keys of all its plans (and its register). Change any of these and the plan is evaluated
afresh; nothing is ever matched on a file's name or time alone.

The cache lives under the user's cache folder (`$XDG_CACHE_HOME/fourp`, else `~/.cache/fourp`), never
beside the plans. An entry holds exactly what the audit keeps of a plan (its report, whose findings quote
plan text), compressed and sealed to its key (`fourp.cache.signing`): an entry copied over another's file, or
of the wrong kind (a cross-plan verdict where a plan's report belongs), is a miss. It is written
atomically; a corrupt or unreadable entry is a miss (never an error), and entries written more than
`MAX_AGE_DAYS` ago are pruned. Folders fourp makes for the cache are private (0700), its files 0600. A
cache that cannot be written (read-only, full, a file in the way) is noted once (`cache_problems`), so
the command can say why it is slower, and the audit goes on without it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import stat
import time
import zlib
from typing import Any, Iterable, List, Optional, Sequence, Tuple

from .signing import seal
from .store import default_cache_dir, read_entry, write_entry

__all__ = ["ResultsCache", "pack_fingerprint", "pack_digest", "MAX_AGE_DAYS"]

#: Bumped when what an entry holds changes shape: older entries are then never read.
CACHE_FORMAT = 2
#: Entries written longer ago than this are removed (an audit prunes at most once a day).
MAX_AGE_DAYS = 14
_PRUNE_MARK = ".last-pruned"


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


class ResultsCache:
    """Reports by key, in files under `directory/results`. Safe to share between processes."""

    def __init__(self, directory: Optional[str] = None) -> None:
        self.directory = os.path.abspath(directory or default_cache_dir())
        self._results = os.path.join(self.directory, "results", f"v{CACHE_FORMAT}")

    def __repr__(self) -> str:
        return f"ResultsCache({self.directory!r})"

    # -- keys ---------------------------------------------------------------------------------------------

    @staticmethod
    def context(pack: Any, as_of: dt.date, max_bytes: int, files: Sequence[str] = ()) -> str:
        """What every key of one audit shares: the compiled pack, the as-of date, the limit, fourp's code,
        and the content of any other `files` the reports depend on (the mappings that read office plans)."""
        from .code_identity import code_fingerprint

        return "\0".join((code_fingerprint(), f"cache {CACHE_FORMAT}", pack_digest(pack),
                          as_of.isoformat(), str(max_bytes), pack_fingerprint(files)))

    @staticmethod
    def key(context: str, path: str, content: bytes) -> str:
        digest = hashlib.sha256()
        for part in (context.encode("utf-8"), os.fsencode(path), hashlib.sha256(content).digest()):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def lookup(self, context: str, path: str, max_bytes: int) -> Tuple[Optional[str], Any]:
        """(key, stored result or None) for a plan file; (None, None) when it cannot be read here (the
        evaluation then reports why)."""
        content = _read(path, max_bytes)
        if content is None:
            return None, None
        key = self.key(context, path, content)
        stored = self.get(key)
        return key, stored if _is_plan_result(stored) else None  # never a verdict of another kind

    def store_if_unchanged(self, context: str, path: str, max_bytes: int, key: str, result: Any) -> bool:
        """Stores a result under `key` if the file still holds what `key` was made from: a plan edited
        while it was being evaluated is not stored under its old content's key."""
        content = _read(path, max_bytes)
        if content is None or self.key(context, path, content) != key:
            return False
        return self.put(key, result)

    def portfolio_key(self, context: str, plan_keys: Sequence[str], register: Any = None) -> Optional[str]:
        """The key of an audit's cross-plan verdict: every plan's key (content and path) and the register.
        None when the register cannot be fingerprinted (the verdict is then not kept)."""
        digest = hashlib.sha256(f"portfolio\0{context}".encode("utf-8"))
        for key in sorted(plan_keys):
            digest.update(key.encode("ascii"))
        try:
            digest.update(pickle.dumps(register, protocol=4))
        except Exception:
            return None
        return digest.hexdigest()

    def get_portfolio(self, key: str) -> Optional[dict]:
        stored = self.get(key)
        return stored["portfolio"] if _is_portfolio(stored) else None

    def put_portfolio(self, key: str, portfolio: dict) -> bool:
        return self.put(key, {"kind": "portfolio", "portfolio": portfolio})

    def _entry(self, key: str) -> str:
        return os.path.join(self._results, key[:2], key)

    # -- reading and writing ------------------------------------------------------------------------------

    def get(self, key: str) -> Any:
        """The stored result, or None for a miss (including an entry that is corrupt or unreadable)."""
        try:
            blob = read_entry(self._entry(key), key)
            if blob is None:  # not sealed with this user's key to this key: never unpickled (pickles run code)
                return None
            result = pickle.loads(zlib.decompress(blob))
        except Exception:  # absent, unreadable, truncated, or written by something else: a miss
            return None
        if not _is_result(result):
            return None
        return result

    def put(self, key: str, result: Any) -> bool:
        """Stores a result atomically (temp file in the same folder, then rename). False if it could not
        be stored (a read-only or full disk): the cache is an optimisation and never fails an audit."""
        try:
            blob = seal(zlib.compress(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), 1),
                        key.encode("ascii"))
        except Exception:  # something in a plug-in's report that cannot be stored
            return False
        return blob is not None and write_entry(self._entry(key), blob, self.directory)

    # -- housekeeping ------------------------------------------------------------------------------------

    def clear(self) -> int:
        """Removes every entry (of every format) and the compiled packs and templates kept beside them;
        returns how many files were removed."""
        removed = 0
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
        """Removes entries older than `max_age_days`, at most once a day unless forced; returns how many."""
        mark = os.path.join(self.directory, _PRUNE_MARK)
        now = time.time()
        try:
            if not force and now - os.stat(mark).st_mtime < 86400:
                return 0
        except OSError:
            pass
        removed = 0
        limit = now - max_age_days * 86400
        root = os.path.join(self.directory, "results")
        for folder, _, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                try:
                    if os.stat(path).st_mtime < limit:
                        os.unlink(path)
                        removed += 1
                except OSError:
                    pass
        write_entry(mark, dt.datetime.now().isoformat().encode("ascii"), self.directory)
        return removed


def _walk_up(*roots: str) -> Iterable[Tuple[str, List[str]]]:
    """Each folder under the roots with its files, deepest first (so emptied folders can be removed)."""
    for root in roots:
        for folder, _, files in os.walk(root, topdown=False):
            yield folder, files


def _read(path: str, max_bytes: int) -> Optional[bytes]:
    """The file's bytes, or None for anything but an ordinary readable file (the evaluation says why).

    Opened without blocking, so a named pipe posing as a plan cannot stall the audit here."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(max_bytes + 1)
    except OSError:
        return None


def _is_result(value: Any) -> bool:
    return _is_plan_result(value) or _is_portfolio(value)


def _is_plan_result(value: Any) -> bool:
    """A plan's report, or the error a plan file gave (as `PlanError.to_dict()`)."""
    from ..report import Report

    if isinstance(value, Report):
        return True
    return (isinstance(value, dict) and value.get("kind") is None
            and isinstance(value.get("file"), (str, type(None))) and isinstance(value.get("reason"), str)
            and all(isinstance(value.get(k), (int, type(None))) for k in ("line", "column"))
            and isinstance(value.get("hint", ""), str))


def _is_portfolio(value: Any) -> bool:
    return isinstance(value, dict) and value.get("kind") == "portfolio" and isinstance(value.get("portfolio"), dict)
