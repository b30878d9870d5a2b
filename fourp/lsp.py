"""`fourp lsp`: a language server: fourp's findings as a plan is edited, rules explained on hover, values completed.

It judges the editor's text with the same engine, pack and configuration as `fourp check` (each plan's
nearest .fourp.yaml, or --config); nothing is written, and the plan on disk is only read through the
editor's buffer. Needs pygls (`pip install 'fourp[lsp]'`).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .config import CONFIG_NAME, ConfigError, ConfigFinder
from .engine import evaluate
from .pack.load import PackError, RulePack, load_pack
from .read.plan import PlanError, is_plan, plan_from_bytes

__all__ = ["PlanJudge", "key_path", "schema_at", "create_server", "main"]

#: A line that holds a mapping key (block style), with its optional list dash: `  - status: done`.
_KEY = re.compile(r"^(?P<lead>\s*)(?P<dash>-\s+)?(?P<key>[A-Za-z_][\w-]*)\s*:(?:\s|$)")


def key_path(lines: Sequence[str], index: int) -> Optional[List[str]]:
    """The document path (keys, with `*` for a list item) of the key on line `index`, worked out from
    indentation alone, so it still works while the rest of the plan is half typed and not valid YAML."""
    match = _KEY.match(lines[index]) if 0 <= index < len(lines) else None
    if match is None:
        return None
    path = [match["key"]]
    indent = match.start("key")
    in_item = bool(match["dash"])  # `indent` is then a list dash's column: its parent may share it
    if in_item:
        path.insert(0, "*")
        indent = match.start("dash")
    for line in reversed(lines[:index]):
        if indent == 0 and not in_item:
            break
        found = _KEY.match(line)
        if found is None:
            continue
        column = found.start("key")
        if found["dash"] and column == indent and not in_item:  # the first key of our list item
            path.insert(0, "*")
            indent, in_item = found.start("dash"), True
        elif column < indent or (in_item and column <= indent and not found["dash"]):  # our parent
            path.insert(0, found["key"])
            indent, in_item = column, False
            if found["dash"]:
                path.insert(0, "*")
                indent, in_item = found.start("dash"), True
    return path


def schema_at(schema: Dict[str, Any], path: Sequence[str]) -> Optional[Dict[str, Any]]:
    """The part of a JSON Schema that describes the value at `path` (following `$ref`), or None."""
    def resolve(node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                return None
            target: Any = schema
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, dict) else None
            merged = dict(target or {})
            merged.update({k: v for k, v in node.items() if k != "$ref"})  # a description beside the $ref
            node, seen = merged, seen + 1
        return node

    node = resolve(schema)
    for part in path:
        if not isinstance(node, dict):
            return None
        node = resolve(node.get("items") if part == "*" else (node.get("properties") or {}).get(part))
    return node if isinstance(node, dict) else None


class PlanJudge:
    """What the server knows how to do, without the protocol: judge a buffer, explain a rule, offer
    values. Packs are loaded once each; configuration files are read afresh for each judgement (they may
    be edited while the server runs)."""

    def __init__(self, config_file: Optional[str] = None, use_config: bool = True,
                 pack_name: Optional[str] = None, as_of: Optional[dt.date] = None) -> None:
        self.config_file, self.use_config, self.pack_name, self.as_of = config_file, use_config, pack_name, as_of
        self._packs: Dict[Optional[str], RulePack] = {}

    def pack(self, ref: Optional[str]) -> RulePack:
        if ref not in self._packs:
            self._packs[ref] = load_pack(ref)
        return self._packs[ref]

    def judge(self, path: str, text: str) -> Tuple[List[Dict[str, Any]], Optional[RulePack]]:
        """The problems with the plan `text` (held for `path`): each {line, column, severity, rule,
        message, title, remediation} with 1-based line and column (None where there is none)."""
        if os.path.basename(path) == CONFIG_NAME:  # fourp's settings, not a plan (`fourp config` checks it)
            return [], None
        finder = ConfigFinder(explicit=self.config_file, enabled=self.use_config,
                              overrides={"pack": self.pack_name})
        try:
            settings = finder.for_path(path)
            pack = self.pack(settings.pack_ref)
        except ConfigError as exc:
            return [self._problem(None, None, "error", "configuration", f"bad configuration: {exc}",
                                  "The .fourp.yaml that applies to this plan", "Correct the configuration file.")], None
        except PackError as exc:
            return [self._problem(None, None, "error", "pack", f"bad rule pack: {exc}", "The rule pack",
                                  "Correct the pack, or the pack the configuration names.")], None
        try:
            plan = plan_from_bytes(text.encode("utf-8"), path, max_bytes=settings["max_bytes"], require_plan=False)
        except PlanError as exc:
            return [self._problem(exc.line, exc.column, "error", "unreadable", exc.reason,
                                  "The file can be read as a plan", exc.hint)], pack
        if not is_plan(plan.data):  # other YAML open in the editor (a pack, a pipeline): not ours to judge
            return [], pack
        report = evaluate(plan, pack, self.as_of or dt.date.today())
        return [self._problem(f.line, f.column, f.severity, f.rule, f.message, f.title, f.remediation)
                for f in report.findings], pack

    @staticmethod
    def _problem(line: Optional[int], column: Optional[int], severity: str, rule: str, message: str,
                 title: str, remediation: str) -> Dict[str, Any]:
        return {"line": line, "column": column, "severity": severity, "rule": rule, "message": message,
                "title": title, "remediation": remediation}

    @staticmethod
    def explain(pack: RulePack, rule_id: str) -> Optional[str]:
        """A rule's explanation in Markdown: title, why it matters, its basis in the report, the fix."""
        try:
            rule = pack.rule(rule_id)
        except KeyError:
            return None
        out = [f"**{rule.title}** (`{rule.id}`, {rule.severity})", "", rule.rationale]
        for basis in rule.basis:
            where = ", ".join(str(x) for x in (basis.get("source"), basis.get("force"),
                                                 f"L{basis['line']}" if basis.get("line") else None) if x)
            out += ["", f"> “{' '.join(str(basis['quote']).split())}” ({where})"]
        out += ["", f"**To put it right:** {rule.remediation}"]
        return "\n".join(out)

    @staticmethod
    def field_help(lines: Sequence[str], index: int) -> Optional[str]:
        from .schemas import schema

        path = key_path(lines, index)
        node = schema_at(schema("plan"), path) if path else None
        if not node or not node.get("description"):
            return None
        values = f" One of: {', '.join(f'`{v}`' for v in node['enum'])}." if node.get("enum") else ""
        return f"`{'/'.join(path or [])}`: {node['description']}{values}"

    @staticmethod
    def values(lines: Sequence[str], index: int) -> List[str]:
        """The enumerated values the plan format allows for the key on line `index`."""
        from .schemas import schema

        path = key_path(lines, index)
        node = schema_at(schema("plan"), path) if path else None
        return [str(v) for v in (node or {}).get("enum", [])]


