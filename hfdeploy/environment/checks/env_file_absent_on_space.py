"""EV003: the app loads a `.env` file that is not in the repository, so not on the Space."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity, Span
from hfdeploy.environment.dotenv import env_files
from hfdeploy.environment.settings import settings_classes
from hfdeploy.project import Project
from hfdeploy.pycode import Located, candidate_files

DOTENV = PurePosixPath(".env")
_LOADER = re.compile(r"\b(?:load_dotenv|dotenv_values|Config)\(")


class EnvFileAbsentOnSpace(Check):
    """## What it does
    Finds code that loads `.env` — python-dotenv's `load_dotenv()`, a pydantic-settings
    `env_file=".env"`, starlette's `Config(".env")` — when `.env` is not committed.

    ## Why is this bad?
    It is information: locally the settings come from `.env`, but a Space builds from the
    repository, where the file does not exist, and the platform never reads it. Every value the
    app takes from it must be set as a Space variable or secret (EV001 lists the required ones).

    ## Example
    ```python
    from dotenv import load_dotenv

    load_dotenv()
    ```

    Use instead: keep the call (it does nothing when the file is missing) and set the values in
    the Space's settings.
    """

    code = "EV003"
    name = "env-file-absent-on-space"
    severity = Severity.INFO

    def run(self, project: Project) -> Iterator[Diagnostic]:
        if _committed(project, DOTENV):
            return
        names = next((e.names() for e in env_files(project) if e.path == DOTENV), [])
        notes = [f"Its variables: {', '.join(names)}."] if names else []
        for module, span, how in _loads(project):
            yield self.diagnostic(
                f"{how} reads `.env`, which is not in the repository: on a Space it does not exist, "
                "so set its values as Space variables and secrets",
                path=module.path,
                span=span,
                notes=notes,
            )


def _committed(project: Project, path: PurePosixPath) -> bool:
    if project.is_git:
        return project.is_tracked(path)
    return path in set(project.files())


def _loads(project: Project) -> Iterator[tuple[Located, Span, str]]:
    for cls in settings_classes(project):
        if any(PurePosixPath(f).name == ".env" for f in cls.env_files):
            yield cls.module, cls.module.span(cls.node), f"Settings class `{cls.node.name}`"
    for module in candidate_files(project, "load_dotenv", "dotenv_values", "Config("):
        for node in module.nodes_matching(_LOADER):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            first = node.args[0] if node.args else None
            target = first.value if isinstance(first, ast.Constant) else None
            if name in ("load_dotenv", "dotenv_values") and (
                target is None or str(target).endswith(".env")
            ):
                yield module, module.span(node), f"`{name}()`"
            elif name == "Config" and isinstance(target, str) and target.endswith(".env"):
                yield module, module.span(node), "starlette `Config`"
