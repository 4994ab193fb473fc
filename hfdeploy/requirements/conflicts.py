"""Conflicts between direct pins, read from the pinned releases' own wheel metadata, and
whether a replacement pin would install for the target: the test that makes a fix safe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from hfdeploy.requirements.lookup import dependencies_of, index_view, prefetch_metadata
from hfdeploy.requirements.model import Declared
from hfdeploy.requirements.releases import Release

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class Conflict:
    dependent: Declared  # the pin whose release requires something else
    requirement: Requirement  # that release's Requires-Dist entry
    pinned: Declared  # the pin it excludes

    def explain(self) -> str:
        return (
            f"`{self.dependent.name}=={self.dependent.pin}` requires `{self.requirement}`, "
            f"but `{self.pinned.name}=={self.pinned.pin}` is pinned "
            f'({self.pinned.path}:{self.pinned.line}); pip stops with "ResolutionImpossible"'
        )


def _pinned(project: Project) -> list[tuple[Declared, Release]]:
    view = index_view(project)
    out = []
    for req in view.checked:
        release = view.chosen(req) if req.pin is not None else None
        if release is not None:
            out.append((req, release))
    return out


def pin_conflicts(project: Project) -> list[Conflict]:
    return project.memo("rq-conflicts", lambda: _find_conflicts(project))


def _find_conflicts(project: Project) -> list[Conflict]:
    pinned = _pinned(project)
    prefetch_metadata(project, pinned)
    by_key = {req.key: req for req, _ in pinned}
    found = []
    for req, release in pinned:
        for dep in dependencies_of(project, req, release) or []:
            other = by_key.get(canonicalize_name(dep.name))
            if other is None or other is req or other.pin is None:
                continue
            if not dep.specifier.contains(other.pin, prereleases=True):
                found.append(Conflict(req, dep, other))
    return found


def replacement_fits(project: Project, old: Declared, name: str, release: Release) -> str | None:
    """None when pinning `name==release.version` in place of `old` installs for the target
    alongside the other direct pins; otherwise the reason it may not."""
    view = index_view(project)
    if release.yanked:
        return f"{name} {release.version} is yanked"
    if release.requires_python(view.python):
        return f"{name} {release.version} requires Python {release.requires_python(view.python)}"
    if release.target_wheel(view.python) is None:
        return f"{name} {release.version} has no wheel for Python {view.python} on linux x86_64"
    key = canonicalize_name(name)
    others = [(r, rel) for r, rel in _pinned(project) if r.key not in (key, old.key)]
    prefetch_metadata(project, [(old, release), *others])
    own = dependencies_of(project, old, release)
    if own is None:
        return f"the index has no metadata for {name} {release.version} to check its dependencies"
    pins = {r.key: r.pin for r, _ in others}
    for dep in own:
        pin = pins.get(canonicalize_name(dep.name))
        if pin is not None and not dep.specifier.contains(pin, prereleases=True):
            return f"{name} {release.version} requires `{dep}`, which excludes the pinned {pin}"
    for other, other_release in others:
        for dep in dependencies_of(project, other, other_release) or []:
            if canonicalize_name(dep.name) == key and not dep.specifier.contains(
                release.version, prereleases=True
            ):
                return f"`{other.name}=={other.pin}` requires `{dep}`"
    return None
