"""The package's import graph has no cycle: every import counts, those inside functions too."""
from __future__ import annotations

import ast
from typing import Dict, List, Set

from conftest import ROOT

PACKAGE = ROOT / "fourp"

#: Cycles known today, each as the sorted modules of one strongly connected group, allowed so that any new
#: cycle fails. Shrink this list, never grow it.
KNOWN_CYCLES: List[tuple] = [
    # `pack._compile` looks portfolio kinds up in `portfolio.PORTFOLIO_CHECKS` (a second registry, chosen by
    # an `if` on the rule's scope), and `portfolio` names `pack.Rule`/`RulePack` in its annotations (under
    # TYPE_CHECKING). Removed by issue 11's restructure: one check registry, looked up by scope, that `pack`
    # reads and `portfolio` fills, with the model types in a module of their own.
    ("fourp.pack.load", "fourp.portfolio.evaluate"),
]


def _module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> Dict[str, object]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_package(name: str, modules: Dict[str, object]) -> bool:
    return str(modules[name]).endswith("__init__.py")


def _resolve(importer: str, node: ast.AST, modules: Dict[str, object]) -> Set[str]:
    """The fourp modules an import statement loads (a package's `__init__` runs too)."""
    targets: Set[str] = set()
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = importer.split(".")
            if not _is_package(importer, modules):
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        names = [module] + [f"{module}.{alias.name}" for alias in node.names]
    for name in names:
        # `from . import checks` names a module; `from .pack import load_pack` names a module's attribute
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            targets.add(name)
    return targets


def import_graph() -> Dict[str, Set[str]]:
    modules = _modules()
    graph: Dict[str, Set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[name] |= _resolve(name, node, modules)
        graph[name].discard(name)
        # A package importing its own submodules, or a submodule its package, is how Python packages are
        # built (`fourp/__init__` names its exports lazily): not a cycle between stages.
        graph[name] = {t for t in graph[name] if not (t.startswith(name + ".") or name.startswith(t + "."))}
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[tuple]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[tuple] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_graph_is_read():
    graph = import_graph()
    assert "fourp.pack.load" in graph["fourp.engine"]
    assert "fourp.checks" in graph["fourp.pack.load"]
    assert "fourp.schemas" in graph["fourp.checks.schema"]  # imported inside a function


def test_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [("a", "b", "c")]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    found = cycles(import_graph())
    new = [group for group in found if group not in KNOWN_CYCLES]
    assert not new, f"import cycles: {new}"
    gone = [group for group in KNOWN_CYCLES if group not in found]
    assert not gone, f"these cycles are gone: remove them from KNOWN_CYCLES: {gone}"
