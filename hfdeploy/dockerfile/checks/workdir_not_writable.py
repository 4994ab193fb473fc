from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.ownership import workdir_ownership
from hfdeploy.dockerfile.stage import DOCKERFILE, is_root, runtime
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project


class WorkdirNotWritable(Check):
    """## What it does
    Reports a final `WORKDIR` that the app's user cannot create files in: created by
    `WORKDIR` before `USER` (root-owned on every builder), with no `chown` of it to that user.
    A `WORKDIR` created after `USER`, as in the Spaces docs, is the user's with BuildKit, which
    the Hub builds with; it is only noted (information, no fix), because Docker's legacy
    builder leaves it root-owned, so a local build can behave differently from the Space.

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
    The fix inserts `RUN mkdir -p <dir> && chown <user> <dir>` just before the `USER` line.
    The `chown` is not recursive (cheap, no duplicated layer) and only adds permissions, so
    the fix is safe.
    """

    code = "DF004"
    name = "workdir-not-writable"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        found = workdir_ownership(project)
        rt = runtime(project)
        if found is None or found.writable or found.created_by is None or rt is None:
            return
        user = rt.user.split(":")[0]
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
        why = "before `USER`, so root owns it"
        fix = None
        user_step = rt.user_step()
        source = project.source(DOCKERFILE)
        if (
            user_step is not None
            and is_root(user_step.user)  # the inserted RUN must run as root
            and source is not None
            and is_valid("abspath", found.path)
            and is_valid("user", user)
        ):
            line = f"RUN mkdir -p {found.path} && chown {user} {found.path}{source.newline}"
            fix = Fix(
                f"Give `{found.path}` to `{user}` before `USER`",
                (Edit.insert(DOCKERFILE, user_step.ins.span.start, line),),
            )
        yield self.diagnostic(
            f"`WORKDIR {found.path}` is created {why}; user `{user}` cannot create files in it "
            "(SQLite: `unable to open database file`)",
            path=DOCKERFILE,
            span=found.created_by.ins.span,
            fix=fix,
        )
