"""The package's import graph has no cycle and follows the pipeline's stages: every import counts, those inside
functions too. The stages are drawn in docs/architecture.md."""
from __future__ import annotations

import ast
from typing import Dict, List, Set, Tuple

from conftest import ROOT

PACKAGE = ROOT / "fourp"

#: Cycles known today, each as the sorted modules of one strongly connected group, allowed so that any new
#: cycle fails. Shrink this list, never grow it.
KNOWN_CYCLES: List[tuple] = []

#: The pipeline's stages, in order: a module may import from its own stage and earlier ones, never from a
#: later one. A name stands for the module and the modules below it; a name ending in `!` for the module
#: (a package's `__init__`) alone; the longest name that matches a module gives its stage.
STAGES: List[Tuple[str, List[str]]] = [
    ("base", ["fourp!", "fourp.errors", "fourp.regex", "fourp.names", "fourp.resources", "fourp.report",
              "fourp.sandbox", "fourp.encode", "fourp.kept", "fourp.sqlite"]),
    ("read", ["fourp.read", "fourp.schemas"]),
    ("cache", ["fourp.cache"]),
    ("pack language", ["fourp.pack!", "fourp.pack.pointers", "fourp.pack.context", "fourp.pack.lifecycle",
                       "fourp.pack.conditions", "fourp.pack.messages", "fourp.pack.spelling",
                       "fourp.pack.model"]),
    ("checks", ["fourp.checks"]),
    ("portfolio", ["fourp.portfolio"]),
    ("check registry", ["fourp.checks!"]),
    ("pack loading", ["fourp.pack"]),
    ("journey", ["fourp.engine", "fourp.scoring", "fourp.recommendations", "fourp.region", "fourp.audit"]),
    ("output", ["fourp.output"]),
    ("applications", ["fourp.__main__", "fourp.cli", "fourp.config", "fourp.docs", "fourp.history",
                      "fourp.lsp", "fourp.partners", "fourp.verify", "fourp.write"]),
]


def stage_of(module: str) -> int:
    """The index in STAGES of the module's stage (ValueError for a module no stage names)."""
    best, found = -1.0, -1
    for index, (_, names) in enumerate(STAGES):
        for name in names:
            exact = name.endswith("!")
            name = name.rstrip("!")
            length = len(name) + (0.5 if exact else 0)  # `fourp.checks!` before `fourp.checks`
            if (module == name or (not exact and module.startswith(name + "."))) and length > best:
                best, found = length, index
    if found < 0:
        raise ValueError(f"{module} is in no stage: add it to STAGES and to docs/architecture.md")
    return found


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


def test_stages_are_read():
    assert STAGES[stage_of("fourp.checks")][0] == "check registry"
    assert STAGES[stage_of("fourp.checks.presence")][0] == "checks"
    assert STAGES[stage_of("fourp.pack.pointers")][0] == "pack language"
    assert STAGES[stage_of("fourp.pack.load")][0] == "pack loading"
    assert later_imports({"fourp.read.plan": {"fourp.pack.load"}}) == [("fourp.read.plan", "fourp.pack.load")]


def later_imports(graph: Dict[str, Set[str]]) -> List[tuple]:
    return sorted((module, target) for module, targets in graph.items() for target in targets
                  if stage_of(target) > stage_of(module))


def test_every_module_has_a_stage():
    for module in import_graph():
        stage_of(module)


def test_no_module_imports_from_a_later_stage():
    found = later_imports(import_graph())
    assert not found, f"imports from a later stage (importer, imported): {found}"


def test_the_architecture_page_names_every_module_and_stage():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules_paths = _modules()
    for module in modules_paths:
        path = modules_paths[module].relative_to(PACKAGE)
        assert f"{path.name}" in text and (len(path.parts) == 1 or f"{path.parts[0]}/" in text), \
            f"docs/architecture.md does not show {module}"
    for name, _ in STAGES:
        assert name in text, f"docs/architecture.md does not name the stage {name!r}"


def test_every_package_is_installed():
    """setup.cfg lists the packages a wheel holds: a folder missing there is missing from every install."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    folders = {_module_name(p.parent / "__init__.py") for p in PACKAGE.rglob("__init__.py")}
    assert folders <= listed, f"add to setup.cfg's packages: {sorted(folders - listed)}"
