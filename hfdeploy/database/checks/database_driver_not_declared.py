"""DB004: a database URL whose driver the project does not install."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import urls_in_use
from hfdeploy.database.consumers import only_outside_sqlalchemy
from hfdeploy.database.dependencies import (
    DRIVERS,
    Driver,
    declared_names,
    needed_drivers,
    sqlalchemy_allows_21,
    sqlalchemy_dependents,
    sqlalchemy_series,
    sqlalchemy_tool_lock,
)
from hfdeploy.database.sources import FoundUrl, unreachable_host
from hfdeploy.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Severity,
)
from hfdeploy.project import Project
from hfdeploy.requirements.deps import add_requirement_edit


class DatabaseDriverNotDeclared(Check):
    """## What it does
    Finds database URLs whose driver is missing from the dependencies the image installs.

    `postgresql://` needs `psycopg2` (SQLAlchemy up to 2.0) or `psycopg` (2.1),
    `+asyncpg` needs `asyncpg`, `sqlite+aiosqlite` needs `aiosqlite`, `mysql://` needs
    `mysqlclient`, `+pymysql` needs `PyMySQL`, and so on.

    A URL that is a secret is judged by what the project says it holds (its example env files,
    a default, code that rewrites it): when that is plain `postgresql://`, the declared
    SQLAlchemy allows 2.1 (and no lock the image installs holds it back) and only psycopg2 is
    installed, it is a warning, since the secret may name `postgresql+psycopg2://`.

    ## Why is this bad?
    SQLAlchemy imports the driver when the engine connects: the app stops with
    `ModuleNotFoundError: No module named 'psycopg2'` (or `'psycopg'`, `'asyncpg'`, `'MySQLdb'`).
    When the declared SQLAlchemy allows 2.1 (unpinned, or a range such as `>=2.0`), pip installs
    2.1, whose `postgresql://` means psycopg (3): an image with only `psycopg2`/`psycopg2-binary`
    then fails with `No module named 'psycopg'` (a warning instead when another requirement,
    such as `sqlmodel`, may cap SQLAlchemy below 2.1, or when the image installs through a
    Poetry, uv or PDM lock that pins SQLAlchemy 2.0: that image works until the lock is updated
    or the image installs the declared range instead; a lock the image does not install holds
    nothing back).

    A default that an environment variable replaces (`os.getenv("DATABASE_URL", "...")`, a
    settings field's default) and that names a server a Space cannot reach (`localhost`, a
    docker-compose service) is not reported either: the Space has to set the variable, and
    the default's driver is then never loaded.
    A driverless URL that never reaches SQLAlchemy is not reported: one passed only to
    `asyncpg.connect`/`asyncpg.create_pool` or `databases.Database` (which accept
    `postgresql://` as it is), or one written in a property that nothing reads.

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

    ## Fix safety
    Safe: appends the driver (unpinned; the lock step pins it) to the requirements file the
    image installs: `psycopg2-binary`, `psycopg[binary]`, `asyncpg`, `PyMySQL`, ... For the
    SQLAlchemy 2.1 default it adds `psycopg[binary]`, which also keeps a lock that resolves 2.1
    working. No fix when the image installs from `pyproject.toml`.
    """

    code = "DB004"
    name = "database-driver-not-declared"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        urls = [
            u
            for u in urls_in_use(project)
            if (u.url.driver or (not u.url.is_sqlite and not only_outside_sqlalchemy(project, u)))
            # A default the environment replaces that names a server a Space cannot reach
            # (`localhost`, a compose service): the Space must set the variable anyway, and
            # then this URL's driver is never loaded (DB003 and DB010 report the default itself).
            and not (u.overridable and unreachable_host(project, u.url))
        ]
        names = declared_names(project)
        if names is None:
            return
        series = sqlalchemy_series(project)
        missing: dict[str, tuple[list[Driver], list[FoundUrl]]] = {}
        default_changes: list[FoundUrl] = []
        for found in urls:
            drivers = needed_drivers(found.url, series)
            if drivers and not any(d.provided_by & names for d in drivers):
                key = "/".join(d.module for d in drivers)
                missing.setdefault(key, (drivers, []))[1].append(found)
            elif (
                len(drivers) > 1
                and found.url.dialect in ("postgres", "postgresql")
                and not DRIVERS["psycopg"].provided_by & names
                and sqlalchemy_allows_21(project)
            ):
                default_changes.append(found)
        if default_changes:
            yield self._default_driver_changes(project, default_changes)
        else:
            yield from self._secret_default_driver(project, names)
        for drivers, places in missing.values():
            first = places[0]
            wanted = " or ".join(f"`{d.suggestion}`" for d in drivers)
            modules = " or ".join(f"`{d.module}`" for d in drivers)
            notes = [f"Add {wanted} to the requirements the image installs."]
            edit = add_requirement_edit(project, drivers[0].suggestion)
            fix = (
                Fix(f"Add `{drivers[0].suggestion}` to {edit.path}", (edit,), Applicability.SAFE)
                if edit is not None
                else None
            )
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
                fix=fix,
            )

    def _secret_default_driver(
        self, project: Project, names: frozenset[str]
    ) -> Iterator[Diagnostic]:
        """The URL is a secret the code expects as plain `postgresql://` (what its examples and
        rewrites say it holds): SQLAlchemy 2.1 then loads psycopg (3), which is not installed."""
        if DRIVERS["psycopg"].provided_by & names or not DRIVERS["psycopg2"].provided_by & names:
            return
        if sqlalchemy_tool_lock(project) or not sqlalchemy_allows_21(project):
            return
        from hfdeploy.database.inputs import database_inputs, example_schemes

        inputs = database_inputs(project)
        plain = sorted(
            v
            for v, scheme in inputs.url_variables.items()
            if scheme == "postgresql"  # the code adds nothing to it, or rewrites it itself
            or {"postgresql", "postgres"} & set(example_schemes(project, v))
        )
        if inputs.family != "postgresql" or not plain:
            return
        edit, fix = _add_psycopg(project)
        shown = ", ".join(f"`{v}`" for v in plain)
        yield self.diagnostic(
            f"{shown} is expected to hold a `postgresql://` URL without a driver, and the "
            "declared SQLAlchemy allows 2.1, whose default PostgreSQL driver is psycopg (3): with "
            "only psycopg2 installed the app stops with `ModuleNotFoundError: No module named "
            "'psycopg'` unless the secret names `postgresql+psycopg2://`",
            path=edit.path if edit is not None else None,
            notes=[
                *(f"so says {why}" for why in inputs.evidence[:2]),
                *([_capped_note(capped)] if (capped := sqlalchemy_dependents(project)) else []),
            ],
            fix=fix,
            severity=Severity.WARNING,
        )

    def _default_driver_changes(self, project: Project, places: list[FoundUrl]) -> Diagnostic:
        first = places[0]
        capped_by = sqlalchemy_dependents(project)
        tool_lock = sqlalchemy_tool_lock(project)
        if tool_lock:  # the image installs a lock that holds SQLAlchemy at 2.0: it works today
            notes = [
                "SQLAlchemy 2.1 made psycopg (3) the default driver of `postgresql://`. Name the "
                "driver (`postgresql+psycopg2://`) or add `psycopg[binary]` to keep working after "
                "the lock is updated."
            ]
            message = (
                f"`{first.url.masked()}` names no driver: the image installs SQLAlchemy from "
                f"{tool_lock.split(' pins ')[0]} (2.0, where it means psycopg2), but the declared "
                "SQLAlchemy allows 2.1, whose default PostgreSQL driver is psycopg (3): once the "
                "lock is updated, or the image installs the declared range, the app stops with "
                "`ModuleNotFoundError: No module named 'psycopg'`"
            )
        else:
            notes = [
                "SQLAlchemy 2.1 made psycopg (3) the default driver of `postgresql://`; the lock "
                "`fix` writes resolves the newest SQLAlchemy too."
            ]
            message = (
                f"`{first.url.masked()}` names no driver, and the declared SQLAlchemy allows 2.1, "
                "whose default PostgreSQL driver is psycopg (3): with only psycopg2 installed the "
                "app stops with `ModuleNotFoundError: No module named 'psycopg'`"
            )
        if capped_by:
            notes.append(_capped_note(capped_by))
        if tool_lock:
            notes.append(f"{tool_lock}, and the image installs through that lock.")
        notes += [
            f"Also used at {p.path}" + (f" (`{p.name}`)." if p.name else ".") for p in places[1:]
        ]
        _, fix = _add_psycopg(project)
        return self.diagnostic(
            message,
            path=first.path,
            span=first.written,
            notes=notes,
            fix=fix,
            severity=Severity.WARNING if capped_by or tool_lock else None,
        )


def _add_psycopg(project: Project) -> tuple[Edit | None, Fix | None]:
    """The safe addition of `psycopg[binary]` to the requirements file the image installs."""
    edit = add_requirement_edit(project, "psycopg[binary]")
    if edit is None:
        return None, None
    return edit, Fix(
        f"Add `psycopg[binary]` to {edit.path} (the driver of `postgresql://` on "
        "SQLAlchemy 2.1; psycopg2 stays for 2.0)",
        (edit,),
        Applicability.SAFE,
    )


def _capped_note(capped_by: list[str]) -> str:
    return (
        f"{', '.join(f'`{n}`' for n in capped_by)} may cap SQLAlchemy below 2.1; if none does, "
        "the app fails."
    )
