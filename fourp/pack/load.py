"""Rule packs: loading a YAML pack, following `extends`, applying overrides, and compiling every rule once."""
from __future__ import annotations

import copy
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .. import checks
from ..read.plan import Locator, PlanError, parse_text
from ..regex import RegexError, format_checker
from ..report import PS
from ..resources import shipped
from .conditions import compile_conditions
from .messages import new_environment
from .model import Grade, PackError, Rule, RulePack
from .pointers import PatternError
from .spelling import OldSpelling, SpellingError, modernise

__all__ = ["PackError", "Rule", "RulePack", "Grade", "load_pack", "shipped_packs", "DEFAULT_PACK",
           "STRUCTURE_RULE"]  # the model's names too: `from fourp.pack.load import Rule` keeps working

DEFAULT_PACK = "hmicfrs-2024"
STRUCTURE_RULE = "plan-structure"

_BUILTIN_STRUCTURE: Dict[str, Any] = {
    "id": STRUCTURE_RULE,
    "title": "The plan follows the plan format",
    "severity": "error",
    "weight": 5,
    "ps": [],
    "check": "schema",
    "message": "{{ detail }}",
    "rationale": "fourp can only judge what it can read: a field of the wrong type or an unknown status "
                 "hides what an officer wrote from every other rule.",
    "basis": [{"source": "fourp plan format 1", "quote": "Field names there are stable."}],
    "remediation": "Correct the field to the type and values the plan format names (`fourp schema plan`).",
}


# -- finding pack files ---------------------------------------------------------------------------------

def _shipped_dir() -> Any:
    return shipped("rules")


def shipped_packs() -> List[str]:
    """The names of the packs installed with fourp."""
    return sorted(p.name[:-5] for p in _shipped_dir().iterdir() if p.name.endswith(".yaml"))


def _resolve(ref: str, relative_to: Optional[str]) -> str:
    looks_like_path = os.sep in ref or "/" in ref or ref.endswith((".yaml", ".yml"))
    if looks_like_path:
        base = os.path.dirname(relative_to) if relative_to else os.getcwd()
        return os.path.abspath(os.path.join(base, os.path.expanduser(ref)))
    candidate = _shipped_dir().joinpath(f"{ref}.yaml")
    if candidate.is_file():
        return str(candidate)
    raise PackError(relative_to, f"there is no shipped pack called {ref!r} (there are: "
                    f"{', '.join(shipped_packs())}); give a path to use a pack file", code="unknown-pack")


# -- reading and merging ---------------------------------------------------------------------------------

class _Raw:
    """One pack file's parsed data and its locator, for errors with line numbers."""

    def __init__(self, file: str) -> None:
        from ..read.files import MAX_OPTION_FILE_BYTES, FileRefused, read_bytes

        try:
            raw = read_bytes(file, MAX_OPTION_FILE_BYTES)
        except FileRefused as exc:
            raise PackError(file, f"cannot read the pack: {exc.reason}", code=exc.code) from None
        try:
            plan = parse_text(raw.decode("utf-8-sig"), file)
        except UnicodeDecodeError:
            raise PackError(file, "the pack is not UTF-8 text", code="bad-encoding") from None
        except PlanError as exc:
            raise PackError(file, exc.reason, exc.line, exc.column, code=exc.code) from None
        self.file, self.data = file, plan.data
        self.locator: Optional[Locator] = plan._locator

    def error(self, path: Sequence[Any], reason: str, code: Optional[str] = None) -> PackError:
        where = self.locator.locate(tuple(path)) if self.locator else None
        return PackError(self.file, reason, *(where or (None, None)), code=code)


