"""Shared fixtures: the default pack (loaded once) and the date the examples are judged at."""
from __future__ import annotations

import datetime as dt
import os
import pathlib

import pytest
from hypothesis import settings

import fourp

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
AS_OF = dt.date(2024, 9, 30)

settings.register_profile("ci", max_examples=400, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


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
