"""The cache folder and its entries: where it is, an entry read and written whole, and why a cache went unused."""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

__all__ = ["note_problem", "take_noted", "cache_problems", "read_entry", "default_cache_dir", "write_entry"]


#: The largest entry read back: a plan's compressed report is a few kilobytes.
_MAX_ENTRY_BYTES = 256 * 1024 * 1024


#: Why a cache folder could not be used, by folder: each is said once (the first reason).
_problems: Dict[str, str] = {}


def note_problem(folder: str, reason: str) -> None:
    """Notes that the cache in `folder` cannot be used, and why (the first reason is kept)."""
    _problems.setdefault(folder, reason)


def take_noted() -> List[Tuple[str, str]]:
    """The (folder, reason) pairs noted so far, forgotten here (a worker passes them to the audit)."""
    noted = list(_problems.items())
    _problems.clear()
    return noted


def cache_problems() -> List[str]:
    """A sentence for each cache this process could not use (including a missing or exposed key), each
    once; they are then forgotten."""
    from .signing import key_problem

    found = [f"the cache in {folder} cannot be used ({reason}); fourp went on without it"
             for folder, reason in take_noted()]
    problem = key_problem()
    if problem is not None:
        found.append(problem)
    return found


def read_entry(path: str, binding: str) -> Optional[bytes]:
    """A cache file's content if it is an ordinary file sealed with this user's key to `binding`, else None
    (absent, planted, copied from another entry, a pipe or a device put in its place)."""
    from ..read.files import FileRefused, read_bytes
    from .signing import unseal

    try:
        return unseal(read_bytes(path, _MAX_ENTRY_BYTES), binding.encode("utf-8", "surrogateescape"))
    except FileRefused:
        return None


def default_cache_dir() -> str:
    """`$XDG_CACHE_HOME/fourp`, else `~/.cache/fourp` (on Windows, `%LOCALAPPDATA%\\fourp\\cache`)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base and os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return os.path.join(os.environ["LOCALAPPDATA"], "fourp", "cache")
    if not base or not os.path.isabs(base):  # the XDG spec says to ignore a relative path
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "fourp")


def write_entry(path: str, blob: bytes, root: Optional[str] = None) -> bool:
    """Writes a cache file whole or not at all (temp file in the same folder, then rename), 0600 in
    folders only this user can read. False if it could not be written (noted once for the cache `root`):
    a cache never fails what uses it."""
    from ..read.files import make_private_dirs

    folder = os.path.dirname(path)
    temp = None
    try:
        make_private_dirs(folder)
        import tempfile  # only a write needs it: a cold check that reads its caches starts without

        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")  # 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(temp, path)
        return True
    except OSError as exc:
        note_problem(root or folder, exc.strerror or str(exc))
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
        return False
