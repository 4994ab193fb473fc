from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, FixAvailability, Severity
from hfdeploy.dockerfile.parse import parse_dockerfile
from hfdeploy.dockerfile.regenerate import regeneration
from hfdeploy.dockerfile.stage import DOCKERFILE

if TYPE_CHECKING:
    from hfdeploy.project import Project

_ELSEWHERE = ("dockerfile", "docker/Dockerfile", "Dockerfile.prod", "deploy/Dockerfile")


class MissingDockerfile(Check):
    """## What it does
    Reports a project without a `Dockerfile` at its root, or whose root `Dockerfile` has no
    `FROM` (empty, only comments, or a draft), which docker refuses to build.

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
        text = project.text(DOCKERFILE)
        if text is not None:
            yield from self._without_from(project, text)
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

    def _without_from(self, project: Project, text: str) -> Iterator[Diagnostic]:
        """A root Dockerfile with no build stage: docker stops before the first step."""
        parsed = parse_dockerfile(DOCKERFILE, text)
        if parsed.stages:
            return
        regen = regeneration(project)
        fix = regen.fix
        notes = [f"No fix: {regen.problem}"] if regen.problem else []
        if fix is not None and parsed.instructions:
            fix = dataclasses.replace(fix, applicability=Applicability.UNSAFE)
            notes.append(f"Regenerating drops its {len(parsed.instructions)} instruction(s).")
        what = "has no instructions" if not parsed.instructions else "has no `FROM`"
        yield self.diagnostic(
            f"The root `Dockerfile` {what}: docker cannot build it, so the Space fails to build",
            path=DOCKERFILE,
            span=parsed.instructions[0].span if parsed.instructions else None,
            fix=fix,
            notes=notes,
        )
