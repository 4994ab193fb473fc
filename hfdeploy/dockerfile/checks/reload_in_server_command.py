from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.server_values import settles

if TYPE_CHECKING:
    from hfdeploy.project import Project


class ReloadInServerCommand(Check):
    """## What it does
    Reports auto-reload in the server the container starts: `--reload`, `fastapi dev`, or
    `uvicorn.run(..., reload=True)` in the Python file the CMD runs.

    ## Why is this bad?
    Reload is a development feature: a supervisor process watches the files and restarts the
    server on changes. In a Space image nothing is edited, so it only costs memory and CPU,
    hides the real server behind the watcher, and can restart the app when it writes files
    into the watched directory. `fastapi dev` also listens on `127.0.0.1` only.

    ## Example
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860", "--reload"]
    ```

    Use instead:
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    ## Fix safety
    The fix deletes `--reload` (or `reload=True`), or turns `fastapi dev` into `fastapi run`.
    The app serves the same requests, so the fix is safe.
    """

    code = "DF008"
    name = "reload-in-server-command"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        server = find_server(project)
        if server is None or server.reload is None:
            return
        setting = server.reload
        fix: Fix | None
        if setting.kind == "fastapi-dev":
            fix = Fix("Use `fastapi run`", (Edit(server.path, setting.span, "run"),))
            message = f"`fastapi dev` auto-reloads and is meant for development ({server.origin})"
        else:
            edit = Edit(server.path, setting.removal, "") if setting.removal else None
            fix = Fix(f"Remove `{setting.value}`", (edit,)) if edit else None
            message = (
                f"`{setting.value}` turns on auto-reload, a development feature ({server.origin})"
            )
        if fix is not None and not settles(project, fix.edits, lambda s, env: s.reload is None):
            fix = None
        yield self.diagnostic(message, path=server.path, span=setting.span, fix=fix)
