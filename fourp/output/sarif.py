"""`sarif`: SARIF 2.1.0 for code-scanning dashboards: a result a finding, at its file, line and column."""
from __future__ import annotations

import hashlib
import os
import urllib.parse
from typing import Any, Dict, Iterator, List, Optional

from .. import __version__
from ..encode import encode
from ..read.baseline import finding_key, plan_key
from .places import plan_name

__all__ = ["to_sarif", "report_text", "SARIF_VERSION"]


SARIF_VERSION = "2.1.0"
_SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: Optional[str]) -> str:
    """A file's URI reference: relative paths stay relative (to where fourp ran), absolute ones are file:."""
    if not path:
        return "plan"
    if os.path.isabs(path):
        import pathlib

        return pathlib.Path(path).as_uri()
    return urllib.parse.quote(os.fsencode(path.replace(os.sep, "/")))  # a name not UTF-8: its bytes


def _fingerprint(report: Dict[str, Any], finding: Dict[str, Any]) -> str:
    """The baseline identity (plan, rule, document path), so code-scanning tools match results as fourp does."""
    identity = "\x1f".join(finding_key(plan_key(report), finding))
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()  # a name not UTF-8 too


def to_sarif(data: Dict[str, Any]) -> str:
    return b"".join(sarif_pieces(data)).decode("utf-8")


