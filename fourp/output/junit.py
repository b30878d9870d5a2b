"""`junit`: JUnit XML, a test case a rule and plan, for CI systems that show test results."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..report import FAILED_STATUSES
from .places import plan_name

__all__ = ["to_junit", "report_text"]


# XML 1.0 cannot hold these even escaped; a plan's text must not make the report unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(value: Any) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", "" if value is None else str(value))


def _element(parent: Optional[ET.Element], tag: str, text: Any = None, **attributes: Any) -> ET.Element:
    attrs = {name.rstrip("_"): _xml(value) for name, value in attributes.items() if value is not None}
    element = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _xml(text)
    return element


def to_junit(data: Dict[str, Any]) -> str:
    """JUnit XML: each plan a `testsuite`, each applicable rule a `testcase`; a failed rule is a `failure`
    listing its findings with their locations, a rule whose check crashed an `error`, a waived or
    inapplicable rule `skipped`. A file that could not be read is a suite with one `error`."""
    return "".join(junit_pieces(data))


def _count(counts: Dict[str, int], status: str, has_findings: bool, baseline: bool) -> Optional[str]:
    """Counts one rule's test case; returns how it ends (`skipped`, `failure`, `error`), None for a pass."""
    counts["tests"] += 1
    if status in ("not-applicable", "waived") or (status in FAILED_STATUSES and not has_findings and baseline):
        counts["skipped"] += 1
        return "skipped"
    if status in FAILED_STATUSES:
        kind = "failure" if status == "fail" else "error"
        counts["failures" if kind == "failure" else "errors"] += 1
        return kind
    return None


def _plan_suite(report: Dict[str, Any], baseline: bool) -> Tuple[ET.Element, Dict[str, int]]:
    name = plan_name(report)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suite = _element(None, "testsuite", name=name, file=report["file"])
    properties = _element(suite, "properties")
    for key in ("score", "grade", "pack", "pack_version", "as_of"):
        _element(properties, "property", name=key, value=report[key])
    for key in ("force", "lro", "status", "threat"):
        _element(properties, "property", name=key, value=report["plan"][key])
    findings: Dict[str, List[Dict[str, Any]]] = {}
    for finding in report["findings"]:
        findings.setdefault(finding["rule"], []).append(finding)
    for result in report["results"]:
        mine = findings.get(result["rule"], [])
        first = mine[0] if mine else {}
        case = _element(suite, "testcase", name=f"{result['rule']}: {result['title']}", classname=name,
                        file=report["file"], line=first.get("line"))
        kind = _count(counts, result["status"], bool(mine), baseline)
        if result["status"] == "not-applicable":
            _element(case, "skipped", message="does not apply to this plan")
        elif result["status"] == "waived":
            _element(case, "skipped", message=f"waived: {result['waiver']}")
        elif kind == "skipped":
            _element(case, "skipped", message=f"all {result['findings']} findings are in the baseline")
        elif kind is not None:
            body = "\n".join(f"{f['location']}: {f['message']}" for f in mine)
            _element(case, kind, body, type=result["severity"],
                     message=f"{result['title']} ({len(mine)} finding{'s' if len(mine) != 1 else ''})")
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite, counts


def _plan_counts(data: Dict[str, Any], baseline: bool) -> Iterator[Dict[str, int]]:
    """Each plan suite's counts, from the kept results where the audit kept them (no plan read twice)."""
    statuses = getattr(data["reports"], "statuses", None)
    if statuses is not None and not baseline:
        for plan in statuses():
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            for status in plan:
                _count(counts, status, True, baseline)
            yield counts
        return
    for report in data["reports"]:
        yield _plan_suite(report, baseline)[1]


