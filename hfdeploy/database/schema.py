"""The app's ORM schema: its declarative bases and table classes, whether the code creates the
tables itself (`metadata.create_all`, raw `CREATE TABLE`), and the database an engine gets on a
Space (SQLite: a new, empty file unless something creates the tables)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.database.engines import (
    EngineCall,
    EnvOrigin,
    LiteralOrigin,
    SettingsOrigin,
    engine_calls,
)
from hfdeploy.database.fallback import HELPER
from hfdeploy.database.sources import is_test_file, unreachable_host
from hfdeploy.database.urls import parse_url
from hfdeploy.pycode import Located, candidate_files, module_name

if TYPE_CHECKING:
    from hfdeploy.project import Project

_CLASS = re.compile(r"^[ \t]*class[ \t]", re.MULTILINE)
_BASE_ASSIGN = re.compile(r"\bdeclarative_base\b")
_CREATES = re.compile(r"\bcreate_all\b|CREATE TABLE|\bcommand\.upgrade\(", re.IGNORECASE)
_DECLARATIVE = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})


@dataclass(frozen=True)
class Base:
    """Where `metadata.create_all` can be called: `Base` (SQLAlchemy) or `SQLModel`."""

    name: str
    module: str  # dotted module to import it from ("sqlmodel" for SQLModel)


@dataclass(frozen=True)
class Schema:
    bases: tuple[Base, ...]
    table_modules: tuple[PurePosixPath, ...]  # files that define table classes
    created: bool  # something in the code creates tables already
    names: tuple[str, ...] = ()  # the tables' `__tablename__`s, as written


def _base_names(node: ast.ClassDef) -> list[str]:
    return [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]


def schema(project: Project) -> Schema:
    def collect() -> Schema:
        bases: dict[str, Base] = {}
        tables: set[PurePosixPath] = set()
        table_names: list[str] = []
        created = False
        for module in candidate_files(
            project,
            "__tablename__",
            "table=True",
            "declarative_base",
            "DeclarativeBase",
            "create_all",
            "CREATE TABLE",
        ):
            if is_test_file(module.path):
                continue
            if _CREATES.search(module.text):
                created = True
            dotted = module_name(module.path)
            for node in module.tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if (
                        isinstance(target, ast.Name)
                        and isinstance(node.value, ast.Call)
                        and _BASE_ASSIGN.search(ast.unparse(node.value.func))
                        and dotted
                    ):
                        bases[target.id] = Base(target.id, dotted)
            classes = [n for n in ast.walk(module.tree) if isinstance(n, ast.ClassDef)]
            for node in classes:
                names = _base_names(node)
                if _DECLARATIVE & set(names) and dotted and node in module.tree.body:
                    bases[node.name] = Base(node.name, dotted)
                if any(k.arg == "table" for k in node.keywords) and "sqlmodel" in module.text:
                    bases.setdefault("SQLModel", Base("SQLModel", "sqlmodel"))
                    tables.add(module.path)
                else:
                    named = [
                        s
                        for s in node.body
                        if isinstance(s, ast.Assign)
                        and any(
                            isinstance(t, ast.Name) and t.id == "__tablename__" for t in s.targets
                        )
                    ]
                    if named:
                        tables.add(module.path)
                    table_names.extend(
                        s.value.value
                        for s in named
                        if isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)
                    )
        return Schema(
            tuple(bases.values()),
            tuple(sorted(tables, key=str)),
            created,
            tuple(dict.fromkeys(table_names)),
        )

    return project.memo("db-schema", collect)


def sqlite_on_space(project: Project, call: EngineCall) -> str | None:
    """Why the engine gets a SQLite database on a Space (None when it may get a server): its URL
    is a SQLite literal or default, or unset / a local server (the SQLite fallback of DB003/DB010)."""
    origin = call.origin
    if isinstance(origin, LiteralOrigin):
        url = parse_url(origin.value)
        return f"its URL is `{origin.value}`" if url is not None and url.is_sqlite else None
    if isinstance(origin, (EnvOrigin, SettingsOrigin)):
        if origin.unset:
            return "its URL is unset there, so it gets the SQLite fallback of DB003"
        if (
            isinstance(origin, EnvOrigin)
            and origin.default is None
            and HELPER in origin.module.text
        ):
            return f"its URL falls back to SQLite through `{HELPER}()`"
        default = origin.default if isinstance(origin, EnvOrigin) else origin.field.default
        if isinstance(default, ast.JoinedStr):
            default = default.values[0] if default.values else None
        if isinstance(default, ast.Constant) and isinstance(default.value, str):
            url = parse_url(default.value)
            if url is not None and url.is_sqlite:
                return (
                    f"its URL defaults to `{default.value.split('{', 1)[0]}...`"
                    if "{" in default.value
                    else f"its URL defaults to `{default.value}`"
                )
            if url is not None and unreachable_host(project, url):
                return "its default URL names a server a Space does not have, so it gets the SQLite fallback of DB010"
    return None


def committed_database(project: Project, call: EngineCall) -> bool:
    """A SQLite file the repository ships (it may hold the tables already)."""
    origin = call.origin
    value = origin.value if isinstance(origin, LiteralOrigin) else None
    if value is None:
        return any(p.suffix in (".db", ".sqlite", ".sqlite3") for p in project.files())
    url = parse_url(value)
    return bool(url and url.database and project.exists(url.database.removeprefix("./")))


def is_fallback(why: str) -> bool:
    """The SQLite database comes from a fallback (an unset URL or a local-server default): a
    Space secret naming a server that has the tables would avoid the failure."""
    return "fallback" in why


def engines_needing_schema(project: Project) -> list[tuple[EngineCall, str]]:
    return [
        (call, why)
        for call in engine_calls(project)
        if not is_test_file(call.module.path)
        and (why := sqlite_on_space(project, call)) is not None
        and not committed_database(project, call)
    ]


# -- where the code creates the schema, and whether that code ever runs ----------------------
_CONTEXT_MANAGERS = frozenset({"asynccontextmanager", "contextmanager"})


@dataclass(frozen=True)
class Creation:
    """Code that creates tables: `metadata.create_all` (called, or handed to `run_sync`), a
    `CREATE TABLE` statement, or Alembic's `command.upgrade(...)`."""

    module: Located
    node: ast.AST
    function: ast.FunctionDef | ast.AsyncFunctionDef | None  # the top-level function it is in
    used: bool  # module-level code, a method, or a function something uses

    @property
    def what(self) -> str:
        if isinstance(self.node, ast.Attribute):
            return f"{ast.unparse(self.node)}"
        if isinstance(self.node, ast.Call):
            return f"{ast.unparse(self.node.func)}(...)"
        return "CREATE TABLE"

    @property
    def lifespan(self) -> bool:
        """The function is a context manager: a lifespan the app was meant to be given."""
        return self.function is not None and any(
            _decorator_name(d) in _CONTEXT_MANAGERS for d in self.function.decorator_list
        )


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _creates(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "create_all":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        func = node.func
        if (
            func.attr == "upgrade"
            and isinstance(func.value, ast.Name)
            and func.value.id == "command"
        ):
            return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search(r"\bCREATE\s+TABLE\b", node.value, re.IGNORECASE) is not None
    )


