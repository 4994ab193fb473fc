from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.dockerfile.regenerate import regeneration
from hfdeploy.dockerfile.stage import DOCKERFILE

if TYPE_CHECKING:
    from hfdeploy.project import Project

_ELSEWHERE = ("dockerfile", "docker/Dockerfile", "Dockerfile.prod", "deploy/Dockerfile")


class MissingDockerfile(Check):
    """## What it does
    Reports a project without a `Dockerfile` at its root.

    ## Why is this bad?
    A Docker Space builds exactly one file: the `Dockerfile` at the root of the Space
    repository. Without it the build fails at once; a Dockerfile in a sub-directory or under
    another name is ignored, and so is `docker-compose.yml`.

    ## Example
    ```
    app/main.py
    requirements.txt
    docker/Dockerfile
    ```

    Use instead:
    ```
    app/main.py
    requirements.txt
    Dockerfile        # FROM python:3.11-slim ... CMD uvicorn app.main:app --port ${PORT:-7860}
    ```

    ## Fix safety
    The fix writes a new `Dockerfile` from hfdeploy's template: a `python:<version>-slim`
    image, a uid-1000 user owning the app and data directories, dependencies installed before
    the code is copied, and uvicorn on `0.0.0.0:${PORT:-<app_port>}` (Alembic migrations first
    when the project uses Alembic). It creates a file and changes nothing else, so it is safe.
    It is not offered when no FastAPI app can be found.
    """

    code = "DF001"
    name = "missing-dockerfile"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        if project.exists(DOCKERFILE):
            return
        notes = [
            f"`{name}` exists, but Spaces build only the root `Dockerfile`"
            for name in _ELSEWHERE
            if project.exists(name)
        ]
        regen = regeneration(project)
        if regen.problem:
            notes.append(f"No fix: {regen.problem}")
        yield self.diagnostic(
            "No `Dockerfile` at the project root; a Docker Space builds the root `Dockerfile`",
            path=DOCKERFILE,
            fix=regen.fix,
            notes=notes,
        )
