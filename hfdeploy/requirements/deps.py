"""What other domains ask about the project's dependencies (no network here).

- `declared_dependencies(project)`: the requirements the image installs, each with name,
  extras, specifier, marker, file and line (the database checks ask "is asyncpg declared?").
- `is_declared(project, name)`: shorthand for that question.
- `lock_path(project)`: `requirements.lock` when it exists, else None.
- `install_file(project)`: what the generated Dockerfile should `pip install -r`: the lock when
  present, else the requirements file, else `.` for a pyproject-only project, else None.
- `add_requirement_edit(project, name)`: the edit appending `name` to the requirements file the
  image installs, or None when that is not a requirements .txt file."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from hfdeploy.diagnostics import Edit
from hfdeploy.requirements.declared import PYPROJECT, dependency_set
from hfdeploy.requirements.lock import LOCK_FILE
from hfdeploy.requirements.model import Declared

if TYPE_CHECKING:
    from hfdeploy.project import Project

__all__ = [
    "Declared",
    "add_requirement_edit",
    "declared_dependencies",
    "install_file",
    "is_declared",
    "lock_path",
]


def declared_dependencies(project: Project) -> list[Declared]:
    """Direct requirements of the install set, in file order (constraints excluded)."""
    return dependency_set(project).direct


def is_declared(project: Project, name: str) -> bool:
    key = canonicalize_name(name)
    return any(r.key == key for r in declared_dependencies(project))


def lock_path(project: Project) -> PurePosixPath | None:
    return LOCK_FILE if project.exists(LOCK_FILE) else None


def install_file(project: Project) -> PurePosixPath | None:
    """`requirements.lock`, else the requirements file the image installs, else `.` when the
    dependencies live in pyproject.toml (`pip install .`), else None."""
    lock = lock_path(project)
    if lock is not None:
        return lock
    source = dependency_set(project).install_file
    if source == PYPROJECT:
        return PurePosixPath(".")
    return source


def add_requirement_edit(project: Project, name: str) -> Edit | None:
    """Append `name` (unpinned: the lock step pins it) to the requirements file the image
    installs, keeping the file's line endings."""
    target = dependency_set(project).install_file
    if target is None or target == PYPROJECT or target.suffix != ".txt":
        return None
    source = project.source(target)
    if source is None:
        return None
    text = source.text
    prefix = "" if not text or text.endswith(("\n", "\r")) else source.newline
    return Edit.insert(target, len(text), f"{prefix}{name}{source.newline}")