def junit_pieces(data: Dict[str, Any]) -> Iterator[str]:
    """`to_junit` a suite at a time: the totals the root element carries are counted first (from the kept
    results, without building any suite), then each plan's suite is built, written and let go."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    baseline = data.get("baseline") is not None
    suites = 0
    for counts in _plan_counts(data, baseline):
        suites += 1
        for key, value in counts.items():
            totals[key] += value
    tail_suites: List[ET.Element] = []  # the portfolio, unreadable files, skipped files: a few suites
    portfolio = data.get("portfolio") or {}
    if portfolio.get("results"):
        holder = ET.Element("testsuites")
        counts = _junit_portfolio(holder, portfolio)
        tail_suites.extend(holder)
        for key, value in counts.items():
            totals[key] += value
    for error in data["errors"]:
        suite = _element(None, "testsuite", name=error["file"], file=error["file"], tests="1", failures="0",
                         errors="1", skipped="0")
        case = _element(suite, "testcase", name="the file can be read as a plan", classname=error["file"],
                        file=error["file"], line=error["line"])
        where = ":".join(str(x) for x in (error["file"], error["line"], error["column"]) if x is not None)
        _element(case, "error", f"{where}: {error['reason']}" + (f" ({error['hint']})" if error["hint"] else ""),
                 type="unreadable", message=error["reason"])
        tail_suites.append(suite)
        totals["tests"] += 1
        totals["errors"] += 1
    if data.get("skipped"):  # files found and not read: each a skipped test, so a CI report lists them
        suite = _element(None, "testsuite", name="skipped files", tests=str(len(data["skipped"])), failures="0",
                         errors="0", skipped=str(len(data["skipped"])))
        for skipped in data["skipped"]:
            case = _element(suite, "testcase", name="the file is a plan fourp reads", classname=skipped["file"],
                            file=skipped["file"])
            _element(case, "skipped", message=f"{skipped['reason']} ({skipped['hint']})")
            totals["tests"] += 1
            totals["skipped"] += 1
        tail_suites.append(suite)
    root = _element(None, "testsuites", name=f"fourp {data['pack']['name']}")
    for key, value in totals.items():
        root.set(key, str(value))
    if not suites and not tail_suites:
        yield ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
        return
    # The root's opening tag as ElementTree writes it, around a stand-in for its suites.
    root.text = "\n  "
    stand_in = ET.SubElement(root, "fourpsuites")  # not a code: no hyphen
    stand_in.tail = "\n"
    whole = ET.tostring(root, encoding="unicode", xml_declaration=True)
    head, tail = whole.split("<fourpsuites />", 1)
    yield head
    separator = ""

    def written(suite: ET.Element) -> str:
        ET.indent(suite, level=1)
        suite.tail = None
        return ET.tostring(suite, encoding="unicode")

    for report in data["reports"]:
        yield separator + written(_plan_suite(report, baseline)[0])
        separator = "\n  "
    for suite in tail_suites:
        yield separator + written(suite)
        separator = "\n  "
    yield tail + "\n"


def _junit_portfolio(root: ET.Element, portfolio: Dict[str, Any]) -> Dict[str, int]:
    """The cross-plan rules of an audit as one more suite, named `portfolio`."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suite = _element(root, "testsuite", name="portfolio")
    for result in portfolio["results"]:
        counts["tests"] += 1
        case = _element(suite, "testcase", name=f"{result['rule']}: {result['title']}", classname="portfolio")
        mine = [f for f in portfolio.get("findings", []) if f["rule"] == result["rule"]]
        if result["status"] in FAILED_STATUSES:
            kind = "failure" if result["status"] == "fail" else "error"
            counts["failures" if kind == "failure" else "errors"] += 1
            body = "\n".join(f"{'; '.join(f.get('locations', []))}: {f['message']}" for f in mine)
            _element(case, kind, body or result.get("reason"), type=result["severity"],
                     message=f"{result['title']} ({len(mine)} finding{'s' if len(mine) != 1 else ''})")
        elif result["status"] != "pass":
            counts["skipped"] += 1
            _element(case, "skipped", message=result.get("reason") or result["status"])
    for key, value in counts.items():
        suite.set(key, str(value))
    return counts


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `junit` format, as `fourp.output.FORMATS` calls each format."""
    return to_junit(data)


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[str]:
    """The `junit` format a suite at a time, as `fourp.output.format_pieces` calls each format."""
    return junit_pieces(data)
