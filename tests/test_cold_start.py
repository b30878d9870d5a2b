"""A cold `fourp check` of one YAML plan imports only what it needs (issue 16: a one-plan check starts in
at most 2.5x the time of `python -c "import yaml"`). Timing is the benchmark's business (bench/run.py);
this checks, without a clock, the modules a check leaves in `sys.modules`, so that an import added at the
top of a module on the check path cannot quietly bring back what was taken off it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES

# What a check of a valid YAML plan, with the pack and templates already compiled in the cache, never needs:
# Jinja (the text report is written in Python; messages render without it), jsonschema (a plan that is surely
# valid is not validated by it), importlib.resources and .metadata (slow to import; the shipped files are read
# from disk, plug-in kinds looked up only when a pack names one that is not built in), the Word and Excel
# readers and their mappings, and the modules of other commands.
NEVER = ("jinja2", "jsonschema", "referencing", "rpds", "attrs", "importlib.resources", "importlib.metadata",
         "tempfile", "zipfile", "docx", "openpyxl", "fourp.read.mapping", "fourp.read.docx", "fourp.read.xlsx",
         "fourp.audit", "fourp.history", "fourp.partners", "fourp.lsp", "fourp.write", "fourp.verify",
         "fourp.output.html", "fourp.output.csv", "fourp.output.sarif", "fourp.output.junit",
         "fourp.portfolio.layouts", "fourp.sandbox")

_RUN = """
import atexit, json, sys
atexit.register(lambda: print("\\nMODULES " + json.dumps(sorted(sys.modules))))
sys.argv = ["fourp"] + sys.argv[1:]
from fourp.cli import main
main(prog_name="fourp")
"""


def _modules(*args: str) -> list:
    proc = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "FOURP_NO_CACHE"})
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.startswith("MODULES "))
    return json.loads(line[len("MODULES "):])


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_check_of_a_valid_yaml_plan_imports_only_what_it_needs(fmt):
    check = ("check", str(EXAMPLES / "good-plan.yaml"), "--as-of", "2024-09-30", "--format", fmt)
    _modules(*check)  # the first use compiles the pack and fills the caches, as any first use does
    loaded = _modules(*check)
    assert "fourp.engine" in loaded and "yaml" in loaded  # it did check the plan
    unwanted = sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in NEVER))
    assert not unwanted, f"a cold check imported {unwanted}"
