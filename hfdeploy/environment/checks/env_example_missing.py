"""EV005: a `.env` file without a `.env.example` listing its names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.environment.dotenv import env_files
from hfdeploy.project import Project

EXAMPLE = PurePosixPath(".env.example")
_EXAMPLES = (
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "example.env",
    "sample.env",
)


class EnvExampleMissing(Check):
    """## What it does
    Finds a `.env` file with no `.env.example` (or `.env.sample`, `.env.template`) next to it.

    ## Why is this bad?
    `.env` stays out of git, so nothing tells the next developer — or you, setting up the Space —
    which variables the app expects. A `.env.example` with the names only documents them without
    leaking a value.

    ## Example
    ```
    $ ls -a
    .env  app/  requirements.txt
    ```

    Use instead:
    ```
    # .env.example
    DATABASE_URL=
    SECRET_KEY=
    ```

    ## Fix safety
    Safe: creates `.env.example` with the names from `.env` and empty values; no value is copied.
    """

    code = "EV005"
    name = "env-example-missing"
    severity = Severity.INFO
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        env = next((e for e in env_files(project) if e.path == PurePosixPath(".env")), None)
        if env is None or not env.names() or any(project.exists(name) for name in _EXAMPLES):
            return
        lines = [
            "# Variables the app reads. Copy to .env for local runs; on a Space set them under",
            "# Settings -> Variables and secrets (values without quotes).",
            *(f"{name}=" for name in env.names()),
        ]
        yield self.diagnostic(
            ".env has no .env.example: nothing in the repository lists the variables the app expects",
            path=env.path,
            fix=Fix(
                "Write .env.example with the variable names only",
                (Edit.create(EXAMPLE, "\n".join(lines) + "\n"),),
            ),
        )
