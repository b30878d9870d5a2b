"""Loading a plan file into its data and the source location of every value in it."""
from __future__ import annotations

import bisect
import codecs
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from ..errors import FourpError

__all__ = ["Plan", "PlanError", "as_mapping", "load_plan", "plan_from_bytes", "is_plan", "plan_from_data", "read_yaml",
           "DEFAULT_MAX_BYTES", "PLAN_SUFFIXES", "MAX_DEPTH", "MAX_VALUES"]

#: Plans are a few hundred lines; a file over this is almost certainly not a plan (configurable).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: A document holding more values than this, counting each alias as the values it repeats, is refused:
#: it stops the "billion laughs" alias bomb, and no real plan (a few hundred values) comes near it.
MAX_VALUES = 200_000
#: Deeper than any honest plan (about 6 levels); refused before anything recursive walks the document.
MAX_DEPTH = 64
PLAN_SUFFIXES = (".yaml", ".yml", ".json")

try:  # PyYAML's C parser: about 9x faster than the pure-Python one on a typical plan
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class PlanError(FourpError):
    """A file that cannot be read as a plan: where, and why, in words an officer can act on."""

    unnamed = "<plan>"
    default_code = "not-a-plan"


#: One step of a document path: a mapping's key or a list's index (`fourp.pack.pointers` builds on it).
Key = Union[str, int]


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Refused(yaml.MarkedYAMLError):
    """A value fourp will not build (a tag for Python objects, binary data, sets): reason and hint."""

    def __init__(self, mark: Any, problem: str, hint: str, code: str = "not-allowed") -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint, self.code = hint, code


_MERGE = "tag:yaml.org,2002:merge"
_PLAIN = "fourp reads only text, numbers, dates, lists and mappings; remove the tag"


class _Lines:
    """Lines and columns as an editor counts them.

    YAML also ends a line at U+0085, U+2028 and U+2029, which editors show as characters; after one of
    them libyaml's line numbers would be one ahead of what the officer sees. Where the text has any, and
    at the very end of a text, a position is worked out again from its character index.
    """

    _YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")

    def __init__(self, text: Optional[str]) -> None:
        self._text = text or ""
        self._starts: Optional[List[int]] = None
        self._differ: Optional[bool] = None  # searched for when a location is first asked, not on every read
        self._known = text is not None

    def at(self, mark: Any) -> Tuple[int, int]:
        """The 1-based (line, column) of a libyaml mark."""
        if self._differ is None:
            self._differ = bool(self._text and self._YAML_ONLY_BREAKS.search(self._text))
        index = getattr(mark, "index", None)
        # At the end of a text with no final newline, libyaml counts a line the file does not have.
        if index is None or not self._known or not self._differ and index < len(self._text):
            return mark.line + 1, mark.column + 1
        return self.at_index(min(index, len(self._text)))

    def at_index(self, index: int) -> Tuple[int, int]:
        """The 1-based (line, column) of a character of the text."""
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self._text)]
        line = bisect.bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1


_PLAIN_LINES = _Lines(None)  # text unknown: libyaml's own count


class _Loader(_BaseLoader):
    """PyYAML's safe loader, refusing duplicate keys instead of silently keeping the last one, building
    only what JSON can hold (plus dates), and keeping a value YAML cannot build (`2024-02-31`) as the text
    it is, so the plan-structure rule reports it with its line instead of the whole file being lost."""

    lines = _PLAIN_LINES  # set for each text by read_yaml

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:  # before merging: a key given beside `<<:` overrides it
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    raise _Refused(key_node.start_mark, "a key here is a list or a mapping",
                                   "a key is a plain word such as `status`") from None
                if first is not key_node:
                    raise _DuplicateKey(
                        "while reading a mapping", node.start_mark,
                        f"the key {key!r} appears twice (first on line {self.lines.at(first.start_mark)[0]});"
                        " YAML would silently keep only the last", key_node.start_mark)
            self.flatten_mapping(node)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):  # 2024-02-31, 25:00: the format check reports the text
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts (a pasted number, or an attack)
            return self.construct_scalar(node)

    def refuse(self, node: Any) -> Any:
        raise _Refused(node.start_mark, f"the tag {_short_tag(node.tag)} is not allowed", _PLAIN)


