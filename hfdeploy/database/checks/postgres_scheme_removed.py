"""DB001: `postgres://` URLs, which SQLAlchemy 1.4 and later refuse."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import alembic_setups, urls_in_use
from hfdeploy.database.sources import FoundUrl, rewrites_postgres_scheme
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.project import Project


class PostgresSchemeRemoved(Check):
    """## What it does
    Finds database URLs that start with `postgres://` or `postgres+driver://`, in `.env` files,
    `alembic.ini` and Python code.

    ## Why is this bad?
    SQLAlchemy 1.4 removed the `postgres` alias (and will not bring it back): `create_engine`
    fails with `NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres`, so the app
    or the migration dies at start. Hosting providers still hand out such URLs.

    URLs in `.env` files and code are not reported when the code already rewrites the scheme
    itself (`url.replace("postgres://", "postgresql://", 1)`).

    ## Example
    ```
    DATABASE_URL=postgres://app:secret@db.example.com:443/app
    ```

    Use instead:
    ```
    DATABASE_URL=postgresql://app:secret@db.example.com:443/app
    ```

    ## Fix safety
    Safe: only the scheme is rewritten in place (`postgres` becomes `postgresql`, a driver such as
    `+psycopg2` is kept); the rest of the URL and of the file stays as it was.
    """

    code = "DB001"
    name = "postgres-scheme-removed"
    severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        app_rewrites = None
        for found in urls_in_use(project):
            if found.url.dialect != "postgres":
                continue
            if found.origin in ("env", "python"):
                if app_rewrites is None:
                    app_rewrites = rewrites_postgres_scheme(project)
                if app_rewrites:
                    continue
            elif self._env_py_rewrites(project, found):
                continue
            yield self._finding(found)

    @staticmethod
    def _env_py_rewrites(project: Project, found: FoundUrl) -> bool:
        envs = {s.env for s in alembic_setups(project) if s.ini == found.path and s.env is not None}
        return bool(envs) and rewrites_postgres_scheme(project, envs)

    def _finding(self, found: FoundUrl) -> Diagnostic:
        scheme = found.url.text[: found.url.scheme_end]
        fixed = "postgresql" + scheme[len("postgres") :]
        span = found.span_of(0, len("postgres"))
        where = f"`{found.name}`" if found.name else "The URL"
        return self.diagnostic(
            f"{where} uses the `{scheme}://` scheme, which SQLAlchemy >= 1.4 refuses "
            f"(`NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres`); use `{fixed}://`",
            path=found.path,
            span=span,
            fix=Fix(
                f"Rewrite `{scheme}://` to `{fixed}://`", (Edit(found.path, span, "postgresql"),)
            ),
        )
