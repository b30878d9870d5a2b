"""The floors in setup.cfg are the versions .ci/run tests: .ci/constraints-min.txt pins exactly them."""
from __future__ import annotations

import configparser
import re
import sys

from conftest import ROOT


def _requirements():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].splitlines() + \
        config["options.extras_require"]["test"].splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")], config


def _version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def test_every_floor_is_pinned_in_the_constraints_ci_installs():
    requirements, _ = _requirements()
    floors = {}
    for requirement in requirements:
        name, floor = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()
        floors[name.lower()] = _version(floor)
    pins = {}
    for line in (ROOT / ".ci" / "constraints-min.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = _version(version.strip())
    assert pins == floors


def test_python_requires_names_only_the_python_ci_runs():
    _, config = _requirements()
    assert config["options"]["python_requires"].strip() == ">=3.11"
    assert sys.version_info[:2] >= (3, 11)
    assert "Python 3.11 or newer" in (ROOT / "README.md").read_text("utf-8")


def test_ci_runs_the_suite_at_the_minimums_and_lints():
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "constraints-min.txt" in script and "ruff check" in script and "mypy" in script
