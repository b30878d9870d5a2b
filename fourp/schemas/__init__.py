"""The JSON Schemas fourp ships: the plan document (format 1) and the rule pack."""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["schema", "plan_validator", "pack_validator"]


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """The schema named `plan` or `pack`, as parsed JSON."""
    if name not in ("plan", "pack"):
        raise ValueError(f"no schema named {name!r}; there are 'plan' and 'pack'")
    return json.loads(resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8"))


def _is_string(checker: Any, instance: Any) -> bool:
    # YAML hands dates over as date objects; for the plan format they are the same value as the string.
    return isinstance(instance, (str, dt.date))


@lru_cache(maxsize=None)
def plan_validator() -> Any:
    import jsonschema
    from ..dates import parse_moment

    formats = jsonschema.FormatChecker(formats=())

    @formats.checks("fourp-datetime")
    def _datetime(value: Any) -> bool:
        return not isinstance(value, (str, dt.date)) or parse_moment(value) is not None

    @formats.checks("fourp-date")
    def _date(value: Any) -> bool:
        moment = parse_moment(value) if isinstance(value, (str, dt.date)) else True
        return moment is not None

    return validator_class()(schema("plan"), format_checker=formats)


@lru_cache(maxsize=None)
def validator_class() -> Any:
    """Draft 2020-12, with YAML's date objects counting as strings."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    return jsonschema.validators.extend(base, type_checker=base.TYPE_CHECKER.redefine("string", _is_string))


@lru_cache(maxsize=None)
def pack_validator() -> Any:
    import jsonschema

    return validator_class()(schema("pack"), format_checker=jsonschema.FormatChecker(formats=("regex",)))
