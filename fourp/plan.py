"""Loading a plan file into its data and the source location of every value in it."""
from __future__ import annotations

import codecs
import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Union

import yaml

from .paths import Key, pointer

__all__ = ["Plan", "PlanError", "load_plan", "plan_from_data", "DEFAULT_MAX_BYTES", "PLAN_SUFFIXES"]

#: Plans are a few hundred lines; a file over this is almost certainly not a plan (configurable).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: A document whose aliases expand past this many nodes is refused (the "billion laughs" attack).
MAX_EXPANDED_NODES = 200_000
#: Deeper than any honest plan; refused before recursion could exhaust the stack.
MAX_DEPTH = 64
PLAN_SUFFIXES = (".yaml", ".yml", ".json")

try:  # PyYAML's C parser: about 9x faster than the pure-Python one on a typical plan
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class PlanError(Exception):
    """A file that cannot be read as a plan: where, and why, in words an officer can act on."""

    def __init__(self, file: Optional[str], reason: str, line: Optional[int] = None,
                 column: Optional[int] = None, hint: str = "") -> None:
        self.file, self.reason, self.line, self.column, self.hint = file, reason, line, column, hint
        super().__init__(str(self))

    @property
    def location(self) -> str:
        parts = [self.file or "<plan>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.reason}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column,
                "reason": self.reason, "hint": self.hint}


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, refusing duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the base constructor reports it
                if first is not key_node:
                    raise _DuplicateKey(
                        "while reading a mapping", node.start_mark,
                        f"the key {key!r} appears twice (first on line {first.start_mark.line + 1});"
                        " YAML would silently keep only the last", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


# Date-times are kept as YAML resolves them; fourp.dates reads both forms the same way.
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)  # type: ignore[attr-defined]


class Locator:
    """Finds the line and column of a document path in a composed YAML node tree."""

    def __init__(self, root: Any) -> None:
        self._root = root

    def locate(self, path: Sequence[Key]) -> Optional[Tuple[int, int]]:
        """The 1-based (line, column) of the value at `path`, or of its nearest ancestor that exists."""
        node = self._root
        if node is None:
            return None
        for key in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                wanted = str(key)
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == wanted:
                        child = value_node
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if 0 <= key < len(node.value):
                    child = node.value[key]
            if child is None:
                break
            node = child
        mark = node.start_mark
        return mark.line + 1, mark.column + 1


@dataclass(frozen=True)
class Plan:
    """A plan's data with where it came from. `data` is whatever the document held, valid or not."""

    data: Any
    source: Optional[str] = None
    text: Optional[str] = field(default=None, repr=False, compare=False)
    _locator: Optional[Locator] = field(default=None, repr=False, compare=False)

    def locate(self, path: Sequence[Key]) -> Optional[Tuple[int, int]]:
        if self._locator is None:
            return None
        return self._locator.locate(path)

    def pointer(self, path: Sequence[Key]) -> str:
        return pointer(path)


def plan_from_data(data: Any, source: Optional[str] = None) -> Plan:
    """A Plan for data that is already parsed (a mapping from another system); it has no line numbers."""
    return Plan(data=data, source=source)


