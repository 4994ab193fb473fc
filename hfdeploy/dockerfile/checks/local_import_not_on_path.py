"""DF045: a module of the project that a process the container starts imports by a name its
`sys.path` in the image does not resolve."""

from __future__ import annotations

import ast
import posixpath
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Severity,
)
from hfdeploy.dockerfile.import_path import Process, deeper, locate_top, processes
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, runtime
from hfdeploy.pycode import located

if TYPE_CHECKING:
    from hfdeploy.project import Project

_MAX_MODULES = 2000


class LocalImportNotOnPath(Check):
    """## What it does
    Follows the imports that run for certain when a process the container starts loads the
    project's code — the server loading the app (`uvicorn main:app`, gunicorn, hypercorn, or
    `python app/main.py` calling `uvicorn.run`), and `alembic upgrade` run by the start
    command, whose `env.py` imports the models (its own imports are DB011's; the modules they
    load are this rule's) — and reports an absolute import of one of the
    project's own modules (`from db import Base`, where `db` is `app/db.py`) that the image
    does not resolve: no directory on that process's `sys.path` in the image has it. That
    path is what the image gives the process: the server's working directory (`WORKDIR`, a
    `cd` before it, `--app-dir`, gunicorn's `--chdir`), the directory of the script `python`
    runs, Alembic's `prepend_sys_path`, and the `PYTHONPATH` the image sets (an
    `ENV PYTHONPATH=${PYTHONPATH}` that nothing defines sets it to nothing).

    Only imports that run whatever happens are followed: module level, not under `if`, `try`
    or a function (Alembic's `env.py` runs its functions, so theirs count there). Names the
    standard library or an installed distribution provides are not reported, nor is anything
    when the image may get modules another way than a `COPY` from the build context (the
    project installed as a package, `COPY --from`, a script or download in a `RUN`), when
    the code changes `sys.path` itself, or when the base image is not a plain `python` one.

    ## Why is this bad?
    The import works on the developer's machine because their IDE, a `.env` file or
    docker-compose puts the module's directory on `PYTHONPATH`; nothing does on a Space. The
    process stops with `ModuleNotFoundError: No module named 'db'`: the server never starts,
    or the migrations never run.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /code
    COPY . .
    ENV PYTHONPATH=${PYTHONPATH}
    CMD ["sh", "-c", "alembic upgrade head && uvicorn app.main:app --host 0.0.0.0 --port 7860"]
    ```
    with `app/models.py` doing `from db import Base` (`app/db.py`).

    Use instead:
    ```dockerfile
    ENV PYTHONPATH=/code/app
    ```

    ## Fix safety
    The fix puts the image directory that holds the module on `PYTHONPATH`: it replaces the
    value of the final stage's `ENV PYTHONPATH` when that value is empty, adds the directory
    in front of a value that is not, and otherwise adds `ENV PYTHONPATH=<dir>` before the
    final `CMD`/`ENTRYPOINT`. It is safe when exactly one directory of the repository holds
    the module and no module in that directory has the name of a standard-library module or
    of an installed distribution (which it would then hide for every import in the image);
    otherwise it is unsafe, or there is no fix when the module lives in several directories.
    """

    code = "DF045"
    name = "local-import-not-on-path"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        reported: set[str] = set()
        for process in processes(project):
            # One finding per directory missing from the path (the first import that needs
            # it), whatever number of modules in it are imported.
            groups: dict[str, list[Miss]] = {}
            for miss in _misses(project, process):
                if miss.module in reported:
                    continue
                reported.add(miss.module)
                key = miss.homes[0].image_dir if len(miss.homes) == 1 else miss.module
                groups.setdefault(key, []).append(miss)
            for misses in groups.values():
                yield self._diagnostic(project, rt, process, misses)

    def _diagnostic(
        self, project: Project, rt: Runtime, process: Process, misses: list[Miss]
    ) -> Diagnostic:
        miss = misses[0]
        homes = " or ".join(f"`{home.file}` (`{home.lands}` in the image)" for home in miss.homes)
        path_text = ", ".join(f"`{d}`" for d in process.dirs)
        if "PYTHONPATH" in rt.env and not rt.env["PYTHONPATH"]:
            path_text += " (`PYTHONPATH` is set, but to nothing)"
        chain = " → ".join(f"`{p}`" for p in miss.chain)
        module = located(project, miss.path)
        span = module.span(miss.node) if module is not None else None
        fix = _fix(project, rt, miss) if len(miss.homes) == 1 else None
        notes = [f"{process.what} imports {chain}; its sys.path in the image: {path_text}"]
        if len(misses) > 1:
            notes.append(
                "the same directory holds "
                + ", ".join(f"`{m.module}` (imported by `{m.path}`)" for m in misses[1:4])
                + (f" and {len(misses) - 4} more" if len(misses) > 4 else "")
            )
        notes.append(
            "a development setup (an IDE, `.env`, docker-compose) that puts the module's "
            "directory on `PYTHONPATH` does not exist on a Space"
        )
        return self.diagnostic(
            f"`{miss.path}` imports `{miss.module}`, which is {homes}, but {process.what} "
            f"does not look there: it stops with `ModuleNotFoundError: No module named "
            f"'{miss.module}'`",
            path=miss.path,
            span=span,
            notes=notes,
            fix=fix,
        )


