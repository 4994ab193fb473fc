"""PY004: the module the server loads uses a relative import, but it is loaded as a top-level
module (or too shallow a package) for that import to have a parent package."""

from __future__ import annotations

import ast
import keyword
import posixpath
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Fix, FixAvailability, Severity
from hfdeploy.pycode import located
from hfdeploy.space import APP_DIR

if TYPE_CHECKING:
    from hfdeploy.dockerfile.server_model import Server
    from hfdeploy.image import Image
    from hfdeploy.project import Project

_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn"})
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class RelativeImportInTopLevelModule(Check):
    """## What it does
    Reports a module that the server loads (`uvicorn main:app`) as a top-level module, or as
    a module of a package too shallow, while the module uses a relative import at import
    time (`from .routers import items`). Where the module is loaded from is read from the
    image: the start command's app (`main:app`), its `--app-dir`, and the directory the
    server starts in (the final `WORKDIR`, a `cd` in the command); for the Dockerfile `fix`
    generates, the app hfdeploy discovered, started from `/home/user/app`. A relative import
    inside `try: ... except ImportError:` is not reported: the module copes without it.

    ## Why is this bad?
    A module loaded as `main` has no parent package, so Python refuses the import:
    `ImportError: attempted relative import with no known parent package` (`beyond
    top-level package` when it climbs higher than the package it is loaded in). The server
    exits before it serves anything. This happens when a folder that is a package (its
    modules import each other with `.`) is copied into the image as the working directory
    and started from inside it.

    ## Example
    `main.py` in a folder that is copied into the image as the working directory and started
    with `uvicorn main:app` from there:
    ```python
    from fastapi import FastAPI

    from .routers import items

    app = FastAPI()
    app.include_router(items.router)
    ```

    Use instead: load it as a module of its package from the folder above (below), or, when
    the folder is the whole app and always started from inside, import its modules
    absolutely:
    ```python
    from fastapi import FastAPI

    from routers import items

    app = FastAPI()
    app.include_router(items.router)
    ```

    ```dockerfile
    WORKDIR /app
    COPY . .
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860", "--app-dir", "/"]
    ```

    ## Fix safety
    For uvicorn started by the Dockerfile, the fix loads the module as `<package>.<module>`,
    the package being the directory the module lands in, and adds `--app-dir <its parent>`;
    the working directory stays where it was, so relative file paths still work. It is safe
    when nothing the app imports at start relies on the old layout, and is not offered
    (the finding says why) when: a module the app imports at start imports a sibling as a
    top-level module (`from utils import x`, importable only while the package directory is
    on `sys.path`); the code imports its own package under another name than the directory
    it lands in (`from backend.models import User` while it lands in `/app`); the directory
    has no `__init__.py` and its name is also a standard-library or installed module (a
    namespace package loses to it); the directory is `/` or its name is not an identifier;
    the start command already sets `--app-dir`, or another server (gunicorn, hypercorn) or a
    script starts it. For the Dockerfile `fix` generates, the finding comes first and the
    repair applies to the written file on the next round of `fix --write`.
    """

    code = "PY004"
    name = "relative-import-in-top-level-module"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        loaded = _served_module(project)
        if loaded is None:
            return
        depth = len(loaded.module.split(".")) - (0 if loaded.path.name == "__init__.py" else 1)
        source = located(project, loaded.path)
        if source is None:
            return
        failing = [n for n in _import_time_relative(source.tree) if n.level > depth]
        if not failing:
            return
        node = failing[0]
        written = f"from {'.' * node.level}{node.module or ''} import ..."
        reason = (
            "attempted relative import with no known parent package"
            if depth == 0
            else "attempted relative import beyond top-level package"
        )
        shown = f"`{written}`" + (f" and {len(failing) - 1} more" if len(failing) > 1 else "")
        message = (
            f"{loaded.origin} loads `{loaded.module}` as "
            + ("a top-level module" if depth == 0 else f"a module of package `{loaded.package}`")
            + f" (from {loaded.root}), but {loaded.path} uses a relative import at import time "
            f"({shown}): `ImportError: {reason}`"
        )
        fix, notes = _repair(project, loaded, depth)
        yield self.diagnostic(
            message, path=loaded.path, span=source.span(node), fix=fix, notes=notes
        )