# Date-times are kept as YAML resolves them; fourp.read.dates reads both forms the same way.
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
for _tag in ("binary", "set", "omap", "pairs"):  # bytes, sets and tuples are not plan data
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Loader.refuse)
_Loader.add_constructor(None, _Loader.refuse)  # any other tag


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


class Locator:
    """Finds the line and column of a document path in a composed YAML node tree."""

    def __init__(self, root: Any, lines: _Lines = _PLAIN_LINES) -> None:
        self._root, self._lines = root, lines

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
        return self._lines.at(node.start_mark)


class _MarkLocator(Locator):
    """A Locator over the marks the one-pass reader keeps: a scalar is its start mark; a mapping is
    (mark, {key as written: child}); a list is (mark, [child, ...]). It answers as `Locator` does over the
    composed nodes: a mapping's key matched by its text as written (the first of equal texts), a list's
    item by an int index, and the nearest existing ancestor where the path goes further than the document."""

    def locate(self, path: Sequence[Key]) -> Optional[Tuple[int, int]]:
        node = self._root
        for key in path:
            if type(node) is not tuple:  # a scalar: the path goes further than the document
                break
            children = node[1]
            if type(children) is dict:
                child = children.get(str(key))
            elif isinstance(key, int) and 0 <= key < len(children):
                child = children[key]
            else:
                child = None
            if child is None:
                break
            node = child
        return self._lines.at(node[0] if type(node) is tuple else node)


@dataclass(frozen=True)
class Plan:
    """A plan's data with where it came from. `data` is whatever the document held, valid or not."""

    data: Any
    source: Optional[str] = None
    text: Optional[str] = field(default=None, repr=False, compare=False)
    #: Turns a document path into a location: a `Locator` (line, column) for YAML and JSON, or a reader's
    #: own with a `place(path)` as well for Word and Excel.
    _locator: Optional[Any] = field(default=None, repr=False, compare=False)
    #: What the reader wants the user told about the file (a macro-enabled file's macros were ignored).
    notes: Tuple[str, ...] = field(default=(), compare=False)

    def locate(self, path: Sequence[Key]) -> Optional[Tuple[int, int]]:
        if self._locator is None:
            return None
        return self._locator.locate(path)

    def place(self, path: Sequence[Key]) -> Any:
        """Where the value at `path` is in a Word or Excel plan (a `fourp.report.Place`), or None for a
        text plan, whose lines and columns say where."""
        place = getattr(self._locator, "place", None)
        return place(path) if place is not None else None


def as_mapping(value: Any) -> Mapping[str, Any]:
    """A part of plan data read as a mapping: anything else (a hostile or mistyped plan's list, text) as empty."""
    return value if isinstance(value, Mapping) else {}


def plan_from_data(data: Any, source: Optional[str] = None) -> Plan:
    """A Plan for data that is already parsed (a mapping from another system); it has no line numbers."""
    return Plan(data=data, source=source)


# -- bytes to text --------------------------------------------------------------------------------------

def _decode(raw: bytes, source: str) -> str:
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise PlanError(source, f"the file says it is {codec.upper()} text but is not ({exc.reason} "
                                f"at byte {exc.start:,})", hint="save it again as UTF-8", code="bad-encoding") from None
    if b"\x00" in raw:
        utf16 = _bomless_utf16(raw)
        if utf16 is not None:
            return utf16
        raise PlanError(source, "this is a binary file (a picture, an office document or an archive?), not "
                        "a plan", hint="a plan is a YAML or JSON text file; save or export it as one",
                        code="binary")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", errors="replace")
    if any(ord(c) > 127 and c != "\ufffd" for c in text):
        return text  # UTF-8 with a few stray bytes: keep every word that is readable
    # Plans saved from older office tools arrive in Windows-1252; every byte still means a character.
    return raw.decode("cp1252", errors="replace")


def _bomless_utf16(raw: bytes) -> Optional[str]:
    """UTF-16 without a byte-order mark, as some tools write it: ASCII text with every other byte zero."""
    sample = raw[:4096]
    if len(raw) % 2 or len(sample) < 4:
        return None
    for codec, high, low in (("utf-16-le", sample[1::2], sample[0::2]), ("utf-16-be", sample[0::2], sample[1::2])):
        # Text: the high bytes nearly all zero (ASCII and Latin-1), the low bytes nearly never.
        if high.count(0) >= 0.9 * len(high) and low.count(0) <= 0.1 * len(low):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


