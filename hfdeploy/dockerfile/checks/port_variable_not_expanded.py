from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.inputs import space_port
from hfdeploy.dockerfile.server import Server, find_server
from hfdeploy.dockerfile.server_values import port_default_edit, port_value, replace_value, settles
from hfdeploy.dockerfile.stage import runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


# What each server says when the variable expands to nothing (`--port` or `-b 0.0.0.0:`).
_EMPTY_PORT_ERRORS = {
    "uvicorn": "exits with \"Option '--port' requires an argument\"",
    "fastapi run": "exits with \"Option '--port' requires an argument\"",
    "fastapi dev": "exits with \"Option '--port' requires an argument\"",
    "gunicorn": "exits with \"'' is not a valid port number.\"",
}
_EMPTY_PORT_ERROR = "gets an empty port and does not start"


def _expands(server: Server, env: dict[str, str]) -> bool:
    port = port_value(server, env)
    return port.number is not None and not port.unexpanded


class PortVariableNotExpanded(Check):
    """## What it does
    Reports a server port taken from a variable such as `$PORT` in a way that cannot work on
    a Space: in an exec-form (JSON) CMD, where no shell expands it, or in shell form without
    a default while nothing in the image sets the variable (an empty `ENV PORT=${PORT}`, from
    a build argument nobody passes, sets nothing).

    It owns the command-line forms whose variable cannot expand to a port. A port that does
    expand, from the image's `ENV` or the `${PORT:-8000}` default, but is not `app_port` is
    DF006's, and so is every port a Python file reads from the environment
    (`uvicorn.run(port=int(os.getenv("PORT")))`).

    ## Why is this bad?
    Spaces do not set `PORT`. uvicorn then exits at once: `Error: Invalid value for '--port':
    '$PORT' is not a valid integer.` (exec form) or `Error: Option '--port' requires an
    argument.` (shell form, variable unset).

    ## Example
    ```dockerfile
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "$PORT"]
    ```

    Use instead:
    ```dockerfile
    CMD uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-7860}
    ```

    ## Fix safety
    In shell form the fix gives the variable the `app_port` default (`${PORT:-7860}`); in exec
    form, where a variable can never expand, it writes `app_port` itself. Either way the server
    starts on the port the Space uses, so the fix is safe.
    """

    code = "DF007"
    name = "port-variable-not-expanded"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        server = find_server(project)
        rt = runtime(project)
        if server is None or rt is None or server.port is None or not server.settings_known:
            return
        port = port_value(server, rt.env)
        ref = port.reference
        if ref is None:
            return
        app_port = space_port(project).port
        if port.unexpanded:
            literal = str(app_port)
            edit = replace_value(server, server.port, literal)
            message = (
                f"`{server.port.value}` in an exec-form (JSON) command is passed to "
                f"`{server.tool}` as is, never expanded ({server.origin})"
            )
            title = f"Write the port `{literal}`"
        elif ref.default is None and not server.environment(rt.env).get(ref.name):
            edit = port_default_edit(server, server.port, ref, app_port)
            message = (
                f"`${ref.name}` is unset on a Space and has no default ({server.origin}); "
                f"`{server.tool}` {_EMPTY_PORT_ERRORS.get(server.tool, _EMPTY_PORT_ERROR)}"
            )
            title = f"Default `{ref.name}` to `app_port` {app_port}"
        else:
            return
        fix = Fix(title, (edit,)) if edit is not None else None
        if fix is not None and not settles(project, fix.edits, _expands):
            fix = None
        yield self.diagnostic(message, path=server.path, span=server.port.span, fix=fix)
