"""An audit's reports kept compactly and written a piece at a time: the same bytes as writing them whole."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import AS_OF, EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

import fourp
import fourp.encode
from fourp.audit import audit
from fourp.kept import KeptReport, KeptReports
from fourp.output import FORMATS, format_pieces, format_report
from fourp.output.json import audit_document, to_json
from fourp.output.render import audit_data
from fourp.output.write import report_bytes, write_atomic
from fourp.report import Report


def _stdlib(value):
    """What fourp wrote before orjson: the standard library's encoder, escaped as reports are written."""
    return report_bytes(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@pytest.fixture(scope="module")
def result():
    return audit([str(EXAMPLES)], pack=fourp.load_pack(), as_of=AS_OF, jobs=1)


# Floats under 1e-4 are written `1e-07` by the standard library and `1e-7` by orjson (the one difference,
# in value none): a report's scores and weights are never so small. Tested apart below.
_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _floats | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_json, st.integers(0, 3))
def test_encode_writes_the_standard_librarys_bytes(value, depth):
    expected = _stdlib(value).replace(b"\n", b"\n" + b"  " * depth)
    assert fourp.encode.encode(value, depth) == expected
    assert fourp.encode.decode(fourp.encode.encode(value)) == json.loads(_stdlib(value))


@pytest.mark.parametrize("value", [
    "a file name not UTF-8: \udcff", 2 ** 70, -(2 ** 63) - 1, [2 ** 64 - 1, 1e16, 1.5e22],
    {"as_of": dt.date(2024, 9, 30)},
    {"when": dt.datetime(2024, 9, 30, 8, 15)}, [[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]],
    {1: "a key that is a number", None: "and none"}, "\x00\x1f\x7f\u2028 controls"])
def test_what_orjson_refuses_or_writes_otherwise_is_written_as_before(value):
    assert fourp.encode.encode(value) == _stdlib(value)
    assert fourp.encode.decode(fourp.encode.encode(value)) == json.loads(_stdlib(value).decode("utf-8"))


def test_a_tiny_float_is_the_same_value_written_either_way():
    assert json.loads(fourp.encode.encode([5.960464477539063e-08, 1e-05])) == [5.960464477539063e-08, 1e-05]


def test_a_report_comes_back_from_its_dict_as_it_was(result):
    for report in result.reports:
        again = Report.from_dict(report.to_dict(), report.meta)
        assert again == report and again.meta == report.meta
        assert [f.location for f in again.findings] == [f.location for f in report.findings]


def test_the_audit_keeps_reports_compactly_and_reads_them_back_as_reports(result):
    assert isinstance(result.reports, KeptReports)
    assert all(isinstance(k, KeptReport) for k in result.reports.kept)
    reports = list(result.reports)
    assert all(isinstance(r, Report) for r in reports) and len(reports) == len(result.reports) == 7
    assert result.reports[0] == reports[0] and list(result.reports[1:3]) == reports[1:3]
    for kept, report in zip(result.reports.kept, reports):
        assert (kept.file, kept.score, kept.grade, kept.force, kept.counts()) == \
            (report.file, report.score, report.grade, report.force, report.counts())
        assert all(kept.failed(s) == report.failed(s) for s in ("error", "warning", "info"))
        assert kept.result("lro-named") == report.result("lro-named")
        assert kept.to_dict() == report.to_dict()
    assert [r.file for r in result.failed()] == [r.file for r in reports if r.failed("error")]


def test_the_audit_json_is_written_from_the_kept_json_without_decoding_a_plan(result, monkeypatch, tmp_path):
    """The document's plans are written as the audit kept them: decoding one (let alone building every
    plan's dict, as the writer once did) fails here."""
    whole = result.to_dict()  # every plan's dict, as the JSON was once made
    expected = _stdlib(whole) + b"\n"
    document = audit_document(result)

    def refuse(self):
        raise AssertionError("a plan was decoded to write the JSON")
    monkeypatch.setattr(KeptReport, "to_dict", refuse)
    monkeypatch.setattr(KeptReport, "report", refuse)
    write_atomic(str(tmp_path / "audit.json"), format_pieces("json", {}, document))
    assert (tmp_path / "audit.json").read_bytes() == expected
    monkeypatch.undo()
    assert to_json(document).encode("utf-8") == expected
    assert document["plans"] == whole["plans"] and len(document["plans"]) == len(whole["plans"])


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_written_in_pieces_is_the_format_written_whole(result, fmt, tmp_path):
    pack = fourp.load_pack()
    data = audit_data(result, pack)
    document = audit_document(result)
    pieces = list(format_pieces(fmt, data, document))
    assert b"".join(p if isinstance(p, bytes) else report_bytes(p) for p in pieces) == \
        report_bytes(format_report(fmt, data, document))
    if fmt not in ("github",):  # a few lines: one piece is fine
        assert len(pieces) > 2, "written whole, not a piece at a time"


def test_the_standard_library_writes_the_same_json_when_orjson_is_missing(result, monkeypatch):
    with_orjson = to_json(audit_document(result))
    monkeypatch.setattr(fourp.encode, "_orjson", None)
    assert to_json(audit_document(result)) == with_orjson


def test_template_views_are_made_one_plan_at_a_time(result):
    data = audit_data(result, fourp.load_pack())
    views = data["reports"]
    assert not isinstance(views, list) and len(views) == 7
    listed = list(views)
    assert [v["score"] for v in listed] == sorted(v["score"] for v in listed)
    assert views[0] == listed[0] and views[-1]["file"] == listed[-1]["file"]
