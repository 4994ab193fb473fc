from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.dockerfile.assignments import assignments
from hfdeploy.dockerfile.secrets import is_literal_secret
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime
from hfdeploy.redact import mask, redact_url

if TYPE_CHECKING:
    from hfdeploy.project import Project


_BUILD_SECRETS = (
    "Build-time secrets: `RUN --mount=type=secret,id=NAME ...` reads /run/secrets/NAME "
    "without storing it in the image"
)


class SecretInDockerfile(Check):
    """## What it does
    Reports `ENV` and `ARG` lines that give a secret-looking variable (`SECRET_KEY`,
    `HF_TOKEN`, `DB_PASSWORD`, `OPENAI_API_KEY`, ...) a literal value, or that embed a
    password in a URL, in any stage.

    ## Why is this bad?
    The Dockerfile is part of the Space repository, which is public for public Spaces, and
    `ENV`/`ARG` values are stored in the image's history for anyone who pulls it. The value
    must be considered leaked: rotate it.

    ## Example
    ```dockerfile
    ENV SECRET_KEY=9f2c1e7a0b
    ```

    Use instead:
    ```dockerfile
    # Settings -> Variables and secrets -> New secret: SECRET_KEY
    # (available to the app as an environment variable at run time)
    ```
    """

    code = "DF013"
    name = "secret-in-dockerfile"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for ins in rt.dockerfile.instructions:
            if ins.keyword not in ("ENV", "ARG"):
                continue
            for a in assignments(ins):
                if not is_literal_secret(a.name, a.value):
                    continue
                assert a.value is not None
                shown = redact_url(a.value) if "://" in a.value else mask(a.value)
                span = ins.raw_span(a.name_start, a.value_end or a.name_start + len(a.name))
                yield self.diagnostic(
                    f"`{ins.keyword} {a.name}={shown}` writes a secret into the Dockerfile; "
                    "set it as a Space secret instead and rotate the value",
                    path=DOCKERFILE,
                    span=span,
                    notes=[_BUILD_SECRETS] if ins.keyword == "ARG" else [],
                )
