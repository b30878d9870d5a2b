"""Writing a plan in any format fourp writes (YAML, JSON, Word, Excel): one writer per format, by suffix.

Every writer has the signature `render(data, mapping=None) -> bytes`; `write` puts the bytes in a new
file and never replaces one that exists. Word and Excel are laid out from a mapping (fourp's own by
default), the same mapping that reads them back.
"""
from __future__ import annotations

import importlib
import os
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

__all__ = ["Writer", "WRITERS", "render", "write", "writer_for", "blank", "convert"]


class Writer(NamedTuple):
    name: str
    module: str  # the module in fourp.write whose `render` writes it


#: The one registry of formats fourp writes, by suffix (lower case).
WRITERS: Dict[str, Writer] = {
    ".yaml": Writer("yaml", "text"),
    ".yml": Writer("yaml", "text"),
    ".json": Writer("json", "text"),
    ".docx": Writer("docx", "docx"),
    ".xlsx": Writer("xlsx", "xlsx"),
}


def writer_for(path: str) -> Optional[Writer]:
    return WRITERS.get(os.path.splitext(path)[1].lower())


def render(data: Any, fmt: str, mapping: Any = None) -> bytes:
    """A plan's data as the bytes of a file in `fmt` (yaml, json, docx or xlsx)."""
    writer = next((w for w in WRITERS.values() if w.name == fmt), None)
    if writer is None:
        names = ", ".join(sorted({w.name for w in WRITERS.values()}))
        raise ValueError(f"fourp cannot write {fmt!r}; it writes {names}")
    module = importlib.import_module(f"{__name__}.{writer.module}")
    return module.render(data, fmt, mapping)


def blank(fmt: str) -> bytes:
    """fourp's blank plan template in `fmt`: the commented YAML of `fourp new`, or Word or Excel laid
    out by fourp's own mapping, with the same guidance."""
    if fmt == "yaml":
        from importlib import resources

        return resources.files("fourp").joinpath("data", "new-plan.yaml").read_bytes()
    return render({"fourp": 1, "status": "draft"}, fmt)


def convert(source: str, target: str, mappings: Sequence[Any] = (), max_bytes: Optional[int] = None) -> List[str]:
    """Reads the plan in `source` (any format `fourp.read` reads) and writes it to the new file `target`
    in the format its suffix names (Word and Excel in fourp's own templates: `mappings` are for reading
    the source, so a force's plans move onto one template). Returns the document paths of values the
    target's layout has no place for (and so are not in it). Raises PlanError for a source that cannot be
    read, ValueError for a target format fourp does not write, FileExistsError rather than replace a file."""
    from ..read import read
    from ..read.mapping import shipped_mapping
    from .cells import uncovered

    writer = writer_for(target)
    if writer is None:
        suffix = os.path.splitext(target)[1] or "a file with no suffix"
        raise ValueError(f"fourp writes plans as {', '.join(sorted(WRITERS))}, not {suffix}")
    plan = read(source, max_bytes, mappings=mappings) if max_bytes else read(source, mappings=mappings)
    mapping = None
    lost: List[str] = []
    if writer.name in ("docx", "xlsx"):
        mapping = shipped_mapping(writer.name)
        lost = uncovered(plan.data, mapping)
    write(target, render(plan.data, writer.name, mapping))
    return lost


def write(path: str, content: bytes) -> None:
    """Creates `path` with `content`; raises FileExistsError rather than replace anything."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    except BaseException:
        os.unlink(path)
        raise