@dataclass(frozen=True)
class Home:
    file: PurePosixPath  # the module's file (`app/db.py`) or package `__init__.py`
    lands: str  # where that file is in the image
    image_dir: str  # the image directory that must be on sys.path


@dataclass(frozen=True)
class Miss:
    path: PurePosixPath  # the importing file
    node: ast.stmt
    module: str  # the top-level name that fails
    homes: tuple[Home, ...]
    chain: tuple[PurePosixPath, ...]  # from the process's start file to `path`


def _misses(project: Project, process: Process) -> list[Miss]:
    """The failing imports of `process`, in the order its modules load; none when the code
    changes `sys.path` itself."""
    from hfdeploy.image import image

    model = image(project)
    importer: dict[PurePosixPath, PurePosixPath | None] = {}
    queue: deque[tuple[PurePosixPath, PurePosixPath | None]] = deque([(process.start, None)])
    found: list[Miss] = []
    while queue and len(importer) < _MAX_MODULES:
        path, parent = queue.popleft()
        if path in importer:
            continue
        importer[path] = parent
        module = located(project, path)
        if module is None:
            continue
        if "sys.path" in module.text or "addsitedir" in module.text:
            return []
        everywhere = process.everywhere_in_start and path == process.start
        for node in _certain_imports(module.tree.body, everywhere):
            if isinstance(node, ast.ImportFrom) and node.level:
                queue.extend((f, path) for f in _relative(project, path, node))
                continue
            for dotted in _names(node):
                top = dotted.split(".")[0]
                hit = locate_top(project, process.dirs, top)
                if hit is not None:
                    queue.extend((f, path) for f in deeper(project, hit, dotted))
                    continue
                if top in sys.stdlib_module_names or top == "__future__":
                    continue
                if model.importable(top) is not False:
                    continue  # a distribution provides it, or hfdeploy cannot tell
                if everywhere:
                    continue  # `env.py`'s own imports of the project are DB011's
                homes = _homes(project, top)
                if homes:
                    found.append(Miss(path, node, top, homes, _chain(importer, path)))
    return found


