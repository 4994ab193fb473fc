"""DB010: an engine URL whose default names a database server that a Space does not have."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.database.checks.database_url_unset_on_space import DatabaseUrlUnsetOnSpace
from hfdeploy.database.engines import EnvOrigin, SettingsOrigin
from hfdeploy.database.fallback import default_url
from hfdeploy.database.sources import unreachable_host
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.project import Project


class DatabaseUrlDefaultLocalServer(DatabaseUrlUnsetOnSpace):
    """## What it does
    Finds `create_engine(...)` calls whose URL falls back, when its variable is unset, to a
    database server on `localhost`, `127.0.0.1`, or a docker-compose service (a service of
    `docker-compose.yml`, or a name without a dot such as `db`, `postgres`, `mysql`).

    The shapes: `os.getenv("DATABASE_URL", "postgresql://app:app@localhost/app")`, or a
    pydantic-settings field `DATABASE_URL: str = "postgresql://app:app@db:5432/app"`.

    ## Why is this bad?
    A Space runs one container, this image, and no other: no database server listens on its
    `localhost`, and docker-compose service names do not resolve. Unless the variable is set as a
    Space secret, the app fails at its first query (or at start when it creates tables) with
    `Connection refused` or `could not translate host name "db"`. It is the same situation as a
    URL with no default at all (DB003).

    ## Example
    ```python
    engine = create_engine(os.getenv("DATABASE_URL", "postgresql://app:app@localhost/app"))
    ```

    Use instead:
    ```python
    def _sqlite_fallback() -> str:
        data_dir = os.getenv("DATA_DIR", "data")
        os.makedirs(data_dir, exist_ok=True)
        return f"sqlite:///{data_dir}/app.db"

    engine = create_engine(os.getenv("DATABASE_URL") or _sqlite_fallback())
    ```

    ## Fix safety
    As DB003: the variable keeps working wherever it is set (the local server then comes from
    `.env` or the shell), and an unset variable falls back to SQLite under `$DATA_DIR`. Safe for
    a plain `os.getenv`/`os.environ.get` default or a `str` settings field. Unsafe when a
    validator of the settings class checks or builds the URL (review it), or when the async
    fallback needs `aiosqlite`; no fix when a validator rejects anything but a server URL.
    Test files (`tests/`, `conftest.py`, `test_*.py`) are never edited.
    """

    code = "DB010"
    name = "database-url-default-local-server"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for calls in self.grouped(project, unset=False):
            origin = calls[0].origin
            assert isinstance(origin, (EnvOrigin, SettingsOrigin))
            url = default_url(origin)
            why = None if url is None else unreachable_host(project, url)
            if url is None or why is None:
                continue
            where = (
                f"`{origin.variable}`"
                if isinstance(origin, EnvOrigin)
                else f"Setting `{origin.field.owner}.{origin.field.name}`"
            )
            variable = origin.variable if isinstance(origin, EnvOrigin) else origin.field.env_name
            yield self._finding(
                project,
                calls,
                f"{where} defaults to `{url.masked()}`, but {why}: on a Space the app cannot "
                f"reach its database unless `{variable}` is set",
            )
