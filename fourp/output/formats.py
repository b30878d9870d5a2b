"""Reports in every format fourp writes, and writing them atomically.

Human-readable formats (text, markdown, html) come from the Jinja templates through `fourp.output.render`;
machine formats (json, csv, junit, sarif) are built here from the same template data, with the standard
library's writers doing the quoting and escaping. Reports are written to a temporary file in the target's
folder and renamed into place, so a reader never sees half a report and a failed run leaves the previous
one intact.
"""
from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import secrets
import stat
import time
import urllib.parse
import xml.etree.ElementTree as ET
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .. import __version__
from ..read.baseline import finding_key, plan_key

__all__ = ["FORMATS", "format_report", "write_atomic", "parse_report_spec", "check_document",
           "audit_document", "to_json", "to_csv", "to_junit", "to_sarif", "CSV_COLUMNS", "SARIF_VERSION"]

FORMATS = ("text", "markdown", "html", "json", "csv", "junit", "sarif", "github", "gitlab")
SARIF_VERSION = "2.1.0"
_SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def format_report(fmt: str, data: Dict[str, Any], document: Any = None, colour: bool = False) -> str:
    """A report in one format. `data` is the template data (`fourp.output.render.template_data`/`audit_data`);
    `document` is what json prints (`check_document`/`audit_document`), built from data when absent."""
    if fmt in ("text", "markdown", "html"):
        from .render import render

        return render(data, fmt, colour=colour)
    if fmt == "json":
        return to_json(document if document is not None else data)
    if fmt == "csv":
        return to_csv(data)
    if fmt == "junit":
        return to_junit(data)
    if fmt == "sarif":
        return to_sarif(data)
    if fmt == "github":
        from .annotations import to_github

        return to_github(data)
    if fmt == "gitlab":
        from .annotations import to_gitlab

        return to_gitlab(data)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def parse_report_spec(spec: str) -> Tuple[str, str]:
    """`html:audit.html` -> ("html", "audit.html"). Raises ValueError with what is wrong."""
    fmt, sep, path = spec.partition(":")
    if not sep or not path:
        raise ValueError(f"{spec!r} is not FORMAT:FILE (for example html:audit.html)")
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not a format; use one of {', '.join(FORMATS)}")
    return fmt, path


# -- writing ------------------------------------------------------------------------------------------------

#: A temporary report's name: `.{report}.{host}-{pid}-{random}.tmp`, so a later run can tell its own
#: leftovers (from a run killed outright) from a temporary file another run is writing right now.
_TEMP_NAME = re.compile(r"\.(?P<base>.+)\.(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-[0-9a-f]{12}\.tmp")
#: A leftover from another machine (a shared drive), whose process fourp cannot ask after, is removed
#: once it is this old: no report takes a day to write.
_STALE_SECONDS = 24 * 3600


def _host() -> str:
    import socket

    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process: alive
    except OSError:
        return True
    return True


def remove_stale_temporaries(folder: str, base: str) -> int:
    """Removes the temporary files fourp left beside `base` when a run writing it was killed outright
    (SIGKILL, a power cut): those of a process on this machine that has ended, or over a day old.
    Only names of fourp's own making are touched. Returns how many were removed."""
    removed = 0
    host = _host()
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        match = _TEMP_NAME.fullmatch(name)
        if match is None or match.group("base") != base:
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                continue
            mine = match.group("host") == host
            if (mine and not _alive(int(match.group("pid")))) or time.time() - info.st_mtime > _STALE_SECONDS:
                os.unlink(path)
                removed += 1
        except OSError:
            pass
    return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class NotWritable(OSError):
    """A report's target fourp will not write to (a folder, a block device, a socket)."""


def report_bytes(text: str) -> bytes:
    """A report as UTF-8. A file name that is not UTF-8 reaches here holding Python's stand-ins for its
    bytes (lone surrogates): they are written escaped (`\\udcff`), as JSON reads them back, never a crash."""
    return text.encode("utf-8", "backslashreplace")


def write_atomic(path: str, text: str) -> None:
    """Writes a report (UTF-8) to path.

    An ordinary file (or a new one) is written to a temporary file in the same folder and renamed into
    place: on any failure, or SIGINT, SIGTERM or SIGHUP, the temporary file is removed and whatever was
    at `path` is untouched. The temporary file has the permissions of the report it replaces from the
    start (a new report gets the usual ones, the umask applying) and is visible only to its owner until
    then. A symbolic link is followed, and the file it leads to is replaced, never the link. A character
    device (`/dev/null`, a terminal) or a named pipe is written to in place, as a shell's `>` would;
    anything else (a folder, a block device, a socket) is refused with NotWritable.
    """
    target = os.path.realpath(path) if os.path.islink(path) else path
    try:
        info: Optional[os.stat_result] = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "wb") as handle:
            handle.write(report_bytes(text))
        return
    if info is not None and not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "neither a file, a character device nor a pipe"
        raise NotWritable(errno.EINVAL, f"this is {what}; fourp writes a report to a file, a terminal or a pipe")
    folder = os.path.dirname(os.path.abspath(target))
    base = os.path.basename(target)
    remove_stale_temporaries(folder, base)
    prefix = f".{base}.{_host()}-{os.getpid()}-"
    while True:
        temp = os.path.join(folder, f"{prefix}{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            break
        except FileExistsError:  # pragma: no cover - 48 random bits; try another name
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            if info is not None:  # the report it replaces: its permissions from the first byte
                os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
            handle.write(report_bytes(text))
            handle.flush()
            os.fsync(handle.fileno())
            if info is None:
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


_OWN_REPORT = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"format":\s*\d+,\s*"kind":\s*"audit"'
                         rb'|\A\s*\{\s*"\$schema":\s*"[^"]*sarif[^"]*",\s*"version":\s*"[^"]*",\s*"runs":\s*'
                         rb'\[\s*\{\s*"tool":\s*\{\s*"driver":\s*\{\s*"name":\s*"fourp"')


