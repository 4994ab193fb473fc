"""RQ012: the image runs `pip install .` on a project pip cannot build."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Fix, FixAvailability, Severity

if TYPE_CHECKING:
    from hfdeploy.project import Project
    from hfdeploy.requirements.tool_locks import PyprojectFacts


def _why(facts: PyprojectFacts) -> str:
    if not facts.package_mode:
        return (
            "its pyproject.toml says it is not a package (`package-mode = false` / `[tool.uv] package = "
            "false`): pip has nothing to build"
        )
    if facts.poetry_dependencies and not facts.pep621_dependencies:
        return (
            "pyproject.toml has no `[build-system]`, so pip builds it with setuptools, which ignores "
            "`[tool.poetry.dependencies]`: none of the dependencies are installed (or the build stops with "
            '"Multiple top-level packages discovered in a flat-layout")'
        )
    return (
        "pyproject.toml has no `[build-system]` and belongs to another tool, so pip falls back to setuptools: "
        'the build stops with "Multiple top-level packages discovered in a flat-layout" on most app layouts'
    )


class ProjectNotPipBuildable(Check):
    """## What it does
    Reports a Dockerfile step that installs the project itself with pip (`pip install .`,
    `pip install -e .`, `uv pip install .`) when pip cannot build it: a Poetry project without a
    `[build-system]` table, a project with Poetry's `package-mode = false` (or uv's
    `package = false`), or a uv/PDM project without `[build-system]` — and no `setup.py`.

    ## Why is this bad?
    Without `[build-system]` pip falls back to setuptools, which does not read
    `[tool.poetry.dependencies]`: the build either stops ("Multiple top-level packages
    discovered in a flat-layout") or succeeds with none of the dependencies installed, and the
    container dies at start with `ModuleNotFoundError`. Such projects are installed by their
    tool from their lock (`poetry install --no-root`, `uv sync --no-install-project`) or from
    an export of it.

    ## Example
    ```dockerfile
    COPY . .
    RUN pip install .     # pyproject.toml: [tool.poetry] ..., no [build-system]
    ```

    Use instead:
    ```dockerfile
    COPY pyproject.toml poetry.lock ./
    RUN python -m venv /tmp/tool && /tmp/tool/bin/pip install poetry poetry-plugin-export \\
        && /tmp/tool/bin/poetry export --only main --without-hashes -o /tmp/requirements.txt \\
        && pip install --user -r /tmp/requirements.txt
    ```

    ## Fix safety
    The fix regenerates the Dockerfile from hfdeploy's template, which installs the project's
    lock through its tool (or the declared dependencies when there is no lock) and never
    builds the project; it is safe only when every instruction of the old file is carried over
    (see DF001), otherwise unsafe.
    """

    code = "RQ012"
    name = "project-not-pip-buildable"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image
        from hfdeploy.requirements.tool_locks import pyproject_facts

        model = image(project)
        if model.generated:
            return
        facts = pyproject_facts(project)
        if not facts.exists or not facts.valid or facts.pip_buildable:
            return
        for install in model.installs:
            if (
                install.tool not in ("pip", "uv pip")
                or install.project is None
                or install.step is None
            ):
                continue
            sources = model.sources(install)
            if any(s.kind == "setup" for s in sources) or not any(
                s.kind == "pyproject" and str(s.path) == "pyproject.toml" for s in sources
            ):
                continue
            fix, notes = self._fix(project)
            yield self.diagnostic(
                f"`{install.tool} install {install.project}` cannot install this project: {_why(facts)}",
                path="Dockerfile",
                span=install.step.ins.span,
                fix=fix,
                notes=notes,
            )
            return

    @staticmethod
    def _fix(project: Project) -> tuple[Fix | None, list[str]]:
        try:
            from hfdeploy.dockerfile.regenerate import regeneration
        except ImportError:  # pragma: no cover
            return None, []
        regen = regeneration(project)
        if regen.fix is None:
            return None, [f"No fix: {regen.problem}"] if regen.problem else []
        return regen.fix, list(regen.notes)
