"""Where the app creates its SQLAlchemy engines and where each engine's URL comes from: an
environment variable (with or without a fallback), a pydantic-settings field, or a literal."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.environment.reads import classify, os_bindings
from hfdeploy.environment.settings import SettingsField, settings_fields
from hfdeploy.pycode import Located, candidate_files, located, top_statement

if TYPE_CHECKING:
    from hfdeploy.project import Project

ENGINE_FUNCS = frozenset({"create_engine", "create_async_engine"})
_ENGINE_CALL = re.compile(r"\bcreate_(?:async_)?engine\b")


@dataclass(frozen=True)
class EnvOrigin:
    """The URL is read from `variable`; `unset` when nothing replaces a missing value."""

    variable: str
    module: Located
    read: ast.expr  # `os.getenv("X")`, `os.environ["X"]`, ...
    kind: str
    default: ast.expr | None
    unset: bool
    wrapped: bool  # the read is the object of a method call: `os.getenv("X").replace(...)`
    holder: str | None  # the module-level name it is assigned to, if any


@dataclass(frozen=True)
class SettingsOrigin:
    field: SettingsField
    access: ast.expr  # `settings.DATABASE_URL` as written at the call

    @property
    def unset(self) -> bool:
        default = self.field.default
        return not self.field.has_default or (
            isinstance(default, ast.Constant) and default.value in (None, "")
        )


@dataclass(frozen=True)
class LiteralOrigin:
    value: str
    holder: str | None


Origin = EnvOrigin | SettingsOrigin | LiteralOrigin


@dataclass(frozen=True)
class EngineCall:
    module: Located
    call: ast.Call
    url_arg: ast.expr
    is_async: bool
    engine_name: str | None  # `engine = create_engine(...)` at module level
    origin: Origin | None


def engine_calls(project: Project) -> list[EngineCall]:
    return project.memo("db-engine-calls", lambda: _collect(project))


def _func_name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _collect(project: Project) -> list[EngineCall]:
    calls = []
    fields = settings_fields(project)
    for module in candidate_files(project, "create_engine", "create_async_engine"):
        for node in module.nodes_matching(_ENGINE_CALL):
            if not (isinstance(node, ast.Call) and _func_name(node.func) in ENGINE_FUNCS):
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            url = node.args[0] if node.args else keywords.get("url")
            if url is None:
                continue
            stmt = top_statement(module.tree, node)
            engine_name = None
            if (
                isinstance(stmt, ast.Assign)
                and stmt.value is node
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
            ):
                engine_name = stmt.targets[0].id
            origin = url_origin(project, module, url, fields)
            calls.append(
                EngineCall(
                    module,
                    node,
                    url,
                    _func_name(node.func) == "create_async_engine",
                    engine_name,
                    origin,
                )
            )
    return calls


def url_origin(
    project: Project,
    module: Located,
    expr: ast.expr,
    fields: list[SettingsField],
    holder: str | None = None,
    depth: int = 0,
) -> Origin | None:
    if depth > 3:
        return None
    if (
        isinstance(expr, ast.Call)
        and _func_name(expr.func) in ("str", "int")  # `int(os.getenv("PORT"))`, for a port
        and len(expr.args) == 1
    ):
        expr = expr.args[0]
    os_names, environ, getenv = os_bindings(module)
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
        first = url_origin(project, module, expr.values[0], fields, holder, depth + 1)
        if isinstance(first, EnvOrigin):  # `os.getenv("X") or fallback`: never unset
            return EnvOrigin(
                first.variable,
                first.module,
                first.read,
                first.kind,
                first.default,
                False,
                first.wrapped,
                first.holder,
            )
        return first
    wrapped = False
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and classify(expr.func.value, os_names, environ, getenv) is not None
    ):
        expr, wrapped = expr.func.value, True  # `os.getenv("X").replace(...)`
    read = classify(expr, os_names, environ, getenv)
    if read is not None:
        name, kind, default = read
        unset = default is None or (
            isinstance(default, ast.Constant) and default.value in (None, "")
        )
        return EnvOrigin(name, module, expr, kind, default, unset, wrapped, holder)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return LiteralOrigin(expr.value, holder)
    if isinstance(expr, ast.Attribute):
        matches = [f for f in fields if f.name == expr.attr]
        return SettingsOrigin(matches[0], expr) if len(matches) == 1 else None
    if isinstance(expr, ast.Name):
        local = _block_value(module, expr)
        if local is None:
            local = _local_value(module, expr)
        if local is not None:
            return url_origin(project, module, local, fields, None, depth + 1)
        return _name_origin(project, module, expr.id, fields, depth)
    return None


def _block_value(module: Located, name: ast.Name) -> ast.expr | None:
    """The value assigned to `name` earlier in a block nested in the module or a function (an
    `if`/`else`, `try`, `with` or loop body) that holds its use: `if TESTING: URL = "sqlite://"
    else: URL = os.getenv(...)`, each followed by `create_engine(URL)` in its own branch."""
    node: ast.AST = name
    parent = module.parent_of(node)
    while parent is not None and not isinstance(
        parent, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    ):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if not isinstance(block, list) or not any(stmt is node for stmt in block):
                continue
            index = next(i for i, stmt in enumerate(block) if stmt is node)
            for stmt in reversed(block[:index]):
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name.id for t in stmt.targets
                ):
                    return stmt.value
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and stmt.target.id == name.id
                    and stmt.value is not None
                ):
                    return stmt.value
        node, parent = parent, module.parent_of(parent)
    return None


def _local_value(module: Located, name: ast.Name) -> ast.expr | None:
    """The value last assigned to `name` in the enclosing function, before it is used."""
    scope = module.function_of(name)
    if scope is None:
        return None
    for stmt in reversed(scope.body):
        if (
            stmt.lineno < name.lineno
            and isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == name.id
        ):
            return stmt.value
    return None


def _name_origin(
    project: Project, module: Located, name: str, fields: list[SettingsField], depth: int
) -> Origin | None:
    for stmt in reversed(module.tree.body):
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == name
        ):
            return url_origin(project, module, stmt.value, fields, name, depth + 1)
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == name
            and stmt.value is not None
        ):
            return url_origin(project, module, stmt.value, fields, name, depth + 1)
        if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.level == 0:
            for alias in stmt.names:
                if (alias.asname or alias.name) == name:
                    other = _module_for(project, stmt.module)
                    return (
                        None
                        if other is None
                        else _name_origin(project, other, alias.name, fields, depth + 1)
                    )
    return None


def _module_for(project: Project, dotted: str) -> Located | None:
    base = PurePosixPath(*dotted.split("."))
    for candidate in (
        base.with_suffix(".py"),
        base / "__init__.py",
        PurePosixPath("src") / base.with_suffix(".py"),
    ):
        if project.exists(candidate):
            return located(project, candidate)
    return None


_URL_NAME = re.compile(
    r"^(?:[A-Z0-9]+_)*(?:DATABASE|DB|SQLALCHEMY_DATABASE|POSTGRES|PG|MYSQL|SQLITE)_(?:URL|URI|DSN)$"
)


def named_like_database_url(name: str) -> bool:
    """`DATABASE_URL`, `SQLALCHEMY_DATABASE_URI`, `DB_DSN`, `POSTGRES_URL`: a variable whose name
    says it holds a database URL, when no engine call could be traced to it."""
    return bool(_URL_NAME.match(name.upper())) or name.upper() in ("DATABASE_URL", "DATABASE_URI")


def url_variables(project: Project) -> dict[str, bool]:
    """Variables the app uses as a database URL -> whether the engine is async: each one an
    engine's URL is read from, and each `.env`-style key whose value is a database URL."""

    def collect() -> dict[str, bool]:
        from hfdeploy.database.sources import database_urls

        found: dict[str, bool] = {}
        for call in engine_calls(project):
            origin = call.origin
            if isinstance(origin, EnvOrigin):
                found[origin.variable] = found.get(origin.variable, False) or call.is_async
            elif isinstance(origin, SettingsOrigin):
                name = origin.field.env_name
                found[name] = found.get(name, False) or call.is_async
        for url in database_urls(project):
            if url.origin == "env" and url.name and url.name not in found:
                found[url.name] = "+aiosqlite" in url.url.text or "+asyncpg" in url.url.text
        return found

    return project.memo("db-url-variables", collect)


