"""Who reads a database URL: SQLAlchemy engines (which pick a default driver for `postgresql://`
and `mysql://`) or clients that take the URL as it is (`asyncpg.connect`, `asyncpg.create_pool`,
`databases.Database`), and URLs only written in a property that nothing reads."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from hfdeploy.database.engines import (
    EnvOrigin,
    LiteralOrigin,
    Origin,
    SettingsOrigin,
    engine_calls,
    url_origin,
)
from hfdeploy.database.sources import FoundUrl, is_test_file
from hfdeploy.environment.settings import settings_fields
from hfdeploy.pycode import candidate_files, located

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Callables that accept `postgresql://` as it is: asyncpg's own, and `databases` (asyncpg).
_DIRECT_CLIENTS = frozenset({"create_pool", "connect", "Database"})
_DIRECT_CALL = re.compile(r"\b(?:create_pool|connect|Database)\(")
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "computed_field"})


def _names(origin: Origin | None) -> set[str]:
    if isinstance(origin, EnvOrigin):
        return {origin.variable, *([origin.holder] if origin.holder else [])}
    if isinstance(origin, SettingsOrigin):
        return {origin.field.name, origin.field.env_name}
    if isinstance(origin, LiteralOrigin):
        return {origin.value, *([origin.holder] if origin.holder else [])}
    return set()


def engine_url_names(project: Project) -> set[str]:
    """Variables, settings fields, module names and literal URLs that reach an engine."""
    return project.memo(
        "db-engine-url-names", lambda: {n for c in engine_calls(project) for n in _names(c.origin)}
    )


def direct_client_names(project: Project) -> set[str]:
    """The same, for URLs passed to asyncpg or `databases` (no SQLAlchemy default driver)."""

    def collect() -> set[str]:
        names: set[str] = set()
        fields = settings_fields(project)
        for module in candidate_files(project, "asyncpg", "databases"):
            if "import asyncpg" not in module.text and "databases" not in module.text:
                continue
            for node in module.nodes_matching(_DIRECT_CALL):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name not in _DIRECT_CLIENTS:
                    continue
                owner = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
                if name != "Database" and "asyncpg" not in owner:
                    continue
                keywords = {k.arg: k.value for k in node.keywords if k.arg}
                arg = node.args[0] if node.args else keywords.get("dsn") or keywords.get("url")
                if arg is not None:
                    names |= _names(url_origin(project, module, arg, fields))
        return names

    return project.memo("db-direct-client-names", collect)


def only_outside_sqlalchemy(project: Project, found: FoundUrl) -> bool:
    """True when a driverless URL never reaches SQLAlchemy: it reaches only an asyncpg or
    `databases` client, or it is written in a property that nothing reads."""
    keys = {found.name, found.url.text} - {None}
    engines = engine_url_names(project)
    if keys & engines:
        return False
    if keys & direct_client_names(project):
        return True
    return found.origin == "python" and _in_unused_property(project, found)


def _in_unused_property(project: Project, found: FoundUrl) -> bool:
    module = located(project, found.path)
    if module is None:
        return False
    line = module.text.count("\n", 0, found.written.start) + 1
    for node in ast.walk(module.tree):
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.lineno <= line <= (node.end_lineno or node.lineno)
            and any(
                (d.id if isinstance(d, ast.Name) else getattr(d, "attr", None))
                in _PROPERTY_DECORATORS
                for d in node.decorator_list
            )
        ):
            # A test that reads it (`config.dsn_sync` in tests/) is not the app reading it.
            used = re.compile(rf"\.{re.escape(node.name)}\b")
            return not any(
                used.search(text) for path, text in project.python_texts() if not is_test_file(path)
            )
    return False
