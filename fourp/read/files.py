"""The one way fourp reads a file it is given: plans, packs, registers, baselines, templates, cache entries.

Every refusal is a `FileRefused` naming the file and the reason, which each caller turns into its own
usage error. What is refused, before a byte is read:

- anything but an ordinary file: a folder, a named pipe (which would block for ever), a device such as
  `/dev/zero` (which never ends) or a socket. The path is inspected with `stat` first and opened only when
  it is an ordinary file, without blocking, and the open file is checked again (it may have been swapped);
- a file larger than the limit. The limit is applied to what is read, never to the size the file claims
  (`getsize` is 0 for a device and a file may grow while it is read): at most `limit + 1` bytes are read.
"""
from __future__ import annotations

import errno
import os
import stat
from typing import Any, Optional, Tuple

from ..errors import FourpError

__all__ = ["FileRefused", "read_bytes", "read_file", "make_private_dirs", "MAX_OPTION_FILE_BYTES", "MAX_BASELINE_BYTES"]

#: Packs, registers and templates are a few kilobytes; a file of this size is not one of them.
MAX_OPTION_FILE_BYTES = 16 * 1024 * 1024
#: An audit's JSON grows with the plans it holds (about 20 KB each): room for a force's every plan.
MAX_BASELINE_BYTES = 1024 * 1024 * 1024

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))


#: The error code (`fourp.errors.CODES`) of each kind of refusal.
_CODES = {"missing": "not-found", "dangling-link": "not-found", "loop": "not-found", "folder": "not-a-file",
          "not-a-file": "not-a-file", "too-large": "too-large", "unreadable": "unreadable"}


class FileRefused(FourpError):
    """A file fourp will not read: the file, why, and what to do; each caller words its own error from it.

    `kind` lets callers choose their wording without reading the reason (missing, dangling-link, loop,
    folder, not-a-file, too-large, unreadable); `code` is the matching `fourp.errors` code."""

    def __init__(self, file: str, reason: str, hint: str = "", kind: str = "unreadable") -> None:
        self.kind = kind
        super().__init__(file, reason, hint=hint, code=_CODES[kind])

    def __reduce__(self) -> Any:
        return (type(self), (self.file, self.reason, self.hint, self.kind))


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def _refuse_mode(path: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise FileRefused(path, "this is a folder, not a file", kind="folder")
    raise FileRefused(path, f"this is {_kind_of(mode)}, not an ordinary file, so fourp does not read it",
                      hint="give the path of a file", kind="not-a-file")


def read_bytes(path: str, limit: int) -> bytes:
    """The whole content of an ordinary file of at most `limit` bytes. Raises FileRefused."""
    return read_file(path, limit)[0]


def read_file(path: str, limit: int) -> Tuple[bytes, os.stat_result]:
    """The whole content of an ordinary file of at most `limit` bytes, with what `fstat` said of the open
    file before it was read (so a cache keeps the identity of exactly the bytes read). Raises FileRefused."""
    try:
        _refuse_mode(path, os.stat(path).st_mode)  # never open a device or a pipe: opening may block
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileRefused(path, "this is a link to a file that does not exist",
                              hint="remove the link, or point it at the file", kind="dangling-link") from None
        raise FileRefused(path, "no such file", hint="check the path", kind="missing") from None
    except IsADirectoryError:
        raise FileRefused(path, "this is a folder, not a file", kind="folder") from None
    except PermissionError:
        raise FileRefused(path, "permission denied", hint="ask for read access to the file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileRefused(path, "this link leads round in a circle of links, never to a file",
                              hint="remove the link, or point it at the file", kind="loop") from None
        raise FileRefused(path, f"cannot be opened: {exc.strerror or exc}",
                          hint="check the drive is connected and try again") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _refuse_mode(path, info.st_mode)  # swapped for something else between the stat and the open
        if info.st_size > limit:
            raise _too_large(path, info.st_size, limit)
        try:
            # As much as the file says it holds (asking for the limit would allocate that much for every
            # file), then on up to the limit only if it grew meanwhile.
            raw = handle.read(info.st_size + 1)
            if len(raw) > info.st_size:
                raw += handle.read(limit + 1 - len(raw))
        except OSError as exc:
            raise FileRefused(path, f"cannot be read: {exc.strerror or exc}",
                              hint="check the drive is connected and try again") from None
    if len(raw) > limit:  # it grew while it was read
        raise _too_large(path, None, limit)
    return raw, info


def _too_large(path: str, size: Optional[int], limit: int) -> FileRefused:
    size_text = f" ({size:,} bytes)" if size is not None else ""
    return FileRefused(path, f"the file{size_text} is larger than the {limit:,}-byte limit", kind="too-large")


def make_private_dirs(path: str) -> None:
    """Makes a folder and any missing parents readable by this user only (0700), as a cache must be:
    `os.makedirs`'s mode applies to the last folder alone. Folders that exist are left as they are."""
    missing = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            if not os.path.isdir(folder):  # a file in the way
                raise
            continue  # made meanwhile by another process
        os.chmod(folder, 0o700)  # whatever the umask
