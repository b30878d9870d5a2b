"""What identifies the fourp code that is running, so that no cache serves what other code concluded."""
from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache

__all__ = ["code_fingerprint"]


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """fourp's version and the size and time of each of its modules: a development checkout whose code
    changed without a new version number does not reuse what older code compiled or concluded."""
    from .. import __version__

    digest = hashlib.sha256(f"{__version__} {sys.version_info[:2]}".encode())
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the package
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".json")):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, root)} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.hexdigest()
