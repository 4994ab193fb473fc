"""PY001: a parameter without a default after one with a default (a SyntaxError)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.project import Project
from hfdeploy.pysource.param_fix import build_fix
from hfdeploy.pysource.param_order import make_plan
from hfdeploy.signatures import Offence, Signature, find_offence, offending_signatures


class ParamWithoutDefaultAfterDefault(Check):
    """
    ## What it does
    Finds functions, methods and lambdas whose signature puts a parameter without a default
    after a parameter with one, and reports every such signature in every file, even files
    Python refuses to parse.

    ## Why is this bad?
    Python rejects the whole file ("non-default argument follows default argument", or
    "parameter without a default follows parameter with a default" from 3.12), so importing the
    module fails and the app never starts: the Space shows a runtime error. FastAPI code makes
    this easy to write, because `Depends(...)` and `Query(...)` defaults look like annotations.
    `Annotated[...]` parameters, and aliases such as
    `SessionDep = Annotated[Session, Depends(get_session)]`, have no default.

    ## Example
    ```python
    @router.put("/tasks/{task_id}")
    def update_task(task_id: int, session: Session = Depends(get_session), task_update: TaskUpdate):
        ...
    ```

    Use instead:
    ```python
    @router.put("/tasks/{task_id}")
    def update_task(task_id: int, session: Session = Depends(get_session), *, task_update: TaskUpdate):
        ...
    ```

    ## Fix safety
    The fix inserts a bare `*` before the first offending parameter, which keeps the declared
    order (and the OpenAPI parameter order) and changes nothing for FastAPI, which passes
    arguments by keyword. When `*args` follows, or the parameter is positional-only (before
    `/`), it moves the parameters without defaults in front instead, keeping their order. Either
    way every call in the project that passes those parameters by position is rewritten, with
    keywords where possible, so each argument binds the same parameter as before. The fix is
    unsafe when a caller cannot be resolved statically: a `*args` splat into the changed
    parameters, a same-named method called on an object of unknown type, the function passed
    as a value to anything but `Depends`, `Security` or a route registration, an anonymous
    lambda, or a reorder that moves an argument which may run code (a call, an attribute read,
    a subscript, an operator on a name, an f-string): its evaluation order would change.
    Moving literals, names, lambdas and tuples, lists, sets or dicts of those is safe, since
    nothing can observe when they are evaluated. Each unsafe place, and each call site the fix
    rewrites, is listed.
    """

    code = "PY001"
    name = "param-without-default-after-default"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        project.prime_syntax_errors(project.python_files())
        for path in project.python_files():
            # A file that parses cannot contain this error: the tolerant token scan is only
            # paid for files `ast.parse` rejects.
            if project.syntax_error(path) is None:
                continue
            text = project.text(path)
            if text is None:
                continue
            for sig in offending_signatures(project, path):
                offence = find_offence(sig.params)
                if offence is not None:
                    yield self._report(project, path, text, sig, offence)

    def _report(
        self, project: Project, path: PurePosixPath, text: str, sig: Signature, offence: Offence
    ) -> Diagnostic:
        owner = f" of `{sig.name}`" if sig.name else " of a lambda"
        message = (
            f"Parameter `{offence.param.name}`{owner} has no default but follows "
            f"`{offence.follows.name}`, which has one; this is a SyntaxError that stops the app "
            "at import"
        )
        plan = make_plan(sig, text)
        if plan is None:
            note = (
                "Not fixed automatically: a positional-only parameter has a default and `*args` "
                "follows, so neither a bare `*` nor a reorder keeps every call working. "
                "Give the later parameters defaults or drop the `/`."
            )
            return self.diagnostic(message, path=path, span=offence.param.span, notes=[note])
        built = build_fix(project, path, sig, plan)
        return self.diagnostic(
            message, path=path, span=offence.param.span, fix=built.fix, notes=built.notes
        )
