"""The registry of check kinds; each kind's own cases are in tests/checks/test_<kind>.py."""
from __future__ import annotations

import pytest

from fourp import checks


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(checks.UnknownCheck, match="presence"):
        checks.get("nope")
