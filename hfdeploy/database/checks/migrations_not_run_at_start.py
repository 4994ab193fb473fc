"""DB017: the app's database is a server, the project has Alembic migrations, and the image's
start command never runs them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.database.alembic import revision_files
from hfdeploy.database.inputs import database_inputs
from hfdeploy.database.migrations import unrun_migrations
from hfdeploy.database.schema import engines_needing_schema
from hfdeploy.database.start import image_start
from hfdeploy.diagnostics import Applicability, Diagnostic, Fix, FixAvailability, Severity
from hfdeploy.project import Project

DOCKERFILE = PurePosixPath("Dockerfile")
SERVER_FAMILIES = ("postgresql", "mysql")


class MigrationsNotRunAtStart(Check):
    """## What it does
    Finds apps whose database is a server (PostgreSQL or MySQL, its URL — or the parts the code
    assembles it from — read from the environment, so a Space secret) and whose project has
    Alembic revisions (`alembic.ini` or, from Alembic 1.16, the `[tool.alembic]` table of
    `pyproject.toml`; its script directory; revision scripts in its `version_locations`, else
    under `versions/`),
    while nothing applies them when the container starts: the root Dockerfile's start command,
    and every script it runs, never runs `alembic`, and the app's code neither calls
    `command.upgrade(...)` nor creates its tables (`metadata.create_all`, `CREATE TABLE`).

    An app whose engine gets a SQLite database on a Space is DB012's, not this rule's.

    ## Why is this bad?
    The Space starts your app against whatever schema the database has. If nobody runs
    `alembic upgrade head` against it — a new database, or one behind the latest revision —
    every route that queries a missing table fails with
    `relation "..." does not exist` (PostgreSQL) or `Table '...' doesn't exist` (MySQL): a 500
    for the user. A database that is already migrated serves, so this is a warning: it fails
    when the schema is not there (`hfdeploy verify` migrates its throwaway database for the
    same reason, and says so).

    ## Example
    ```dockerfile
    COPY . .
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    Use instead:
    ```dockerfile
    COPY . .
    CMD ["sh", "-c", "alembic upgrade head && exec uvicorn app.main:app --host 0.0.0.0 --port 7860"]
    ```

    ## Fix safety
    Unsafe: the fix runs the migrations before the server (what the generated Dockerfile
    does), so every start of the Space changes the database's schema to the latest revision;
    a revision that drops or rewrites data runs against your production database. A server
    started through `poetry run` (`uv run`, `pdm run`, `pipenv run`) gets its migration through
    the same tool. With an `ENTRYPOINT`, the fix edits it (a CMD after an exec-form one is only
    its arguments, handed on as `"$@"`: `ENTRYPOINT ["sh", "-c", "alembic upgrade head && exec
    uvicorn \"$@\"", "sh"]`; a shell-form one ignores the CMD). No fix when the start
    instruction is not readable, or the image does not install `alembic`.
    """

    code = "DB017"
    name = "migrations-not-run-at-start"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        setup = unrun_migrations(project)
        if setup is None:
            return
        inputs = database_inputs(project)
        if inputs.family not in SERVER_FAMILIES or not inputs.variables:
            return
        if engines_needing_schema(project):
            return  # the engine gets SQLite on a Space: DB012 reports it
        start = image_start(project)
        command = start.command if start is not None else ""
        from hfdeploy.dockerfile.start_migration import migrate_at_start, migration_command
        from hfdeploy.image import image

        # A start command that runs a missing `alembic` would stop the container at every start.
        installed = image(project).importable("alembic") is not False
        edit = migrate_at_start(project, setup.ini) if installed else None
        fix = (
            Fix(
                f"Run the migrations before the server starts (`{migration_command(setup.ini)}`)",
                (edit,),
                Applicability.UNSAFE,
            )
            if edit is not None
            else None
        )
        notes = []
        if not installed:
            notes.append("The image does not install `alembic`: add it to what the image installs.")
        count = len(revision_files(project, setup))
        variables = ", ".join(sorted(inputs.variables))
        yield self.diagnostic(
            f"The app's database is a {_server(inputs.family)} server ({variables}) and the "
            f"project has {count} Alembic revision{'s' if count != 1 else ''} ({setup.ini}), "
            f"but the image starts with `{command}`, which never runs them: the Space starts "
            "your app against whatever schema the database has; if nobody runs "
            "`alembic upgrade head` against it, routes fail with `relation ... does not exist`",
            path=DOCKERFILE,
            span=edit.span if edit is not None else None,
            fix=fix,
            notes=[
                "Run the migrations before the server, and only start it when they succeed: "
                f"`{migration_command(setup.ini)} && exec uvicorn ...` (what `hfdeploy fix` "
                "generates for a project with Alembic), or migrate the Space's database "
                "yourself before each deploy.",
                *notes,
            ],
        )


def _server(family: str) -> str:
    return {"postgresql": "PostgreSQL", "mysql": "MySQL"}.get(family, family)
