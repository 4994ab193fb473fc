from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.inputs import SpacePort, space_port
from hfdeploy.dockerfile.server import Server, find_server
from hfdeploy.dockerfile.server_values import (
    PortValue,
    env_edit,
    insert_option,
    port_default_edit,
    port_value,
    replace_value,
    settles,
    variable_value,
)
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class PortDiffersFromAppPort(Check):
    """## What it does
    Compares the port the server listens on (the CMD's `--port`/`--bind`, the server's
    default, or `uvicorn.run(port=...)` in the Python file the CMD runs) with the Space's
    `app_port` from README.md (7860 when unset).

    A port read from an environment variable is the value it has on a Space where nobody
    defined a Variable of that name: a Space sets no `PORT` and no `APP_PORT`, only the
    variables it injects (`SPACE_HOST`, `SPACE_ID`, ...). That is the image's value (final
    stage `ENV`, expanded), else the default in the code (`os.getenv("PORT", 8000)`, a
    settings field's default) or in the command (`${PORT:-8000}`). In Python
    (`int(os.getenv("APP_PORT"))`, `os.environ["PORT"]`, a pydantic-settings field, a name
    assigned from one) a variable with no value makes the server fail to start (`int(None)`,
    and `int("")` after an empty `ENV APP_PORT=${APP_PORT}`): reported here too. On the
    command line, a `$PORT` that cannot expand is DF007's.

    ## Why is this bad?
    The Space proxy sends every request to `app_port`. A server on any other port never
    receives one: the Space sits in "Starting" until it times out. `EXPOSE` does not change
    this; only `app_port` does.

    ## Example
    ```dockerfile
    # README.md front matter: no app_port (7860)
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
    ```

    Use instead:
    ```dockerfile
    CMD uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-7860}
    ```

    ```python
    # app/main.py, run by `CMD python app/main.py`; nothing sets APP_PORT
    uvicorn.run("main:app", host="0.0.0.0", port=int(os.getenv("APP_PORT")))
    ```

    Use instead:
    ```dockerfile
    ENV APP_PORT=7860
    CMD python app/main.py
    ```

    ## Fix safety
    The fix writes `app_port` into the port (the default of `${PORT:-...}` when the value
    reads a variable), or adds `--port` (`${PORT:-<app_port>}` where a shell expands it), and
    updates an `EXPOSE` of the old port. A port the image's `ENV` decides, or that Python
    reads from a variable, gets `ENV <VARIABLE>=<app_port>` in the final stage (an existing
    `ENV` of that variable is rewritten in place; otherwise the line goes before the CMD). The app keeps running on the port the Space uses, so
    the fix is safe; change README.md's `app_port` instead if the other port matters to you.
    """

    code = "DF006"
    name = "port-differs-from-app-port"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        server = find_server(project)
        rt = runtime(project)
        if server is None or rt is None or not server.settings_known:
            return
        port = port_value(server, rt.env)
        wanted = space_port(project)
        if port.number == wanted.port:
            return
        if port.variable is not None:
            yield from self._from_variable(project, server, port, wanted)
            return
        if port.number is None:
            return  # unknown, or a `$PORT` that cannot expand (DF007)
        setting = server.port
        edit: Edit | None
        if setting is None:
            if server.tool in ("gunicorn", "hypercorn"):
                return  # no bind: DF005 adds one with the right port
            value = str(wanted.port)
            if server.form == "shell":
                value = f"${{PORT:-{wanted.port}}}"
            edit = insert_option(server, "port" if server.form == "python" else "--port", value)
            span = Span(server.start, server.insert_at)
        elif port.reference is not None and port.reference.name in server.script_env_names:
            # The start script's own assignment decides; not guessed at.
            span, edit = setting.span, None
        elif port.reference is not None and port.reference.name in rt.env:
            # The Dockerfile's ENV decides: give it `app_port` there.
            span, edit = setting.span, env_edit(project, port.reference.name, str(wanted.port))
        else:
            span = setting.span
            edit = (
                port_default_edit(server, setting, port.reference, wanted.port)
                if port.reference is not None
                else replace_value(server, setting, str(wanted.port))
            )
        yield self._finding(
            project,
            server,
            rt,
            port,
            span,
            edit,
            f"`app_port` {wanted.port} ({wanted.short_source}) ≠ `{port.text}` "
            f"({server.origin}); the Space proxy sends requests to `app_port` only",
        )

    def _from_variable(
        self, project: Project, server: Server, port: PortValue, wanted: SpacePort
    ) -> Iterator[Diagnostic]:
        """A Python-form port read from an environment variable (`int(os.getenv("APP_PORT"))`,
        a settings field): the Space runs it with the image's value, else the code's default."""
        rt = runtime(project)
        setting = server.port
        assert setting is not None and rt is not None and port.variable is not None
        variable = port.variable
        in_image = variable in rt.env
        if variable in server.script_env_names:
            edit = None  # the start script's own assignment decides
        elif not in_image and setting.kind in ("py-int", "py-str"):
            edit = replace_value(server, setting, str(wanted.port))  # the default in the call
        else:
            edit = env_edit(project, variable, str(wanted.port))
        unset = f"a Space does not set `{variable}` unless you define a Variable with that name"
        if port.number is None:
            value = variable_value(server, setting, rt.env)
            if value == "" and in_image:
                why = "the image's `ENV` sets it to an empty string (a `${...}` with nothing to expand)"
            elif value is None:
                why = "the image does not set it and the code has no default"
            else:
                why = f"its value `{value}` is not a port number"
            message = (
                f"The server's port comes from `{variable}` ({server.origin}): {unset}, and "
                f"{why}, so the server cannot start"
            )
        else:
            where = "the image's ENV" if in_image else "the code's default"
            message = (
                f"`app_port` {wanted.port} ({wanted.short_source}) ≠ {port.number}, the port "
                f"the server reads from `{variable}` ({where}, {server.origin}); {unset}, and "
                "the Space proxy sends requests to `app_port` only"
            )
        yield self._finding(project, server, rt, port, setting.span, edit, message)

    def _finding(
        self,
        project: Project,
        server: Server,
        rt: Runtime,
        port: PortValue,
        span: Span,
        edit: Edit | None,
        message: str,
    ) -> Diagnostic:
        wanted = space_port(project)
        fix = None
        if edit is not None:
            edits = (edit, *_expose_edits(rt, port.number, wanted.port))
            fix = Fix(f"Listen on `app_port` {wanted.port}", edits)
            if not settles(project, edits, lambda s, env: port_value(s, env).number == wanted.port):
                fix = None
        return self.diagnostic(
            message,
            path=server.path,
            span=span,
            fix=fix,
            notes=[f"`app_port` comes from {wanted.source}"],
        )


def _expose_edits(rt: Runtime, old: int | None, new: int) -> list[Edit]:
    """Keep `EXPOSE` (documentation only) in step with the port."""
    edits: list[Edit] = []
    if old is None:
        return edits
    for step in rt.of("EXPOSE"):
        for word in step.ins.shell_words():
            if word.value in (str(old), f"{old}/tcp"):
                span = step.ins.raw_span(*word.span_of(0, len(str(old))))
                edits.append(Edit(DOCKERFILE, span, str(new)))
    return edits
