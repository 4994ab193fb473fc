from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.dockerfile.copies import copies
from hfdeploy.dockerfile.dockerignore import (
    DOCKERIGNORE,
    ENTRIES,
    dockerignore_fix,
    extra_venvs,
    ignores,
    missing_entries,
    present_on_disk,
)
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class DockerignoreIncomplete(Check):
    """## What it does
    Reports a Dockerfile that copies the whole project (`COPY . .`, or hfdeploy's generated
    one) while `.dockerignore` is missing, or lacks an entry for something present in the
    project: `.git`, virtualenvs, `__pycache__`, tool caches, local SQLite databases
    (`*.db`, `*.sqlite3`) or `node_modules`. (`.env` files are DF011.)

    ## Why is this bad?
    Everything in the build context is sent to the builder and copied into the image: a local
    virtualenv shadows the installed packages, a local database replaces the one the app
    should create, `.git` leaks history, and every build is slower and larger.

    ## Example
    ```dockerfile
    COPY . .
    # no .dockerignore; .venv/ and app.db exist locally
    ```

    Use instead:
    ```
    # .dockerignore
    **/.venv
    **/*.db
    .git
    ```

    ## Fix safety
    The fix creates `.dockerignore` from hfdeploy's template, or appends only the missing
    lines to the existing file (keeping `!.env.example`). It only keeps files out of the
    image; it is safe unless the app really ships one of those files (such as a seed
    database), which then needs a `!path` line.
    """

    code = "DF012"
    name = "dockerignore-incomplete"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if project.exists(DOCKERFILE) and (
            rt is None or not any(c.whole_context for c in copies(rt))
        ):
            return
        fix = dockerignore_fix(project)
        if fix is None:
            return
        if not project.exists(DOCKERIGNORE):
            yield self.diagnostic(
                "No `.dockerignore`: the whole project directory goes into the image, "
                "`.env`, `.git`, virtualenvs and local databases included",
                path=DOCKERIGNORE,
                fix=fix,
            )
            return
        missing = {e.category for e in missing_entries(project) if present_on_disk(project, e)}
        missing.discard(ENTRIES[0].category)  # `.env`: reported by DF011 where it leaks
        venvs = [v for v in extra_venvs(project) if not ignores(project, v, is_dir=True)]
        if not missing and not venvs:
            return
        listed = [e.category for e in ENTRIES if e.category in missing] + [f"`{v}/`" for v in venvs]
        yield self.diagnostic(
            f"`.dockerignore` does not exclude {', '.join(listed)}, which exist in the project",
            path=DOCKERIGNORE,
            fix=fix,
        )
