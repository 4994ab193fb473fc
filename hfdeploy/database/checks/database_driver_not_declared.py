"""DB004: a database URL whose driver the project does not install."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import urls_in_use
from hfdeploy.database.dependencies import Driver, declared_names, needed_drivers, sqlalchemy_series
from hfdeploy.database.sources import FoundUrl
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project


class DatabaseDriverNotDeclared(Check):
    """## What it does
    Finds database URLs whose driver is missing from the dependencies the image installs.

    `postgresql://` needs `psycopg2` (SQLAlchemy up to 2.0) or `psycopg` (2.1),
    `+asyncpg` needs `asyncpg`, `sqlite+aiosqlite` needs `aiosqlite`, `mysql://` needs
    `mysqlclient`, `+pymysql` needs `PyMySQL`, and so on.

    ## Why is this bad?
    SQLAlchemy imports the driver when the engine connects: the app stops with
    `ModuleNotFoundError: No module named 'psycopg2'` (or `'psycopg'`, `'asyncpg'`, `'MySQLdb'`).
    When SQLAlchemy's version is not pinned, either PostgreSQL driver is accepted.

    ## Example
    ```
    # requirements.txt
    fastapi
    sqlalchemy==2.0.36
    # .env
    DATABASE_URL=postgresql://app:secret@db.example.com:443/app
    ```

    Use instead:
    ```
    # requirements.txt
    fastapi
    sqlalchemy==2.0.36
    psycopg2-binary
    ```
    """

    code = "DB004"
    name = "database-driver-not-declared"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        urls = [u for u in urls_in_use(project) if not u.url.is_sqlite or u.url.driver]
        names = declared_names(project) if urls else None
        if names is None:
            return
        series = sqlalchemy_series(project)
        missing: dict[str, tuple[list[Driver], list[FoundUrl]]] = {}
        for found in urls:
            drivers = needed_drivers(found.url, series)
            if drivers and not any(d.provided_by & names for d in drivers):
                key = "/".join(d.module for d in drivers)
                missing.setdefault(key, (drivers, []))[1].append(found)
        for drivers, places in missing.values():
            first = places[0]
            wanted = " or ".join(f"`{d.suggestion}`" for d in drivers)
            modules = " or ".join(f"`{d.module}`" for d in drivers)
            notes = [f"Add {wanted} to the requirements the image installs."]
            notes += [
                f"Also used at {p.path}" + (f" (`{p.name}`)." if p.name else ".")
                for p in places[1:]
            ]
            yield self.diagnostic(
                f"`{first.url.masked()}` needs the driver {modules}, which the dependencies do not "
                f"install: the app stops with `ModuleNotFoundError: No module named '{drivers[0].module}'`",
                path=first.path,
                span=first.written,
                notes=notes,
            )
