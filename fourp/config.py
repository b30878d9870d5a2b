"""`.fourp.yaml`: settings a force or a folder would otherwise type every time, found per plan from its own folder."""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .errors import FourpError
from .read.plan import DEFAULT_MAX_BYTES, PlanError, read_yaml

__all__ = ["CONFIG_NAME", "DEFAULTS", "Config", "ConfigError", "ConfigFinder", "Exclude", "load_config",
           "excluded", "find_config_file"]

CONFIG_NAME = ".fourp.yaml"
#: What applies where no configuration file or option says otherwise.
DEFAULTS: Mapping[str, Any] = {"pack": "hmicfrs-2024", "mapping": None, "register": None, "fail_on": "error",
                               "min_score": 0.0, "exclude": (), "max_bytes": DEFAULT_MAX_BYTES, "jobs": None,
                               "reports": (), "history": None}
#: Settings that name a file, read relative to the folder of the configuration file that names them.
_PATHS = ("mapping", "register", "history")
#: A configuration file is a few lines; anything larger is not one (and is refused unread).
_MAX_CONFIG_BYTES = 256 * 1024


class ConfigError(FourpError):
    """A configuration file fourp cannot use: the file, the line, why, and a code (`invalid-config`, or
    the code of what reading it as YAML found, such as `duplicate-key`)."""

    unnamed = "<config>"
    default_code = "invalid-config"


@dataclass(frozen=True)
class Exclude:
    """A glob from a configuration file (or the command line) and the folder it is relative to."""

    base: str
    glob: str

    def __str__(self) -> str:
        return self.glob


def excluded(path: str, rules: Iterable[Exclude]) -> bool:
    """Whether `path` falls under one of the globs, gitignore-style: a glob without `/` matches a file or
    folder name at any depth under its base (`*.draft.yaml`, `archive`); one with `/` matches the path
    from the base (`archive/**`, `surrey/old-*.yaml`), or a folder on it."""
    full = os.path.abspath(path)
    for rule in rules:
        rel = os.path.relpath(full, rule.base)
        if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
            continue
        parts = rel.split(os.sep)
        glob = rule.glob.strip("/")
        if "/" not in glob:
            if any(fnmatch.fnmatchcase(part, glob) for part in parts):
                return True
            continue
        if any(fnmatch.fnmatchcase("/".join(parts[:n]), glob) for n in range(1, len(parts) + 1)):
            return True
    return False