def schema_creations(project: Project) -> list[Creation]:
    """Every place the app's code (not its tests, not its Alembic revisions) creates tables,
    and whether it runs: code in a top-level function runs only when that function is used —
    decorated (`@app.on_event("startup")`, a route), or named anywhere else (called, passed as
    `lifespan=`, imported, run by the image's start command). A context manager's decorator
    alone does not use it."""

    def collect() -> list[Creation]:
        from hfdeploy.database.alembic import alembic_setups

        scripts = [v for s in alembic_setups(project) if s.env for v in s.versions]
        found: list[Creation] = []
        for module in candidate_files(
            project, "create_all", "CREATE TABLE", "create table", "upgrade"
        ):
            path = module.path
            if is_test_file(path) or any(path.is_relative_to(d) for d in scripts):
                continue
            for stmt in module.tree.body:
                nodes = [n for n in ast.walk(stmt) if _creates(n)]
                if not nodes:
                    continue
                function = (
                    stmt if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
                )
                used = function is None or _function_used(project, module, function)
                found += [Creation(module, n, function, used) for n in nodes]
        return found

    return project.memo("db-schema-creations", collect)


def _function_used(
    project: Project, module: Located, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> bool:
    name = function.name
    if any(_decorator_name(d) not in _CONTEXT_MANAGERS for d in function.decorator_list):
        return True  # a handler or a route: the framework calls it
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Name) and node.id == name:
            return True
        if isinstance(node, ast.Attribute) and node.attr == name:
            return True
    others = [p for p in project.files_mentioning(name) if p != module.path]
    if any(not is_test_file(p) for p in others):
        return True
    from hfdeploy.database.start import image_start

    start = image_start(project)
    return start is not None and re.search(rf"\b{re.escape(name)}\b", start.text) is not None


def creates_schema(project: Project) -> bool:
    """Code that runs creates tables or applies the migrations."""
    return any(c.used for c in schema_creations(project))