def is_fourp_report(path: str) -> bool:
    """Whether a file is a report fourp wrote (its audit JSON or SARIF), judged by how it begins: such a
    file in an audited folder is an earlier report, written over by the next run; anything else there
    that the audit would read is treated as a plan, never written over."""
    try:  # without blocking: a pipe in the report's place is not a report
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        head = os.read(fd, 4096)
    except OSError:
        return False
    finally:
        os.close(fd)
    return _OWN_REPORT.match(head) is not None


# -- json ---------------------------------------------------------------------------------------------------

def check_document(reports: Sequence[Any], errors: Sequence[Any], single: bool) -> Any:
    """What `fourp check --format json` prints: one plan's report as an object (a file that could not be
    read as `{"file", "error"}`), or a list of them for several plans."""
    items: List[Any] = [r.to_dict() for r in reports] + [{"file": e.file, "error": e.to_dict()} for e in errors]
    return items[0] if single and len(items) == 1 else items


def audit_document(result: Any, comparison: Any = None) -> Dict[str, Any]:
    """What `fourp audit --format json` prints: `AuditReport.to_dict()` (with its `format` version), plus
    `baseline` (the comparison) when there is one. `plans` always holds every finding, so this JSON can
    serve as the next audit's baseline."""
    document = result.to_dict()
    if comparison is not None:
        document["baseline"] = comparison.to_dict()
    return document


def to_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


# -- csv ----------------------------------------------------------------------------------------------------

CSV_COLUMNS = ("record", "file", "plan_id", "force", "lro", "status", "score", "grade", "pursue", "prevent",
               "protect", "prepare", "errors", "warnings", "infos", "rule", "severity", "title", "message",
               "path", "line", "column", "quote", "remediation", "baseline", "place")
# A cell a spreadsheet would read as a formula (or as the start of one, after a tab or line break).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, the apostrophe hidden, by Excel, LibreOffice and Sheets
    return value


