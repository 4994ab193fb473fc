"""The modules Python imports when the server starts: the served app's module, the packages
above it, and what each imports at module level, followed transitively within the project.

Imports inside functions, under `if TYPE_CHECKING:` and in the `if __name__ == "__main__":`
block do not run at start and are not followed."""

from __future__ import annotations

import ast
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pysource.app_discovery import discover_app
from hfdeploy.pysource.app_modules import load_module, resolve_import

if TYPE_CHECKING:
    from hfdeploy.project import Project

_MAX_MODULES = 2000


def startup_modules(project: Project) -> list[PurePosixPath]:
    """Project files imported when the app starts; empty when no app is found."""
    return list(startup_graph(project))


def startup_graph(project: Project) -> dict[PurePosixPath, PurePosixPath | None]:
    """Each module imported at start -> the module whose import brought it in (None for the
    app's own module and the packages above it)."""
    return project.memo(("pysource", "startup_graph"), lambda: _collect(project))


def _collect(project: Project) -> dict[PurePosixPath, PurePosixPath | None]:
    target = discover_app(project)
    if target is None:
        return {}
    root = PurePosixPath(target.app_dir or ".")
    seen: dict[PurePosixPath, PurePosixPath | None] = {}
    queue: list[tuple[PurePosixPath, PurePosixPath | None]] = [
        (p, None) for p in [*_packages(project, root, target.module), target.path]
    ]
    while queue and len(seen) < _MAX_MODULES:
        path, importer = queue.pop(0)
        if path in seen:
            continue
        seen[path] = importer
        module = load_module(project, path)
        if module is None:
            continue
        base = PurePosixPath(module.root or ".")
        for dotted in _start_imports(module.tree, partial(resolve_import, module)):
            for found in _packages(project, base, dotted):
                if found not in seen:
                    queue.append((found, path))
    return seen


def _packages(project: Project, base: PurePosixPath, dotted: str) -> list[PurePosixPath]:
    """The files `import dotted` executes: each package's `__init__.py`, then the module."""
    parts = [p for p in dotted.split(".") if p]
    found = []
    for i in range(1, len(parts) + 1):
        stem = base.joinpath(*parts[:i])
        for candidate in (stem / "__init__.py", stem.with_suffix(".py")):
            name = PurePosixPath(*candidate.parts) if candidate.parts else candidate
            if project.exists(name):
                found.append(name)
                break
    return found


def _start_imports(tree: ast.Module, resolve) -> list[str]:  # type: ignore[no-untyped-def]
    """Absolute dotted names imported by statements that run when the module is imported."""
    names: list[str] = []

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Import):
                names.extend(a.name for a in stmt.names)
            elif isinstance(stmt, ast.ImportFrom):
                if stmt.module == "__future__":
                    continue
                base = resolve(stmt.level, stmt.module)
                names.append(base)
                names.extend(f"{base}.{a.name}" for a in stmt.names if a.name != "*")
            elif isinstance(stmt, ast.If):
                test = ast.unparse(stmt.test)
                if "TYPE_CHECKING" in test:
                    visit(stmt.orelse)
                elif "__main__" not in test:
                    visit(stmt.body)
                    visit(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body)
                visit(stmt.orelse)
                visit(stmt.finalbody)
                for handler in stmt.handlers:
                    visit(handler.body)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                visit(stmt.body)

    visit(tree.body)
    return names
