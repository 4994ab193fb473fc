"""A requirements file written from the app's own imports, for a project that declares no
dependency at all while its Dockerfile installs a requirements file that does not exist.

The import -> distribution knowledge is RQ011's (providers.py); versions are left to the lock
step (RQ009), which resolves the unpinned names together for the image's Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from hfdeploy.requirements.imports import project_imports
from hfdeploy.requirements.providers import distribution_for_module

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class FromImports:
    distributions: tuple[str, ...]  # in file order, first the ones asked for
    unresolved: tuple[str, ...]  # imported modules no known distribution provides


def requirements_from_imports(project: Project, first: tuple[str, ...] = ()) -> FromImports:
    """The distributions the app's third-party imports need, `first` (what the server command
    needs) ahead of them; modules the tables cannot name are listed apart, never guessed (a
    guessed name could be someone else's package)."""
    names: dict[str, str] = {}
    for wanted in first:
        names.setdefault(str(canonicalize_name(wanted.split("[", 1)[0])), wanted)
    unresolved: list[str] = []
    for module in sorted(project_imports(project), key=str.lower):
        dist = distribution_for_module(module)
        if dist is None:
            unresolved.append(module)
        else:
            names.setdefault(str(canonicalize_name(dist)), dist)
    return FromImports(tuple(names.values()), tuple(unresolved))


def requirements_text(found: FromImports, newline: str = "\n") -> str:
    lines = [
        "# Written by hfdeploy from the app's third-party imports (unpinned: `hfdeploy fix --write` locks them).",
        *found.distributions,
    ]
    return newline.join(lines) + newline
