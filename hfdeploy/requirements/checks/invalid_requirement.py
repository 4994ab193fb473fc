"""RQ001: requirement text pip would reject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.requirements.declared import dependency_set

if TYPE_CHECKING:
    from hfdeploy.project import Project


class InvalidRequirement(Check):
    """## What it does
    Reports lines of a requirements file (or entries of `pyproject.toml`) that pip cannot read:
    invalid requirement syntax, options pip does not know, `-r`/`-c` includes naming a missing
    file, broken TOML.

    ## Why is this bad?
    `pip install -r requirements.txt` stops at the first such line, so the Space build fails
    with `BUILD_ERROR` before anything is installed.

    ## Example
    ```text
    fastapi==
    --upgrade-strategy eager
    -r base.txt
    ```

    Use instead:
    ```text
    fastapi==0.104.1
    -r requirements/base.txt
    ```
    """

    code = "RQ001"
    name = "invalid-requirement"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for problem in dependency_set(project).problems:
            yield self.diagnostic(problem.message, path=problem.path, span=problem.span)
