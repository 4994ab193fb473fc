"""PY003: a name used while a module the app imports at start is imported, defined nowhere."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity, Span
from hfdeploy.project import Project
from hfdeploy.pysource.startup import startup_graph
from hfdeploy.pysource.undefined import undefined_at_import
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
    """

    code = "PY003"
    name = "undefined-name-at-import"
    severity = Severity.ERROR

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
            for found in undefined_at_import(project, path, deferred):
                start = _offset(source, found.line, found.column)
                how = "" if found.certain else " when this branch runs"
                yield self.diagnostic(
                    f"`{found.name}` is not defined: importing {path} raises `NameError: name "
                    f"'{found.name}' is not defined`{how}, and the app does not start",
                    path=path,
                    span=Span(start, start + len(found.name)),
                    severity=Severity.ERROR if found.certain else Severity.WARNING,
                    notes=[f"{path} runs when the app starts ({why})."],
                )


def _offset(source: SourceFile, line: int, col_bytes: int) -> int:
    """str offset of an ast position (1-based line, UTF-8 byte column)."""
    start = source.offset_of_line(line)
    text = source.text[start : start + col_bytes + 1]
    return start + len(text.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))
