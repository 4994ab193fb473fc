"""Code edits that give an engine URL read from an unset variable a SQLite fallback under
`$DATA_DIR`, keeping PostgreSQL/MySQL working wherever `DATABASE_URL` (or its like) is set."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hfdeploy.database.dependencies import declared_names, sqlalchemy_series
from hfdeploy.database.engines import EngineCall, EnvOrigin, SettingsOrigin
from hfdeploy.database.urls import UrlParts, parse_url
from hfdeploy.diagnostics import Edit
from hfdeploy.environment.settings import SettingsField, is_str_annotation
from hfdeploy.pycode import Located, helper_edits, import_os_edit
from hfdeploy.space import DATA_DIR_ENV

if TYPE_CHECKING:
    from hfdeploy.project import Project

HELPER = "_sqlite_fallback"
LOCAL_DATA_DIR = "data"  # relative to the working directory when DATA_DIR is unset (local runs)


def scheme(is_async: bool) -> str:
    return "sqlite+aiosqlite" if is_async else "sqlite"


def helper_source(variable: str, is_async: bool) -> str:
    return (
        f"def {HELPER}() -> str:\n"
        f'    """SQLite under ${DATA_DIR_ENV}, used when {variable} is unset (as on a Hugging Face Space)."""\n'
        f'    data_dir = os.getenv("{DATA_DIR_ENV}", "{LOCAL_DATA_DIR}")\n'
        f"    os.makedirs(data_dir, exist_ok=True)\n"
        f'    return f"{scheme(is_async)}:///{{data_dir}}/app.db"\n'
    )


def settings_default(is_async: bool) -> str:
    return f"f\"{scheme(is_async)}:///{{os.getenv('{DATA_DIR_ENV}', '{LOCAL_DATA_DIR}')}}/app.db\""


def driver_available(project: Project, is_async: bool) -> bool:
    """The async fallback needs aiosqlite; the sync one only the standard library."""
    names = declared_names(project) or frozenset()
    return not is_async or bool({"aiosqlite", "sqlalchemy[aiosqlite]"} & names)


def default_url(origin: EnvOrigin | SettingsOrigin) -> UrlParts | None:
    """The literal URL a read or setting falls back to, when it names a database server."""
    default = origin.default if isinstance(origin, EnvOrigin) else origin.field.default
    if isinstance(default, ast.Constant) and isinstance(default.value, str):
        url = parse_url(default.value)
        return url if url is not None and not url.is_sqlite else None
    return None


@dataclass(frozen=True)
class UrlRules:
    """A validator of the settings class that checks or builds the URL field."""

    name: str  # the validator's function name
    rejects_sqlite: str | None  # the prefix it requires (`"postgresql://"`), if it requires one


_VALIDATORS = frozenset({"validator", "field_validator", "root_validator", "model_validator"})


def url_rules(field: SettingsField) -> UrlRules | None:
    """The app's own rule for the URL field: a `@field_validator("DATABASE_URL")` (or v1
    `@validator`) on it, or a `@model_validator`/`@root_validator` whose body names it."""
    cls = next(
        (
            n
            for n in ast.walk(field.module.tree)
            if isinstance(n, ast.ClassDef) and n.name == field.owner
        ),
        None,
    )
    if cls is None:
        return None
    for stmt in cls.body:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for deco in stmt.decorator_list:
            call = deco if isinstance(deco, ast.Call) else None
            name = _callee(call.func if call else deco)
            if name not in _VALIDATORS:
                continue
            if name in ("validator", "field_validator"):
                targets = [
                    a.value for a in (call.args if call else []) if isinstance(a, ast.Constant)
                ]
                if field.name not in targets and "*" not in targets:
                    continue
            elif not any(
                (isinstance(n, ast.Attribute) and n.attr == field.name)
                or (isinstance(n, ast.Constant) and n.value == field.name)
                for n in ast.walk(stmt)
            ):
                continue
            return UrlRules(stmt.name, _required_prefix(stmt))
    return None


def _callee(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def _required_prefix(func: ast.AST) -> str | None:
    """`"postgresql://"` when the validator tests `.startswith(<server scheme>)`."""
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and _callee(node.func) == "startswith" and node.args:
            arg = node.args[0]
            values = arg.elts if isinstance(arg, ast.Tuple) else [arg]
            prefixes = [
                v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)
            ]
            if prefixes and not any(p.startswith("sqlite") for p in prefixes):
                return " or ".join(f"`{p}`" for p in prefixes)
    return None


def env_fallback_edits(origin: EnvOrigin, is_async: bool) -> list[Edit] | None:
    """`os.getenv("X")` -> `os.getenv("X") or _sqlite_fallback()`, plus the helper."""
    module, read = origin.module, origin.read
    if isinstance(read, ast.Subscript):
        lookup = f"{module.segment(read.value)}.get({module.segment(read.slice)})"
    elif isinstance(read, ast.Call) and read.args:
        lookup = f"{module.segment(read.func)}({module.segment(read.args[0])})"
    else:
        return None
    text = f"{lookup} or {HELPER}()"
    parent = module.parent_of(read)
    bare = isinstance(parent, (ast.Assign, ast.AnnAssign, ast.keyword, ast.Return)) or (
        isinstance(parent, ast.Call) and read in parent.args
    )
    if origin.wrapped or not bare:
        text = f"({text})"
    return [
        Edit(module.path, module.span(read), text),
        *helper_edits(module, read, HELPER, helper_source(origin.variable, is_async)),
    ]


def settings_fallback_edits(
    project: Project, calls: list[EngineCall], is_async: bool
) -> list[Edit] | None:
    """Give the settings field the SQLite default and create its directory before each engine;
    None unless the field is exactly `X: str` or `X: Optional[str] = None`."""
    origin = calls[0].origin
    assert isinstance(origin, SettingsOrigin)
    field, module = origin.field, origin.field.module
    node = field.node
    nl = module.source.newline
    local_default = (
        isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and default_url(origin) is not None
        and is_str_annotation(node.annotation, optional=True)
    )
    if local_default:
        assert node.value is not None
        value_edit = Edit(module.path, module.span(node.value), settings_default(is_async))
    elif node.value is None and is_str_annotation(node.annotation):
        value_edit = Edit.insert(
            module.path, module.span(node.annotation).end, f" = {settings_default(is_async)}"
        )
    elif (
        isinstance(node.value, ast.Constant)
        and node.value.value is None
        and is_str_annotation(node.annotation, optional=True)
    ):
        value_edit = Edit(module.path, module.span(node.value), settings_default(is_async))
    else:
        return None
    indent = module.indent_of(node)
    if indent is None:
        return None
    comment = f"{indent}# Unset on a Space (no .env there): fall back to SQLite under ${DATA_DIR_ENV}.{nl}"
    edits = [Edit.insert(module.path, module.line_start(node), comment), value_edit]
    os_edit = import_os_edit(module)
    if os_edit is not None:
        edits.append(os_edit)
    for call in calls:
        url_text = url_expression(call)
        guard = None if url_text is None else directory_guard(call.module, call, url_text)
        if guard is None:
            return None
        edits.extend(guard)
    return _merge(edits)


def directory_guard(module: Located, call: EngineCall, url_text: str) -> list[Edit] | None:
    """Before the statement creating the engine: create the SQLite file's directory."""
    stmt = module.statement_of(call.call)
    if stmt is None or module.indent_of(stmt) is None:
        return None
    indent, nl = module.indent_of(stmt), module.source.newline
    guard = (
        f'{indent}if {url_text}.startswith("sqlite"):{nl}'
        f"{indent}    # SQLite does not create missing directories (the fallback lives under ${DATA_DIR_ENV}).{nl}"
        f'{indent}    os.makedirs(os.getenv("{DATA_DIR_ENV}", "{LOCAL_DATA_DIR}"), exist_ok=True){nl}{nl}'
    )
    edits = [Edit.insert(module.path, module.comment_start(stmt), guard)]
    os_edit = import_os_edit(module)
    if os_edit is not None:
        edits.append(os_edit)
    return edits


