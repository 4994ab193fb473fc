"""DF022: the server is installed, but not where the final stage's runtime user finds it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.installed import PROVIDERS, SERVER_DISTRIBUTIONS
from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.stage import DOCKERFILE

if TYPE_CHECKING:
    from hfdeploy.image import InstallStep
    from hfdeploy.project import Project


class ServerNotInstalledForUser(Check):
    """## What it does
    Reports a server the container starts (uvicorn, gunicorn, hypercorn, `fastapi run`) that
    the image installs where the user the final stage runs as cannot use it.

    It is reported when the server is:
    - installed only in another stage (a builder) that the final stage never copies it from;
    - installed with `pip install --user` into another user's home (`/root/.local` while the
      container runs as `user`; `/root` is not even readable for uid 1000);
    - installed into a virtualenv whose `bin` directory is not on the runtime `PATH` (and the
      command does not name the virtualenv's programs or run through `uv run`/`poetry run`).

    A user install whose scripts directory is merely missing from `PATH` is DF017.

    ## Why is this bad?
    The build succeeds, then the container stops at once: `uvicorn: not found` (exit 127) or
    `No module named uvicorn`. The Space shows "Runtime error".

    ## Example
    ```dockerfile
    FROM python:3.11-slim AS builder
    COPY requirements.txt .
    RUN pip install --user -r requirements.txt

    FROM python:3.11-slim
    RUN useradd -m -u 1000 user
    COPY --from=builder /root/.local /root/.local
    USER user
    CMD ["python", "-m", "uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    Use instead:
    ```dockerfile
    COPY --from=builder --chown=user /root/.local /home/user/.local
    ENV PATH=/home/user/.local/bin:$PATH
    ```

    ## Fix safety
    One case is repaired: `poetry install` left to create its own virtualenv (under the
    installing user's cache), or told not to only by a `poetry config` run as root (root's own
    settings, which `poetry run` as uid 1000 ignores). The fix sets
    `ENV POETRY_VIRTUALENVS_CREATE=false` before that step, so Poetry installs into the image's
    Python, where the server is on PATH for every user: the usual Poetry-in-Docker set-up, safe.
    Otherwise there is no fix: where the packages should live (a venv, the user's home, the
    system) is the author's choice; the message says which of them is broken.
    """

    code = "DF022"
    fix_availability = FixAvailability.SOMETIMES
    name = "server-not-installed-for-user"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        model = image(project)
        server = find_server(project)
        if model.generated or server is None or server.tool not in SERVER_DISTRIBUTIONS:
            return
        steps, seen = model.server_visibility(PROVIDERS[SERVER_DISTRIBUTIONS[server.tool]])
        if not steps or seen is None:
            return  # nothing installs it (DF019), or hfdeploy cannot tell
        program = server.tool.split()[0].split(".")[0]
        if seen.importable is False:
            why = seen.reason
        elif (
            server.console_script
            and seen.on_path is False
            and seen.importable
            and not any(i.location.startswith("user:") for i in steps)
        ):
            why = "its scripts directory is not on the runtime PATH"
        else:
            return
        text = project.text(server.path) or ""
        start = server.start + (text[server.start : server.start + 1] in ('"', "'"))
        lines = ", ".join(str(i.line) for i in steps if i.line is not None)
        yield self.diagnostic(
            f"`{program}` is installed (Dockerfile line {lines}) but not for the user `{model.user}` the "
            f"container runs as: {why}; the container stops at start",
            path=server.path,
            span=Span(start, start + len(program)),
            fix=_poetry_fix(project, steps),
        )


def _poetry_fix(project: Project, steps: list[InstallStep]) -> Fix | None:
    """`ENV POETRY_VIRTUALENVS_CREATE=false` before each `poetry install` that makes its own venv."""
    source = project.source(DOCKERFILE)
    poetry = [
        i
        for i in steps
        if (i.location == "other:poetry-cache-venv" or i.poetry_user_config) and i.step is not None
    ]
    if source is None or not poetry or len(poetry) != len(steps):
        return None
    edits = tuple(
        Edit(
            DOCKERFILE,
            Span(i.step.ins.span.start, i.step.ins.span.start),
            f"ENV POETRY_VIRTUALENVS_CREATE=false{source.newline}",
        )
        for i in poetry
        if i.step is not None
    )
    return Fix(
        "Install with Poetry into the image's Python (`POETRY_VIRTUALENVS_CREATE=false`)", edits
    )
