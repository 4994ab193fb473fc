"""PY003: a name used while a module the app imports at start is imported, defined nowhere."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.project import Project
from hfdeploy.pysource.import_graph import startup_graph
from hfdeploy.pysource.undefined import (
    import_insertion_line,
    missing_import,
    undefined_at_import,
)
from hfdeploy.source import SourceFile
from hfdeploy.target import target_python


class UndefinedNameAtImport(Check):
    """## What it does
    Reports a name that a module the app imports at start uses while it is being imported
    (at module level, in a class body, a decorator, a default value, a base class, or an
    annotation that is evaluated) but that is never defined, imported or built in.

    Undefined names are found by pyflakes, which knows Python's scoping, the builtins, star
    imports and conditional imports; only the uses that run at import time, in the app's
    module and the project modules it imports at module level, are reported. A use that runs
    on every import is an error; one under an `if` or in a loop body is a warning. Modules
    that write to `globals()` or `builtins`, or `exec` code, are not judged. Names used only
    inside functions fail when the function runs, not at start, and are left to linters.

    ## Why is this bad?
    Python raises `NameError: name 'X' is not defined` while importing the module: uvicorn
    exits before it serves anything and the Space shows a runtime error.

    ## Example
    ```python
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/items")
    def list_items(limit: int = Query(10)):
        return []
    ```

    Use instead:
    ```python
    from fastapi import FastAPI, Query

    app = FastAPI()


    @app.get("/items")
    def list_items(limit: int = Query(10)):
        return []
    ```

    ## Fix safety
    When only one import can be meant, the fix adds it after the module's imports: a
    standard-library module used as `name.attribute` (`import os`), a `typing` name
    (`from typing import List`), or a FastAPI name in a module that already imports from
    FastAPI (`from fastapi import Query`). It is offered only when the name is bound nowhere
    in the module, so the import can only replace a `NameError`: the fix is safe. Other names
    (a typo, a variable defined elsewhere) have no fix.
    """

    code = "PY003"
    name = "undefined-name-at-import"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        graph = startup_graph(project)
        if not graph:
            return
        deferred = target_python(project).tuple >= (3, 14)  # PEP 649: annotations are lazy
        for path, importer in graph.items():
            source = project.source(path)
            if source is None:
                continue
            why = (
                f"imported by {importer}" if importer else "the served app's module or its package"
            )
            tree = project.python_ast(path)
            fixed: set[str] = set()
            for found in undefined_at_import(project, path, deferred):
                start = _offset(source, found.line, found.column)
                fix = None
                if tree is not None and found.name not in fixed:
                    fixed.add(found.name)
                    fix = _import_fix(source, tree, found.name, start)
                how = "" if found.certain else " when this branch runs"
                yield self.diagnostic(
                    f"`{found.name}` is not defined: importing {path} raises `NameError: name "
                    f"'{found.name}' is not defined`{how}, and the app does not start",
                    path=path,
                    span=Span(start, start + len(found.name)),
                    severity=Severity.ERROR if found.certain else Severity.WARNING,
                    fix=fix,
                    notes=[f"{path} runs when the app starts ({why})."],
                )


def _import_fix(source: SourceFile, tree: ast.Module, name: str, use: int) -> Fix | None:
    statement = missing_import(tree, name)
    if statement is None:
        return None
    line = import_insertion_line(tree)
    at = source.offset_of_line(line) if line <= source.text.count("\n") else len(source.text)
    if at > use:
        return None  # the use comes before the imports: no place that runs first
    nl = source.newline
    lead = nl if at == len(source.text) and source.text and not source.text.endswith("\n") else ""
    return Fix(f"Add `{statement}`", (Edit.insert(source.path, at, lead + statement + nl),))


def _offset(source: SourceFile, line: int, col_bytes: int) -> int:
    """str offset of an ast position (1-based line, UTF-8 byte column)."""
    start = source.offset_of_line(line)
    text = source.text[start : start + col_bytes + 1]
    return start + len(text.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))