def url_expression(call: EngineCall) -> str | None:
    """Code that evaluates to the engine's URL at the call: `settings.DATABASE_URL`, or the
    module-level name an environment read is bound to."""
    origin = call.origin
    if isinstance(origin, SettingsOrigin):
        return call.module.segment(origin.access)
    return origin.holder if isinstance(origin, EnvOrigin) else None


def thread_check_edit(project: Project, call: EngineCall) -> Edit | None:
    """SQLAlchemy before 2.0 leaves sqlite3's same-thread check on, which FastAPI's thread pool
    trips ("SQLite objects created in a thread can only be used in that same thread")."""
    series = sqlalchemy_series(project)
    url_text = url_expression(call)
    if not series or not series <= {"1.3", "1.4"} or call.is_async or url_text is None:
        return None
    if any(k.arg == "connect_args" for k in call.call.keywords):
        return None
    arguments: list[ast.expr] = [*call.call.args, *(k.value for k in call.call.keywords)]
    at = max(call.module.span(a).end for a in arguments)
    return Edit.insert(
        call.module.path,
        at,
        f', connect_args={{"check_same_thread": False}} if {url_text}.startswith("sqlite") else {{}}',
    )


def _merge(edits: list[Edit]) -> list[Edit]:
    """Join insertions at one offset (two `import os` edits, a comment and a guard)."""
    merged: dict[tuple[object, int, int], Edit] = {}
    for edit in edits:
        key = (edit.path, edit.span.start, edit.span.end)
        if key in merged and edit.span.start == edit.span.end:
            if edit.replacement not in merged[key].replacement:
                merged[key] = Edit(edit.path, edit.span, merged[key].replacement + edit.replacement)
        else:
            merged[key] = edit
    return list(merged.values())