@dataclass(frozen=True)
class Config:
    """The settings in force for one path: each value and where it came from (`file:line`, `command line`
    or `default`). `files` are the configuration files read, nearest first."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]
    files: Tuple[str, ...] = ()
    #: The files (packs, registers, mappings) the configuration files name, whatever the command line
    #: chose instead: they often sit among the plans, and an audit must not take them for plans.
    named: Tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def pack_ref(self) -> Optional[str]:
        """The pack to load: None for the default pack (so it is loaded as fourp's default is)."""
        return None if self.sources.get("pack") == "default" else self.values["pack"]

    def describe(self) -> List[Tuple[str, str, str]]:
        """(setting, value as shown, source) for each setting, in the schema's order."""
        rows = []
        for name in DEFAULTS:
            value = self.values[name]
            if isinstance(value, (list, tuple)):
                shown = ", ".join(str(v) if not isinstance(v, tuple) else f"{v[0]}:{v[1]}" for v in value) or "(none)"
            elif value is None:
                shown = "(none)" if name != "jobs" else "(all cores)"
            else:
                shown = f"{value:g}" if isinstance(value, float) else str(value)
            rows.append((name, shown, self.sources[name]))
        return rows


def _is_path(ref: str) -> bool:
    return os.sep in ref or "/" in ref or ref.endswith((".yaml", ".yml"))


def _read(file: str) -> Tuple[Dict[str, Any], Any]:
    """A configuration file's mapping and its locator, through the reader plans use (safe YAML, no
    duplicate keys, nothing huge); a file of comments only is an empty configuration."""
    from .read.files import FileRefused, read_bytes

    try:  # fourp's one safe reader: a pipe or a device is refused unread, the limit is on what is read
        text = read_bytes(file, _MAX_CONFIG_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(file, "the file is not UTF-8 text", code="bad-encoding") from None
    except FileRefused as exc:
        raise ConfigError(file, f"cannot read it: {exc.reason}", hint=exc.hint, code=exc.code) from None
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return {}, None
    try:
        data, locator = read_yaml(text, file)
    except PlanError as exc:
        raise ConfigError(file, exc.reason, exc.line, exc.column, exc.hint, code=exc.code) from None
    if not isinstance(data, dict):
        raise ConfigError(file, "the top level must be settings (`pack: ...` lines), not a single value or list", 1,
                          code="not-a-mapping")
    return data, locator


def _line(locator: Any, path: Sequence[Any]) -> Optional[int]:
    where = locator.locate(tuple(path)) if locator is not None else None
    return where[0] if where else None


def _validate(file: str, data: Dict[str, Any], locator: Any) -> None:
    from .schemas import schema, validator_class

    errors = list(validator_class()(schema("config")).iter_errors(data))
    if not errors:
        return
    error = max(errors, key=lambda e: len(e.absolute_path))
    path = list(error.absolute_path)
    if error.validator == "additionalProperties":
        unknown = sorted(set(data) - set(schema("config")["properties"]))
        reason = (f"unknown setting {unknown[0]!r}; the settings are "
                  f"{', '.join(schema('config')['properties'])}")
        raise ConfigError(file, reason, _line(locator, [unknown[0]]) if unknown else 1)
    name = "/".join(str(p) for p in path) or "the file"
    raise ConfigError(file, f"{name}: {error.message}", _line(locator, path))


def _resolve(file: str, data: Dict[str, Any], locator: Any) -> Dict[str, Tuple[Any, str]]:
    """The file's own settings made absolute where they name files: {name: (value, "file:line")}."""
    from .output import FORMATS
    from .pack.load import shipped_packs

    folder = os.path.dirname(os.path.abspath(file))
    out: Dict[str, Tuple[Any, str]] = {}
    for name, value in data.items():
        if name == "extends":
            continue
        line = _line(locator, [name])
        where = f"{file}:{line}" if line else file
        if name == "pack":
            if _is_path(value):
                value = os.path.normpath(os.path.join(folder, os.path.expanduser(value)))
                if not os.path.isfile(value):
                    raise ConfigError(file, f"pack: there is no pack file {value}", line, code="not-found")
            elif value not in shipped_packs():
                raise ConfigError(file, f"pack: there is no shipped pack called {value!r} (there are: "
                                  f"{', '.join(shipped_packs())}); give a path to use a pack file", line,
                                  code="unknown-pack")
        elif name in _PATHS:
            value = os.path.normpath(os.path.join(folder, os.path.expanduser(value)))
        elif name == "exclude":
            value = tuple(Exclude(folder, glob) for glob in value)
        elif name == "reports":
            specs = []
            for index, spec in enumerate(value):
                fmt, _, target = spec.partition(":")
                if fmt not in FORMATS:
                    raise ConfigError(file, f"reports: {fmt!r} is not a format; use one of {', '.join(FORMATS)}",
                                      _line(locator, [name, index]))
                specs.append((fmt, os.path.normpath(os.path.join(folder, target))))
            value = tuple(specs)
        elif name == "min_score":
            value = float(value)
        out[name] = (value, where)
    return out


def load_config(file: str, _stack: Tuple[str, ...] = ()) -> Config:
    """One configuration file with what it extends; raises ConfigError with the file, line and reason."""
    file = os.path.abspath(file)
    data, locator = _read(file)
    _validate(file, data, locator)
    own = _resolve(file, data, locator)
    values: Dict[str, Any] = dict(DEFAULTS)
    sources = {name: "default" for name in DEFAULTS}
    files: Tuple[str, ...] = ()
    named: Tuple[str, ...] = ()
    if "extends" in data:
        line = _line(locator, ["extends"])
        parent = os.path.normpath(os.path.join(os.path.dirname(file), os.path.expanduser(data["extends"])))
        if os.path.isdir(parent):
            parent = os.path.join(parent, CONFIG_NAME)
        if parent in _stack + (file,):
            raise ConfigError(file, "extends: the configuration files extend each other in a circle", line,
                              code="extends-circle")
        if not os.path.isfile(parent):
            raise ConfigError(file, f"extends: there is no configuration file {parent}", line, code="not-found")
        inherited = load_config(parent, _stack + (file,))
        values, sources, files = dict(inherited.values), dict(inherited.sources), inherited.files
        named = inherited.named
    for name, (value, where) in own.items():
        if name == "exclude":  # a folder adds to what it inherits: its parent's exclusions still hold
            value = tuple(values["exclude"]) + value
        values[name], sources[name] = value, where
        if name in _PATHS or (name == "pack" and _is_path(data["pack"])):
            named += (value,)
    return Config(values=values, sources=sources, files=(file,) + files, named=named)


def find_config_file(folder: str) -> Optional[str]:
    """The nearest `.fourp.yaml` at or above `folder`, or None."""
    folder = os.path.abspath(folder)
    while True:
        candidate = os.path.join(folder, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


@dataclass
class ConfigFinder:
    """The settings for each path: its nearest configuration file (or `explicit`, or none when `enabled`
    is false), then the command line's options (`overrides`, None meaning "not given") over it.

    Files are read once each per run; a bad one raises ConfigError."""

    explicit: Optional[str] = None
    enabled: bool = True
    overrides: Mapping[str, Any] = field(default_factory=dict)
    _by_file: Dict[Optional[str], Config] = field(default_factory=dict)
    _by_folder: Dict[str, Optional[str]] = field(default_factory=dict)

    def file_for(self, path: str) -> Optional[str]:
        if not self.enabled:
            return None
        if self.explicit is not None:
            return os.path.abspath(self.explicit)
        full = os.path.abspath(path)
        folder = full if os.path.isdir(full) else os.path.dirname(full)
        if folder not in self._by_folder:
            self._by_folder[folder] = find_config_file(folder)
        return self._by_folder[folder]

    def for_path(self, path: str) -> Config:
        """The settings for a plan file (or, for a folder, for the plans directly in it)."""
        file = self.file_for(path)
        if file not in self._by_file:
            if file is not None and not os.path.exists(file):
                raise ConfigError(file, "no such configuration file", code="not-found")
            base = load_config(file) if file is not None else Config(
                values=dict(DEFAULTS), sources={name: "default" for name in DEFAULTS})
            values, sources = dict(base.values), dict(base.sources)
            for name, value in self.overrides.items():
                if value is not None and value != ():
                    values[name], sources[name] = value, "command line"
            self._by_file[file] = Config(values=values, sources=sources, files=base.files, named=base.named)
        return self._by_file[file]

    def for_run(self, paths: Sequence[str]) -> Config:
        """The settings for a run over `paths`: those of the folder the paths share (the one folder given,
        or a file's own folder), for what applies to a run as a whole (reports, jobs, the register)."""
        folders = [os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
                   for p in paths] or [os.getcwd()]
        try:
            common = os.path.commonpath(folders)
        except ValueError:  # on two drives: no folder holds them all
            common = os.getcwd()
        return self.for_path(common if os.path.isdir(common) else os.getcwd())