# -- text to data ---------------------------------------------------------------------------------------

#: The codes of a document refused for its shape (depth, size) before anything builds it.
_REFUSED_SHAPES = frozenset({"too-deep", "too-many-values", "alias-bomb", "self-alias"})


def _scan(text: str, source: str, lines: _Lines) -> None:
    """Refuses documents too deep or too large, before anything builds them.

    libyaml's parser is a state machine: walking its events builds nothing and recurses nowhere, so a
    100,000-deep `[[[[...]]]]` cannot overflow the stack (composing it does, in C) and an alias bomb costs
    one pass over its text. Each alias counts as the values it would repeat.
    """
    try:
        _scan_events(_BaseLoader, text, source, lines)
    except yaml.YAMLError:
        if _BaseLoader is yaml.SafeLoader:  # pragma: no cover - PyYAML built without libyaml
            raise
        # The libyaml bundled since PyYAML 6.0.4 refuses flow nesting past 1,000 levels while it reads
        # tokens ahead, before its events reach MAX_DEPTH here, so a deep `[[[[` would be refused in its
        # words and with the wrong column. PyYAML's own parser (also a state machine) has no such limit:
        # on this rare path it finds whether fourp refuses the document first, and where.
        try:
            _scan_events(yaml.SafeLoader, text, source, lines)
        except yaml.YAMLError:
            pass
        raise


def _scan_events(parser_class: Any, text: str, source: str, lines: _Lines) -> None:
    parser = parser_class(text)
    sizes: dict = {}          # anchor -> the values it stands for
    open_anchors: List[Tuple[Optional[str], int]] = []
    total = 0
    aliases = False

    def refuse(event: Any, reason: str, hint: str, code: str) -> PlanError:
        return PlanError(source, reason, *lines.at(event.start_mark), hint, code=code)
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            if isinstance(event, yaml.AliasEvent):
                if any(anchor == event.anchor for anchor, _ in open_anchors):
                    raise refuse(event, f"the alias *{event.anchor} is inside the &{event.anchor} it repeats, "
                                 "so the document would contain itself", "repeat the values instead of an alias",
                                 "self-alias")
                total += sizes.get(event.anchor, 1)
                aliases = True
            elif isinstance(event, yaml.ScalarEvent):
                total += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                open_anchors.append((event.anchor, total))
                total += 1
                if len(open_anchors) > MAX_DEPTH:
                    raise refuse(event, f"the document is nested more than {MAX_DEPTH} levels deep",
                                 "no plan needs this; is it generated, or are brackets left open?", "too-deep")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, start = open_anchors.pop()
                if anchor:
                    sizes[anchor] = total - start
            else:
                continue
            if total > MAX_VALUES:
                if aliases:
                    raise refuse(event, f"the document's aliases expand to more than {MAX_VALUES:,} values (an "
                                 "alias bomb?)", "remove the repeated &anchors and *aliases", "alias-bomb")
                raise refuse(event, f"the document holds more than {MAX_VALUES:,} values, far more than any plan",
                             "split it into one file per plan", "too-many-values")
    finally:
        parser.dispose()


# Why libyaml's events and not a faster parser (measured on the benchmark plans, issue 16): yaml-rs reads
# YAML 1.2 (`yes` stays text, `1:20` and `017` differ, a quoted '2024-01-02' becomes a date) and returns
# values in which a quoted scalar cannot be told from a plain one, so its results cannot be made PyYAML's;
# rapidyaml parses in 0.03x the floor, but only walking its tree from Python, with no typing, places or
# limits, already costs what this whole reader costs. PyYAML's parser is already a dependency, with libyaml
# in its wheels for Windows, macOS and Linux, and accepts and refuses exactly the texts it always did.
#: Whether `read_yaml` tries the one-pass reader first. `FOURP_PARSER=pyyaml` keeps every document on the
#: composing path (the reader fourp always had), which the tests use as the oracle.
ONE_PASS = os.environ.get("FOURP_PARSER", "").strip().lower() != "pyyaml"

#: The tags of plain scalars the one-pass reader builds, with `_Loader`'s own constructors. Any other
#: (the merge key `<<`, `=`, `!`) sends the document down the composing path, which merges or refuses it.
_ONE_PASS_TAGS = frozenset("tag:yaml.org,2002:" + name for name in ("null", "bool", "int", "float", "timestamp"))
_NO_KEY = object()
_builder: Optional[Any] = None


