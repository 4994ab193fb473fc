"""The app's import graph at start: the repository modules Python imports when the server loads
the FastAPI app, following module-level imports (also under `if`/`try`) from the app's module.

`start_modules(project)` -> the files reached, each with the module-level import statements
that run unconditionally (a failing one stops the app from starting).

`import_graph(project, start, name, roots)` -> the same walk from any module (Alembic's
`env.py` for DB016); `resolve_module(project, roots, dotted)` -> the file one import loads
(the database domain's `from x import NAME` tracing).

`startup_graph(project)` / `startup_modules(project)` -> the same walk as PY003 needs it: each
module reached with the module that imported it; imports under `if TYPE_CHECKING:` and in the
`if __name__ == "__main__":` block are not followed. (Two walks of one graph: to be folded into
one next.)"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pysource.app_discovery import discover_app
from hfdeploy.pysource.app_modules import load_module, resolve_import

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
    target = discover_app(project)
    if target is None:
        return StartGraph()
    roots = [PurePosixPath(target.app_dir) if target.app_dir else PurePosixPath(".")]
    return import_graph(project, target.path, target.module, roots)


def import_graph(
    project: Project,
    start: PurePosixPath,
    name: str,
    roots: list[PurePosixPath],
    *,
    everywhere_in_start: bool = False,
) -> StartGraph:
    """The repository modules importing `start` (a module named `name`) executes, following
    module-level imports (also under `if`/`try`), each dotted name looked up under `roots` and
    then the repository's root. `everywhere_in_start`: the start module's imports inside
    functions too (a script that calls its functions when it is run, as Alembic's `env.py`)."""
    roots = list(dict.fromkeys([*roots, PurePosixPath(".")]))
    files: set[PurePosixPath] = set()
    fatal: set[tuple[PurePosixPath, int]] = set()
    pending = [(start, name)]
    while pending:
        path, name = pending.pop()
        if path in files:
            continue
        files.add(path)
        tree = project.python_ast(path)
        if tree is None:
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        statements = _module_level_imports(tree.body, True)
        if everywhere_in_start and path == start:
            statements = [
                (node, False)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
            ]
        for node, certain in statements:
            if certain:
                fatal.add((path, node.lineno))
            for module in _imported(node, package):
                pending.extend(_resolve(project, roots, module))
    return StartGraph(frozenset(files), frozenset(fatal))


def _module_level_imports(
    body: list[ast.stmt], certain: bool
) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    out: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append((node, certain))
        elif isinstance(node, ast.If):
            out += _module_level_imports(node.body, False) + _module_level_imports(
                node.orelse, False
            )
        elif isinstance(node, ast.Try):
            out += _module_level_imports(node.body, False)
            for handler in node.handlers:
                out += _module_level_imports(handler.body, False)
            out += _module_level_imports(node.orelse, False) + _module_level_imports(
                node.finalbody, certain
            )
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


def _resolve(
    project: Project, roots: list[PurePosixPath], module: str
) -> list[tuple[PurePosixPath, str]]:
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


def resolve_module(
    project: Project, roots: list[PurePosixPath], dotted: str
) -> PurePosixPath | None:
    """The file `import dotted` loads (the module, else the package's `__init__.py`), from the
    first of `roots` that has it; `dotted` "" names the root's own package."""
    if not dotted:
        return next((r / "__init__.py" for r in roots if project.exists(r / "__init__.py")), None)
    found = _resolve(project, roots, dotted)
    return next((path for path, name in reversed(found) if name == dotted), None)


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
