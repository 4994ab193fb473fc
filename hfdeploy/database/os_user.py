"""PostgreSQL URLs that name no user: the driver then asks the operating system for the name of
the user the process runs as (asyncpg through `getpass.getuser()`, psycopg and psycopg2 through
libpq), which fails with `KeyError: 'getpwuid(): uid not found: 1000'` (asyncpg) or `could not
look up local user ID 1000` (libpq) when the image has no passwd entry for uid 1000, the user a
Space runs.

Only URLs whose text settles it count: written in the app's code (not a default the environment
replaces, not a settings field's default), and either complete or an f-string whose literal start
already ends the server part (`f"postgresql+asyncpg:///{...}"`: nothing after `///` can be a
user). A `user=` query parameter or `PGUSER` in the image names one.

Public API: `urls_without_user(project) -> list[FoundUrl]`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hfdeploy.database.sources import FoundUrl, database_urls

if TYPE_CHECKING:
    from hfdeploy.project import Project

_POSTGRES = frozenset({"postgresql", "postgres"})
# Drivers that fall back to the OS user name (None: SQLAlchemy's default, psycopg2).
_DRIVERS = frozenset({None, "asyncpg", "psycopg", "psycopg2", "psycopg2cffi", "psycopg_async"})


def urls_without_user(project: Project) -> list[FoundUrl]:
    from hfdeploy.pysource.import_graph import startup_modules

    started = set(startup_modules(project))
    out = []
    for found in database_urls(project):
        url = found.url
        if found.origin != "python" or not found.deployed or found.overridable:
            continue
        if started and found.path not in started:
            continue
        if url.dialect not in _POSTGRES or url.driver not in _DRIVERS or url.user is not None:
            continue
        rest = url.text[url.scheme_end + 3 :]
        if not found.complete and "/" not in rest:
            continue  # the user may come from the part of the f-string that is not literal
        if "user=" in rest.partition("?")[2]:
            continue
        out.append(found)
    return out
