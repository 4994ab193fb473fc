"""DF025: the module the server command loads (`uvicorn main:app`) is not in the image where
the server looks for it."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
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
from hfdeploy.dockerfile.import_path import other_sources, server_dirs
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, runtime

if TYPE_CHECKING:
    from hfdeploy.dockerfile.server_model import Server
    from hfdeploy.image import Image
    from hfdeploy.project import Project

_IMPORT_STRING = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):[A-Za-z_][\w.]*(?:\(\))?$")


class ServerAppNotInImage(Check):
    """## What it does
    Reports a server started in the Dockerfile's `CMD`/`ENTRYPOINT` (uvicorn, gunicorn,
    hypercorn) whose app module (`main` in `uvicorn main:app`) the image does not have where
    the server imports it from: the directory the server starts in (`WORKDIR`, a `cd` in the
    command, `--app-dir`, gunicorn's `--chdir`) and the `PYTHONPATH` directories, as filled by
    the `COPY` instructions from the build context. It names the repository file the module
    most likely is, when the repository has one.

    It says nothing when something else may provide the module: a package the image installs
    (`pip install .`, `poetry install`, a distribution with that module), a `COPY --from`
    another stage, a `RUN` that fetches or moves files (`git clone`, `mv`, `curl`), or a
    variable in the import string. When the base image is not a plain one (a distribution or
    official Python image, Astral's uv images), it may set `WORKDIR` or `PYTHONPATH` itself:
    a module the image has in another directory is then a warning that names that directory.

    ## Why is this bad?
    The image builds, and the container stops at once: `Error loading ASGI app. Could not import
    module "main".` (uvicorn) or `ModuleNotFoundError: No module named 'main'` (gunicorn). The
    Space shows "Runtime error". It happens when a Dockerfile written for another layout (the
    backend's files synced to the root of the Space) is built from the repository as it is, or
    when the `COPY` puts the code one directory deeper than the command expects.

    ## Example
    ```dockerfile
    WORKDIR /app
    COPY . .
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    # the app is backend/main.py: it lands in /app/backend/main.py
    ```

    Use instead:
    ```dockerfile
    WORKDIR /app
    COPY backend/ .
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    ## Fix safety
    When exactly one file of the image is that module, one directory below where the server
    looks, the fix starts the server there: `cd backend && ` in front of it in a shell command
    (`sh -c "..."` or shell form), gunicorn's `--chdir backend` in an exec-form array, or
    uvicorn's `--app-dir backend` there. A `cd` or `--chdir` runs the app from its own directory,
    as its author does and as hfdeploy's generated Dockerfile does for a backend folder: safe
    when that file is the app hfdeploy discovers. `--app-dir` only adds the directory to
    `sys.path` (paths the app opens stay relative to the old directory), so it is unsafe, and so
    is any repair of a module that is not the discovered app.
    """

    code = "DF025"
    name = "server-app-not-in-image"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.dockerfile.server import find_server

        rt = runtime(project)
        server = find_server(project)
        if (
            rt is None
            or server is None
            or server.path != DOCKERFILE
            or server.tool not in ("uvicorn", "gunicorn", "hypercorn")
            or server.app is None
            or server.launcher is not None
        ):
            return
        match = _IMPORT_STRING.match(server.app.value)
        if match is None:
            return
        module = match.group(1)
        dirs = server_dirs(project, rt, server)
        if dirs is None or other_sources(project, rt, module):
            return
        from hfdeploy.dockerfile.writable import landing, source_for

        wanted = [
            posixpath.join(d, *module.split(".")) + suffix
            for d in dirs
            for suffix in (".py", "/__init__.py")
        ]
        from hfdeploy.image import image

        model = image(project)
        for path in wanted:
            found = source_for(project, path)
            if found is not None and project.exists(found) and model.in_context(found):
                return
        relative = "/".join(module.split(".")) + ".py"
        elsewhere = sorted(
            str(f)
            for f in project.files((".py",))
            if str(f) == relative or str(f).endswith("/" + relative)
        )
        where = " or ".join(f"`{d}`" for d in dirs)
        notes = [f"it looks for `{'/'.join(module.split('.'))}.py` (or a package) in {where}"]
        severity = None
        landed = [at for f in elsewhere if model.in_context(f) and (at := landing(project, f))]
        if landed and not rt.plain_base:
            # A base image hfdeploy does not know may set WORKDIR or PYTHONPATH to where the
            # module is (tiangolo/uvicorn-gunicorn-fastapi: /app): only may fail.
            severity = Severity.WARNING
            fix = None
            notes.append(
                f"the base image `{rt.dockerfile.chain()[0].base}` is not one hfdeploy knows: "
                f"the server finds the module only if that image sets `WORKDIR` or `PYTHONPATH` "
                f"to `{posixpath.dirname(landed[0])}`"
            )
        else:
            fix = _fix(project, model, rt, server, module, dirs[0], elsewhere)
        if elsewhere:
            notes.append(
                "the repository has "
                + ", ".join(f"`{f}` ({_whereabouts(project, model, f)})" for f in elsewhere[:3])
                + ": copy it to where the server looks, or point the server at it "
                "(`--app-dir`, `cd` before the server)"
            )
        symptom = (
            f'`Could not import module "{module}"`'
            if server.tool == "uvicorn"
            else f"`ModuleNotFoundError: No module named '{module.split('.')[0]}'`"
        )
        unless = (
            f" unless the base image makes it look in `{posixpath.dirname(landed[0])}`"
            if severity is not None
            else ""
        )
        yield self.diagnostic(
            f"{server.origin} serves `{server.app.value}`, but the image has no module "
            f"`{module}` where {server.tool} imports it from: the container stops at start "
            f"({symptom}){unless}",
            path=DOCKERFILE,
            span=server.app.span,
            notes=notes,
            fix=fix,
            severity=severity,
        )


_SEPARATORS = ("&&", "||", ";", "|", "(", "{", '"', "'", "then", "do", "CMD", "ENTRYPOINT")
_PREFIX = re.compile(r"(?:exec[ \t]+)?(?:[\w./-]*python[\d.]*[ \t]+-m[ \t]+)?$")


def _fix(
    project: Project,
    model: Image,
    rt: Runtime,
    server: Server,
    module: str,
    start: str,
    elsewhere: list[str],
) -> Fix | None:
    """Start the server in the directory that holds the module (see the Fix safety)."""
    from hfdeploy.dockerfile.inputs import app_target
    from hfdeploy.dockerfile.validate import is_valid
    from hfdeploy.dockerfile.writable import landing

    suffix = "/" + "/".join(module.split(".")) + ".py"
    homes = []
    for path in elsewhere:
        lands = landing(project, path) if model.in_context(path) else None
        if lands is not None and lands.endswith(suffix):
            homes.append((path, lands[: -len(suffix)] or "/"))
    if len(homes) != 1:
        return None
    path, base = homes[0]
    rel = posixpath.relpath(base, start)
    if rel.startswith("..") or rel == "." or not is_valid("path", rel):
        return None
    target = app_target(project)
    is_app = (
        target is not None
        and target.module == module
        and posixpath.join(target.app_dir or "", suffix[1:]) == path
    )
    source = project.source(DOCKERFILE)
    if source is None or server.app is None:
        return None
    text = source.text
    if server.form == "shell":
        before = text[: server.start]
        prefix = _PREFIX.search(before)
        at = server.start - (len(prefix.group(0)) if prefix else 0)
        if not text[:at].rstrip().endswith(_SEPARATORS):
            return None
        edit = Edit.insert(DOCKERFILE, at, f"cd {rel} && ")
        title, safe = f"Start the server in `{rel}`, where `{path}` lands", is_app
    elif server.tool == "gunicorn":
        edit = Edit.insert(DOCKERFILE, server.app.span.start - 1, f'"--chdir", "{rel}", ')
        title, safe = f"Start gunicorn in `{rel}` (`--chdir`), where `{path}` lands", is_app
    elif server.tool == "uvicorn":
        edit = Edit.insert(DOCKERFILE, server.app.span.start - 1, f'"--app-dir", "{rel}", ')
        title, safe = f"Import the app from `{rel}` (`--app-dir`), where `{path}` lands", False
    else:
        return None
    return Fix(title, (edit,), Applicability.SAFE if safe else Applicability.UNSAFE)


def _whereabouts(project: Project, model: Image, path: str) -> str:
    from hfdeploy.dockerfile.writable import landing

    if not model.in_context(path):
        return "`.dockerignore` keeps it out"
    at = landing(project, path)
    return f"in the image at `{at}`" if at else "no `COPY` brings it in"
