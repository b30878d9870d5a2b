"""Shared fixtures: caches kept out of the home folder, the default pack (loaded once), the examples' date."""
from __future__ import annotations

import datetime as dt
import os
import pathlib
import shutil
import tempfile

import pytest
from hypothesis import settings

import fourp

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
AS_OF = dt.date(2024, 9, 30)

settings.register_profile("ci", max_examples=400, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_configure(config):
    """fourp keeps caches and a sealing key in the user's folders; the suite keeps them in a temporary
    folder, from before collection (some test modules load the pack when imported) to the end, and every
    fourp a test starts inherits it. So the suite leaves ~/.cache and ~/.config as it found them."""
    home = pathlib.Path(tempfile.mkdtemp(prefix="fourp-tests-"))
    config._fourp_home = (home, {name: os.environ.get(name) for name in _XDG})
    os.environ.update(XDG_CACHE_HOME=str(home / "cache"), XDG_CONFIG_HOME=str(home / "config"))


def pytest_unconfigure(config):
    home, before = getattr(config, "_fourp_home", (None, {}))
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)


_XDG = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME")


@pytest.fixture(autouse=True)
def own_cache_and_config(request, monkeypatch):
    """Each test starts with the suite's temporary cache and config folders, whatever an earlier one did."""
    home = request.config._fourp_home[0]
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    return home


@pytest.fixture(scope="session")
def pack() -> fourp.RulePack:
    return fourp.load_pack()


@pytest.fixture
def judge(pack):
    """Evaluates a plan mapping with the named rules only, and returns {rule: status} plus findings."""
    def run(data, *rules, as_of=AS_OF):
        report = fourp.evaluate(fourp.plan_from_data(data), pack, as_of, only=list(rules) or None)
        return report
    return run