def _certain_imports(body: list[ast.stmt], everywhere: bool) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run whenever the module is imported (module level, in `with`
    and class bodies); with `everywhere`, in its functions too (not under `if` or `try`)."""
    out: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        elif isinstance(node, (ast.With, ast.AsyncWith, ast.ClassDef)):
            out += _certain_imports(node.body, everywhere)
        elif everywhere and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out += _certain_imports(node.body, everywhere)
    return out


def _names(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.module:
        return []
    return [node.module, *(f"{node.module}.{a.name}" for a in node.names if a.name != "*")]


def _relative(project: Project, path: PurePosixPath, node: ast.ImportFrom) -> list[PurePosixPath]:
    base = path.parent
    for _ in range(node.level - 1):
        base = base.parent
    names = [f"_.{node.module}"] if node.module else []
    names += [f"_.{node.module}.{a.name}" if node.module else f"_.{a.name}" for a in node.names]
    files: list[PurePosixPath] = []
    for dotted in names:
        files += [f for f in deeper(project, base, dotted) if f != base / "__init__.py"]
    return files


def _homes(project: Project, top: str) -> tuple[Home, ...]:
    """Where the repository has the top-level module `top` (`top.py` or `top/__init__.py`),
    for each place a COPY brings into the image."""
    from hfdeploy.dockerfile.writable import landing
    from hfdeploy.image import image

    model = image(project)
    homes = []
    for file in project.files((".py",)):
        if file.name != f"{top}.py" and not (
            file.name == "__init__.py" and file.parent.name == top
        ):
            continue
        if not model.in_context(str(file)):
            continue
        lands = landing(project, str(file))
        if lands is None:
            continue
        depth = 2 if file.name == "__init__.py" else 1
        image_dir = lands
        for _ in range(depth):
            image_dir = posixpath.dirname(image_dir)
        homes.append(Home(file, lands, image_dir or "/"))
    return tuple(homes)


def _chain(
    importer: dict[PurePosixPath, PurePosixPath | None], path: PurePosixPath
) -> tuple[PurePosixPath, ...]:
    chain = [path]
    while (parent := importer.get(chain[-1])) is not None and parent not in chain:
        chain.append(parent)
    return tuple(reversed(chain))


def _fix(project: Project, rt: Runtime, miss: Miss) -> Fix | None:
    from hfdeploy.dockerfile.assignments import assignments
    from hfdeploy.image import image

    source = project.source(DOCKERFILE)
    if source is None:
        return None
    directory = miss.homes[0].image_dir
    text = source.text
    edit = None
    for step in reversed(rt.of("ENV")):
        for a in assignments(step.ins):
            if a.name != "PYTHONPATH" or a.value_start is None or a.value_end is None:
                continue
            span = step.ins.raw_span(a.value_start, a.value_end)
            value = rt.env.get("PYTHONPATH", "")
            written = text[span.start : span.end]
            replacement = directory if not value else f"{directory}:{written}"
            edit = Edit(DOCKERFILE, span, replacement)
            break
        if edit is not None:
            break
    if edit is None:
        starts = [s.ins.span.start for s in (rt.last("ENTRYPOINT"), rt.last("CMD")) if s]
        if not starts:
            return None
        at = min(starts)
        nl = "\r\n" if "\r\n" in text else "\n"
        edit = Edit.insert(DOCKERFILE, at, f"ENV PYTHONPATH={directory}{nl}")
    # Everything in that directory becomes importable everywhere by its bare name.
    model = image(project)
    shadowed = [
        name
        for name in _top_names(project, miss.homes[0].file)
        if name in sys.stdlib_module_names or model.importable(name) is True
    ]
    safety = Applicability.UNSAFE if shadowed else Applicability.SAFE
    title = f"Put `{directory}` on `PYTHONPATH` in the image"
    if shadowed:
        title += f" (it would hide {', '.join(f'`{n}`' for n in shadowed[:3])})"
    return Fix(title, (edit,), safety)


def _top_names(project: Project, file: PurePosixPath) -> list[str]:
    """The top-level names the directory holding `file`'s module would make importable."""
    directory = file.parent.parent if file.name == "__init__.py" else file.parent
    prefix = "" if str(directory) == "." else str(directory) + "/"
    names = set()
    for f in project.files((".py",)):
        rest = str(f)[len(prefix) :] if str(f).startswith(prefix) else None
        if rest is None:
            continue
        first = rest.split("/")[0]
        names.add(first[:-3] if first.endswith(".py") else first)
    return sorted(n for n in names if n.isidentifier())
