"""`csv`: a row a plan and a row a finding, for a spreadsheet; a cell a spreadsheet would run as a formula is quoted."""
from __future__ import annotations

import csv
import io
from typing import Any, Dict, Iterator

__all__ = ["cell", "to_csv", "report_text", "CSV_COLUMNS"]


CSV_COLUMNS = ("record", "file", "plan_id", "force", "lro", "status", "score", "grade", "pursue", "prevent",
               "protect", "prepare", "errors", "warnings", "infos", "rule", "severity", "title", "message",
               "path", "line", "column", "quote", "remediation", "baseline", "place")
# A cell a spreadsheet would read as a formula (or as the start of one, after a tab or line break).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, the apostrophe hidden, by Excel, LibreOffice and Sheets
    return value


def to_csv(data: Dict[str, Any]) -> str:
    return "".join(csv_pieces(data))


def csv_pieces(data: Dict[str, Any]) -> Iterator[str]:
    """One row per plan (`record` plan), then one per finding (`finding`); a file that could not be read is
    an `unreadable` row, a file an audit found and did not read (a PDF) a `skipped` row, a cross-plan
    finding of an audit a `portfolio` row (its files and locations
    joined by "; "), and with a baseline each fixed finding a `fixed` row. Finding rows repeat their
    plan's columns so a spreadsheet can filter and sort them. UTF-8 with a byte-order mark (so Excel reads
    the names and quotation marks right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    baseline = data.get("baseline")

    def written() -> str:  # the rows so far, a plan at a time
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    def row(**cells: Any) -> None:
        writer.writerow([cell(cells.get(column)) for column in CSV_COLUMNS])

    for report in data["reports"]:
        plan = {"file": report["file"], "plan_id": report["plan"]["id"], "force": report["plan"]["force"],
                "lro": report["plan"]["lro"], "status": report["plan"]["status"], "score": report["score"],
                "grade": report["grade"], **{p: report["p_scores"].get(p) for p in data["ps"]},
                "errors": report["counts"]["error"], "warnings": report["counts"]["warning"],
                "infos": report["counts"]["info"]}
        row(record="plan", **plan)
        for finding in report["findings"]:
            row(record="finding", **plan, rule=finding["rule"], severity=finding["severity"],
                title=finding["title"], message=finding["message"], path=finding["path"], line=finding["line"],
                column=finding["column"], quote=finding["quote"], remediation=finding["remediation"],
                baseline="new" if baseline else None, place=(finding.get("place") or {}).get("text"))
        yield written()
    for finding in (data.get("portfolio") or {}).get("findings", []):
        row(record="portfolio", file="; ".join(finding.get("files", [])), rule=finding["rule"],
            severity=finding["severity"], title=finding["title"], message=finding["message"],
            path="; ".join(finding.get("locations", [])), quote=finding.get("quote"),
            remediation=finding["remediation"])
    for error in data["errors"]:
        row(record="unreadable", file=error["file"], line=error["line"], column=error["column"],
            message=error["reason"], remediation=error["hint"])
    for skipped in data.get("skipped") or ():
        row(record="skipped", file=skipped["file"], message=skipped["reason"], remediation=skipped["hint"])
    for finding in (baseline or {}).get("fixed", []):
        row(record="fixed", file=finding["file"], plan_id=finding["plan"], rule=finding["rule"],
            severity=finding["severity"], title=finding["title"], message=finding["message"],
            path=finding["path"], line=finding["line"], column=finding["column"], baseline="fixed")
    yield written()


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[str]:
    """The `csv` format in pieces, as `fourp.output.format_pieces` calls each format."""
    return csv_pieces(data)


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `csv` format, as `fourp.output.FORMATS` calls each format."""
    return to_csv(data)
