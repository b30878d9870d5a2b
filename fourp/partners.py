"""Partner agencies' own work: for each agency that owns actions, those actions and its contacts, nothing else.

What may leave a plan is the pack's `partners:` allow-list (`PartnerPolicy`): named fields of the plan, of
each action the agency owns and of the plan's `partners` entries naming it. Only a single value (text, a
number, a date) at exactly an allowed path is copied; a mapping or list there is not, so a field added to
a plan later never leaves because its parent was allowed.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .errors import FourpError
from .pack.blocks import PartnerPolicy, agency_key
from .read.plan import DEFAULT_MAX_BYTES, PlanError
from .report import PS

__all__ = ["PartnerPolicy", "AgencyWork", "collect", "write_partner_packs", "agency_key", "PartnerError"]

Path = Tuple[str, ...]  # a field, or a field inside a field


class PartnerError(FourpError):
    """Partner packs that cannot be written: the pack has no allow-list, or the folder is unusable."""

    default_code = "unsafe-output"
    unnamed = "fourp partners"


def _single(value: Any) -> Optional[str]:
    """A value fit to copy, as text: only a single value, never a mapping or list."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def pick(data: Any, paths: Sequence[Path]) -> Dict[str, str]:
    """The allowed single values of `data`, by path (`result/text`)."""
    out: Dict[str, str] = {}
    for path in paths:
        value = data
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        text = _single(value)
        if text is not None:
            out["/".join(path)] = text
    return out


@dataclass(frozen=True)
class AgencyWork:
    """One agency's pack of work: the actions it owns across the plans, and its contacts. `force` is the
    plans' force when the allow-list lets `force` leave (a council then never gets another force's
    actions for a council of the same kind), else empty."""

    agency: str
    force: str
    actions: Tuple[Dict[str, str], ...]
    contacts: Tuple[Dict[str, str], ...]


def collect(plans: Sequence[Tuple[str, Any]], policy: PartnerPolicy) -> List[AgencyWork]:
    """Each agency's work from `(file, plan data)` pairs, agencies in name order, actions in plan order."""
    actions: Dict[Tuple[str, str], List[Dict[str, str]]] = {}
    contacts: Dict[Tuple[str, str], List[Dict[str, str]]] = {}
    for _, data in plans:
        if not isinstance(data, Mapping):
            continue
        picked_plan = pick(data, policy.plan)
        plan_part = {f"plan/{k}": v for k, v in picked_plan.items()}
        force = " ".join(picked_plan.get("force", "").split())
        owners = set()
        for p in PS:
            section = data.get(p)
            entries = section.get("actions") if isinstance(section, Mapping) else None
            for action in entries if isinstance(entries, list) else ():
                if not isinstance(action, Mapping):
                    continue
                agency = agency_key(action.get("agency"))
                if not agency or agency in policy.internal:
                    continue
                owners.add(agency)
                actions.setdefault((force, agency), []).append(dict(plan_part, **pick(action, policy.action)))
        partners = data.get("partners")
        for entry in partners if isinstance(partners, list) else ():
            if not isinstance(entry, Mapping):
                continue
            for agency in sorted(owners):
                if policy.names(agency, entry.get("name")):
                    picked = pick(entry, policy.contact)
                    if picked and picked not in contacts.setdefault((force, agency), []):
                        contacts[(force, agency)].append(picked)
    return [AgencyWork(agency, force, tuple(found), tuple(contacts.get((force, agency), ())))
            for (force, agency), found in sorted(actions.items(), key=lambda item: (item[0][1], item[0][0]))]


# -- writing ------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text  # never a spreadsheet formula


def _csv(columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return "\ufeff" + out.getvalue()


def _folder_name(work: AgencyWork, taken: set) -> str:
    """A folder name made only of safe characters, whatever the plan calls the agency and the force:
    `local-authority`, or `sussex-police--local-authority` when the force may leave."""
    force = agency_key(work.force)
    wanted = f"{force}--{work.agency}" if force else work.agency
    name = re.sub(r"[^a-z0-9-]+", "", wanted)[:80].strip("-") or "agency"
    if name in taken or name != wanted:
        name = f"{name}-{hashlib.sha256(wanted.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
    taken.add(name)
    return name


def _html(work: AgencyWork, policy: PartnerPolicy) -> str:
    from .output.render import _environment
    from .resources import shipped

    env = _environment("html", False, sandboxed=False, search=str(shipped("templates")))
    return env.get_template("partner.html.j2").render(
        agency=work.agency, force=work.force, actions=list(work.actions), contacts=list(work.contacts),
        columns=_action_columns(policy), contact_columns=["/".join(p) for p in policy.contact])


def _action_columns(policy: PartnerPolicy) -> List[str]:
    return [f"plan/{'/'.join(p)}" for p in policy.plan] + ["/".join(p) for p in policy.action]


def write_partner_packs(paths: Sequence[str], directory: str, policy: Optional[PartnerPolicy],
                        max_bytes: int = DEFAULT_MAX_BYTES) -> Tuple[List[Tuple[AgencyWork, str]], List[PlanError]]:
    """Reads every plan under `paths` and writes each agency's `actions.html`, `actions.csv` and
    `contacts.csv` in its own folder under `directory` (made if needed), atomically; never anywhere else,
    and never over a plan. Returns what was written where, and the plans that could not be read."""
    from .audit import discover
    from .output.write import write_atomic
    from .read import read

    if policy is None:
        raise PartnerError(None, "the pack has no `partners:` allow-list, so nothing may leave a plan",
                           hint="add one to the pack (docs/partners.md)", code="no-allow-list")
    root = os.path.realpath(directory)
    errors: List[PlanError] = []
    files = discover(paths, exclude=[directory], errors=errors)
    plans = []
    for path in files:
        try:
            plans.append((path, read(path, max_bytes).data))  # YAML, JSON, Word or Excel
        except PlanError as exc:
            errors.append(exc)
    inputs = {os.path.realpath(p) for p in files}
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise PartnerError(directory, f"cannot make the folder: {exc.strerror or exc}", code="unreadable") from None
    written = []
    taken: set = set()
    for work in collect(plans, policy):
        folder = os.path.join(root, _folder_name(work, taken))
        if os.path.islink(folder):
            raise PartnerError(folder, f"is a symbolic link; fourp writes partner files only inside {directory}")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if os.path.dirname(os.path.realpath(folder)) != root:
            raise PartnerError(folder, f"is outside {directory}")
        outputs = {"actions.html": _html(work, policy),
                   "actions.csv": _csv(_action_columns(policy), work.actions),
                   "contacts.csv": _csv(["/".join(p) for p in policy.contact], work.contacts)}
        for name, text in outputs.items():
            target = os.path.join(folder, name)
            if os.path.realpath(target) in inputs or os.path.islink(target):
                raise PartnerError(target, "is a plan or a link; fourp never writes over either")
            write_atomic(target, text)
        written.append((work, folder))
    return written, errors
