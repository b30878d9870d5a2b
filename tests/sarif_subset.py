"""The SARIF 2.1.0 subset fourp's output uses, and check_sarif, shared by the format tests and the office
reader's tests (a report on a Word plan is valid SARIF too)."""
from __future__ import annotations

import json

import jsonschema


def _closed(names, required=(), **extra):
    """A JSON Schema object with exactly these properties (SARIF 2.1.0 forbids others on its objects)."""
    return {"type": "object", "properties": {**{p: {} for p in names}, **extra},
            "required": list(required), "additionalProperties": False}


_MESSAGE = {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
            "properties": {"text": {"type": "string"}}}
_BAG = {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}}}
_ARTIFACT_LOCATION = _closed(["uri", "uriBaseId", "index", "description", "properties"],
                             uri={"type": "string", "format": "uri-reference"},
                             index={"type": "integer", "minimum": -1})
_REGION = _closed(["startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "byteOffset",
                   "byteLength", "snippet", "message", "sourceLanguage", "properties"],
                  startLine={"type": "integer", "minimum": 1}, startColumn={"type": "integer", "minimum": 1})
_LOCATION = _closed(
    ["id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"],
    physicalLocation=dict(_closed(["address", "artifactLocation", "region", "contextRegion", "properties"],
                                  artifactLocation=_ARTIFACT_LOCATION, region=_REGION),
                          anyOf=[{"required": ["address"]}, {"required": ["artifactLocation"]}]),
    logicalLocations={"type": "array", "items": _closed(
        ["name", "index", "fullyQualifiedName", "decoratedName", "parentIndex", "kind", "properties"])})
_DESCRIPTOR = _closed(
    ["id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames", "shortDescription",
     "fullDescription", "messageStrings", "defaultConfiguration", "helpUri", "help", "relationships", "properties"],
    required=["id"], id={"type": "string"}, shortDescription=_MESSAGE, fullDescription=_MESSAGE, help=_MESSAGE,
    defaultConfiguration=_closed(["enabled", "level", "rank", "parameters", "properties"],
                                 level={"enum": ["none", "note", "warning", "error"]}),
    properties=_BAG)
_RESULT = _closed(
    ["ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations", "guid",
     "correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints", "stacks", "codeFlows", "graphs",
     "graphTraversals", "relatedLocations", "suppressions", "baselineState", "rank", "attachments",
     "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa", "webRequest", "webResponse", "properties"],
    required=["message"], message=_MESSAGE, level={"enum": ["none", "note", "warning", "error"]},
    ruleIndex={"type": "integer", "minimum": -1}, locations={"type": "array", "items": _LOCATION},
    partialFingerprints={"type": "object", "additionalProperties": {"type": "string"}},
    baselineState={"enum": ["new", "unchanged", "updated", "absent"]}, properties=_BAG)
_NOTIFICATION = _closed(["locations", "message", "level", "threadId", "timeUtc", "exception", "descriptor",
                         "associatedRule", "properties"], required=["message"], message=_MESSAGE,
                        locations={"type": "array", "items": _LOCATION},
                        level={"enum": ["none", "note", "warning", "error"]})
#: The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) that fourp's output uses, written
#: out from the standard: required properties, allowed property names, value ranges and enumerations.
SARIF_SUBSET = _closed(["$schema", "version", "runs", "inlineExternalProperties", "properties"],
                       required=["version", "runs"], version={"const": "2.1.0"},
                       runs={"type": "array", "items": _closed(
    ["tool", "invocations", "conversion", "language", "versionControlProvenance", "originalUriBaseIds", "artifacts",
     "logicalLocations", "graphs", "results", "automationDetails", "runAggregates", "baselineGuid",
     "redactionTokens", "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
     "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses", "translations",
     "policies", "webRequests", "webResponses", "specialLocations", "properties"],
    required=["tool"],
    tool=_closed(["driver", "extensions", "properties"], required=["driver"], driver=_closed(
        ["guid", "name", "organization", "product", "productSuite", "shortDescription", "fullDescription",
         "fullName", "version", "semanticVersion", "dottedQuadFileVersion", "releaseDateUtc", "downloadUri",
         "informationUri", "globalMessageStrings", "notifications", "rules", "taxa", "locations", "language",
         "contents", "isComprehensive", "localizedDataSemanticVersion",
         "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent", "translationMetadata",
         "supportedTaxonomies", "properties"],
        required=["name"], name={"type": "string"}, rules={"type": "array", "items": _DESCRIPTOR})),
    invocations={"type": "array", "items": _closed(
        ["commandLine", "arguments", "responseFiles", "startTimeUtc", "endTimeUtc", "exitCode",
         "ruleConfigurationOverrides", "notificationConfigurationOverrides", "toolExecutionNotifications",
         "toolConfigurationNotifications", "exitCodeDescription", "exitSignalName", "exitSignalNumber",
         "processStartFailureMessage", "executionSuccessful", "machine", "account", "processId",
         "executableLocation", "workingDirectory", "environmentVariables", "stdin", "stdout", "stderr",
         "stdoutStderr", "properties"], required=["executionSuccessful"],
        executionSuccessful={"type": "boolean"}, toolExecutionNotifications={"type": "array", "items": _NOTIFICATION})},
    artifacts={"type": "array", "items": _closed(
        ["location", "parentIndex", "offset", "length", "roles", "mimeType", "contents", "encoding",
         "sourceLanguage", "hashes", "lastModifiedTimeUtc", "description", "properties"],
        location=_ARTIFACT_LOCATION, mimeType={"type": "string", "pattern": "[^/]+/.+"})},
    results={"type": "array", "items": _RESULT},
    columnKind={"enum": ["utf16CodeUnits", "unicodeCodePoints"]})})


def check_sarif(text, plans, findings):
    """Valid against the SARIF subset, one artifact per plan, one result per finding, rules cross-referenced."""
    log = json.loads(text)
    jsonschema.validate(log, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
    [run_] = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert all(rule["help"]["text"] for rule in rules)
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert len(result["locations"]) == 1 or result["properties"].get("portfolio")
        for location in result["locations"]:
            artifact = run_["artifacts"][location["physicalLocation"]["artifactLocation"]["index"]]
            assert artifact["location"]["uri"] == location["physicalLocation"]["artifactLocation"]["uri"]
    assert len([a for a in run_["artifacts"] if "plan" in a.get("properties", {})]) == plans
    assert len([r for r in run_["results"] if not r["properties"].get("portfolio")]) == findings
    return log
