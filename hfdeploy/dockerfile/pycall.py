"""`uvicorn.run(...)` / `uvicorn.Config(...)` in the Python file a Dockerfile CMD runs
(`python main.py`): its host, port and reload arguments as editable settings."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Span
from hfdeploy.dockerfile.server_model import Server, Setting

if TYPE_CHECKING:
    from hfdeploy.project import Project
from hfdeploy.source import SourceFile

_ENTRY_POINTS = ("run", "Config")


def char_offset(source: SourceFile, line: int, col_bytes: int) -> int:
    """str offset of an ast position (1-based line, UTF-8 byte column)."""
    start = source.offset_of_line(line)
    end = source.text.find("\n", start)
    text = source.text[start : len(source.text) if end == -1 else end]
    return start + len(text.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))


def node_span(source: SourceFile, node: ast.expr | ast.keyword) -> Span:
    assert node.end_lineno is not None and node.end_col_offset is not None
    return Span(
        char_offset(source, node.lineno, node.col_offset),
        char_offset(source, node.end_lineno, node.end_col_offset),
    )


def _is_uvicorn_call(node: ast.Call, imported: set[str]) -> bool:
    func = node.func
    if isinstance(func, ast.Attribute):
        return (
            isinstance(func.value, ast.Name)
            and func.value.id == "uvicorn"
            and func.attr in _ENTRY_POINTS
        )
    return isinstance(func, ast.Name) and func.id in imported


def _imported_names(tree: ast.Module) -> set[str]:
    """Local names bound by `from uvicorn import run` (or `Config`)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "uvicorn":
            names.update(a.asname or a.name for a in node.names if a.name in _ENTRY_POINTS)
    return names


def _literal(source: SourceFile, node: ast.expr) -> Setting | None:
    """A str/int literal, or the default of `os.environ.get("X", d)` / `os.getenv("X", d)`,
    possibly wrapped in `int(...)`."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("int", "str")
        and len(node.args) == 1
    ):
        return _literal(source, node.args[0])
    if isinstance(node, ast.Call) and len(node.args) == 2 and _is_env_read(node.func):
        return _literal(source, node.args[1])
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (str, int))
        and not isinstance(node.value, bool)
    ):
        kind = "py-str" if isinstance(node.value, str) else "py-int"
        return Setting(str(node.value), node_span(source, node), kind=kind)
    return None


def _argument(
    project: Project, path: PurePosixPath, source: SourceFile, keyword: ast.keyword | None
) -> Setting | None:
    if keyword is None:
        return None
    found = _literal(source, keyword.value)
    origin = _environment_origin(project, path, keyword.value)
    if origin is not None:
        variable, default = origin
        if found is not None:  # `int(os.getenv("PORT", 8000))`: the default is in the call
            return replace(found, variable=variable)
        span = node_span(source, keyword.value)
        if default is None:
            return Setting("", span, kind="py-env", variable=variable)
        if isinstance(default, ast.Constant) and isinstance(default.value, (str, int)):
            if not isinstance(default.value, bool):
                return Setting(str(default.value), span, kind="py-env", variable=variable)
    if found is None:  # a variable or expression: known to be set, value unknown
        return Setting(ast.unparse(keyword.value), node_span(source, keyword.value), kind="unknown")
    return found


def _environment_origin(
    project: Project, path: PurePosixPath, node: ast.expr
) -> tuple[str, ast.expr | None] | None:
    """(variable, the code's default or None) when the value is read from one environment
    variable: directly (`int(os.getenv("PORT"))`, `os.environ["PORT"]`), through a name
    assigned from one, or a pydantic-settings field. Asked of the database domain's
    `url_origin`, the one reader of where an expression's value comes from. None when it is
    not, or when a fallback other than a default hides the value (`os.getenv("P") or 80`)."""
    from hfdeploy.database.engines import EnvOrigin, SettingsOrigin, url_origin
    from hfdeploy.environment.settings import settings_fields
    from hfdeploy.pycode import located

    module = located(project, path)
    if module is None:
        return None
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("int", "str")
        and len(node.args) == 1
    ):
        node = node.args[0]
    origin = url_origin(project, module, node, settings_fields(project))
    if isinstance(origin, EnvOrigin):
        if not origin.unset and origin.default is None:
            return None  # `os.getenv("PORT") or 8000`
        if origin.wrapped:
            return None
        default = origin.default
        if isinstance(default, ast.Constant) and default.value is None:
            default = None
        return origin.variable, default
    if isinstance(origin, SettingsOrigin):
        return origin.field.env_name, origin.field.default if origin.field.has_default else None
    return None


def _is_env_read(func: ast.expr) -> bool:
    text = ast.unparse(func)
    return text in ("os.environ.get", "os.getenv", "environ.get", "getenv")


def find_run_call(project: Project, path: PurePosixPath) -> Server | None:
    source = project.source(path)
    if source is None or "uvicorn" not in source.text:
        return None
    tree = project.python_ast(path)
    if tree is None:
        return None
    imported = _imported_names(tree)
    calls = (n for n in ast.walk(tree) if isinstance(n, ast.Call))
    for node in calls:
        if not _is_uvicorn_call(node, imported):
            continue
        keywords = {k.arg: k for k in node.keywords if k.arg}
        host = _argument(project, path, source, keywords.get("host"))
        port = _argument(project, path, source, keywords.get("port"))
        pieces: list[ast.expr | ast.keyword] = [*node.args, *node.keywords]
        reload = None
        flag = keywords.get("reload")
        if flag is not None and isinstance(flag.value, ast.Constant) and flag.value.value is True:
            position = pieces.index(flag)
            kw_span = node_span(source, flag)
            # Remove it with the comma before it: `run(app, reload=True)` -> `run(app)`.
            start = node_span(source, pieces[position - 1]).end if position else kw_span.start
            reload = Setting("reload=True", kw_span, Span(start, kw_span.end))
        insert_at = node_span(source, pieces[-1]).end if pieces else node_span(source, node).end - 1
        name = "uvicorn." + ast.unparse(node.func).rsplit(".", 1)[-1]
        first = node.args[0] if node.args else keywords.get("app")
        app = (
            _literal(source, first.value if isinstance(first, ast.keyword) else first)
            if first
            else None
        )
        return Server(
            tool="uvicorn.run",
            path=path,
            origin=f"{path} {name}()",
            form="python",
            host=host,
            port=port,
            reload=reload,
            app=app if app is not None and app.kind == "py-str" else None,
            default_host="127.0.0.1",
            default_port=8000,
            insert_at=insert_at,
            start=node_span(source, node).start,
            settings_known=not any(k.arg is None for k in node.keywords),  # no **options
        )
    return None
