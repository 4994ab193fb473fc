"""DB016: the Dockerfile runs the migrations while the image is built."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Severity,
    Span,
)
from hfdeploy.project import Project

if TYPE_CHECKING:
    from hfdeploy.environment.reads import EnvRead
    from hfdeploy.image.model import Image

DOCKERFILE = PurePosixPath("Dockerfile")
_MIGRATE = re.compile(r"(?:^|[\s;&|(])(?:python3?\s+-m\s+)?alembic\b[^;&|]*\bupgrade\b")
_ONLY_MIGRATE = re.compile(
    r"^\s*(?:python3?\s+-m\s+)?alembic\s+(?:-\S+\s+\S+\s+)*upgrade\s+\S+\s*$"
)


class MigrationDuringBuild(Check):
    """## What it does
    Finds a `RUN alembic upgrade ...` in the stage the Space builds when the app's database
    URL — or a variable the code assembles it from — is a required variable that the
    Dockerfile does not set (`ENV`/`ARG`).

    ## Why is this bad?
    A Space passes its variables and secrets to the running container, not to `RUN` steps
    of the build (secrets reach a build only through `RUN --mount=type=secret`). During the
    build the URL is unset, so Alembic's `env.py` (or the settings class it imports) fails —
    a pydantic `ValidationError`, `Could not parse SQLAlchemy URL`, or a connection refused —
    and the Space stops at "Build error". Even with the URL, the build runs where the database
    may not be reachable, and migrating at every rebuild of an unchanged image is not what
    the app needs: the schema belongs to the database, so migrate when the container starts.

    ## Example
    ```dockerfile
    COPY ./app /app/app
    RUN alembic upgrade head
    CMD alembic upgrade head && exec uvicorn app.main:app --host 0.0.0.0 --port 7860
    ```

    Use instead: the start command migrates (it already does here), the build does not.

    ## Fix safety
    Safe when the start command already runs Alembic and the `RUN` does nothing else: the
    instruction is removed. Otherwise no fix: move the migration into the start command
    (`CMD alembic upgrade head && exec uvicorn ...`).
    """

    code = "DB016"
    name = "migration-during-build"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.database.inputs import database_inputs
        from hfdeploy.database.start import image_start
        from hfdeploy.environment.reads import required_variables
        from hfdeploy.image.model import image

        model = image(project)
        if model.generated or model.runtime is None:
            return
        required = required_variables(project)
        needed = database_inputs(project).variables & frozenset(required)
        needed |= _read_by_migrations(project, required)
        if not needed:
            return
        start = image_start(project)
        migrates_at_start = start is not None and start.runs_alembic
        final = model.final_stage
        for step in model.runtime.steps:
            ins = step.ins
            if ins.keyword != "RUN" or (final is not None and ins.stage != final.index):
                continue
            command = ins.args
            if not _MIGRATE.search(command) or "--mount=type=secret" in command:
                continue
            unset = sorted(
                n for n in needed if n not in step.env and not _build_arg(model, n, ins.stage)
            )
            if not unset:
                continue
            fix = None
            if migrates_at_start and _ONLY_MIGRATE.match(command):
                fix = _remove(project, ins.span)
            yield self.diagnostic(
                f"`RUN {command.strip()}` migrates while the image is built, but the build gets "
                f"none of the Space's variables or secrets: {', '.join(f'`{n}`' for n in unset)} "
                f"{'is' if len(unset) == 1 else 'are'} unset there, so the migration fails and "
                'the Space stops at "Build error"',
                path=DOCKERFILE,
                span=ins.span,
                fix=fix,
                notes=(
                    "the start command already migrates: the build step is not needed"
                    if migrates_at_start
                    else "migrate when the container starts instead: "
                    "`CMD alembic upgrade head && exec uvicorn ...`",
                ),
            )


def _read_by_migrations(project: Project, required: dict[str, list[EnvRead]]) -> set[str]:
    """Required variables read in the project modules Alembic's `env.py` imports (the import
    graph from `env.py`, whose functions run when Alembic loads it: `env.py` ->
    `app.core.config`, or -> `app.models` -> `app.core.config`): a settings class or an
    `os.environ[...]` there fails the moment `env.py` is imported."""
    from hfdeploy.database.alembic import alembic_setups
    from hfdeploy.pysource.import_graph import import_graph

    modules: set[PurePosixPath] = set()
    for setup in alembic_setups(project):
        if setup.env is None:
            continue
        # Alembic runs where alembic.ini is, with its `prepend_sys_path` entries on sys.path.
        here = setup.ini.parent
        roots = [here / entry for entry in setup.sys_path] + [here, PurePosixPath("src")]
        graph = import_graph(project, setup.env, setup.env.stem, roots, everywhere_in_start=True)
        modules |= graph.files - {setup.env}
    return {
        name
        for name, reads in required.items()
        if any(read.module.path in modules for read in reads)
    }


def _build_arg(model: Image, name: str, stage: int) -> bool:
    if model.dockerfile is None:
        return False
    return any(
        i.keyword == "ARG" and i.args.split("=", 1)[0].strip() == name
        for i in model.dockerfile.instructions
        if i.stage in (stage, -1)
    )


def _remove(project: Project, span: Span) -> Fix | None:
    from hfdeploy.dockerfile.edits import whole_lines

    source = project.source(DOCKERFILE)
    if source is None:
        return None
    lines = whole_lines(source.text, span)
    if source.text[lines.start : span.start].strip():
        return None
    return Fix(
        "Remove the migration from the build (the start command runs it)",
        (Edit(DOCKERFILE, lines, ""),),
        Applicability.SAFE,
    )