def _scalar_builder() -> Any:
    """A `_Loader` used only for its scalar constructors, which keep no state between calls."""
    global _builder
    if _builder is None:
        builder = _Loader("")
        builder.dispose()
        _builder = builder
    return _builder


def _read_events(text: str) -> Optional[Tuple[Any, Any]]:
    """(data, marks for `_MarkLocator`) from one pass over the parser's events, or None where the document
    holds anything the composing path must judge.

    It builds what `_Loader` builds for the common document (plain and quoted scalars, block and flow
    mappings and lists) at a third of the cost of composing then constructing: a plain scalar's tag comes
    from PyYAML's own resolver table and its value from `_Loader`'s own constructors, a quoted one is text.
    Anything else (an anchor, alias, tag, merge key, a list or mapping as a key, a repeated key, a second
    document, a document past MAX_DEPTH or MAX_VALUES, any parser error) returns None, so refusals, their
    words and their places stay exactly the composing path's.
    """
    resolvers = _Loader.yaml_implicit_resolvers
    if None in resolvers or _Loader.yaml_path_resolvers:  # resolvers this reader does not model
        return None
    constructors, builder = _Loader.yaml_constructors, _scalar_builder()
    scalar_event, start_map, start_seq = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    end_map, end_seq, scalar_node = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.ScalarNode
    try:
        parser = _BaseLoader(text)
    except Exception:  # noqa: BLE001 - PyYAML's own reader checks the text at once (no libyaml)
        return None
    get = parser.get_event
    try:
        if type(get()) is not yaml.StreamStartEvent:
            return None
        event = get()
        if type(event) is not yaml.DocumentStartEvent or event.version or event.tags:
            return None
        stack: List[Any] = []
        container: Any = None     # the open mapping or list (None: the document's top)
        children: Any = None      # its marks: {key as written: marks} or [marks]
        is_map = False
        key: Any = _NO_KEY        # in a mapping, the key waiting for its value
        written = ""              # that key as written
        total = 0
        root: Any = None
        root_marks: Any = None
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:
                if event.anchor is not None or event.tag is not None:
                    return None
                value = event.value
                if event.implicit[0]:  # plain: resolved as PyYAML resolves it
                    for tag, pattern in resolvers.get(value[0] if value else "", ()):
                        if pattern.match(value):
                            if tag not in _ONE_PASS_TAGS:
                                return None
                            value = constructors[tag](builder, scalar_node(tag, value, event.start_mark,
                                                                            event.end_mark))
                            break
                marks: Any = event.start_mark
                total += 1
            elif kind is start_map or kind is start_seq:
                if event.anchor is not None or event.tag is not None or is_map and key is _NO_KEY:
                    return None  # anchored, tagged, or a list or mapping as a key
                stack.append((container, children, is_map, key, written, event.start_mark))
                is_map = kind is start_map
                container, children = ({}, {}) if is_map else ([], [])
                key = _NO_KEY
                total += 1
                if len(stack) > MAX_DEPTH or total > MAX_VALUES:
                    return None  # the composing path's scan refuses it, with its words and line
                continue
            elif kind is end_map or kind is end_seq:
                value = container
                done = children
                container, children, is_map, key, written, mark = stack.pop()
                marks = (mark, done)
            elif kind is yaml.DocumentEndEvent:
                break
            else:  # an alias
                return None
            if total > MAX_VALUES:
                return None
            if container is None:
                root, root_marks = value, marks
            elif not is_map:
                container.append(value)
                children.append(marks)
            elif key is _NO_KEY:
                if value in container:  # a repeated key: refused by the composing path, with both lines
                    return None
                key, written = value, event.value
            else:
                container[key] = value
                children.setdefault(written, marks)
                key = _NO_KEY
        if type(get()) is not yaml.StreamEndEvent:  # a second document
            return None
    except Exception:  # noqa: BLE001 - a parser or constructor error: the composing path words it
        return None
    finally:
        parser.dispose()
    return root, root_marks