@dataclass(frozen=True)
class _Loaded:
    module: str  # dotted name the server imports it as
    path: PurePosixPath  # the repository file
    root: str  # the sys.path entry it is imported from, in the image
    origin: str  # for messages: "uvicorn (Dockerfile CMD)"
    server: Server | None  # None: the generated image

    @property
    def package(self) -> str:
        return self.module.rpartition(".")[0]


def _served_module(project: Project) -> _Loaded | None:
    """The module the server imports, as what name, from which sys.path entry (image model and
    the dockerfile domain's server command)."""
    from hfdeploy.dockerfile.server import find_server
    from hfdeploy.dockerfile.stage import DOCKERFILE
    from hfdeploy.dockerfile.writable import source_for, start_directory
    from hfdeploy.image import image
    from hfdeploy.pysource.app_discovery import discover_app

    img = image(project)
    if img.generated:
        target = discover_app(project)
        if target is None:
            return None
        root = posixpath.normpath(posixpath.join(APP_DIR, target.app_dir or "."))
        origin = "The generated Dockerfile's `uvicorn`"
        return _Loaded(target.module, target.path, root, origin, None)
    rt = img.runtime
    server = find_server(project)
    if rt is None or server is None or server.tool not in _SERVERS or server.app is None:
        return None
    if server.path != DOCKERFILE or "$" in server.app.value:
        return None  # a script may `cd` elsewhere first
    module = server.app.value.split(":", 1)[0]
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    cwd = start_directory(rt)
    extra = _option(server, "--app-dir") if server.tool == "uvicorn" else None
    if server.tool == "gunicorn":
        extra = _option(server, "--chdir")
    root = posixpath.normpath(posixpath.join(cwd, extra or "."))
    in_image = posixpath.join(root, *module.split("."))
    for candidate in (in_image + ".py", in_image + "/__init__.py"):
        repo = source_for(project, candidate)
        if repo is not None and project.exists(repo):
            origin = f"`{server.tool}` ({server.origin})"
            return _Loaded(module, PurePosixPath(repo), root, origin, server)
    return None


def _option(server: Server, name: str) -> str | None:
    options = list(server.options)
    for i, word in enumerate(options):
        if word == name and i + 1 < len(options):
            return options[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def _import_time_relative(tree: ast.Module) -> list[ast.ImportFrom]:
    """Relative imports that run when the module is imported and are not guarded by an
    `except ImportError` (function bodies and `if __name__ == "__main__":` left out)."""
    found: list[ast.ImportFrom] = []

    def visit(body: list[ast.stmt], guarded: bool) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ImportFrom):
                if stmt.level > 0 and not guarded:
                    found.append(stmt)
            elif isinstance(stmt, ast.If):
                if "__main__" not in ast.dump(stmt.test):
                    visit(stmt.body, guarded)
                visit(stmt.orelse, guarded)
            elif isinstance(stmt, ast.Try):
                catches = any(
                    h.type is None or _catches_import_error(h.type) for h in stmt.handlers
                )
                visit(stmt.body, guarded or catches)
                for handler in stmt.handlers:
                    visit(handler.body, guarded)
                visit(stmt.orelse, guarded)
                visit(stmt.finalbody, guarded)
            elif isinstance(stmt, (ast.With, ast.ClassDef)):
                visit(stmt.body, guarded)

    visit(tree.body, False)
    return found


def _catches_import_error(node: ast.expr) -> bool:
    if isinstance(node, ast.Tuple):
        return any(_catches_import_error(e) for e in node.elts)
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
    return name in _IMPORT_ERRORS


