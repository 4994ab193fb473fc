"""The package's own imports (read with ast over hfdeploy/**.py): no import cycle between its
modules, and the core (the modules directly under hfdeploy/) never imports a domain."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hfdeploy"
# The layers above the domains, allowed to import them: the command line and the registry
# that lists every domain's checks.
WIRING = ("hfdeploy.cli", "hfdeploy.registry")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_only(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every hfdeploy module `name` imports at run time (inside functions too; not what only
    a type checker reads)."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _type_checking_only(node)
        for sub in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                full = f"{source}.{alias.name}"
                out.add(full if full in modules else source)
    return {m for m in out if m in modules and m != name and m != "hfdeploy"}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _is_core(name: str) -> bool:
    """A module directly under hfdeploy/ (a subpackage such as hfdeploy.image is a domain)."""
    return (
        name.count(".") == 1
        and not name.startswith(WIRING)
        and not (PACKAGE / name.split(".")[1]).is_dir()
    )


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "hfdeploy.pysource.calls" in graph["hfdeploy.pysource.param_fix"]
    assert "hfdeploy.pyparse" in graph["hfdeploy.project"]


def test_the_core_imports_no_domain() -> None:
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in _graph().items()
        if _is_core(name)
        for target in targets
        if not _is_core(target) and not target.startswith(WIRING)
    )
    assert upward == []


def test_no_import_cycle() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert cycles == []