def read_yaml(text: str, source: str, loader: Any = _Loader, construct: bool = True) -> Tuple[Any, Locator]:
    """Safely reads one YAML document: (data, its Locator). Raises PlanError, never anything else.

    For any YAML fourp reads (plans, packs, registers): nothing deep or huge reaches the composer, no
    Python object is built, duplicate keys are refused. With `construct=False` only the nodes are built
    (data is None).
    """
    if ONE_PASS and (loader is _Loader or loader is _BaseLoader and not construct):
        read = _read_events(text)
        if read is not None:
            return (read[0] if construct else None), _MarkLocator(read[1], _Lines(text))
    lines = _Lines(text)
    try:
        _scan(text, source, lines)
        reader = loader(text)
        reader.lines = lines
        try:
            node = reader.get_single_node()
            if node is None:
                raise PlanError(source, "the file holds no document, only comments or `---`",
                                hint="start from `fourp new`", code="no-document")
            data = reader.construct_document(node) if construct else None
        finally:
            reader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, source, text, lines) from None
    except yaml.reader.ReaderError as exc:
        line, column = lines.at_index(exc.position)
        what = (f"the invisible character U+{exc.character:04X} is not allowed in a plan"
                if isinstance(exc.character, int) else exc.reason)
        raise PlanError(source, f"not valid YAML: {what}", line, column,
                        hint="delete the character; most editors do not show it", code="invalid-character") from None
    except yaml.YAMLError as exc:
        raise PlanError(source, f"not valid YAML: {exc}", hint="check the file against `fourp new`",
                        code="invalid-yaml") from None
    except RecursionError:  # pragma: no cover - _scan refuses deep documents first
        raise PlanError(source, "the document is nested too deeply to read",
                        hint="no plan needs this; is it generated?", code="too-deep") from None
    return data, Locator(node, lines)


def parse_text(text: str, source: str, suffix: str = ".yaml") -> Plan:
    """Parses plan text; raises PlanError for anything that is not a readable document."""
    if not text.strip():
        raise PlanError(source, "the file is empty", hint="start from `fourp new`", code="empty")
    if suffix == ".json":
        locator: Optional[Locator] = None
        try:  # JSON is YAML, for line numbers; a JSON file that YAML cannot read simply has none
            locator = read_yaml(text, source, _BaseLoader, construct=False)[1]
        except PlanError as exc:
            if exc.code in _REFUSED_SHAPES:  # too deep or too large: refused, with its line
                raise
        data = _parse_json(text, source)
        if locator is None:
            _check_size(data, source)
        if _SURROGATE_ESCAPE.search(text):
            data = _without_lone_surrogates(data)
        plan = Plan(data=data, source=source, text=text, _locator=locator)
    else:
        data, locator = read_yaml(text, source)
        plan = Plan(data=data, source=source, text=text, _locator=locator)
    if plan.data is None:
        raise PlanError(source, "the file holds no plan, only comments or `---`", hint="start from `fourp new`",
                        code="no-document")
    if not isinstance(plan.data, Mapping):
        raise PlanError(source, "the top level of a plan must be a mapping of fields (`name: value` lines), "
                        f"but this file holds {_kind_of(plan.data)}", 1, 1,
                        hint="a plan starts with lines such as `fourp: 1` and `id: ...`; see `fourp new`",
                        code="not-a-mapping")
    return plan


#: How a whole file's single value is described, most specific type first (a bool is also an int).
_KINDS = ((bool, "a single yes or no"), ((int, float), "a single number"), (str, "a single line of text"),
          (list, "a list"))


def _kind_of(value: Any) -> str:
    return next((words for types, words in _KINDS if isinstance(value, types)),
                f"a single value ({type(value).__name__})")


