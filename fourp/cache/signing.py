"""Sealing cache entries with a per-user secret, so a cache folder others can write to cannot run code.

Cache entries are pickles and compiled templates, and loading either runs code. Each entry is therefore
sealed with an HMAC-SHA256 under a key kept outside every cache folder (`$XDG_CONFIG_HOME/fourp/cache.key`,
else `~/.config/fourp/cache.key`, readable only by its owner). The seal covers the entry's own key (what it
was stored under: for a plan, its path, content, pack and date), so an entry copied over another's file does
not verify either. An entry whose seal does not verify is never loaded: it is a miss.

A key that is not valid (empty or short, as a full disk leaves it) is replaced, atomically. A key that others
can read is refused, with what to do about it: anyone who can read it can forge entries.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
from typing import Optional

__all__ = ["seal", "unseal", "key_path", "key_problem", "forget_key"]

_MAGIC = b"fourp-sealed-2\n"
_DIGEST = hashlib.sha256().digest_size
_KEY_BYTES = 32
_key: Optional[bytes] = None
_key_for: Optional[str] = None
_problem: Optional[str] = None


def key_path() -> str:
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "fourp", "cache.key")


def forget_key() -> None:
    """Reads the key again when next needed (a command's run starts afresh)."""
    global _key, _key_for, _problem
    _key = _key_for = _problem = None


def key_problem() -> Optional[str]:
    """Why there is no key (so no cache) in this process, if there is none; else None."""
    return _problem


def _read_key(path: str) -> Optional[bytes]:
    """The key in the file, None if there is none or it is not valid; raises _Exposed if others can read it."""
    from ..read.files import FileRefused, read_bytes

    try:
        key = read_bytes(path, 4096)
    except FileRefused as exc:
        if exc.kind == "missing":
            return None
        raise _Unusable(f"the cache key {path} cannot be read: {exc.reason}") from None
    mode = os.stat(path).st_mode
    if stat.S_IMODE(mode) & 0o077:
        raise _Unusable(f"the cache key {path} can be read or changed by other users, who could then forge "
                        f"cache entries; fourp keeps no cache until it is private: chmod 600 {path}")
    return key if len(key) >= _KEY_BYTES else None


class _Unusable(Exception):
    pass


def _load_key() -> Optional[bytes]:
    """The user's key, made (or replaced, if not valid) on first use; None when there can be none."""
    global _key, _key_for, _problem
    path = key_path()
    if _key_for == path:
        return _key
    _key_for, _key, _problem = path, None, None
    try:
        key = _read_key(path)
        if key is None:  # none yet, or empty or short: a new one, written whole or not at all
            _write_key(path)
            key = _read_key(path)  # another process may have replaced it meanwhile: theirs then
    except _Unusable as exc:
        _problem = str(exc)
        return None
    except OSError as exc:
        _problem = f"the cache key {path} cannot be made: {exc.strerror or exc}"
        return None
    if key is None:
        _problem = f"the cache key {path} is not valid and cannot be replaced"
    _key = key
    return key


def _write_key(path: str) -> None:
    import secrets  # only to make the key: a run that reads it starts without

    from ..read.files import make_private_dirs

    folder = os.path.dirname(path)
    make_private_dirs(folder)
    temp = os.path.join(folder, f".cache.key.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(_KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.lexists(path):
            # Replaced only if it is still not valid (empty or short, as a full disk leaves it): a process that
            # found no key a moment ago must not replace the one another process has just made and sealed with.
            if _read_key(path) is None:
                os.replace(temp, path)
        else:
            # Made only if still absent: processes starting at once must all end up with one key, not each
            # seal with its own and find the others' entries forged.
            try:
                os.link(temp, path)
            except FileExistsError:
                pass  # another process made it meanwhile: theirs is read back
            except OSError:  # a file system without hard links
                os.replace(temp, path)
    finally:
        try:
            os.unlink(temp)
        except OSError:  # renamed into place
            pass


def _mac(key: bytes, binding: bytes, blob: bytes) -> bytes:
    mac = hmac.new(key, len(binding).to_bytes(8, "big"), hashlib.sha256)
    mac.update(binding)
    mac.update(blob)
    return mac.digest()


def seal(blob: bytes, binding: bytes) -> Optional[bytes]:
    """The blob sealed to `binding` (what the entry is stored under), or None when there is no key (the
    entry is then not written)."""
    key = _load_key()
    if key is None:
        return None
    return _MAGIC + _mac(key, binding, blob) + blob


def unseal(data: bytes, binding: bytes) -> Optional[bytes]:
    """The blob if its seal verifies under this user's key for this binding, else None."""
    key = _load_key()
    if key is None or not data.startswith(_MAGIC):
        return None
    mac, blob = data[len(_MAGIC):len(_MAGIC) + _DIGEST], data[len(_MAGIC) + _DIGEST:]
    if not hmac.compare_digest(mac, _mac(key, binding, blob)):
        return None
    return blob
