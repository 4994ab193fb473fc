"""The app's import graph at start: the repository modules Python imports when the server loads
the FastAPI app, following module-level imports (also under `if`/`try`) from the app's module.

`start_modules(project)` -> the files reached, each with the module-level import statements
that run unconditionally (a failing one stops the app from starting)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class StartGraph:
    files: frozenset[PurePosixPath] = frozenset()
    # (file, line) of import statements run unconditionally while the app loads
    fatal: frozenset[tuple[PurePosixPath, int]] = field(default_factory=frozenset)

    def at_start(self, path: PurePosixPath, line: int) -> bool:
        return (path, line) in self.fatal


def start_modules(project: Project) -> StartGraph:
    return project.memo("pysource-start-graph", lambda: _graph(project))


def _graph(project: Project) -> StartGraph:
    try:
        from hfdeploy.pysource.app_discovery import discover_app
    except ImportError:  # pragma: no cover
        return StartGraph()
    target = discover_app(project)
    if target is None:
        return StartGraph()
    roots = [PurePosixPath(target.app_dir) if target.app_dir else PurePosixPath(".")]
    if PurePosixPath(".") not in roots:
        roots.append(PurePosixPath("."))
    files: set[PurePosixPath] = set()
    fatal: set[tuple[PurePosixPath, int]] = set()
    pending = [(target.path, target.module)]
    while pending:
        path, name = pending.pop()
        if path in files:
            continue
        files.add(path)
        tree = project.python_ast(path)
        if tree is None:
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node, certain in _module_level_imports(tree.body, True):
            if certain:
                fatal.add((path, node.lineno))
            for module in _imported(node, package):
                pending.extend(_resolve(project, roots, module))
    return StartGraph(frozenset(files), frozenset(fatal))


def _module_level_imports(body: list[ast.stmt], certain: bool) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    out: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append((node, certain))
        elif isinstance(node, ast.If):
            out += _module_level_imports(node.body, False) + _module_level_imports(node.orelse, False)
        elif isinstance(node, ast.Try):
            out += _module_level_imports(node.body, False)
            for handler in node.handlers:
                out += _module_level_imports(handler.body, False)
            out += _module_level_imports(node.orelse, False) + _module_level_imports(node.finalbody, certain)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            out += _module_level_imports(node.body, certain)
    return out


def _imported(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        parts = package.split(".") if package else []
        base_parts = parts[: len(parts) - (node.level - 1)] if node.level - 1 <= len(parts) else []
        base = ".".join(base_parts)
        module = f"{base}.{node.module}" if base and node.module else (node.module or base)
    else:
        module = node.module or ""
    if not module:
        return []
    # `from pkg import sub` may import the submodule `pkg.sub`.
    return [module, *(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")]


def _resolve(project: Project, roots: list[PurePosixPath], module: str) -> list[tuple[PurePosixPath, str]]:
    parts = module.split(".")
    found: list[tuple[PurePosixPath, str]] = []
    for root in roots:
        base = root.joinpath(*parts)
        hit = False
        for i in range(1, len(parts) + 1):  # every package on the way is imported too
            package = root.joinpath(*parts[:i]) / "__init__.py"
            if project.exists(package):
                found.append((package, ".".join(parts[:i])))
                hit = True
        module_file = base.with_name(base.name + ".py") if parts else base
        if project.exists(module_file):
            found.append((module_file, module))
            hit = True
        if hit:
            break
    return found