def _schema_errors(raw: _Raw) -> None:
    from ..schemas import pack_validator

    if "fourp-pack" not in raw.data:  # a plan or some other YAML given as a pack: say so, not what it lacks
        raise raw.error((), "this file is not a rule pack: a pack starts with `fourp-pack: 1`", "not-a-pack")
    errors = sorted(pack_validator().iter_errors(raw.data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = min(errors, key=lambda e: -len(e.absolute_path))  # the deepest says most
        path = "/".join(str(p) for p in error.absolute_path) or "the pack"
        raise raw.error(error.absolute_path, f"{path}: {_best_message(error)}")


def _best_message(error: Any) -> str:
    if error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        return _best_message(deepest)
    if error.validator == "format" and error.cause is not None:  # say why, not only "is not a 'regex'"
        return str(error.cause)
    return error.message


class _Spec:
    """A rule as read from a pack file, before compiling; remembers where it was written."""

    def __init__(self, data: Dict[str, Any], raw: Optional[_Raw], path: Tuple[Any, ...]) -> None:
        self.data, self.raw = data, raw
        self.values: Dict[str, Any] = {k: v["default"] for k, v in (data.get("params") or {}).items()}
        self.where: Tuple[Optional[_Raw], Tuple[Any, ...]] = (raw, path)

    def error(self, reason: str, sub: Tuple[Any, ...] = (), code: Optional[str] = None) -> PackError:
        raw, path = self.where
        if raw is None:
            return PackError("<built-in>", f"rule {self.data.get('id')!r}: {reason}", code=code)
        return raw.error(path + sub, f"rule {self.data.get('id')!r}: {reason}", code)


def _parent(raw: _Raw, ref: str, stack: Tuple[str, ...]) -> str:
    """The file a pack extends; an error at its `extends:` line if it is missing or closes a circle."""
    try:
        parent = _resolve(ref, raw.file)
    except PackError as exc:
        raise raw.error(("extends",), exc.reason, exc.code) from None
    chain = stack + (raw.file,)
    if parent in chain:
        names = " -> ".join(os.path.basename(f) for f in chain[chain.index(parent):] + (parent,))
        raise raw.error(("extends",), f"the packs extend each other in a circle: {names}",
                        "extends-circle")
    if not os.path.isfile(parent):
        raise raw.error(("extends",), f"extends {ref!r}, but there is no pack file {parent}", "not-found")
    return parent


def _builtin_kind(data: Mapping[str, Any]) -> Optional[str]:
    """The rule's check kind if fourp knows its options (a built-in kind for one plan), else None."""
    kind = data.get("check")
    return kind if data.get("scope", "plan") == "plan" and kind in checks.builtin_names() else None


def _old_spellings(raw: _Raw, rule_id: str, kind: Optional[str], written: Mapping[str, Any],
                   path: Tuple[Any, ...]) -> List[OldSpelling]:
    """Where a rule as written uses old spellings of the pack language (overrides change neither its
    options nor its conditions, so only rules are read)."""
    try:
        _, _, changes = modernise(kind, written.get("options"), written.get("applies_when"))
    except SpellingError as exc:
        raise raw.error(path + exc.path, f"rule {rule_id!r}: {exc.reason}", code="bad-options") from None
    found = []
    for change in changes:
        line, column = (raw.locator.locate(path + change.path) if raw.locator else None) or (None, None)
        found.append(OldSpelling(raw.file, line, column, rule_id, change.old, change.new))
    return found


def _read(file: str, stack: Tuple[str, ...]
          ) -> Tuple[Dict[str, Any], List[_Spec], List[str], List[OldSpelling]]:
    raw = _Raw(file)
    _schema_errors(raw)
    data = raw.data
    meta: Dict[str, Any] = {}
    specs: List[_Spec] = []
    files = [file]
    old: List[OldSpelling] = []
    if data.get("extends"):
        parent = _parent(raw, data["extends"], stack)
        meta, specs, parent_files, old = _read(parent, stack + (file,))
        files += parent_files
    for key in ("name", "title", "version", "description", "source", "grades"):
        if key in data:
            meta[key] = data[key]
    if "partners" in data:  # replaced whole: an allow-list is read as one list, never merged
        meta["partners"] = data["partners"]
    recommendations = meta.setdefault("recommendations", {})  # by id: a child replaces its parent's
    for index, entry in enumerate(data.get("recommendations") or ()):
        recommendations[entry["id"]] = (entry, raw, ("recommendations", index))
    known = {s.data["id"]: s for s in specs}
    for index, rule in enumerate(data.get("rules") or ()):
        if rule["id"] in known:
            raise raw.error(("rules", index, "id"), f"rule {rule['id']!r} is already in the pack this one "
                            "extends; change it under `overrides:` instead", "duplicate-rule")
        spec = _Spec(copy.deepcopy(rule), raw, ("rules", index))
        specs.append(spec)
        old += _old_spellings(raw, rule["id"], _builtin_kind(rule), rule, ("rules", index))
        known[rule["id"]] = spec
    for rule_id, change in (data.get("overrides") or {}).items():
        overridden = known.get(rule_id)
        if overridden is None:
            raise raw.error(("overrides", rule_id), f"overrides name the rule {rule_id!r}, which no pack "
                            f"in this chain defines (rules: {', '.join(sorted(known))})", "unknown-rule")
        for key, value in change.items():
            if key == "params":
                _override_params(overridden, value, raw, ("overrides", rule_id, "params"))
            else:
                overridden.data[key] = value
        overridden.where = (raw, ("overrides", rule_id))
    return meta, specs, files, old


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def _override_params(spec: _Spec, values: Any, raw: _Raw, path: Tuple[Any, ...]) -> None:
    if not isinstance(values, dict):
        raise raw.error(path, "params must be a mapping of parameter names to values", "bad-parameter")
    for name, value in values.items():
        if name not in spec.values:
            known = ", ".join(sorted(spec.values)) or "none"
            raise raw.error(path + (name,), f"rule {spec.data['id']!r} has no parameter {name!r} "
                            f"(its parameters: {known})", "bad-parameter")
        wanted, got = _json_type(spec.values[name]), _json_type(value)
        if wanted != got:
            raise raw.error(path + (name,), f"parameter {name!r} of rule {spec.data['id']!r} must be a "
                            f"{wanted}, not a {got} ({value!r})", "bad-parameter")
        spec.values[name] = value


# -- compiling ----------------------------------------------------------------------------------------

def _substitute(value: Any, params: Mapping[str, Any], spec: _Spec) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:].isidentifier():
        if value[1:] not in params:
            raise spec.error(f"options use {value}, but the rule has no parameter {value[1:]!r}",
                             code="bad-parameter")
        return params[value[1:]]
    if isinstance(value, list):
        return [_substitute(v, params, spec) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, params, spec) for k, v in value.items()}
    return value


