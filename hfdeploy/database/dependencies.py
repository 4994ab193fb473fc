"""Which database drivers the project declares, read through the requirements domain's
`dependency_set`, and which driver module a URL needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hfdeploy.database.urls import UrlParts

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class Driver:
    module: str  # what SQLAlchemy imports
    suggestion: str  # what to add to the requirements
    provided_by: frozenset[str]  # distributions (canonical names, `dist[extra]` for extras)


def _driver(module: str, suggestion: str, *dists: str) -> Driver:
    return Driver(module, suggestion, frozenset(dists))


DRIVERS = {
    "psycopg2": _driver(
        "psycopg2",
        "psycopg2-binary",
        "psycopg2",
        "psycopg2-binary",
        "psycopg2cffi",
        "sqlalchemy[postgresql]",
        "sqlalchemy[postgresql-psycopg2binary]",
    ),
    "psycopg": _driver(
        "psycopg",
        "psycopg[binary]",
        "psycopg",
        "sqlalchemy[postgresql-psycopg]",
        "sqlalchemy[postgresql-psycopgbinary]",
    ),
    "asyncpg": _driver(
        "asyncpg",
        "asyncpg",
        "asyncpg",
        "sqlalchemy[postgresql-asyncpg]",
        "databases[asyncpg]",
        "databases[postgresql]",
    ),
    "pg8000": _driver("pg8000", "pg8000", "pg8000", "sqlalchemy[postgresql-pg8000]"),
    "mysqldb": _driver("MySQLdb", "mysqlclient", "mysqlclient", "sqlalchemy[mysql]"),
    "pymysql": _driver("pymysql", "PyMySQL", "pymysql", "sqlalchemy[pymysql]", "databases[mysql]"),
    "aiomysql": _driver("aiomysql", "aiomysql", "aiomysql", "databases[aiomysql]"),
    "asyncmy": _driver(
        "asyncmy", "asyncmy", "asyncmy", "sqlalchemy[mysql-asyncmy]", "databases[asyncmy]"
    ),
    "mysqlconnector": _driver(
        "mysql.connector",
        "mysql-connector-python",
        "mysql-connector-python",
        "sqlalchemy[mysql-connector]",
    ),
    "aiosqlite": _driver(
        "aiosqlite",
        "aiosqlite",
        "aiosqlite",
        "sqlalchemy[aiosqlite]",
        "databases[aiosqlite]",
        "databases[sqlite]",
    ),
}
# `dialect://` without `+driver` (SQLAlchemy's default driver); postgresql depends on the version.
DEFAULT_DRIVERS = {
    "mysql": "mysqldb",
    "mariadb": "mysqldb",
    "sqlite": None,
    "cockroachdb": "psycopg2",
}


def declared_names(project: Project) -> frozenset[str] | None:
    """Canonical names (and `name[extra]` forms) the image installs; None when the project declares
    no dependencies at all or they cannot be read."""

    def collect() -> frozenset[str] | None:
        try:
            from hfdeploy.requirements.declared import dependency_set

            deps = dependency_set(project)
            if deps.install_file is None:
                return None
            names: set[str] = set()
            for req in deps.direct:
                names.add(str(req.key))
                names |= {f"{req.key}[{canonicalize_name(e)}]" for e in req.extras}
            return frozenset(names)
        except (ImportError, AttributeError):  # the requirements API changed: skip, do not crash
            return None

    return project.memo("db-declared-names", collect)


# A release of each SQLAlchemy series, to ask a declared specifier which series it allows.
_SERIES = {"1.3": "1.3.24", "1.4": "1.4.54", "2.0": "2.0.40", "2.1": "2.1.9"}


def sqlalchemy_series(project: Project) -> frozenset[str] | None:
    """The SQLAlchemy series ("1.4", "2.0", "2.1", ...) the declared specifier allows; None when
    SQLAlchemy is not declared with a version."""
    try:
        from hfdeploy.requirements.declared import dependency_set

        requirements = dependency_set(project).direct
    except (ImportError, AttributeError):
        return None
    for req in requirements:
        if req.key == "sqlalchemy" and str(req.specifier):
            allowed = frozenset(
                s for s, v in _SERIES.items() if req.specifier.contains(v, prereleases=True)
            )
            return allowed or None
    return None


def sqlalchemy_allows_21(project: Project) -> bool:
    """True when `sqlalchemy` is declared unpinned or with a specifier that allows 2.1: pip then
    installs 2.1, whose `postgresql://` means psycopg (3), unless another requirement caps it."""
    try:
        from hfdeploy.requirements.declared import dependency_set
        from hfdeploy.requirements.lock import locked_version

        requirements = dependency_set(project).direct
        locked = locked_version(project, "sqlalchemy")
    except (ImportError, AttributeError):
        return False
    if locked is not None and _image_installs_lock(project):  # the image installs that lock
        try:
            return Version(locked) >= Version("2.1.0a0")
        except InvalidVersion:
            return False
    for req in requirements:
        if req.key == "sqlalchemy":
            return not str(req.specifier) or "2.1" in (sqlalchemy_series(project) or ())
    return False


def _image_installs_lock(project: Project) -> bool:
    """Whether the image installs hfdeploy's requirements.lock (a lock it does not install
    says nothing about the SQLAlchemy it gets)."""
    try:
        from hfdeploy.image import image
        from hfdeploy.requirements.lock import LOCK_FILE
    except ImportError:
        return True
    return image(project).installs_file(LOCK_FILE)


def sqlalchemy_tool_lock(project: Project) -> str | None:
    """`poetry.lock pins SQLAlchemy 2.0.41` when a Poetry/uv/PDM lock pins a release below 2.1."""
    try:
        from hfdeploy.requirements.lock import tool_locked_version
    except ImportError:
        return None
    found = tool_locked_version(project, "sqlalchemy")
    if found is None:
        return None
    path, version = found
    try:
        from hfdeploy.image import image

        if not image(project).installs_file(path):
            return None  # the image installs another source: the lock does not hold it back
    except ImportError:
        pass
    try:
        below = Version(version) < Version("2.1.0a0")
    except InvalidVersion:
        return None
    return f"{path} pins SQLAlchemy {version}" if below else None


def sqlalchemy_dependents(project: Project) -> list[str]:
    """Other declared requirements that depend on SQLAlchemy and may cap its version."""
    names = declared_names(project) or frozenset()
    return sorted(
        {
            n.split("[", 1)[0]
            for n in names
            if n.split("[", 1)[0] != "sqlalchemy"
            and ("sqlalchemy" in n or n.split("[", 1)[0] in _SQLALCHEMY_USERS)
        }
    )


_SQLALCHEMY_USERS = frozenset({"sqlmodel", "databases", "alembic-utils", "sqladmin", "fastcrud"})


def needed_drivers(url: UrlParts, series: frozenset[str] | None) -> list[Driver]:
    """Drivers of which one must be installed (several when the SQLAlchemy version is unknown)."""
    if url.driver:
        driver = DRIVERS.get(url.driver.lower())
        return [driver] if driver else []
    if url.dialect in ("postgres", "postgresql"):
        if series is not None and series == frozenset({"2.1"}):
            return [DRIVERS["psycopg"]]
        if series and "2.1" not in series:
            return [DRIVERS["psycopg2"]]
        return [DRIVERS["psycopg2"], DRIVERS["psycopg"]]
    default = DEFAULT_DRIVERS.get(url.dialect)
    return [DRIVERS[default]] if default else []
