from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.inputs import space_port
from hfdeploy.dockerfile.server import Server, Setting, find_server
from hfdeploy.dockerfile.server_values import (
    env_edit,
    host_fails_to_start,
    insert_option,
    is_local,
    replace_value,
    resolve_host,
    settles,
)
from hfdeploy.dockerfile.shell import references
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

    A host read from an environment variable (`host=os.getenv("APP_HOST")`, `--host $HOST`)
    has the value it gets on a Space where nobody defined that variable: the image's `ENV`,
    else the code's default. Unset, the host is reported only where the server then cannot
    start: `uvicorn.run(host=None, reload=True)` (and with workers) fails at its own
    `socket.bind` with `TypeError: str, bytes or bytearray expected, not NoneType`, and an
    unquoted `--host $HOST` that expands to nothing takes the next word as the host. Without
    reload `host=None` (and an empty `host=""`, or `--host "$HOST"`) binds every interface
    (asyncio's `create_server`), which the proxy reaches: not reported (uvicorn 0.55, tried).

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
    0.0.0.0:<app_port>` for gunicorn and hypercorn, `host="0.0.0.0"` in Python), or gives a
    host read from a variable the image does not set (or sets to a loopback address) `ENV
    <VARIABLE>=0.0.0.0`, rewriting an existing `ENV` of it in place. Inside a
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
        failure = host_fails_to_start(project, server, rt.env)
        if failure is not None and server.host is not None:
            yield self._unstartable(project, server, server.host, failure)
            return
        host = resolve_host(server, rt.env)
        if host is None or not is_local(host):
            return
        fix_edit = None
        if server.host is not None:
            span = server.host.span
            variable = server.host.variable
            if variable is not None and (variable in rt.env or server.host.kind == "py-env"):
                fix_edit = env_edit(project, variable, "0.0.0.0")  # the image's ENV decides
            else:
                fix_edit = replace_value(server, server.host, "0.0.0.0")
            where = f" from `{variable}`" if variable is not None else ""
            message = (
                f"Server listens on `{host}`{where} ({server.origin}); the Space proxy cannot "
                "reach it"
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

    def _unstartable(
        self, project: Project, server: Server, setting: Setting, failure: str
    ) -> Diagnostic:
        edit = None
        variable = setting.variable
        if variable is None:
            refs = references(setting.value)
            variable = refs[0].name if refs else None
        if variable is not None and variable not in server.script_env_names:
            edit = env_edit(project, variable, "0.0.0.0")
        fix = Fix("Listen on `0.0.0.0`", (edit,)) if edit is not None else None
        if fix is not None and not settles(
            project, fix.edits, lambda s, env: host_fails_to_start(project, s, env) is None
        ):
            fix = None
        return self.diagnostic(
            f"The server's host comes from `{variable}` ({server.origin}), which a Space does "
            f"not set unless you define a Variable with that name: {failure}",
            path=server.path,
            span=setting.span,
            fix=fix,
        )

    @staticmethod
    def _insert_host(project: Project, server: Server) -> Edit:
        if server.form == "python":
            return insert_option(server, "host", '"0.0.0.0"')
        if server.tool in ("gunicorn", "hypercorn"):
            port = space_port(project).port
            value = f"0.0.0.0:{port}" if server.form == "exec" else f"0.0.0.0:${{PORT:-{port}}}"
            return insert_option(server, "--bind", value)
        return insert_option(server, "--host", "0.0.0.0")
