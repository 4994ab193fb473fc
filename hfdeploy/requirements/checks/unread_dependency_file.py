"""RQ010: dependency files of other tools that hfdeploy does not read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.requirements.declared import OTHER_FORMATS, dependency_set

if TYPE_CHECKING:
    from hfdeploy.project import Project


class UnreadDependencyFile(Check):
    """## What it does
    Notes a `Pipfile`, `Pipfile.lock`, `poetry.lock` or `uv.lock` at the project root that the
    image does not install, and says which file the checks and the image use instead. A lock the
    image installs through its tool (`poetry install`, `poetry export`, `uv sync`, `uv export`, or
    the Dockerfile `fix` generates for such a project) is read and not reported.

    ## Why is this bad?
    The image installs from `requirements.txt` (or `pyproject.toml`); when the other tool's file
    is the one kept up to date, the image can install a different set than the one tested.

    ## Example
    ```text
    Pipfile            # and no requirements.txt
    ```

    Use instead:
    ```text
    requirements.txt   # from `pipenv requirements > requirements.txt`
    ```
    """

    code = "RQ010"
    name = "unread-dependency-file"
    severity = Severity.INFO

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        model = image(project)
        installed = {
            str(s.path) for s in model.all_sources() if s.kind in ("poetry", "uv", "pdm", "pipenv")
        }
        install = dependency_set(project).install_file
        used = f"the image installs from {install}" if install else "no requirements file was found"
        for name, advice in OTHER_FORMATS.items():
            if project.exists(name) and name not in installed:
                yield self.diagnostic(f"{advice}; {used}", path=name)
