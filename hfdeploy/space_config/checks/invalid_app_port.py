"""SC005: `app_port` is not an integer between 1025 and 65535."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability
from hfdeploy.project import Project
from hfdeploy.space import DEFAULT_APP_PORT
from hfdeploy.space_config.app_port import usable_port
from hfdeploy.space_config.edits import replace_value
from hfdeploy.space_config.frontmatter import Status, front_matter
from hfdeploy.space_config.schema import MAX_APP_PORT, MIN_APP_PORT


class InvalidAppPort(Check):
    """## What it does
    Reports an `app_port` that is not a plain YAML integer between 1025 and 65535: a quoted
    number (`"8000"`), a privileged port such as `80`, or something that is not a port.

    ## Why is this bad?
    The Hub sends the Space's traffic to `app_port` and expects an integer; a port below 1025
    has been rejected with `"app_port" must be greater than or equal to 1025`. A value the Hub
    cannot use leaves the Space rejected or waiting for a server on the wrong port.

    ## Example
    ```yaml
    app_port: "8000"
    ```

    Use instead:
    ```yaml
    app_port: 8000
    ```

    ## Fix safety
    Safe. A quoted number in range loses its quotes; anything else becomes 7860, the Hub's
    default. The Dockerfile checks read the same value (`app_port(project)`), so the port the
    server listens on follows it.
    """

    code = "SC005"
    name = "invalid-app-port"
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        matter = front_matter(project)
        entry = matter.get("app_port") if matter.status is Status.OK else None
        if entry is None:
            return
        value = entry.value
        if isinstance(value, int) and not isinstance(value, bool) and usable_port(value) == value:
            return
        port = usable_port(value)
        if port is not None:
            message = f'`app_port` is the string "{value}"; the Hub wants an integer'
            title = f"Unquote `{port}`"
        else:
            port = DEFAULT_APP_PORT
            title = f"Set `app_port: {port}`"
            if isinstance(value, int) and not isinstance(value, bool):
                message = (
                    f'"app_port" must be between {MIN_APP_PORT} and {MAX_APP_PORT}, not {value}'
                )
            else:
                message = f"`app_port` must be a port number, not `{entry.shown}`"
        yield self.diagnostic(
            message,
            path=matter.path,
            span=entry.value_span,
            fix=replace_value(matter, entry, str(port), title),
        )
