from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.inputs import space_port
from hfdeploy.dockerfile.server import Server, find_server
from hfdeploy.dockerfile.server_values import (
    insert_option,
    is_local,
    replace_value,
    resolve_host,
    settles,
)
from hfdeploy.dockerfile.stage import runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


def _reachable(server: Server, env: dict[str, str]) -> bool:
    host = resolve_host(server, env)
    return host is not None and not is_local(host)


class ServerBoundToLocalhost(Check):
    """## What it does
    Reports a server started by the Dockerfile (uvicorn, `fastapi run`/`dev`, gunicorn,
    hypercorn, or `uvicorn.run()` in the Python file the CMD runs) that listens on
    `127.0.0.1`/`localhost`, including by default (uvicorn, gunicorn and hypercorn default to
    `127.0.0.1`).

    ## Why is this bad?
    The Space proxy connects from outside the container. A server bound to the loopback
    interface is unreachable: the Space stays in "Starting" and then fails or answers 503.

    ## Example
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", "7860"]
    ```

    Use instead:
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    ## Fix safety
    The fix replaces the host with `0.0.0.0`, or adds `--host 0.0.0.0` (`--bind
    0.0.0.0:<app_port>` for gunicorn and hypercorn, `host="0.0.0.0"` in Python). Inside a
    container this only makes the server reachable through the published port, so it is safe.
    """

    code = "DF005"
    name = "server-bound-to-localhost"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        server = find_server(project)
        rt = runtime(project)
        if server is None or rt is None or not server.settings_known:
            return
        host = resolve_host(server, rt.env)
        if host is None or not is_local(host):
            return
        fix_edit = None
        if server.host is not None:
            span = server.host.span
            fix_edit = replace_value(server, server.host, "0.0.0.0")
            message = (
                f"Server listens on `{host}` ({server.origin}); the Space proxy cannot reach it"
            )
        else:
            span = Span(server.start, server.insert_at)
            message = (
                f"`{server.tool}` listens on `{host}` by default ({server.origin} sets no host); "
                "the Space proxy cannot reach it"
            )
            fix_edit = self._insert_host(project, server)
        fix = Fix("Listen on `0.0.0.0`", (fix_edit,)) if fix_edit is not None else None
        if fix is not None and not settles(project, fix.edits, _reachable):
            fix = None
        yield self.diagnostic(message, path=server.path, span=span, fix=fix)

    @staticmethod
    def _insert_host(project: Project, server: Server) -> Edit:
        if server.form == "python":
            return insert_option(server, "host", '"0.0.0.0"')
        if server.tool in ("gunicorn", "hypercorn"):
            port = space_port(project).port
            value = f"0.0.0.0:{port}" if server.form == "exec" else f"0.0.0.0:${{PORT:-{port}}}"
            return insert_option(server, "--bind", value)
        return insert_option(server, "--host", "0.0.0.0")
