"""PY002: a Python file the target Python cannot parse (other than PY001's signatures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity, Span
from hfdeploy.project import Project
from hfdeploy.pyparse import NEWER_FSTRING, NEWER_SYNTAX, blanked_failure
from hfdeploy.pysource.syntax import (
    RUNNING,
    SyntaxProblem,
    compile_with,
    parse_version,
    problem_of,
    syntax_problem,
)
from hfdeploy.source import SourceFile
from hfdeploy.target import target_python


class PythonSyntaxError(Check):
    """
    ## What it does
    Reports a Python file that the project's target Python cannot parse, with the
    interpreter's own message and position. Signatures with a parameter without a default
    after one with a default are reported by PY001 instead. Syntax that only a newer Python
    accepts is judged against the target Python (from `--python`, `[tool.hfdeploy] python`,
    the Dockerfile `FROM`, `.python-version` or `requires-python`): a 3.12 f-string is fine when
    the Space runs 3.12 and an error when it runs 3.11. When the target is newer than the Python
    running hfdeploy and no interpreter of that version is installed, the file is reported as
    not verified (info) rather than as an error.

    ## Why is this bad?
    A module that does not parse cannot be imported: the app crashes at startup and the Space
    shows a runtime error instead of the API.

    ## Example
    ```python
    @router.get("/items")
    def list_items(limit: int = 10)
        return items[:limit]
    ```

    Use instead:
    ```python
    @router.get("/items")
    def list_items(limit: int = 10):
        return items[:limit]
    ```
    """

    code = "PY002"
    name = "syntax-error"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        target = target_python(project)
        wanted = parse_version(target.version) or RUNNING
        running = f"{RUNNING[0]}.{RUNNING[1]}"
        where = f"The target Python {target.version} comes from {target.source}."
        pending: dict[str, tuple[PurePosixPath, SyntaxProblem | None]] = {}
        texts: dict[str, str] = {}
        project.prime_syntax_errors(project.python_files())
        for path in project.python_files():
            source = project.source(path)
            if source is None:
                continue
            text = source.text
            if project.syntax_error(path) is not None:
                text, failure = blanked_failure(project, path)
                problem = None if failure is None else problem_of(failure)
                if problem is not None and wanted > RUNNING:
                    pending[str(path)], texts[str(path)] = (path, problem), text
                    continue
                if problem is not None:
                    yield self._error(source, problem, target.version, where)
                    continue
            if wanted < RUNNING and NEWER_SYNTAX.search(text):
                problem = syntax_problem(text, feature_version=wanted)
                if problem is not None:
                    yield self._error(source, problem, target.version, where)
                    continue
            if wanted < RUNNING and NEWER_FSTRING.search(text):
                pending[str(path)], texts[str(path)] = (path, None), text
        if not pending:
            return
        results = compile_with(target.version, texts)
        for name, (path, local_problem) in sorted(pending.items()):
            source = project.source(path)
            assert source is not None
            if results is not None:
                problem = results.get(name)
                if problem is not None:
                    yield self._error(source, problem, target.version, where)
            elif local_problem is not None:
                yield self.diagnostic(
                    f"Could not check this file for Python {target.version}: Python {running} "
                    f"reports `{local_problem.message}`, and no Python {target.version} "
                    "interpreter is installed here to tell whether that syntax is new",
                    path=path,
                    span=_span(source, local_problem),
                    severity=Severity.INFO,
                    notes=[where],
                )

    def _error(
        self, source: SourceFile, problem: SyntaxProblem, version: str, where: str
    ) -> Diagnostic:
        return self.diagnostic(
            f"Syntax error: {problem.message}; Python {version} cannot import this module, so "
            "the app fails to start",
            path=source.path,
            span=_span(source, problem),
            notes=[where],
        )


def _span(source: SourceFile, problem: SyntaxProblem) -> Span | None:
    if problem.line is None:
        return None
    start = _offset(source, problem.line, problem.column)
    end = start
    if problem.end_line is not None and problem.end_column is not None:
        end = max(start, _offset(source, problem.end_line, problem.end_column))
    return Span(start, end)


def _offset(source: SourceFile, line: int, column: int | None) -> int:
    base = source.offset_of_line(max(line, 1))
    line_end = source.text.find("\n", base)
    line_end = len(source.text) if line_end == -1 else line_end
    return min(base + max((column or 1) - 1, 0), line_end)
