from __future__ import annotations

import datetime as dt

import pytest

from fourp.read.dates import parse_moment


@pytest.mark.parametrize("value, at, timed", [
    ("2024-03-05T14:30", dt.datetime(2024, 3, 5, 14, 30), True),
    ("2024-03-05 14:30:00", dt.datetime(2024, 3, 5, 14, 30), True),
    ("2024-03-05T14:30:15", dt.datetime(2024, 3, 5, 14, 30, 15), True),
    ("05/03/2024 14:30", dt.datetime(2024, 3, 5, 14, 30), True),
    ("2024-03-05", dt.datetime(2024, 3, 5), False),
    ("05/03/2024", dt.datetime(2024, 3, 5), False),
    (dt.date(2024, 3, 5), dt.datetime(2024, 3, 5), False),
    (dt.datetime(2024, 3, 5, 14, 30), dt.datetime(2024, 3, 5, 14, 30), True),
    ("2024-07-05T14:30+01:00", dt.datetime(2024, 7, 5, 14, 30), True),  # BST is UK local time
    ("2024-01-05T14:30Z", dt.datetime(2024, 1, 5, 14, 30), True),
], ids=lambda v: str(v))
def test_every_form_the_spec_names(value, at, timed):
    moment = parse_moment(value)
    assert moment is not None
    assert moment.at == at
    assert moment.timed is timed


@pytest.mark.parametrize("value", ["31/02/2024", "2024-13-01", "yesterday", "", None, 20240305, [],
                                   "2024-03-05T25:00"])
def test_what_is_not_a_date(value):
    assert parse_moment(value) is None


def test_yaml_objects_and_strings_are_the_same_value():
    import yaml

    loaded = yaml.safe_load("a: 2024-03-05 14:30:00\nb: '2024-03-05T14:30'\nc: 2024-03-05\nd: 05/03/2024")
    assert parse_moment(loaded["a"]) == parse_moment(loaded["b"])
    assert parse_moment(loaded["c"]) == parse_moment(loaded["d"])


_MINUS_FIVE = dt.timezone(-dt.timedelta(hours=5))


@pytest.mark.parametrize("value", [
    "2024-03-05T14:30+24:00", "2024-03-05T14:30-99:00", "2024-03-05T14:30+05:75", "2024-03-05T14:30:00+2400",
    "9999-12-31T23:00-05:00", "0001-01-01T00:30+05:00",
    dt.datetime(9999, 12, 31, 23, tzinfo=_MINUS_FIVE), dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(
        dt.timedelta(hours=5))),
], ids=str)
def test_an_impossible_offset_or_a_moment_outside_the_calendar_is_not_a_date(value):
    assert parse_moment(value) is None


@pytest.mark.parametrize("created, line", [("2024-03-05T14:30+24:00", 5), ("9999-12-31T23:00-05:00", 5),
                                           ("'9999-12-31 23:00:00-05:00'", 5), ("2024-03-05 14:30:00 +24:00", 5)])
def test_an_impossible_offset_is_a_plan_structure_finding_at_its_line(tmp_path, pack, created, line):
    import fourp
    from click.testing import CliRunner

    from fourp.cli import main

    path = tmp_path / "plan.yaml"
    path.write_text(f"fourp: 1\nid: SXP-4P-2024-099\nforce: Sussex Police\nstatus: active\ncreated: {created}\n")
    report = fourp.check(str(path), pack, as_of=dt.date(2024, 9, 30))
    assert [(f.path, f.line) for f in report.findings if f.rule == "plan-structure"] == [("/created", line)]
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2024-09-30"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
