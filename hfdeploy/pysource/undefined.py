"""Names a module uses at import time without defining or importing them: a `NameError` as
soon as the server imports it.

pyflakes, the maintained standard for this analysis, finds the undefined names (with scoping,
builtins, star imports, `__all__`, conditional and `try` imports). This module keeps only the
uses that run when the module is imported: module and class bodies, decorators, default
values, base classes, and annotations unless they are deferred (`from __future__ import
annotations`, or Python 3.14 and newer)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyflakes import checker, messages

if TYPE_CHECKING:
    from pathlib import PurePosixPath

    from hfdeploy.project import Project

# Modules that define names in ways no static analysis sees: writing to globals(), builtins,
# exec. Their undefined names are not reported.
_DYNAMIC = re.compile(
    r"\bglobals\(\)|\bvars\(\)|\blocals\(\)|__builtins__|\bbuiltins\.|\bexec\(|sys\.modules\["
)
_HANDLED = frozenset({"NameError", "Exception", "BaseException"})
# Builtins of any Python a Space may run, whichever Python runs hfdeploy.
_LATER_BUILTINS = (
    "ExceptionGroup",
    "BaseExceptionGroup",
    "EncodingWarning",
    "aiter",
    "anext",
    "PythonFinalizationError",
)


@dataclass(frozen=True)
class UndefinedName:
    name: str
    line: int  # 1-based
    column: int  # 0-based, in UTF-8 bytes (ast's col_offset)
    certain: bool  # runs on every import (False: under an `if`, in a loop)


_INJECTED = (
    re.compile(r"\bbuiltins\.(\w+)\s*=(?!=)"),
    re.compile(r"setattr\(\s*builtins\s*,\s*[\"'](\w+)[\"']"),
    re.compile(r"__builtins__\[\s*[\"'](\w+)[\"']\s*\]\s*=(?!=)"),
)
_GETTEXT_INSTALL = re.compile(r"\.install\(")


def injected_builtins(project: Project) -> frozenset[str]:
    """Names some module of the project adds to `builtins` for all the others (`builtins.X =
    ...`, `gettext.install()` adds `_`)."""

    def collect() -> frozenset[str]:
        names: set[str] = set()
        for _path, text in project.python_texts():
            if "builtins" in text:
                for pattern in _INJECTED:
                    names.update(pattern.findall(text))
            if "gettext" in text and _GETTEXT_INSTALL.search(text):
                names.update({"_", "ngettext", "gettext", "pgettext", "npgettext"})
        return frozenset(names)

    return project.memo(("pysource", "injected_builtins"), collect)


def undefined_at_import(
    project: Project, path: PurePosixPath, deferred_annotations: bool
) -> list[UndefinedName]:
    tree = project.python_ast(path)
    text = project.text(path)
    if tree is None or text is None or _DYNAMIC.search(text):
        return []
    flagged: dict[tuple[int, int], str] = {}
    for message in _pyflakes(tree, path, injected_builtins(project)):
        if type(message) is messages.UndefinedName:
            flagged[(message.lineno, message.col)] = message.message_args[0]
    if not flagged:
        return []
    deferred = deferred_annotations or any(
        isinstance(s, ast.ImportFrom)
        and s.module == "__future__"
        and any(a.name == "annotations" for a in s.names)
        for s in tree.body
    )
    found = []
    for node, certain in _import_time_names(tree, deferred):
        name = flagged.get((node.lineno, node.col_offset))
        if name == node.id:
            found.append(UndefinedName(name, node.lineno, node.col_offset, certain))
    return sorted(set(found), key=lambda u: (u.line, u.column))


def _pyflakes(
    tree: ast.Module, path: PurePosixPath, extra: frozenset[str]
) -> list[messages.Message]:
    known = (*_LATER_BUILTINS, *sorted(extra))
    found = checker.Checker(tree, filename=str(path), builtins=known, withDoctest=False)
    return list(found.messages)


def _import_time_names(tree: ast.Module, deferred: bool) -> list[tuple[ast.Name, bool]]:
    """Every `Name` read while the module is imported, and whether it is read on every import."""
    out: list[tuple[ast.Name, bool]] = []

    def expr(node: ast.AST | None, certain: bool) -> None:
        if node is None:
            return
        if isinstance(node, ast.Lambda):
            arguments(node.args, certain, annotations=False)
            return  # the body runs when called
        if isinstance(node, ast.GeneratorExp):
            expr(node.generators[0].iter, certain)  # the rest runs when consumed
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            out.append((node, certain))
        for child in ast.iter_child_nodes(node):
            expr(child, certain)

    def arguments(args: ast.arguments, certain: bool, annotations: bool) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            expr(default, certain)
        if annotations and not deferred:
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            for arg in every:
                if arg is not None:
                    expr(arg.annotation, certain)

    def body(statements: list[ast.stmt], certain: bool) -> None:
        for stmt in statements:
            statement(stmt, certain)

    def statement(stmt: ast.stmt, certain: bool) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                expr(decorator, certain)
            arguments(stmt.args, certain, annotations=True)
            if not deferred:
                expr(stmt.returns, certain)
        elif isinstance(stmt, ast.ClassDef):
            for node in [*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords)]:
                expr(node, certain)
            body(stmt.body, certain)
        elif isinstance(stmt, ast.If):
            test = ast.unparse(stmt.test)
            if "__main__" in test:
                return  # runs only when the file is the program, not when imported
            expr(stmt.test, certain)
            if "TYPE_CHECKING" not in test:
                body(stmt.body, False)
            body(stmt.orelse, False)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            handlers = stmt.handlers  # type: ignore[attr-defined]
            if any(_catches_name_error(h) for h in handlers):
                return  # `try: x except NameError: ...` is how code tests for a name
            body(stmt.body, certain)  # type: ignore[attr-defined]
            for handler in handlers:
                body(handler.body, False)
            body(stmt.orelse, False)  # type: ignore[attr-defined]
            body(stmt.finalbody, certain)  # type: ignore[attr-defined]
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            expr(stmt.iter if isinstance(stmt, (ast.For, ast.AsyncFor)) else stmt.test, certain)
            body(stmt.body, False)
            body(stmt.orelse, False)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                expr(item.context_expr, certain)
            body(stmt.body, certain)
        elif isinstance(stmt, ast.AnnAssign):
            if not deferred:
                expr(stmt.annotation, certain)
            expr(stmt.value, certain)
            if not isinstance(stmt.target, ast.Name):
                expr(stmt.target, certain)
        elif isinstance(stmt, ast.Match):
            expr(stmt.subject, certain)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Pass)):
            return
        elif type(stmt).__name__ == "TypeAlias":
            return  # `type X = ...` (3.12) evaluates its value lazily
        else:
            expr(stmt, certain)

    body(tree.body, True)
    return out


def _catches_name_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, (ast.Name, ast.Attribute)) and _last(k) in _HANDLED for k in kinds)


def _last(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr  # type: ignore[attr-defined]


# FastAPI's own top-level names: importing one a FastAPI module forgot is the only meaning.
_FASTAPI_NAMES = frozenset(
    {
        "FastAPI", "APIRouter", "Depends", "Query", "Path", "Body", "Form", "File", "UploadFile",
        "Header", "Cookie", "HTTPException", "Request", "Response", "BackgroundTasks",
        "Security", "status", "WebSocket", "WebSocketDisconnect",
    }
)  # fmt: skip


def missing_import(tree: ast.Module, name: str) -> str | None:
    """The import statement that defines `name` when only one is meant: a standard-library
    module used as `name.attribute`, a `typing` name, or a FastAPI name in a module that imports
    from FastAPI. None when `name` is bound anywhere in the module (then it is used too early,
    which no import repairs)."""
    import sys
    import typing

    for node in ast.walk(tree):
        if _binds(node, name):
            return None
    attribute_base = any(
        isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name
        for n in ast.walk(tree)
    )
    if name in sys.stdlib_module_names and attribute_base and not name.startswith("_"):
        return f"import {name}"
    if name in getattr(typing, "__all__", ()) and name not in sys.stdlib_module_names:
        return f"from typing import {name}"
    uses_fastapi = any(
        (isinstance(n, ast.ImportFrom) and n.module == "fastapi")
        or (isinstance(n, ast.Import) and any(a.name == "fastapi" for a in n.names))
        for n in tree.body
    )
    if name in _FASTAPI_NAMES and uses_fastapi:
        return f"from fastapi import {name}"
    return None


def _binds(node: ast.AST, name: str) -> bool:
    """`node` binds `name`: an assignment target, a definition, an import."""
    if isinstance(node, ast.Name):
        return node.id == name and not isinstance(node.ctx, ast.Load)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((a.asname or a.name.split(".")[0]) == name for a in node.names)
    return False


def import_insertion_line(tree: ast.Module) -> int:
    """1-based line before which a new import goes: after the module's leading imports (and
    its docstring and `__future__` imports)."""
    after = 0
    for i, stmt in enumerate(tree.body):
        is_doc = (
            i == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        )
        if is_doc or isinstance(stmt, (ast.Import, ast.ImportFrom)):
            after = stmt.end_lineno or stmt.lineno
        else:
            break
    return after + 1