def _repair(project: Project, loaded: _Loaded, depth: int) -> tuple[Fix | None, list[str]]:
    from hfdeploy.dockerfile.server_values import insert_option, replace_value
    from hfdeploy.image import image

    directory = loaded.root  # a top-level module lands in the sys.path entry itself
    package = posixpath.basename(directory)
    parent = posixpath.dirname(directory)
    new_module = f"{package}.{loaded.module}"
    how = (
        f"load it as `{new_module}` from {parent} (`--app-dir {parent}`), which makes "
        f"{directory} the package `{package}`"
    )
    if depth != 0:
        return None, [f"No fix: hfdeploy repairs only a module loaded as a top-level module; {how}"]
    problem = _layout_problem(project, loaded, package)
    if directory == "/" or not package.isidentifier() or keyword.iskeyword(package):
        problem = f"{directory} cannot be a package (its name is not a Python identifier)"
    if problem:
        return None, [f"No safe fix: {problem}. Make the imports agree with one layout"]
    pkg_dir = loaded.path.parent
    has_init = project.exists(pkg_dir / "__init__.py")
    if not has_init and (
        package in sys.stdlib_module_names or image(project).importable(package) is True
    ):
        return None, [
            f"No fix: {directory} has no `__init__.py` and `{package}` is also the name of an "
            "installed module, which wins over a directory without `__init__.py`; add "
            f"`__init__.py` to it, then {how}"
        ]
    server = loaded.server
    if server is None:
        return None, [
            "The Dockerfile `fix --write` generates loads it this way; the next round of "
            f"`fix --write` changes its start command: {how}"
        ]
    if server.tool != "uvicorn" or server.app is None or _option(server, "--app-dir"):
        return None, [f"No fix for this start command: {how}"]
    attribute = server.app.value.split(":", 1)[1] if ":" in server.app.value else "app"
    replaced = replace_value(server, server.app, f"{new_module}:{attribute}")
    if replaced is None:
        return None, [f"No fix: the app is not written as plain text; {how}"]
    fix = Fix(
        f"Load the app as `{new_module}:{attribute}` with `--app-dir {parent}`",
        (replaced, insert_option(server, "--app-dir", parent)),
        Applicability.SAFE,
    )
    return fix, []


def _layout_problem(project: Project, loaded: _Loaded, package: str) -> str | None:
    """Why loading the directory as the package `package` would break another import the
    app makes at start, or None."""
    from hfdeploy.image import image
    from hfdeploy.pysource.import_graph import startup_modules

    pkg_dir = loaded.path.parent
    img = image(project)
    siblings = set()
    for file in project.python_files():
        if (
            len(file.parts) <= len(pkg_dir.parts)
            or file.parts[: len(pkg_dir.parts)] != pkg_dir.parts
        ):
            continue
        entry = PurePosixPath(*file.parts[: len(pkg_dir.parts) + 1])
        if entry == file:  # a module of the directory itself
            if file.name != "__init__.py":
                siblings.add(file.stem)
        elif project.exists(entry / "__init__.py") or not _installed(img, entry.name):
            siblings.add(entry.name)  # a namespace directory loses to an installed module
    own_name = PurePosixPath(project.root).name
    for path in [loaded.path, *startup_modules(project)]:
        if pkg_dir not in (path.parent, *path.parents):
            continue
        tree = project.python_ast(path)
        for node in ast.walk(tree) if tree is not None else ():
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            line = getattr(node, "lineno", 0)
            for name in names:
                top = name.split(".")[0]
                if top == package:
                    continue
                if top in siblings:
                    return (
                        f"{path}:{line} imports `{name}` as a top-level module, which "
                        "works only while the package directory itself is on `sys.path`"
                    )
                if top == own_name and top not in siblings and not _installed(img, top):
                    return (
                        f"{path}:{line} imports its own package as `{top}`, but the "
                        f"image puts it in {loaded.root} (the package `{package}`)"
                    )
    return None


def _installed(img: Image, name: str) -> bool:
    return name in sys.stdlib_module_names or img.importable(name) is True
