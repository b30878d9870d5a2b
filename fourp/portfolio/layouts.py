"""4P plans kept in another layout: a YAML or JSON file whose headings name the four Ps and an owner or
a group (`Group:`, `Owner:`, `Pursue:` ...) is a plan on another template, not "not a plan".

fourp cannot judge such a file against the plan format's rules, but an audit counts it under
`one-template` (the Thames Valley finding, L308) and matches it to the register by its reference.
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, Mapping, Optional

from ..report import PS

__all__ = ["foreign_plan", "read_foreign", "SOCML", "OTHER_TEMPLATE", "as_other_template"]

_OWNER = ("owner", "lro", "lead responsible officer", "plan owner", "lead officer")
_GROUP = ("group", "ocg", "threat", "organised crime group", "ocg name", "group name", "threat name",
          "subject", "priority individual", "vulnerability")
_REFERENCE = ("apmis ref", "apmis reference", "apmis", "socml", "socml ref", "threat reference",
              "threat ref", "urn", "reference", "ref")
_PLAN_ID = ("plan ref", "plan reference", "plan id", "id", "plan no", "plan number")
SOCML = re.compile(r"\bSOCML[-\w]*", re.IGNORECASE)


def _key(text: Any) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(text).lower()))


def foreign_plan(data: Any) -> Optional[Dict[str, Any]]:
    """The headings of a 4P plan in another layout, by their meaning (`pursue`, `owner`, `group`, ...),
    or None when the data is not recognisably one: at least three of the four Ps, and an owner, LRO or
    group, among its top-level keys."""
    if not isinstance(data, Mapping):
        return None
    keys = {_key(k): k for k in data}
    ps = [p for p in PS if any(k == p or k.startswith(p + " ") for k in keys)]
    owner = next((keys[k] for k in keys if k in _OWNER), None)
    group = next((keys[k] for k in keys if k in _GROUP), None)
    if len(ps) < 3 or (owner is None and group is None):
        return None
    return {"ps": ps, "owner": owner, "group": group,
            "reference": next((keys[k] for k in _REFERENCE if k in keys), None),
            "plan_id": next((keys[k] for k in _PLAN_ID if k in keys), None),
            "status": keys.get("status"), "headings": [str(k) for k in data]}


def read_foreign(path: str, max_bytes: int) -> Optional[Any]:
    """A file's data when it is a 4P plan in another layout; None when it is not (or cannot be read)."""
    from ..read.plan import PlanError, _decode, _read_bytes, parse_text

    try:
        raw = _read_bytes(path, max_bytes)
        text = _decode(raw, path)
        suffix = os.path.splitext(path)[1].lower()
        data = parse_text(text, path, ".json" if suffix == ".json" else ".yaml").data
    except PlanError:
        return None
    return data if foreign_plan(data) is not None else None




#: What fourp says of a file that is a 4P plan on another template (reason, hint).
OTHER_TEMPLATE = ("a 4P plan on another template, not the plan format, so its rules cannot judge it",
                  "move it onto the force's template (`fourp new`); an audit counts it under one-template")


def as_other_template(error: Any, path: str, max_bytes: int) -> Any:
    """A `not-a-plan` PlanError for a file that is a 4P plan on another template, said as such (same
    file, code `other-template`); any other error as it was."""
    from ..read.plan import PlanError

    if getattr(error, "code", None) != "not-a-plan" or read_foreign(path, max_bytes) is None:
        return error
    return PlanError(error.file, OTHER_TEMPLATE[0], 1, 1, OTHER_TEMPLATE[1], code="other-template")
