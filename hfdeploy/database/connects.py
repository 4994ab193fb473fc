"""Where the app connects to a database server through a driver's own call instead of an engine
URL: `pymysql.connect(host=..., user=...)`, `aiomysql.create_pool(...)`, `asyncpg.connect(...)`.

Each call speaks one server family (its driver says which) and takes the server's address as
keywords: host, port, user, password and database (each driver spells some of them its own way:
`passwd`, `db`, `dbname`). The data flow of each keyword to the environment is the inputs
module's; this one only finds the calls, resolving the driver through the module's imports
(`import pymysql`, `import aiomysql as db`, `from mysql import connector`,
`from asyncpg import create_pool`)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hfdeploy.pycode import Located, candidate_files

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class Driver:
    family: str  # "mysql", "postgresql"
    name: str  # SQLAlchemy's name for it: "pymysql", "aiomysql", "asyncpg"
    is_async: bool


_PYMYSQL = Driver("mysql", "pymysql", False)
_AIOMYSQL = Driver("mysql", "aiomysql", True)
_MYSQLDB = Driver("mysql", "mysqldb", False)
_CONNECTOR = Driver("mysql", "mysqlconnector", False)
_ASYNCMY = Driver("mysql", "asyncmy", True)
_ASYNCPG = Driver("postgresql", "asyncpg", True)
_PSYCOPG2 = Driver("postgresql", "psycopg2", False)
_PSYCOPG = Driver("postgresql", "psycopg", False)
# The dotted name of each connecting callable (as the driver's package exports it) -> its driver.
CONNECTS: dict[str, Driver] = {
    "pymysql.connect": _PYMYSQL,
    "pymysql.Connect": _PYMYSQL,
    "pymysql.Connection": _PYMYSQL,
    "pymysql.connections.Connection": _PYMYSQL,
    "aiomysql.connect": _AIOMYSQL,
    "aiomysql.create_pool": _AIOMYSQL,
    "MySQLdb.connect": _MYSQLDB,
    "MySQLdb.Connect": _MYSQLDB,
    "MySQLdb.Connection": _MYSQLDB,
    "mysql.connector.connect": _CONNECTOR,
    "mysql.connector.pooling.MySQLConnectionPool": _CONNECTOR,
    "mysql.connector.aio.connect": Driver("mysql", "mysqlconnector", True),
    "asyncmy.connect": _ASYNCMY,
    "asyncmy.create_pool": _ASYNCMY,
    "asyncpg.connect": _ASYNCPG,
    "asyncpg.create_pool": _ASYNCPG,
    "psycopg2.connect": _PSYCOPG2,
    "psycopg.connect": _PSYCOPG,
    "psycopg.Connection.connect": _PSYCOPG,
    "psycopg.AsyncConnection.connect": Driver("postgresql", "psycopg", True),
    "psycopg_pool.ConnectionPool": _PSYCOPG,
}
# Keyword -> the part of the server's address it names (every driver above takes these).
KEYWORD_PARTS: dict[str, str] = {
    "host": "host",
    "port": "port",
    "user": "user",
    "password": "password",
    "passwd": "password",
    "db": "database",
    "database": "database",
    "dbname": "database",
}
_PACKAGES = tuple(sorted({name.split(".")[0] for name in CONNECTS}))


@dataclass(frozen=True)
class DriverCall:
    module: Located
    call: ast.Call
    function: str  # as the driver exports it: "aiomysql.create_pool"
    driver: Driver
    parts: tuple[tuple[str, ast.expr], ...]  # (part, the expression passed for it)

    @property
    def has_port(self) -> bool:
        return any(part == "port" for part, _expr in self.parts)


def driver_calls(project: Project) -> list[DriverCall]:
    return project.memo("db-driver-calls", lambda: _collect(project))


def _collect(project: Project) -> list[DriverCall]:
    found = []
    for module in candidate_files(project, *_PACKAGES):
        bindings = _bindings(module.tree)
        if not bindings:
            continue
        # the lines that name what the imports bind (`aiomysql.create_pool(`, `open_db(`)
        uses = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(bindings))) + r")\b")
        for node in module.nodes_matching(uses):
            if not isinstance(node, ast.Call):
                continue
            function = _dotted(node.func, bindings) or ""
            driver = CONNECTS.get(function)
            if driver is None:
                continue
            parts = tuple(
                (KEYWORD_PARTS[k.arg], k.value) for k in node.keywords if k.arg in KEYWORD_PARTS
            )
            if parts:
                found.append(DriverCall(module, node, function, driver, parts))
    return found


def _bindings(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted name it binds, for imports of the drivers' packages."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in _PACKAGES:
                    continue
                if alias.asname:
                    out[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]  # `import mysql.connector` binds `mysql`
                    out[top] = top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] not in _PACKAGES:
                continue
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


def _dotted(func: ast.expr, bindings: dict[str, str]) -> str | None:
    attrs: list[str] = []
    while isinstance(func, ast.Attribute):
        attrs.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in bindings:
        return None
    return ".".join([bindings[func.id], *reversed(attrs)])
