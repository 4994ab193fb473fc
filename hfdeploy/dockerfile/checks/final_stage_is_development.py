"""DF020: the last stage of a multi-stage Dockerfile is a development or test stage."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.dockerfile.parse import Stage
from hfdeploy.dockerfile.stage import DOCKERFILE

if TYPE_CHECKING:
    from hfdeploy.project import Project

_DEV_NAMES = frozenset(
    {"dev", "develop", "development", "test", "tests", "testing", "debug", "ci", "lint"}
)
_PROD_NAMES = frozenset(
    {"prod", "production", "runtime", "release", "final", "app", "runner", "run", "deploy"}
)


def _stage_label(stage: Stage) -> str:
    return f"`{stage.name}`" if stage.name else f"#{stage.index}"


def _start_words(stage: Stage) -> list[str]:
    """The words of the stage's own CMD/ENTRYPOINT (the last ones)."""
    words: list[str] = []
    for keyword in ("ENTRYPOINT", "CMD"):
        found = [i for i in stage.instructions if i.keyword == keyword]
        if found:
            words += [w.value for w in found[-1].words()]
    return words


def _why_development(stage: Stage) -> str | None:
    if stage.name and stage.name.lower() in _DEV_NAMES:
        return f"it is named `{stage.name}`"
    words = _start_words(stage)
    if any(posixpath.basename(w) in ("pytest", "py.test", "tox", "nox") for w in words) or (
        "-m" in words and "pytest" in words
    ):
        return "its command runs the tests"
    if "--reload" in words or words[:2] == ["fastapi", "dev"]:
        return "its server runs with auto-reload"
    return None


class FinalStageIsDevelopment(Check):
    """## What it does
    Reports a multi-stage Dockerfile whose last stage is a development or test stage: named
    `dev`, `development`, `test`, `debug` (and the like), starting the tests (`pytest`, `tox`), or
    serving with auto-reload (`--reload`, `fastapi dev`).

    ## Why is this bad?
    A Space builds the root `Dockerfile` without `--target`: it always builds and runs the
    LAST stage. A layout such as `base` → `prod` → `dev` deploys the development stage: test
    dependencies, a reloading server watching the source tree, or a container that runs the
    test suite and exits (the Space then shows "Runtime error").

    ## Example
    ```dockerfile
    FROM python:3.11-slim AS prod
    CMD uvicorn app.main:app --host 0.0.0.0 --port 7860

    FROM prod AS dev
    CMD uvicorn app.main:app --host 0.0.0.0 --port 7860 --reload
    ```

    Use instead: move the production stage to the end of the file (a stage may only build on
    stages above it, so the development stage moves up or out), or delete the development stage.

    ## Fix safety
    No fix: which stage is meant for the Space is a decision, and reordering stages that build
    on each other cannot be done by moving text alone.
    """

    code = "DF020"
    name = "final-stage-is-development"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        model = image(project)
        dockerfile = model.dockerfile
        if dockerfile is None or len(dockerfile.stages) < 2:
            return
        final = dockerfile.stages[-1]
        why = _why_development(final)
        if why is None:
            return
        if why.startswith("its server") and not any(
            s.name and s.name.lower() in _PROD_NAMES for s in dockerfile.stages[:-1]
        ):
            return  # a single serving stage with --reload is DF008's (a warning)
        candidates = [
            s
            for s in dockerfile.stages[:-1]
            if _why_development(s) is None
            and (_start_words(s) or (s.name or "").lower() in _PROD_NAMES)
        ]
        if candidates:
            prod = candidates[-1]
            if prod in dockerfile.chain(final):
                advice = (
                    f"stage {_stage_label(final)} builds on {_stage_label(prod)} (line "
                    f"{prod.instructions[0].line}), so it cannot move above it: delete it from this "
                    "Dockerfile (keep it in another file built with `-f`) so that "
                    f"{_stage_label(prod)} is the last stage"
                )
            else:
                advice = (
                    f"make stage {_stage_label(prod)} (line {prod.instructions[0].line}) the last one: move "
                    f"the {_stage_label(final)} stage above it or delete it"
                )
        else:
            advice = f"delete stage {_stage_label(final)} or move a serving stage after it"
        yield self.diagnostic(
            f"The last stage {_stage_label(final)} is a development stage ({why}); a Space builds and runs "
            f"the last stage of the Dockerfile, never a `--target`: {advice}",
            path=DOCKERFILE,
            span=final.instructions[0].span,
        )