def to_csv(data: Dict[str, Any]) -> str:
    """One row per plan (`record` plan), then one per finding (`finding`); a file that could not be read is
    an `unreadable` row, a file an audit found and did not read (a PDF) a `skipped` row, a cross-plan
    finding of an audit a `portfolio` row (its files and locations
    joined by "; "), and with a baseline each fixed finding a `fixed` row. Finding rows repeat their
    plan's columns so a spreadsheet can filter and sort them. UTF-8 with a byte-order mark (so Excel reads
    the names and quotation marks right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    baseline = data.get("baseline")

    def row(**cells: Any) -> None:
        writer.writerow([_cell(cells.get(column)) for column in CSV_COLUMNS])

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
    return "\ufeff" + out.getvalue()


# -- junit --------------------------------------------------------------------------------------------------

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


def _plan_name(report: Dict[str, Any]) -> str:
    return report["plan"]["id"] or report["file"] or "<plan>"


def to_junit(data: Dict[str, Any]) -> str:
    """JUnit XML: each plan a `testsuite`, each applicable rule a `testcase`; a failed rule is a `failure`
    listing its findings with their locations, a rule whose check crashed an `error`, a waived or
    inapplicable rule `skipped`. A file that could not be read is a suite with one `error`."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    root = _element(None, "testsuites", name=f"fourp {data['pack']['name']}")
    baseline = data.get("baseline") is not None
    for report in data["reports"]:
        name = _plan_name(report)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        suite = _element(root, "testsuite", name=name, file=report["file"])
        properties = _element(suite, "properties")
        for key in ("score", "grade", "pack", "pack_version", "as_of"):
            _element(properties, "property", name=key, value=report[key])
        for key in ("force", "lro", "status", "threat"):
            _element(properties, "property", name=key, value=report["plan"][key])
        findings: Dict[str, List[Dict[str, Any]]] = {}
        for finding in report["findings"]:
            findings.setdefault(finding["rule"], []).append(finding)
        for result in report["results"]:
            counts["tests"] += 1
            mine = findings.get(result["rule"], [])
            first = mine[0] if mine else {}
            case = _element(suite, "testcase", name=f"{result['rule']}: {result['title']}", classname=name,
                            file=report["file"], line=first.get("line"))
            if result["status"] == "not-applicable":
                counts["skipped"] += 1
                _element(case, "skipped", message="does not apply to this plan")
            elif result["status"] == "waived":
                counts["skipped"] += 1
                _element(case, "skipped", message=f"waived: {result['waiver']}")
            elif result["status"] in ("fail", "error") and not mine and baseline:
                counts["skipped"] += 1
                _element(case, "skipped", message=f"all {result['findings']} findings are in the baseline")
            elif result["status"] in ("fail", "error"):
                kind = "failure" if result["status"] == "fail" else "error"
                counts["failures" if kind == "failure" else "errors"] += 1
                body = "\n".join(f"{f['location']}: {f['message']}" for f in mine)
                _element(case, kind, body, type=result["severity"],
                         message=f"{result['title']} ({len(mine)} finding{'s' if len(mine) != 1 else ''})")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    portfolio = data.get("portfolio") or {}
    if portfolio.get("results"):
        counts = _junit_portfolio(root, portfolio)
        for key, value in counts.items():
            totals[key] += value
    for error in data["errors"]:
        suite = _element(root, "testsuite", name=error["file"], file=error["file"], tests="1", failures="0",
                         errors="1", skipped="0")
        case = _element(suite, "testcase", name="the file can be read as a plan", classname=error["file"],
                        file=error["file"], line=error["line"])
        where = ":".join(str(x) for x in (error["file"], error["line"], error["column"]) if x is not None)
        _element(case, "error", f"{where}: {error['reason']}" + (f" ({error['hint']})" if error["hint"] else ""),
                 type="unreadable", message=error["reason"])
        totals["tests"] += 1
        totals["errors"] += 1
    if data.get("skipped"):  # files found and not read: each a skipped test, so a CI report lists them
        suite = _element(root, "testsuite", name="skipped files", tests=str(len(data["skipped"])), failures="0",
                         errors="0", skipped=str(len(data["skipped"])))
        for skipped in data["skipped"]:
            case = _element(suite, "testcase", name="the file is a plan fourp reads", classname=skipped["file"],
                            file=skipped["file"])
            _element(case, "skipped", message=f"{skipped['reason']} ({skipped['hint']})")
            totals["tests"] += 1
            totals["skipped"] += 1
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_portfolio(root: ET.Element, portfolio: Dict[str, Any]) -> Dict[str, int]:
    """The cross-plan rules of an audit as one more suite, named `portfolio`."""
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suite = _element(root, "testsuite", name="portfolio")
    for result in portfolio["results"]:
        counts["tests"] += 1
        case = _element(suite, "testcase", name=f"{result['rule']}: {result['title']}", classname="portfolio")
        mine = [f for f in portfolio.get("findings", []) if f["rule"] == result["rule"]]
        if result["status"] in ("fail", "error"):
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


# -- sarif --------------------------------------------------------------------------------------------------

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
    """SARIF 2.1.0: one run; each plan an artifact, each finding a result with its region (line, column)
    and document path; the pack's rules in `tool.driver.rules` with their help text. Files that could not
    be read are tool execution notifications. An audit's cross-plan findings are results located in each
    plan they concern. With a baseline, plan results are the new findings only, marked `baselineState:
    new`."""
    from .annotations import rules_reference

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

    results = []
    for report in data["reports"]:
        where = artifact(report["file"], {"plan": report["plan"], "score": report["score"],
                                          "grade": report["grade"], "p_scores": report["p_scores"]})
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
                "properties": {"plan": _plan_name(report), "path": finding["path"], "quote": finding["quote"]}}
            if finding["rule"] in index:
                result["ruleIndex"] = index[finding["rule"]]
            if data.get("baseline") is not None:
                result["baselineState"] = "new"
            results.append(result)
    for finding in (data.get("portfolio") or {}).get("findings", []):  # cross-plan: not compared with a baseline
        result = {"ruleId": finding["rule"], "level": _SARIF_LEVEL[finding["severity"]],
                  "message": {"text": finding["message"]},
                  "locations": [location(path, None, None, artifact(path)) for path in finding.get("files", [])],
                  "properties": {"portfolio": True, "locations": finding.get("locations", []),
                                 "quote": finding.get("quote")}}
        if finding["rule"] in index:
            result["ruleIndex"] = index[finding["rule"]]
        results.append(result)
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
        "artifacts": artifacts, "results": results, "columnKind": "unicodeCodePoints",
        "properties": {"asOf": _as_of(data)}}
    log = {"$schema": _SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


_MIME = {".json": "application/json",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".docm": "application/vnd.ms-word.document.macroEnabled.12",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12"}


def _mime(path: Optional[str]) -> str:
    return _MIME.get(os.path.splitext(path or "")[1].lower(), "application/yaml")


def _as_of(data: Dict[str, Any]) -> Optional[str]:
    return data.get("as_of") or next((r["as_of"] for r in data["reports"]), None)