def sarif_pieces(data: Dict[str, Any]) -> Iterator[bytes]:
    """SARIF 2.1.0: one run; each plan an artifact, each finding a result with its region (line, column)
    and document path; the pack's rules in `tool.driver.rules` with their help text. Files that could not
    be read are tool execution notifications. An audit's cross-plan findings are results located in each
    plan they concern. With a baseline, plan results are the new findings only, marked `baselineState:
    new`."""
    from .places import rules_reference

    rules = [rule for rule in data["rules"].values() if rule.get("enabled", True)]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    reference, documented = rules_reference()
    driver_rules = []
    for rule in rules:
        basis = rule.get("basis") or []
        descriptor: Dict[str, Any] = {
            "id": rule["id"], "name": rule["id"],
            "shortDescription": {"text": rule["title"]},
            "fullDescription": {"text": rule["rationale"] or rule["title"]},
            "help": {"text": rule["remediation"] or rule["title"]},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule["severity"]]},
            "properties": {"weight": rule["weight"], "ps": rule["ps"], "tags": ["4p"] + list(rule["ps"])}}
        if basis:
            descriptor["properties"]["basis"] = basis
        if rule["id"] in documented:  # a force's own new rules are not in the shipped reference
            descriptor["helpUri"] = f"{reference}#{rule['id']}"
        driver_rules.append(descriptor)
    artifacts: List[Dict[str, Any]] = []
    artifact_index: Dict[str, int] = {}

    def artifact(path: Optional[str], properties: Optional[Dict[str, Any]] = None) -> int:
        uri = _uri(path)
        if uri not in artifact_index:
            artifact_index[uri] = len(artifacts)
            entry: Dict[str, Any] = {"location": {"uri": uri}, "mimeType": _mime(path)}
            if properties:
                entry["properties"] = properties
            artifacts.append(entry)
        return artifact_index[uri]

    def location(path: Optional[str], line: Optional[int], column: Optional[int], where: int) -> Dict[str, Any]:
        physical: Dict[str, Any] = {"artifactLocation": {"uri": _uri(path), "index": where}}
        if line is not None and line >= 1:
            physical["region"] = {"startLine": line, **({"startColumn": column} if column and column >= 1 else {})}
        return {"physicalLocation": physical}

    # Artifacts come before results in the log, and results point at them: they are listed first (from
    # the fields the audit keeps, without reading its plans), then each plan's results are written as
    # that plan is reached.
    for report in _heads(data["reports"]):
        artifact(report["file"], {"plan": report["plan"], "score": report["score"],
                                  "grade": report["grade"], "p_scores": report["p_scores"]})
    portfolio_findings = (data.get("portfolio") or {}).get("findings", [])
    for finding in portfolio_findings:
        for path in finding.get("files", []):
            artifact(path)
    for skipped in data.get("skipped") or ():
        artifact(skipped["file"])
    for error in data["errors"]:
        artifact(error["file"])

    def plan_results(report: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        where = artifact_index[_uri(report["file"])]
        for finding in report["findings"]:
            place = location(report["file"], finding["line"], finding["column"], where)
            if finding["path"]:
                place["logicalLocations"] = [{"fullyQualifiedName": finding["path"]}]
            if finding.get("place"):  # a Word or Excel plan: the place in words, and as its parts
                place["message"] = {"text": finding["place"]["text"]}
                place["properties"] = {"place": finding["place"]}
            result: Dict[str, Any] = {
                "ruleId": finding["rule"], "level": _SARIF_LEVEL[finding["severity"]],
                "message": {"text": finding["message"]}, "locations": [place],
                "partialFingerprints": {"fourp/plan-rule-path/v1": _fingerprint(report, finding)},
                "properties": {"plan": plan_name(report), "path": finding["path"], "quote": finding["quote"]}}
            if finding["rule"] in index:
                result["ruleIndex"] = index[finding["rule"]]
            if data.get("baseline") is not None:
                result["baselineState"] = "new"
            yield result

    def portfolio_results() -> Iterator[Dict[str, Any]]:
        for finding in portfolio_findings:  # cross-plan: not compared with a baseline
            result = {"ruleId": finding["rule"], "level": _SARIF_LEVEL[finding["severity"]],
                      "message": {"text": finding["message"]},
                      "locations": [location(path, None, None, artifact(path)) for path in finding.get("files", [])],
                      "properties": {"portfolio": True, "locations": finding.get("locations", []),
                                     "quote": finding.get("quote")}}
            if finding["rule"] in index:
                result["ruleIndex"] = index[finding["rule"]]
            yield result
    notifications = []
    for skipped in data.get("skipped") or ():  # a file found and not read (a PDF, an old .doc): said, not hidden
        notifications.append({"level": "note", "message": {"text": f"skipped: {skipped['reason']} ({skipped['hint']})"},
                              "locations": [location(skipped["file"], None, None, artifact(skipped["file"]))]})
    for error in data["errors"]:
        where = artifact(error["file"])
        notifications.append({
            "level": "error",
            "message": {"text": error["reason"] + (f" ({error['hint']})" if error["hint"] else "")},
            "locations": [location(error["file"], error["line"], error["column"], where)]})
    run: Dict[str, Any] = {
        "tool": {"driver": {"name": "fourp", "version": __version__, "semanticVersion": __version__,
                            **({"informationUri": reference} if reference else {}),
                            "rules": driver_rules,
                            "properties": {"pack": data["pack"]["name"], "packVersion": data["pack"]["version"]}}},
        "invocations": [{"executionSuccessful": not data["errors"], "toolExecutionNotifications": notifications}],
        "artifacts": artifacts, "results": _RESULTS, "columnKind": "unicodeCodePoints",
        "properties": {"asOf": _as_of(data)}}
    log = {"$schema": _SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    head, tail = encode(log).split(encode(_RESULTS), 1)
    yield head
    # `results` sits four levels in (the log, `runs`, the run, the list): each written as it is made
    separator = b"[\n" + b"  " * 4
    for report in data["reports"]:
        for result in plan_results(report):
            yield separator + encode(result, 4)
            separator = b",\n" + b"  " * 4
    for result in portfolio_results():
        yield separator + encode(result, 4)
        separator = b",\n" + b"  " * 4
    yield (b"[]" if separator.startswith(b"[") else b"\n" + b"  " * 3 + b"]") + tail + b"\n"


#: Where the results go in the log while the rest is written (no text a log holds can look like it).
_RESULTS = "\x00fourp: the results\x00"


def _heads(reports: Any) -> Iterator[Dict[str, Any]]:
    """Each plan's file, plan, score, grade and P scores, in the order of `data["reports"]`."""
    heads = getattr(reports, "heads", None)
    return heads() if heads is not None else iter(reports)


def _mime(path: Optional[str]) -> str:
    from ..read import format_of

    fmt = format_of(path or "")
    return fmt.mime if fmt is not None else "application/yaml"


def _as_of(data: Dict[str, Any]) -> Optional[str]:
    return data.get("as_of") or next((r["as_of"] for r in data["reports"]), None)


def report_text(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """The `sarif` format, as `fourp.output.FORMATS` calls each format."""
    return to_sarif(data)


def report_pieces(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> Iterator[bytes]:
    """The `sarif` format a result at a time, as `fourp.output.format_pieces` calls each format."""
    return sarif_pieces(data)
