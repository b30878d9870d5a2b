"""Writing a report atomically: a temporary file in the target's folder renamed into place."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
import time
from typing import Iterable, Iterator, List, Optional, Union

__all__ = ["remove_stale_temporaries", "NotWritable", "report_bytes", "report_chunks", "write_atomic",
           "is_fourp_report", "Pieces"]


#: A temporary report's name: `.{report}.{host}-{pid}-{random}.tmp`, so a later run can tell its own
#: leftovers (from a run killed outright) from a temporary file another run is writing right now.
_TEMP_NAME = re.compile(r"\.(?P<base>.+)\.(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-[0-9a-f]{12}\.tmp")
#: A leftover from another machine (a shared drive), whose process fourp cannot ask after, is removed
#: once it is this old: no report takes a day to write.
_STALE_SECONDS = 24 * 3600


def _host() -> str:
    import socket

    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process: alive
    except OSError:
        return True
    return True


def remove_stale_temporaries(folder: str, base: str) -> int:
    """Removes the temporary files fourp left beside `base` when a run writing it was killed outright
    (SIGKILL, a power cut): those of a process on this machine that has ended, or over a day old.
    Only names of fourp's own making are touched. Returns how many were removed."""
    removed = 0
    host = _host()
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        match = _TEMP_NAME.fullmatch(name)
        if match is None or match.group("base") != base:
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                continue
            mine = match.group("host") == host
            if (mine and not _alive(int(match.group("pid")))) or time.time() - info.st_mtime > _STALE_SECONDS:
                os.unlink(path)
                removed += 1
        except OSError:
            pass
    return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class NotWritable(OSError):
    """A report's target fourp will not write to (a folder, a block device, a socket)."""


def report_bytes(text: str) -> bytes:
    """A report as UTF-8. A file name that is not UTF-8 reaches here holding Python's stand-ins for its
    bytes (lone surrogates): they are written escaped (`\\udcff`), as JSON reads them back, never a crash."""
    return text.encode("utf-8", "backslashreplace")


#: What a report is made of: its whole text, or its pieces (text or UTF-8 bytes) in order, written as
#: they come so that a report of ten thousand plans is never all in memory at once.
Pieces = Union[str, bytes, Iterable[Union[str, bytes]]]


def report_chunks(text: Pieces) -> Iterator[bytes]:
    """A report's bytes in pieces of at least 64 KB (fewer, larger writes than a template's many pieces)."""
    if isinstance(text, (str, bytes)):
        yield report_bytes(text) if isinstance(text, str) else text
        return
    buffer: List[bytes] = []
    size = 0
    for piece in text:
        data = report_bytes(piece) if isinstance(piece, str) else piece
        buffer.append(data)
        size += len(data)
        if size >= _CHUNK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


_CHUNK = 1 << 16


def write_atomic(path: str, text: Pieces) -> None:
    """Writes a report (UTF-8; its whole text, or its pieces as they come) to path.

    An ordinary file (or a new one) is written to a temporary file in the same folder and renamed into
    place: on any failure, or SIGINT, SIGTERM or SIGHUP, the temporary file is removed and whatever was
    at `path` is untouched. The temporary file has the permissions of the report it replaces from the
    start (a new report gets the usual ones, the umask applying) and is visible only to its owner until
    then. A symbolic link is followed, and the file it leads to is replaced, never the link. A character
    device (`/dev/null`, a terminal) or a named pipe is written to in place, as a shell's `>` would;
    anything else (a folder, a block device, a socket) is refused with NotWritable.
    """
    target = os.path.realpath(path) if os.path.islink(path) else path
    try:
        info: Optional[os.stat_result] = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "wb") as handle:
            for chunk in report_chunks(text):
                handle.write(chunk)
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "neither a file, a character device nor a pipe"
        raise NotWritable(errno.EINVAL, f"this is {what}; fourp writes a report to a file, a terminal or a pipe")
    folder = os.path.dirname(os.path.abspath(target))
    base = os.path.basename(target)
    remove_stale_temporaries(folder, base)
    prefix = f".{base}.{_host()}-{os.getpid()}-"
    while True:
        temp = os.path.join(folder, f"{prefix}{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            break
        except FileExistsError:  # pragma: no cover - 48 random bits; try another name
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            if info is not None:  # the report it replaces: its permissions from the first byte
                os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
            for chunk in report_chunks(text):
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
            if info is None:
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


_OWN_REPORT = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"format":\s*\d+,\s*"kind":\s*"audit"'
                         rb'|\A\s*\{\s*"\$schema":\s*"[^"]*sarif[^"]*",\s*"version":\s*"[^"]*",\s*"runs":\s*'
                         rb'\[\s*\{\s*"tool":\s*\{\s*"driver":\s*\{\s*"name":\s*"fourp"')


def is_fourp_report(path: str) -> bool:
    """Whether a file is a report fourp wrote (its audit JSON or SARIF), judged by how it begins: such a
    file in an audited folder is an earlier report, written over by the next run; anything else there
    that the audit would read is treated as a plan, never written over."""
    try:  # without blocking: a pipe in the report's place is not a report
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, 4096)
    except OSError:
        return False
    finally:
        os.close(fd)
    return _OWN_REPORT.match(head) is not None