def create_server(judge: PlanJudge) -> Any:
    """The pygls server, its features wired to `judge`."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    from . import __version__
    from .output.places import rules_reference

    server = LanguageServer("fourp", __version__)
    levels = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
              "info": types.DiagnosticSeverity.Information}
    last: Dict[str, Tuple[List[Dict[str, Any]], Optional[RulePack]]] = {}

    def publish(ls: Any, uri: str) -> None:
        document = ls.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        problems, pack = judge.judge(path, document.source)
        last[uri] = (problems, pack)
        lines = document.lines
        reference, documented = rules_reference()
        diagnostics = []
        for problem in problems:
            line = max(0, (problem["line"] or 1) - 1)
            start = max(0, (problem["column"] or 1) - 1)
            end = len(lines[line].rstrip("\r\n")) if line < len(lines) else start
            message = problem["message"] + (f"\nFix: {problem['remediation']}" if problem["remediation"] else "")
            link = (types.CodeDescription(href=f"{reference}#{problem['rule']}")
                    if reference and problem["rule"] in documented else None)
            diagnostics.append(types.Diagnostic(
                range=types.Range(start=types.Position(line=line, character=start),
                                  end=types.Position(line=line, character=max(end, start + 1))),
                message=message, severity=levels[problem["severity"]], code=problem["rule"], source="fourp",
                code_description=link))
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Any, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Any, params: types.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Any, params: types.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: types.DidCloseTextDocumentParams) -> None:
        last.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                            diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: Any, params: types.HoverParams) -> Optional[types.Hover]:
        uri, line = params.text_document.uri, params.position.line
        problems, pack = last.get(uri, ([], None))
        parts = []
        if pack is not None:
            for rule in dict.fromkeys(p["rule"] for p in problems if max(0, (p["line"] or 1) - 1) == line):
                text = judge.explain(pack, rule)
                if text:
                    parts.append(text)
        if not parts:
            field = judge.field_help(ls.workspace.get_text_document(uri).lines, line)
            if field:
                parts.append(field)
        if not parts:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value="\n\n---\n\n".join(parts)))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[":", " "]))
    def completion(ls: Any, params: types.CompletionParams) -> types.CompletionList:
        lines = ls.workspace.get_text_document(params.text_document.uri).lines
        line = params.position.line
        values = judge.values(lines, line) if line < len(lines) else []
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=value, kind=types.CompletionItemKind.EnumMember,
                                 detail="a value the plan format allows") for value in values])

    return server


def main(judge: PlanJudge) -> None:
    """Serves over standard input and output until the editor says exit."""
    create_server(judge).start_io()

