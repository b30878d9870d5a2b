"""Sealing cache entries with a per-user secret, so a cache folder others can write to cannot run code.

Cache entries are pickles, and unpickling runs code. Each entry is therefore sealed with an HMAC-SHA256 under
a key kept outside every cache folder (`$XDG_CONFIG_HOME/fourp/cache.key`, else `~/.config/fourp/cache.key`,
readable only by its owner). An entry whose seal does not verify is never unpickled: it is a miss.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from typing import Optional

__all__ = ["seal", "unseal", "key_path"]

_MAGIC = b"fourp-sealed-1\n"
_DIGEST = hashlib.sha256().digest_size
_key: Optional[bytes] = None


def key_path() -> str:
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "fourp", "cache.key")


def _load_key() -> Optional[bytes]:
    """The user's key, made on first use; None when it can be neither read nor made (no cache then)."""
    global _key
    if _key is not None:
        return _key
    path = key_path()
    try:
        with open(path, "rb") as handle:
            key = handle.read()
        if len(key) >= 32:
            _key = key
            return key
    except OSError:
        pass
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    except FileExistsError:  # another process made it first: use theirs
        pass
    except OSError:
        return None
    try:
        with open(path, "rb") as handle:
            key = handle.read()
    except OSError:
        return None
    if len(key) < 32:
        return None
    _key = key
    return key


def seal(blob: bytes) -> Optional[bytes]:
    """The blob with its seal, or None when there is no key (the entry is then not written)."""
    key = _load_key()
    if key is None:
        return None
    return _MAGIC + hmac.new(key, blob, hashlib.sha256).digest() + blob


def unseal(data: bytes) -> Optional[bytes]:
    """The blob if its seal verifies under this user's key, else None."""
    key = _load_key()
    if key is None or not data.startswith(_MAGIC):
        return None
    mac, blob = data[len(_MAGIC):len(_MAGIC) + _DIGEST], data[len(_MAGIC) + _DIGEST:]
    if not hmac.compare_digest(mac, hmac.new(key, blob, hashlib.sha256).digest()):
        return None
    return blob