def _check_size(data: Any, source: str) -> None:
    """The limits `_scan` puts on YAML, for JSON that YAML cannot read (so has no line numbers)."""
    stack, count = [(data, 1)], 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_VALUES:
            what, code = (f"nested more than {MAX_DEPTH} levels deep", "too-deep") if depth > MAX_DEPTH else \
                (f"holds more than {MAX_VALUES:,} values, far more than any plan", "too-many-values")
            raise PlanError(source, f"the document is {what}", hint="no plan needs this; is it generated?",
                            code=code)
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """JSON's `\\ud800` escape makes half a character, which no file or terminal can show: it becomes
    U+FFFD, as an undecodable byte does, and the rest of the text is kept."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    return value


def _json_int(digits: str) -> Union[int, str]:
    try:
        return int(digits)
    except ValueError:  # past Python's limit on digits: kept as text for the plan-structure rule
        return digits


class _JSONDuplicate(ValueError):
    pass


def _parse_json(text: str, source: str) -> Any:
    def pairs(items: Iterable[Tuple[str, Any]]) -> dict:
        result: dict = {}
        for key, value in items:
            if key in result:
                raise _JSONDuplicate(key)
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise PlanError(source, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno,
                        hint="a JSON validator shows the fault; or write the plan as YAML",
                        code="invalid-json") from None
    except _JSONDuplicate as exc:
        where = _duplicate_in_json(text, source)
        raise PlanError(source, where.reason if where else f"the key {exc.args[0]!r} appears twice in one "
                        "object", where.line if where else None, where.column if where else None,
                        hint="keep one of the two values", code="duplicate-key") from None
    except RecursionError:
        raise PlanError(source, "the document is nested too deeply to read",
                        hint="no plan needs this; is it generated?", code="too-deep") from None


def _duplicate_in_json(text: str, source: str) -> Optional[PlanError]:
    """Where a JSON key repeats: the YAML reader finds it with its line (JSON is YAML)."""
    try:
        read_yaml(text, source)
    except PlanError as exc:
        if exc.code == "duplicate-key":
            return exc
    return None


#: libyaml's problems, in the words of someone who wrote the plan: (words in the problem, reason, hint).
#: This only chooses the words shown; the error's code is `invalid-yaml` whatever libyaml says, and where
#: libyaml's wording changes the officer sees its own words instead, with the line.
_YAML_PROBLEMS = (
    ("tab", "a tab is used for indentation", "YAML indents with spaces; replace the tab with spaces"),
    ("mapping values are not allowed", "a colon followed by a space, where a new field cannot start",
     "put the text in quotes, or start the field on a new line"),
    ("did not find expected key", "this line does not line up with the lines above it",
     "indent it with as many spaces as the other fields at its level"),
    ("did not find expected '-'", "this line does not line up with the list above it",
     "start each list item with `- ` at the same indentation"),
    ("could not find expected ':'", "this line is neither `field: value` nor a list item",
     "add the `field:` it belongs to, or join it to the text above with proper indentation"),
    ("found unexpected end of stream", "a quotation mark opened here is never closed",
     "close the quote, or remove it"),
    ("did not find expected ',' or", "a bracket opened here is never closed, or an item lacks a comma",
     "close the bracket, or separate the items with commas"),
    ("cannot start any token", "this character cannot begin a value (`@`, `` ` `` and `%` are reserved)",
     "put the value in quotes"),
    ("found undefined alias", "an *alias names an &anchor that is not defined above it",
     "define the anchor first, or write the value out"),
    ("but found another document", "the file holds more than one document (a second `---`)",
     "keep one plan per file"),
    ("duplicate anchor", "an &anchor name is used twice", "give each anchor its own name"),
)


def _yaml_error(exc: yaml.MarkedYAMLError, source: str, text: str = "",
                lines: _Lines = _PLAIN_LINES) -> PlanError:
    mark = exc.problem_mark or exc.context_mark
    line, column = lines.at(mark) if mark else (None, None)
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 <= index < len(text) and text[index] == "\t":  # libyaml rarely says so
        words, reason, hint = _YAML_PROBLEMS[0]
        return PlanError(source, f"not valid YAML: {reason} [{exc.problem}]", line, column, hint,
                         code="invalid-yaml")
    if isinstance(exc, _Refused):
        return PlanError(source, exc.problem or "", line, column, exc.hint, code=exc.code)
    if isinstance(exc, _DuplicateKey):
        return PlanError(source, exc.problem or "", line, column, "keep one of the two entries",
                         code="duplicate-key")
    problem = exc.problem or exc.context or "not valid YAML"
    for words, reason, hint in _YAML_PROBLEMS:
        if words in problem or words in (exc.context or ""):
            return PlanError(source, f"not valid YAML: {reason} [{problem}]", line, column, hint,
                             code="invalid-yaml")
    detail = f"{exc.problem} {exc.context}".strip() if exc.context and exc.problem else problem
    return PlanError(source, f"not valid YAML: {detail}", line, column,
                     hint="compare the lines around it with `fourp new`", code="invalid-yaml")


# -- files ----------------------------------------------------------------------------------------------

#: The plan-specific words for what the safe reader refuses (its kind), each with what to do.
_PLAN_HINTS = {
    "dangling-link": "remove the link, or point it at the plan",
    "loop": "remove the link, or point it at the plan",
    "missing": "check the path; if an audit listed it, it was moved or deleted while fourp ran, so run the "
               "audit again",
    "folder": "give the folder to `fourp audit`, or name the plan files in it",
    "not-a-file": "a plan is a YAML or JSON text file",
    "too-large": "raise the limit with --max-bytes if this really is one plan",
}


def _read_bytes(source: str, max_bytes: int) -> bytes:
    """The plan file's bytes through fourp's one safe reader; its refusals as PlanErrors."""
    from .files import FileRefused, read_bytes

    try:
        return read_bytes(source, max_bytes)
    except FileRefused as exc:
        reason = exc.reason
        if exc.kind == "folder":
            reason = "this is a folder, not a plan file"
        elif exc.kind == "too-large":
            reason = reason.replace("-byte limit", "-byte limit for a plan")
        raise PlanError(source, reason, hint=_PLAN_HINTS.get(exc.kind, exc.hint), code=exc.code) from None


def _too_large(source: str, size: Optional[int], max_bytes: int) -> PlanError:
    size_text = f" ({size:,} bytes)" if size is not None else ""
    return PlanError(source, f"the file{size_text} is larger than the {max_bytes:,}-byte limit for a plan",
                     hint=_PLAN_HINTS["too-large"], code="too-large")


def _plan_fields() -> frozenset:
    from ..schemas import schema

    return frozenset(schema("plan")["properties"])


def _check_is_plan(plan: Plan) -> None:
    """A mapping with none of a plan's fields is some other YAML (a pack, a register, a tool's settings)
    kept beside the plans: scoring it as a plan would put a meaningless row in an audit."""
    if _plan_fields().intersection(plan.data):
        return
    if "fourp-mapping" in plan.data:
        raise PlanError(plan.source, "this is a mapping of a Word or Excel template, not a plan", 1, 1,
                        hint="give it with --mapping when checking or auditing the plans it reads", code="is-a-mapping")
    if "fourp-pack" in plan.data:
        raise PlanError(plan.source, "this is a rule pack, not a plan", 1, 1,
                        hint="use it with --pack; keep it out of the audited folder, or --exclude it",
                        code="is-a-pack")
    raise PlanError(plan.source, "this file has none of a plan's fields (fourp, id, lro, threat, pursue, "
                    "...), so it is not a plan", 1, 1,
                    hint="if it is a plan, compare it with `fourp new`; if not, keep it out of the folder",
                    code="not-a-plan")


def plan_from_bytes(raw: bytes, source: str, max_bytes: int = DEFAULT_MAX_BYTES, require_plan: bool = True) -> Plan:
    """A plan from the bytes of a file that is not on disk (standard input, an editor's buffer), read as
    `load_plan` reads a file; `source` is the name shown in findings (its suffix picks JSON or YAML).
    With `require_plan=False`, a mapping with none of a plan's fields is returned, not refused (an
    editor has other YAML open too: see `is_plan`)."""
    if len(raw) > max_bytes:
        raise _too_large(source, None, max_bytes)  # read only up to the limit: its size is unknown
    plan = parse_text(_decode(raw, source), source,
                      ".json" if source.lower().endswith(".json") else ".yaml")
    if require_plan:
        _check_is_plan(plan)
    return plan


def is_plan(data: Any) -> bool:
    """Whether parsed data has at least one of a plan's fields (so is a plan, well formed or not)."""
    return isinstance(data, Mapping) and bool(_plan_fields().intersection(data))


def load_plan(path: Union[str, "os.PathLike[str]"], max_bytes: int = DEFAULT_MAX_BYTES) -> Plan:
    """Reads a plan file. Raises PlanError, with the file, line and reason, if it is not a readable plan.

    The file is only read: never locked, written, moved or deleted.
    """
    source = os.fspath(path)
    raw = _read_bytes(source, max_bytes)
    text = _decode(raw, source)
    suffix = os.path.splitext(source)[1].lower()
    plan = parse_text(text, source, ".json" if suffix == ".json" else ".yaml")
    _check_is_plan(plan)
    return plan
