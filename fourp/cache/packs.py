"""Loading a rule pack once: the validated, compiled pack is kept under the user's cache folder.

Reading, validating and compiling a pack costs more than checking a plan, and a one-plan `fourp check`
pays it every time. The compiled pack is stored (pickled, atomically) with the SHA-256 of every file in
its `extends` chain, fourp's version and a fingerprint of fourp's own code; it is used only while all of
them are unchanged, so an edited pack is always read afresh. Message templates are compiled again when
first used (Jinja templates are not stored). Anything wrong with an entry makes it a miss.
`FOURP_NO_CACHE=1` turns this cache off.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from typing import Any, Callable, Optional, Tuple

from .code_identity import code_fingerprint
from .signing import seal

__all__ = ["load_cached", "code_fingerprint"]

_FORMAT = 1


def _file_hash(path: str) -> Optional[str]:
    from ..read.files import MAX_OPTION_FILE_BYTES, FileRefused, read_bytes

    try:  # a pack file swapped for a pipe must not hang the check of the cached pack
        return hashlib.sha256(read_bytes(path, MAX_OPTION_FILE_BYTES)).hexdigest()
    except FileRefused:
        return None


def _entry_path(file: str) -> str:
    from .store import default_cache_dir

    name = hashlib.sha256(os.path.abspath(file).encode("utf-8", "surrogateescape")).hexdigest()
    return os.path.join(default_cache_dir(), "packs", f"v{_FORMAT}", name)


def _read(entry: str, file: str) -> Any:
    from .store import read_entry

    try:
        blob = read_entry(entry, os.path.basename(entry))
        if blob is None:  # not sealed with this user's key: never unpickled (pickles run code)
            return None
        stored = pickle.loads(blob)
        if stored["code"] != code_fingerprint() or stored["file"] != os.path.abspath(file):
            return None
        if any(_file_hash(path) != digest for path, digest in stored["files"]):
            return None  # the pack, or a pack it extends, has changed
        return stored["pack"]
    except Exception:  # absent, corrupt, or from another fourp: read the pack afresh
        return None


def _write(entry: str, file: str, pack: Any) -> None:
    from .store import write_entry

    try:
        hashes: Tuple[Tuple[str, Optional[str]], ...] = tuple((path, _file_hash(path)) for path in pack.files)
        bare = without_templates(pack)
        blob = pickle.dumps({"code": code_fingerprint(), "file": os.path.abspath(file), "files": hashes,
                             "pack": bare}, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a pack with unpicklable plug-in parts: simply not cached
        return
    sealed = seal(blob, os.path.basename(entry).encode("ascii"))  # bound to the pack file it holds
    if sealed is not None:
        from .store import default_cache_dir

        write_entry(entry, sealed, default_cache_dir())  # a read-only disk: not cached either (noted)


def without_templates(pack: Any) -> Any:
    """The pack without its compiled Jinja templates, which do not pickle; each rule compiles its message
    again when first used (`Rule.render`). Stored packs and the packs sent to audit workers are these."""
    return dataclasses.replace(pack, rules=tuple(dataclasses.replace(r, template=None) for r in pack.rules))


def load_cached(file: str, load: Callable[[str], Any]) -> Any:
    """The pack in `file` (a resolved path), from the cache when nothing it was built from has changed,
    else by `load(file)`, which is then cached. Errors from `load` (a bad pack) are never cached."""
    if os.environ.get("FOURP_NO_CACHE"):
        return load(file)
    entry = _entry_path(file)
    pack = _read(entry, file)
    if pack is not None:
        return pack
    pack = load(file)
    _write(entry, file, pack)
    return pack
