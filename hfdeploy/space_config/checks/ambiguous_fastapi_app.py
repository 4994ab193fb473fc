"""SC011: several modules define a FastAPI app and none stands out."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic
from hfdeploy.project import Project
from hfdeploy.pysource.app_discovery import find_app
from hfdeploy.space_config.checks.fastapi_app_not_found import line_span


class AmbiguousFastapiApp(Check):
    """## What it does
    Reports a project with several FastAPI applications where none is clearly the one to
    serve. hfdeploy prefers the app named in the Dockerfile or Procfile, then apps outside
    `examples/`, `docs/` and `scripts/`, then one that routers or routes are attached to, then
    one named `app` (or a `create_app` factory), then one in `main.py`, `app.py`, `asgi.py`,
    `server.py` or `api.py`; an app that another app's module imports (a mounted sub-app) is
    never chosen.

    ## Why is this bad?
    hfdeploy would have to guess which app the Space's Dockerfile starts, and a wrong guess
    deploys the wrong service.

    ## Example
    ```python
    # service_a/main.py and service_b/main.py, both:
    app = FastAPI()
    app.include_router(router)
    ```

    Use instead:
    ```toml
    # pyproject.toml
    [tool.hfdeploy]
    app = "service_a.main:app"
    ```
    """

    code = "SC011"
    name = "ambiguous-fastapi-app"

    def run(self, project: Project) -> Iterator[Diagnostic]:
        found = find_app(project)
        if not found.ambiguous:
            return
        first = found.ambiguous[0]
        # The dotted name is ambiguous when several apps share it; a file path never is.
        same_name = sum(t.import_string == first.import_string for t in found.ambiguous) > 1
        setting = f"{first.path}:{first.attribute}" if same_name else first.import_string
        where = [
            f"{t.path}:{t.line}: uvicorn {' '.join(t.uvicorn_args())}" for t in found.ambiguous
        ]
        yield self.diagnostic(
            f"{len(found.ambiguous)} FastAPI apps are equally likely to be the one to serve: "
            + ", ".join(f"`{t.attribute}` in {t.path}" for t in found.ambiguous),
            path=first.path,
            span=line_span(project, first.path, first.line),
            notes=(*where, f'Hint: name one in pyproject.toml: [tool.hfdeploy] app = "{setting}"'),
        )