def _compile(spec: _Spec, env: Any) -> Rule:
    from ..schemas import validator_class
    from .conditions import CONDITION_SCHEMA

    data = spec.data
    try:
        kind: Any = checks.get(data["check"], data.get("scope", "plan"))  # one registry, by scope
    except checks.UnknownCheck as exc:
        raise spec.error(str(exc), ("check",), "unknown-check") from None
    options = _substitute(data.get("options") or {}, spec.values, spec)
    applies_when = _substitute(data.get("applies_when") or [], spec.values, spec)
    try:  # old spellings read as the new ones, so what follows knows only today's language
        options, applies_when, _ = modernise(_builtin_kind(data), options, applies_when)
    except SpellingError as exc:
        raise spec.error(exc.reason, exc.path[:1], code="bad-options") from None
    formats = format_checker()
    for what, schema, value in (
            ("option", dict(kind.schema, **{"$defs": {"condition": CONDITION_SCHEMA}}), options),
            ("applies_when", {"type": "array", "items": {"$ref": "#/$defs/condition"},
                              "$defs": {"condition": CONDITION_SCHEMA}}, applies_when)):
        validator = validator_class()(schema, format_checker=formats)
        for error in sorted(validator.iter_errors(value), key=lambda e: len(e.absolute_path), reverse=True):
            where = "/".join(str(p) for p in error.absolute_path) or what
            raise spec.error(f"{what} {where}: {_best_message(error)}",
                             ("options",) if what == "option" else ("applies_when",), "bad-options")
    try:
        prepared = kind.prepare(options)
        conditions = tuple(compile_conditions(applies_when))
    except (PatternError, RegexError, ValueError, TypeError, KeyError, checks.UnknownCheck) as exc:
        raise spec.error(f"options cannot be used: {exc}", ("options",), "bad-options") from None
    except Exception as exc:  # re.error and the like, from a check's own prepare
        raise spec.error(f"options cannot be used: {exc}", ("options",), "bad-options") from None
    from jinja2 import TemplateError

    try:
        template = env.from_string(data["message"])
    except TemplateError as exc:
        raise spec.error(f"the message is not a valid template: {exc}", ("message",), "bad-message") from None
    docs = {k: {"default": v["default"], "basis": v["basis"], **({"description": v["description"]}
                                                                  if "description" in v else {})}
            for k, v in (data.get("params") or {}).items()}
    return Rule(
        id=data["id"], title=data["title"], severity=data["severity"], weight=float(data["weight"]),
        ps=tuple(p for p in PS if p in (data.get("ps") or ())), check=data["check"], options=options,
        params=dict(spec.values), param_docs=docs, message=data["message"], rationale=data["rationale"],
        basis=tuple(data["basis"]), remediation=data["remediation"], scope=data.get("scope", "plan"),
        enabled=data.get("enabled", True), limits_grade=data.get("limits_grade", True),
        severity_basis=data.get("severity_basis", ""), examples=tuple(data.get("examples") or ()),
        origin=spec.raw.file if spec.raw else "<built-in>", applies_when=conditions, kind=kind, prepared=prepared,
        template=template)


