"""DF046: a Dockerfile that Docker's parser rejects before any step runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.dockerfile.parse import parse_dockerfile
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class DockerfileDoesNotParse(Check):
    """## What it does
    Reports a Dockerfile that BuildKit's parser rejects, so that no step of it ever runs:
    a here-document (`RUN <<EOF`, `COPY <<EOF /app/x`) whose closing delimiter line never
    comes (`dockerfile parse error on line N: unterminated heredoc`).

    ## Why is this bad?
    The Space's build stops at once with that parse error. A here-document ends only at a line
    that is exactly its delimiter (leading tabs allowed with `<<-`): a delimiter indented with
    spaces, followed by a comment, or misspelt leaves it open to the end of the file, and
    every instruction after it becomes part of its text.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    RUN <<EOF
    pip install --no-cache-dir -r requirements.txt
      EOF
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.11-slim
    RUN <<EOF
    pip install --no-cache-dir -r requirements.txt
    EOF
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    No fix: where the here-document was meant to end is the author's call. While the
    Dockerfile does not parse, `fix` leaves it alone: an edit appended after the open
    here-document would only become more of its text.
    """

    code = "DF046"
    name = "dockerfile-does-not-parse"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is not None:
            parsed = rt.dockerfile
        else:
            text = project.text(DOCKERFILE)
            if text is None:
                return
            parsed = parse_dockerfile(DOCKERFILE, text)
        for line, problem in parsed.errors:
            ins = next((i for i in parsed.instructions if i.line == line), None)
            yield self.diagnostic(
                f"Docker stops before the first step: `dockerfile parse error on line {line}: "
                f"{problem}`; the here-document opened here has no line that is exactly its "
                "delimiter, so everything after it is its text",
                path=DOCKERFILE,
                span=ins.span if ins is not None else None,
            )
