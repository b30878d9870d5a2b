"""`schema`: the plan's shape matches the plan format (types, enumerated values, readable dates).

What it checks:
  The plan against the plan format's JSON Schema (`fourp schema plan`): each field of the wrong type,
  each value outside its list (a `status` that is not draft, active or closed) and each unreadable date
  is a finding at its place in the file, never a crash. This is the check of the built-in
  `plan-structure` rule, which every pack has. It also reads what the officer wrote as they meant it: a
  field the format does not have that is close to one it has (`ownr`, `Owner`) is reported with "did
  you mean `owner`?", and keys with no value that read like text (`two arrests`) as text YAML split at
  its commas (an unquoted `{text: Warrant executed, two arrests}`), with the text put back together and
  quoted. An enumerated value in the wrong case (`Done`, `LRO`) is understood as meant: it is the
  `enum-case` kind's finding, not this one's. Each problem carries the paths it covers (the value fourp
  could not read, or the field a misspelt key stands for), so that other rules neither report it again
  nor conclude anything from it.

Options:
  none

Example:
  check: schema
  examples:
    - {expect: pass, plan: {status: active, lro: {name: Ch Insp Tom Reade}, created: "2024-03-01"}}
    - {name: unknown status, expect: fail, plan: {status: ongoing}}
    - {name: LRO as text, expect: fail, plan: {lro: Ch Insp Tom Reade}}
    - {name: a misspelt field, expect: fail, plan: {lro: {nmae: Ch Insp Tom Reade}}}
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..pack.context import Context, Problem, describe

SCHEMA = {"type": "object", "additionalProperties": False}


def prepare(options: dict) -> None:
    return None


def _explain(error: Any) -> str:
    where = describe(tuple(error.absolute_path))
    value = error.instance
    shown = repr(value) if not isinstance(value, (dict, list)) else ("a list" if isinstance(value, list)
                                                                     else "a mapping")
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return f"{where} is {shown}, which is not one of: {choices}"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        noun = {"object": "mapping", "array": "list"}.get(wanted, wanted)
        article = "an" if noun[0] in "aeiou" else "a"  # of the word shown ("a mapping"), not the schema's
        return f"{where} should be {article} {noun}, not {shown}"
    if error.validator == "format":
        form = "date" if error.validator_value == "fourp-date" else "date and time"
        return f"{where} is {shown}, which is not a {form} (e.g. 2024-03-05T14:30 or 05/03/2024 14:30)"
    if error.validator == "const":
        return f"{where} is {shown}; it must be {error.validator_value!r}"
    return f"{where}: {error.message}"


def case_of_enum(error: Any) -> Optional[str]:
    """The right spelling when an enum error is only a matter of case or surrounding space (`Done`)."""
    if error.validator != "enum" or not isinstance(error.instance, str):
        return None
    wanted = error.instance.strip().lower()
    return next((c for c in error.validator_value if isinstance(c, str) and c.lower() == wanted), None)


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref", "")
    return defs.get(ref.rsplit("/", 1)[-1], node) if isinstance(ref, str) and ref.startswith("#/$defs/") else node


def _key_form(key: str) -> str:
    return re.sub(r"[\s-]+", "_", key.strip().lower())


_TEXTLIKE = re.compile(r"\s|[.;!?]$")


def _suggest(key: str, known: List[str]) -> Optional[str]:
    form = _key_form(key)
    if form in known:
        return form
    import difflib  # only to name what a misspelt value meant

    close = difflib.get_close_matches(form, known, n=1, cutoff=0.75)
    return close[0] if close else None


def read_as_meant(data: Any) -> Iterator[Problem]:
    """Misspelt fields and text YAML split at commas, in document order."""
    from ..schemas import schema

    root = schema("plan")
    defs = root.get("$defs", {})

    def walk(value: Any, node: Mapping[str, Any], path: Tuple[Any, ...]) -> Iterator[Problem]:
        node = _resolve(node, defs)
        if type(value) is dict or isinstance(value, Mapping):  # a dict, bar plans built by hand
            known: Dict[str, Any] = node.get("properties", {})
            if not known:
                return
            keys = list(value)
            split: List[str] = [k for k in keys if isinstance(k, str) and k not in known and value[k] is None
                                and _TEXTLIKE.search(k.strip())]
            if split:
                yield _split_problem(value, keys, split, path)
            for key in keys:
                if key in known:
                    child = value[key]
                    kind = type(child)
                    if kind is dict or kind is list or (kind is not str and isinstance(child, (Mapping, list))):
                        # scalars hold no keys to read
                        yield from walk(value[key], known[key], path + (key,))
                elif isinstance(key, str) and key not in split:
                    meant = _suggest(key, sorted(known))
                    if meant is not None and meant not in value:
                        where = describe(path) if path else "the plan"
                        yield Problem(path + (key,), f"{where} has a field `{key}`, which the plan format does "
                                      f"not have; did you mean `{meant}`? Until it is renamed, {where} has no "
                                      f"{meant.replace('_', ' ')}", {"issue": "misspelt", "key": key,
                                                                     "meant": meant,
                                                                     "covers": [path + (meant,)]})
        elif isinstance(value, list) and isinstance(node.get("items"), Mapping):
            for index, child in enumerate(value):
                kind = type(child)
                if kind is dict or kind is list or (kind is not str and isinstance(child, (Mapping, list))):
                    yield from walk(child, node["items"], path + (index,))

    yield from walk(data, root, ())


def _split_problem(value: Mapping[str, Any], keys: List[Any], split: List[str],
                   path: Tuple[Any, ...]) -> Problem:
    first = keys.index(split[0])
    owner = next((k for k in reversed(keys[:first]) if isinstance(value[k], str)), None)
    pieces = "”, “".join(s.strip() for s in split)
    where = describe(path) if path else "the plan"
    if owner is not None:
        whole = ", ".join([value[owner].strip()] + [s.strip() for s in split])
        whole = whole.replace('"', '\\"')
        fix = f"put the whole text in quotes: {owner}: \"{whole}\""
        lost = f"`{owner}` keeps only “{value[owner].strip()}”"
    else:
        fix = "put the text in quotes"
        lost = "the text is lost"
    return Problem(path + (split[0],), f"in {where}, YAML split an unquoted text at its commas: “{pieces}” "
                   f"became field names with no value and {lost}; {fix}",
                   {"issue": "comma-split", "keys": list(split), "field": owner or "",
                    "covers": [path + ((owner,) if owner else ())]})


def schema_errors(data: Any) -> Iterator[Any]:
    from ..schemas import plan_surely_valid, plan_validator

    if plan_surely_valid(data):  # the common case, answered without jsonschema
        return
    yield from plan_validator().iter_errors(data)


def plan_errors(ctx: Context) -> List[Any]:
    """`schema_errors` of the plan a context holds, worked out once for the checks that read them."""
    errors = ctx.memo.get("schema_errors")
    if errors is None:
        errors = ctx.memo["schema_errors"] = list(schema_errors(ctx.data))
    return errors


def check(ctx: Context, options: None) -> Iterator[Problem]:
    for error in plan_errors(ctx):
        if case_of_enum(error) is not None:
            continue  # understood as meant: the spelling rule's warning
        path = tuple(error.absolute_path)
        yield Problem(path, _explain(error), {"validator": str(error.validator), "covers": [path]})
    if isinstance(ctx.data, Mapping):
        yield from read_as_meant(ctx.data)
