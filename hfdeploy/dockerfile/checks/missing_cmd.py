from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.inputs import alembic_setup, app_target, space_port
from hfdeploy.dockerfile.parse import parse_dockerfile
from hfdeploy.dockerfile.regenerate import server_command
from hfdeploy.dockerfile.stage import DOCKERFILE, build_runtime, runtime
from hfdeploy.dockerfile.validate import UnsafeValue

if TYPE_CHECKING:
    from hfdeploy.project import Project


class MissingCmd(Check):
    """## What it does
    Reports a Dockerfile whose final stage has neither `CMD` nor `ENTRYPOINT`.

    ## Why is this bad?
    The container then runs the base image's default command: for `python` images an
    interactive interpreter, which exits at once without a terminal. The Space shows a
    runtime error; nothing ever listens on `app_port`.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY . .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    FROM python:3.11-slim
    COPY . .
    RUN pip install --no-cache-dir -r requirements.txt
    CMD exec uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-7860}
    ```

    ## Fix safety
    The fix appends a shell-form `CMD` that serves the discovered FastAPI app with uvicorn on
    `0.0.0.0:${PORT:-<app_port>}` (running `alembic upgrade head` first when the project uses
    Alembic, without letting a failed migration stop the server). It adds the one missing
    instruction, so it is safe; it is not offered when no app is found.
    """

    code = "DF014"
    name = "missing-cmd"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        source = project.source(DOCKERFILE)
        if rt is None or source is None or rt.last("CMD") or rt.last("ENTRYPOINT"):
            return
        notes = []
        fix = None
        target = app_target(project)
        if target is None:
            notes.append(
                'No fix: no FastAPI app found; set `[tool.hfdeploy] app = "pkg.module:app"`'
            )
        else:
            try:
                command = server_command(target, space_port(project).port, alembic_setup(project))
            except UnsafeValue as exc:
                notes.append(
                    f"No fix: refused to write {exc.kind} {exc.value!r} into the Dockerfile"
                )
            else:
                nl = source.newline
                lead = "" if not source.text or source.text.endswith("\n") else nl
                line = f"{lead}CMD {command}{nl}"
                # An unterminated heredoc would swallow the new line: offer only what parses.
                if build_runtime(parse_dockerfile(DOCKERFILE, source.text + line)).last("CMD"):
                    edit = Edit.insert(DOCKERFILE, len(source.text), line)
                    fix = Fix(f"Serve `{target.spec}` with uvicorn", (edit,))
        last = rt.dockerfile.chain()[-1].instructions[0]
        yield self.diagnostic(
            "The final stage has no `CMD` or `ENTRYPOINT`: the container starts the base image's "
            "default command instead of the app",
            path=DOCKERFILE,
            span=last.span,
            fix=fix,
            notes=notes,
        )
