"""docs/versioning.md names every version number fourp carries, with the value the code carries now."""
from __future__ import annotations

import ast
import json
import re

import yaml
from conftest import ROOT

import fourp
from fourp import history, report
from fourp.cache import packs as pack_cache
from fourp.cache import results as cache
from fourp.output import sarif

DOC = (ROOT / "docs" / "versioning.md").read_text(encoding="utf-8")


def _schema(name: str) -> dict:
    return json.loads((ROOT / "fourp" / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


#: Each row of the doc's table, and where the code keeps that number.
CARRIED = {
    "package": lambda: fourp.__version__,
    "plan format": lambda: _schema("plan")["properties"]["fourp"]["const"],
    "pack format": lambda: _schema("pack")["properties"]["fourp-pack"]["const"],
    "shipped pack": lambda: yaml.safe_load((ROOT / "rules" / "hmicfrs-2024.yaml").read_text("utf-8"))["version"],
    "report format": lambda: report.REPORT_FORMAT,
    "results cache format": lambda: cache.CACHE_FORMAT,
    "pack cache format": lambda: pack_cache._FORMAT,
    "audit history schema": lambda: history.SCHEMA_VERSION,
    "SARIF (not fourp's)": lambda: sarif.SARIF_VERSION,
}


def _table() -> dict:
    rows = re.findall(r"^\| (.+?) \| (.+?) \| `([^`]+)` \|$", DOC, re.M)
    return {name: (where, now) for name, where, now in rows}


def test_the_policy_names_the_numbers_the_code_carries():
    table = _table()
    assert set(table) == set(CARRIED)
    for name, read in CARRIED.items():
        assert table[name][1] == str(read()), f"docs/versioning.md says {name} is {table[name][1]}"


def test_plan_and_pack_schema_ids_carry_the_format_number():
    assert _schema("plan")["$id"].endswith(f"plan-{CARRIED['plan format']()}.json")
    assert _schema("pack")["$id"].endswith(f"pack-{CARRIED['pack format']()}.json")
    blank = (ROOT / "fourp" / "data" / "new-plan.yaml").read_text(encoding="utf-8")
    assert re.search(rf"^fourp: {CARRIED['plan format']()}$", blank, re.M)


def _version_constants() -> set:
    """Module-level names ending in FORMAT or VERSION bound to a number or a string, in every module."""
    found = set()
    for path in (ROOT / "fourp").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, (int, str)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and re.search(r"(FORMAT|VERSION|__version__)$", target.id):
                        found.add((path.relative_to(ROOT).as_posix(), target.id))
    return found


def test_every_version_constant_is_in_the_policy():
    wheres = " ".join(where for where, _ in _table().values())
    constants = _version_constants()
    assert ("fourp/report.py", "REPORT_FORMAT") in constants  # the scan finds what it should
    for module, name in constants:
        assert f"`{module}`: `{name}`" in wheres, f"{module} {name} is not in docs/versioning.md"
