from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.dockerfile.checks.write_denied_at_runtime import denied_directories
from hfdeploy.dockerfile.stage import DOCKERFILE
from hfdeploy.dockerfile.writable import grant_fix, image_user, workdir_ownership

if TYPE_CHECKING:
    from hfdeploy.project import Project


class WorkdirNotWritable(Check):
    """## What it does
    Reports a final `WORKDIR` that the app's user cannot create files in: created by
    `WORKDIR` before `USER` (root-owned on every builder), with no `chown` of it to that user.
    A `WORKDIR` created after `USER`, as in the Spaces docs, is the user's with BuildKit, which
    the Hub builds with; it is only noted (information, no fix), because Docker's legacy
    builder leaves it root-owned, so a local build can behave differently from the Space.
    When the app is known to write there (a SQLite file, `os.makedirs`), DF031 reports it
    with what fails, and this rule does not report the same directory again.

    ## Why is this bad?
    The copied files may be the user's, but the directory is not, so the app cannot create new
    files next to them: SQLite fails with `sqlite3.OperationalError: unable to open database
    file` (also for its `-journal` file), uploads and caches fail with `Permission denied`.
    A local `docker build` with the legacy builder behaves differently from the Space.

    ## Example
    ```dockerfile
    RUN useradd -m -u 1000 user
    WORKDIR /app
    USER user
    ```

    Use instead:
    ```dockerfile
    RUN useradd -m -u 1000 user
    WORKDIR /app
    RUN mkdir -p /app && chown user /app
    USER user
    ```

    ## Fix safety
    The fix inserts `RUN mkdir -p <dir> && chown <user> <dir>` where it runs as root, after
    the `WORKDIR` (before the `USER` line), `<user>` being the uid-1000 account, else `1000`
    (a Space runs uid 1000 whatever `USER` names). The `chown` is not recursive (cheap, no
    duplicated layer) and only adds permissions, so the fix is safe.
    """

    code = "DF004"
    name = "workdir-not-writable"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        found = workdir_ownership(project)
        iu = image_user(project)
        if found is None or found.writable or iu is None:
            return
        if found.path in denied_directories(project):
            return  # DF031 says what the app writes there, and what fails
        user = iu.rt.user.split(":")[0]
        if found.after_user:
            # Fine on the Space: the Hub builds with BuildKit (it supports `RUN --mount`).
            yield self.diagnostic(
                f"`WORKDIR {found.path}` is created after `USER`: BuildKit (the Space's builder) "
                f"gives it to `{user}`, but Docker's legacy builder leaves it root-owned, so a "
                "local build of this image cannot create files in it",
                path=DOCKERFILE,
                span=found.created_by.ins.span,
                severity=Severity.INFO,
            )
            return
        runtime_user = f"user `{user}`" if iu.name == user else "uid 1000 (the Space's user)"
        yield self.diagnostic(
            f"`WORKDIR {found.path}` is created before `USER`, so root owns it; "
            f"{runtime_user} cannot create files in it (SQLite: `unable to open database file`)",
            path=DOCKERFILE,
            span=found.created_by.ins.span,
            fix=grant_fix(iu, found.path),
        )