def _decode(raw: bytes, source: str) -> str:
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise PlanError(source, f"the file says it is {codec} but is not ({exc.reason})",
                                hint="save it again as UTF-8") from None
    if b"\x00" in raw:
        raise PlanError(source, "this is a binary file, not a plan",
                        hint="a plan is a YAML or JSON text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Plans saved from older office tools arrive in Windows-1252; every byte still means a character.
        return raw.decode("cp1252", errors="replace")


def _check_shape(root: Any, source: str) -> None:
    """Refuses alias bombs and absurd nesting before anything walks the tree."""
    sizes: dict = {}
    stack = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            mark = node.start_mark
            raise PlanError(source, f"the document is nested more than {MAX_DEPTH} levels deep",
                            mark.line + 1, mark.column + 1, hint="no plan needs this; is it generated?")
        key = id(node)
        if key in sizes and not done:
            continue
        children = ()
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        if not done:
            stack.append((node, depth, True))
            sizes[key] = None
            stack.extend((child, depth + 1, False) for child in children if id(child) not in sizes)
        else:
            total = 1 + sum(sizes.get(id(child)) or 0 for child in children)
            sizes[key] = total
            if total > MAX_EXPANDED_NODES:
                mark = node.start_mark
                raise PlanError(source, "the document's aliases expand to more than "
                                f"{MAX_EXPANDED_NODES:,} values", mark.line + 1, mark.column + 1,
                                hint="remove the repeated &anchors and *aliases")


def parse_text(text: str, source: str, suffix: str = ".yaml") -> Plan:
    """Parses plan text; raises PlanError for anything that is not a readable document."""
    if not text.strip():
        raise PlanError(source, "the file is empty", hint="start from `fourp new`")
    if suffix == ".json":
        data = _parse_json(text, source)
        locator: Optional[Locator] = None
        try:  # JSON is YAML for line numbers; a JSON file that YAML cannot read simply has none
            locator = Locator(yaml.compose(text, Loader=_BaseLoader))
        except yaml.YAMLError:
            pass
        plan = Plan(data=data, source=source, text=text, _locator=locator)
    else:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise PlanError(source, "the file holds no document", hint="start from `fourp new`")
            if "&" in text and "*" in text or text.count("\n") > 5000:
                _check_shape(node, source)
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise _yaml_error(exc, source) from None
        except yaml.YAMLError as exc:
            raise PlanError(source, f"not valid YAML: {exc}") from None
        except RecursionError:
            raise PlanError(source, "the document is nested too deeply to read") from None
        finally:
            loader.dispose()
        plan = Plan(data=data, source=source, text=text, _locator=Locator(node))
    if not isinstance(plan.data, Mapping):
        kind = "a list" if isinstance(plan.data, list) else f"a single value ({type(plan.data).__name__})"
        raise PlanError(source, f"the top level of a plan must be a mapping of fields, but this file holds {kind}",
                        1, 1, hint="see `fourp new` for the layout")
    return plan


def _parse_json(text: str, source: str) -> Any:
    def pairs(items: Iterable[Tuple[str, Any]]) -> dict:
        result: dict = {}
        for key, value in items:
            if key in result:
                raise ValueError(f"the key {key!r} appears twice in one object")
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise PlanError(source, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise PlanError(source, str(exc), hint="keep one of the two values") from None
    except RecursionError:
        raise PlanError(source, "the document is nested too deeply to read") from None


def _yaml_error(exc: yaml.MarkedYAMLError, source: str) -> PlanError:
    mark = exc.problem_mark or exc.context_mark
    reason = exc.problem or exc.context or "not valid YAML"
    hint = ""
    if "could not determine a constructor" in reason:
        reason = f"the tag {reason.split('tag')[-1].strip()} is not allowed in a plan"
        hint = "plans hold plain text, numbers, dates, lists and mappings; remove the tag"
    elif "found character '\\t'" in reason:
        reason = "a tab is used for indentation"
        hint = "YAML indents with spaces"
    elif isinstance(exc, _DuplicateKey):
        hint = "keep one of the two entries"
    elif exc.context and exc.problem:
        reason = f"{exc.problem} {exc.context}".strip()
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return PlanError(source, reason if isinstance(exc, _DuplicateKey) else f"not valid YAML: {reason}",
                     line, column, hint)


def load_plan(path: Union[str, "os.PathLike[str]"], max_bytes: int = DEFAULT_MAX_BYTES) -> Plan:
    """Reads a plan file. Raises PlanError, with the file, line and reason, if it is not a readable plan."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except IsADirectoryError:
        raise PlanError(source, "this is a folder, not a plan file") from None
    except FileNotFoundError:
        raise PlanError(source, "no such file") from None
    except PermissionError:
        raise PlanError(source, "permission denied", hint="ask for read access to the file") from None
    except OSError as exc:
        raise PlanError(source, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise PlanError(source, f"the file is larger than the {max_bytes:,}-byte limit for a plan",
                        hint="raise the limit with --max-bytes if this really is one plan")
    text = _decode(raw, source)
    suffix = os.path.splitext(source)[1].lower()
    return parse_text(text, source, ".json" if suffix == ".json" else ".yaml")
