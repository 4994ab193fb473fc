"""The app's import graph at start: the repository modules Python imports when the server loads
the FastAPI app, following module-level imports (also under `if`/`try`) from the app's module.

`start_modules(project)` -> the files reached, each with the module-level import statements
that run unconditionally (a failing one stops the app from starting).

`import_graph(project, start, name, roots)` -> the same walk from any module (Alembic's
`env.py` for DB016); `resolve_module(project, roots, dotted)` -> the file one import loads
(the database domain's `from x import NAME` tracing).

`startup_graph(project)` / `startup_modules(project)` -> the same walk as PY003 needs it: each
module reached with the module that imported it, without the `if __name__ == "__main__":`
blocks. `loadable_modules(project)` -> with the imports inside functions too (pysource.startup:
what the app may load when a request comes). Imports under `if TYPE_CHECKING:` never count.
One walk (`import_graph`) answers all of them: no other domain walks imports itself."""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pysource.app_discovery import discover_app
from hfdeploy.pysource.app_modules import parse_around_errors

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class StartGraph:
    files: frozenset[PurePosixPath] = frozenset()
    # (file, line) of import statements run unconditionally while the app loads
    fatal: frozenset[tuple[PurePosixPath, int]] = field(default_factory=frozenset)
    # each file reached -> the file whose import brought it in (None for the start module and
    # the packages above it), in breadth-first order (so the chains are the shortest)
    importer: dict[PurePosixPath, PurePosixPath | None] = field(
        default_factory=dict, compare=False, hash=False
    )

    def at_start(self, path: PurePosixPath, line: int) -> bool:
        return (path, line) in self.fatal


def start_modules(project: Project) -> StartGraph:
    return project.memo("pysource-start-graph", lambda: _app_graph(project, skip_main=False))


def _app_graph(project: Project, *, skip_main: bool, everywhere: bool = False) -> StartGraph:
    target = discover_app(project)
    if target is None:
        return StartGraph()
    roots = [PurePosixPath(target.app_dir) if target.app_dir else PurePosixPath(".")]
    return import_graph(
        project, target.path, target.module, roots, skip_main=skip_main, everywhere=everywhere
    )


def import_graph(
    project: Project,
    start: PurePosixPath,
    name: str,
    roots: list[PurePosixPath],
    *,
    everywhere_in_start: bool = False,
    everywhere: bool = False,
    skip_main: bool = False,
) -> StartGraph:
    """The repository modules importing `start` (a module named `name`) executes, following
    module-level imports (also under `if`/`try`, not under `if TYPE_CHECKING:`), each dotted
    name looked up under `roots` and then the repository's root. `everywhere_in_start`: the
    start module's imports inside functions too (a script that calls its functions when it is
    run, as Alembic's `env.py`); `everywhere`: every module's (what the app may load at all);
    `skip_main`: not the `if __name__ == "__main__":` blocks (a server imports the module)."""
    roots = list(dict.fromkeys([*roots, PurePosixPath(".")]))
    importer: dict[PurePosixPath, PurePosixPath | None] = {}
    fatal: set[tuple[PurePosixPath, int]] = set()
    above = [(p, n) for p, n in _resolve(project, roots, name) if p != start]
    queue: deque[tuple[PurePosixPath, str, PurePosixPath | None]] = deque(
        (p, n, None) for p, n in [*above, (start, name)]
    )
    while queue and len(importer) < _MAX_MODULES:
        path, name, parent = queue.popleft()
        if path in importer:
            continue
        importer[path] = parent
        tree = project.python_ast(path) or parse_around_errors(project.text(path))
        if tree is None:
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        statements = _module_level_imports(tree.body, True, skip_main)
        if everywhere or (everywhere_in_start and path == start):
            at_module_level = {id(node) for node, _ in statements}
            statements += [
                (node, False)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                and id(node) not in at_module_level
            ]
        for node, certain in statements:
            if certain:
                fatal.add((path, node.lineno))
            for module in _imported(node, package):
                queue.extend((p, n, path) for p, n in _resolve(project, roots, module))
    return StartGraph(frozenset(importer), frozenset(fatal), importer)


def _module_level_imports(
    body: list[ast.stmt], certain: bool, skip_main: bool
) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    out: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append((node, certain))
        elif isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if "TYPE_CHECKING" in test:
                out += _module_level_imports(node.orelse, False, skip_main)
            elif not (skip_main and "__main__" in test):
                out += _module_level_imports(node.body, False, skip_main)
                out += _module_level_imports(node.orelse, False, skip_main)
        elif isinstance(node, ast.Try):
            out += _module_level_imports(node.body, False, skip_main)
            for handler in node.handlers:
                out += _module_level_imports(handler.body, False, skip_main)
            out += _module_level_imports(node.orelse, False, skip_main)
            out += _module_level_imports(node.finalbody, certain, skip_main)
        elif isinstance(node, (ast.With, ast.AsyncWith, ast.ClassDef)):
            out += _module_level_imports(node.body, certain, skip_main)
    return out


def imported_names(module: ast.Module, name: str) -> set[str]:
    """The absolute dotted names the module `name` imports anywhere (with `from pkg import
    sub`: `pkg.sub` too, which may be a module); `name` is not a package's `__init__`."""
    package = name.rpartition(".")[0]
    return {
        found
        for node in ast.walk(module)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for found in _imported(node, package)
    }


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
    app's own module and the packages above it): the app's import graph without its
    `if __name__ == "__main__":` blocks (a server imports the module, it does not run it)."""
    return project.memo(
        ("pysource", "startup_graph"), lambda: _app_graph(project, skip_main=True).importer
    )


def loadable_modules(project: Project) -> list[PurePosixPath]:
    """Project files the app may load at all: its import graph with the imports inside
    functions too (a route's import runs when a request comes)."""
    return project.memo(
        ("pysource", "loadable_modules"),
        lambda: list(_app_graph(project, skip_main=True, everywhere=True).importer),
    )
