"""SC010: no FastAPI application can be found (or the `[tool.hfdeploy] app` setting is wrong)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Span
from hfdeploy.project import Project
from hfdeploy.pysource.app_discovery import SETTING_HINT, AppTarget, find_app

_APP_SETTING = re.compile(r"^[ \t]*app[ \t]*=", re.MULTILINE)


def line_span(project: Project, path: PurePosixPath, line: int) -> Span | None:
    source = project.source(path)
    if source is None:
        return None
    offset = source.offset_of_line(line)
    return Span(offset, offset)


class FastapiAppNotFound(Check):
    """## What it does
    Reports a project in which hfdeploy finds no FastAPI application: no module assigns
    `FastAPI(...)` (or a subclass) to a variable, and no function without required arguments
    returns one. Also reports an app that exists but cannot be imported under its module name
    (an `app.py` next to an `app/` package, which wins the import), and a
    `[tool.hfdeploy] app` setting that names a module or variable that does not exist.

    An app built at module level by a factory counts, whatever the arguments:
    `app = factory.create_app(settings, db)` and `app = create_app(get_settings())` are apps
    when the function they call (followed through imports) returns `FastAPI(...)`.

    ## Why is this bad?
    The Space's Dockerfile must start the server with the app's import string
    (`uvicorn app.main:app`). Without it hfdeploy cannot check or write the `CMD`.

    ## Example
    ```python
    # app.py, next to a package app/ with an __init__.py
    from fastapi import FastAPI
    app = FastAPI()
    ```

    Use instead:
    ```python
    # main.py (served as `main:app`), or name the app in pyproject.toml:
    # [tool.hfdeploy]
    # app = "app.main:app"
    from fastapi import FastAPI
    app = FastAPI()
    ```
    """

    code = "SC010"
    name = "fastapi-app-not-found"

    def run(self, project: Project) -> Iterator[Diagnostic]:
        found = find_app(project)
        if found.setting_error is not None:
            text = project.text("pyproject.toml") or ""
            match = _APP_SETTING.search(text, text.find("[tool.hfdeploy]") + 1)
            yield self.diagnostic(
                f"`[tool.hfdeploy] app` does not name a FastAPI app: {found.setting_error}",
                path="pyproject.toml",
                span=Span(match.start(), match.start()) if match else None,
            )
            return
        if found.target is not None or found.ambiguous:
            return
        for target, reason in found.unusable:
            yield self._unusable(project, target, reason)
        if not found.unusable:
            yield self.diagnostic(
                "No FastAPI application found: no module assigns `FastAPI(...)` to a variable or "
                "has a factory function returning one",
                notes=(f"Hint: {SETTING_HINT}",),
            )

    def _unusable(self, project: Project, target: AppTarget, reason: str) -> Diagnostic:
        return self.diagnostic(
            f"FastAPI app `{target.attribute}` cannot be served as `{target.import_string}`: "
            + reason,
            path=target.path,
            span=line_span(project, target.path, target.line),
            notes=("Hint: rename the module or the package, or n" + SETTING_HINT[1:],),
        )