def load_pack(pack: Optional[str] = None) -> RulePack:
    """Loads a pack by shipped name or by path (default: the shipped HMICFRS pack). Raises PackError.

    The compiled pack is kept in the user's cache folder while its files are unchanged (`fourp.cache.packs`).
    """
    from ..cache.packs import load_cached

    return load_cached(_resolve(pack or DEFAULT_PACK, None), _load_file)


def _load_file(file: str) -> RulePack:
    meta, specs, files, old = _read(file, ())
    if not any(s.data["id"] == STRUCTURE_RULE for s in specs):
        specs.insert(0, _Spec(copy.deepcopy(_BUILTIN_STRUCTURE), None, ()))
    env = new_environment()
    rules = tuple(_compile(spec, env) for spec in specs)
    grades = tuple(Grade(g["grade"], float(g["min"]), g.get("basis", ""), dict(g.get("max_failed") or {}),
                         g.get("colour", ""))
                   for g in sorted(meta.get("grades") or _DEFAULT_GRADES, key=lambda g: -g["min"]))
    version = meta.get("version")
    from .blocks import PartnerPolicy, compile_recommendations

    def error_at(raw: _Raw, path: Tuple[Any, ...]) -> Any:
        return lambda sub, reason, code=None: raw.error(path + sub, reason, code)

    recommendations = compile_recommendations(
        ((entry, error_at(raw, path)) for entry, raw, path in (meta.get("recommendations") or {}).values()), rules)
    partners = PartnerPolicy.from_pack(meta["partners"]) if meta.get("partners") else None
    return RulePack(name=meta.get("name", os.path.basename(file)), title=meta.get("title", ""),
                    version=str(version) if version is not None else None,
                    description=meta.get("description", ""), source=meta.get("source") or {},
                    grades=grades, rules=rules, files=tuple(files), old_spellings=tuple(old),
                    recommendations=recommendations, partners=partners)


_DEFAULT_GRADES = [{"grade": "outstanding", "min": 90}, {"grade": "good", "min": 75},
                   {"grade": "adequate", "min": 60}, {"grade": "requires improvement", "min": 40},
                   {"grade": "inadequate", "min": 0}]
