from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.inputs import space_port
from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.server_values import (
    insert_option,
    port_default_edit,
    port_value,
    replace_value,
    settles,
)
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class PortDiffersFromAppPort(Check):
    """## What it does
    Compares the port the server listens on (the CMD's `--port`/`--bind`, the server's
    default, or `uvicorn.run(port=...)` in the Python file the CMD runs) with the Space's
    `app_port` from README.md (7860 when unset).

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

    ## Fix safety
    The fix writes `app_port` into the port (the default of `${PORT:-...}` when the value
    reads a variable), or adds `--port` (`${PORT:-<app_port>}` where a shell expands it), and
    updates an `EXPOSE` of the old port. The app keeps running on the port the Space uses, so
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
        if port.number is None or port.number == wanted.port:
            return
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
        elif port.reference is not None and port.reference.name in server.environment(rt.env):
            # The Dockerfile's ENV or the start script's own assignment decides; not guessed at.
            span, edit = setting.span, None
        else:
            span = setting.span
            edit = (
                port_default_edit(server, setting, port.reference, wanted.port)
                if port.reference is not None
                else replace_value(server, setting, str(wanted.port))
            )
        fix = None
        if edit is not None:
            edits = (edit, *_expose_edits(rt, port.number, wanted.port))
            fix = Fix(f"Listen on `app_port` {wanted.port}", edits)
            if not settles(project, edits, lambda s, env: port_value(s, env).number == wanted.port):
                fix = None
        yield self.diagnostic(
            f"`app_port` {wanted.port} ({wanted.short_source}) ≠ `{port.text}` ({server.origin}); "
            "the Space proxy sends requests to `app_port` only",
            path=server.path,
            span=span,
            fix=fix,
            notes=[f"`app_port` comes from {wanted.source}"],
        )


def _expose_edits(rt: Runtime, old: int, new: int) -> list[Edit]:
    """Keep `EXPOSE` (documentation only) in step with the port."""
    edits = []
    for step in rt.of("EXPOSE"):
        for word in step.ins.shell_words():
            if word.value in (str(old), f"{old}/tcp"):
                span = step.ins.raw_span(*word.span_of(0, len(str(old))))
                edits.append(Edit(DOCKERFILE, span, str(new)))
    return edits