@dataclass(frozen=True)
class ModelBase:
    """What holds the models' metadata: `Base = declarative_base()`, `class Base(DeclarativeBase)`,
    or SQLModel (`SQLModel.metadata`), and the module that binds it."""

    module: Located
    name: str  # "Base", "SQLModel"
    imported_from: str | None = None  # "sqlmodel" when the name comes from the library


def model_bases(project: Project) -> list[ModelBase]:
    def collect() -> list[ModelBase]:
        found: list[ModelBase] = []
        for module in candidate_files(project, "declarative_base", "DeclarativeBase", "SQLModel"):
            for stmt in module.tree.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Call)
                    and _func_name(stmt.value.func) == "declarative_base"
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                ):
                    found.append(ModelBase(module, stmt.targets[0].id))
                elif isinstance(stmt, ast.ClassDef) and any(
                    _func_name(b) == "DeclarativeBase" for b in stmt.bases
                ):
                    found.append(ModelBase(module, stmt.name))
                elif (
                    isinstance(stmt, ast.ClassDef)
                    and any(_func_name(b) == "SQLModel" for b in stmt.bases)
                    and any(k.arg == "table" for k in stmt.keywords)
                    and not any(b.name == "SQLModel" for b in found)
                ):
                    found.append(ModelBase(module, "SQLModel", "sqlmodel"))
        return found

    return project.memo("db-model-bases", collect)
