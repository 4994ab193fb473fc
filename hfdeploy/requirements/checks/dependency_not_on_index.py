"""RQ017: a requirement depends on a project the index does not have."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

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
from hfdeploy.redact import redact_url
from hfdeploy.requirements.checks.package_not_on_index import _app_imports
from hfdeploy.requirements.checks.stale_or_missing_lock import blocking_errors
from hfdeploy.requirements.index import IndexError_
from hfdeploy.requirements.lock import build_lock, lock_state
from hfdeploy.requirements.lookup import IndexView, applies, index_view, installed_modules
from hfdeploy.requirements.model import Declared
from hfdeploy.requirements.providers import candidates
from hfdeploy.requirements.sdist_metadata import sdist_requirements

if TYPE_CHECKING:
    from hfdeploy.project import Project

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
# What the resolvers say when a dependency names a project no index has.
_MISSING = (
    re.compile(rf"`?({_NAME})`? was not found in the package registry"),  # uv
    re.compile(rf"No matching distribution found for ({_NAME})"),  # pip
)
_DEPENDS = re.compile(rf"({_NAME})(?:\[[^\]]*\])?(?:[=<>!~][^\s,]*)? depends on ({_NAME})")
# uv says so when wheels-only resolution shaped the conclusion: pip, which builds source
# releases, may then find a release whose dependencies all exist.
_MAYBE = (
    "; pip can install it only by building a source release whose dependencies only "
    "the build shows (its releases with wheels cannot be installed)"
)
# At most this many source releases are downloaded to read what they declare.
MAX_SOURCE_RELEASES = 8
_WHEELS_MATTERED = re.compile(r"no usable wheels|Wheels are required|no wheels with a matching")


class DependencyNotOnIndex(Check):
    """## What it does
    Reports a requirement whose releases depend on a project that does not exist on the
    package index pip would use, as the resolution of the image's install set (RQ009) finds
    it: uv's "`values` was not found in the package registry".

    ## Why is this bad?
    pip fails with "No matching distribution found for values" (or `ResolutionImpossible`)
    and the Space build stops, although every name in `requirements.txt` exists: the missing
    project is one level down. It is typically a squatted or abandoned name listed by mistake
    (`dict` for the built-in type) whose releases require names that were never published.
    An error when every release the range allows has a wheel whose metadata needs the missing
    project, or has only a source archive that declares such a dependency where it can be read
    without building: a static `PKG-INFO` (Metadata-Version 2.2+), `*.egg-info/requires.txt`,
    `setup.py`'s `install_requires` read as a syntax tree (a literal list, or a requirements file
    of the archive it opens), `setup.cfg` (at most 8 archives are downloaded). A warning when a
    source release's dependencies only a build can tell. Offline, or when the index did not
    answer (RQ008), nothing is reported.

    ## Example
    ```text
    fastapi==0.115.0
    dict>=2018.11.19
    ```

    Use instead:
    ```text
    fastapi==0.115.0
    ```

    ## Fix safety
    Offered only when no module the app imports maps to the requirement: it removes the
    requirement's line. Safe for an error (no release can install, so no working image ever
    had it); unsafe for a warning, since a source build might still install it and the app may
    need it in a way no import shows (a plugin loaded by name).
    """

    code = "RQ017"
    name = "dependency-not-on-index"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    cacheable = False
    cacheable_offline = True  # offline it reads nothing outside the repository

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        if project.options.offline or lock_state(project) not in ("missing", "stale"):
            return
        if image(project).tool_lock() in ("poetry", "uv", "pdm"):
            return
        view = index_view(project)
        if view.unavailable or blocking_errors(project):
            return
        error = build_lock(project).error
        if not error:
            return
        named = {canonicalize_name(m) for pattern in _MISSING for m in pattern.findall(error)}
        # Only what the index itself says it does not have (not a network failure).
        missing = sorted(n for n in named if view.client.lookup(n).missing)
        if not missing:
            return
        parents: dict[str, set[str]] = {}
        for parent, child in _DEPENDS.findall(error):
            parents.setdefault(canonicalize_name(child), set()).add(canonicalize_name(parent))
        direct: dict[str, Declared] = {str(r.key): r for r in view.checked if not r.constraint}
        blamed: dict[str, list[str]] = {}
        for name in missing:
            for key in _direct_ancestors(name, parents, direct):
                blamed.setdefault(key, []).append(name)
        where = ", ".join(redact_url(u) for u in view.settings.urls)
        wheels_mattered = bool(_WHEELS_MATTERED.search(error))
        severity = Severity.WARNING if wheels_mattered else Severity.ERROR
        for key, names in sorted(blamed.items()):
            req = direct[key]
            # The source releases uv did not judge: their own declared dependencies may settle it.
            certain = not wheels_mattered or _sources_need_missing(view, req)
            shown = ", ".join(f"`{n}`" for n in names)
            notes: list[str] = []
            if wheels_mattered and certain:
                notes.append(
                    "its source releases declare a dependency the index does not have too "
                    "(read from the archives, without building them)"
                )
            fix = self._removal(project, req, notes, certain)
            yield self.diagnostic(
                f"`{req.name}` depends on {shown}, not on the package index ({where})"
                + (": pip cannot install it" if certain else _MAYBE),
                path=req.path,
                span=req.name_span,
                fix=fix,
                notes=notes,
                severity=Severity.ERROR if certain else Severity.WARNING,
            )
        unplaced = [n for n in missing if not any(n in v for v in blamed.values())]
        if unplaced:
            source = view.checked[0].path if view.checked else None
            tail = _MAYBE if wheels_mattered else ": pip cannot install it"
            yield self.diagnostic(
                f"The install set depends on {', '.join(f'`{n}`' for n in unplaced)}, not on "
                f"the package index ({where}){tail}",
                path=source,
                notes=[error.splitlines()[-1]] if error.strip() else [],
                severity=severity,
            )

    @staticmethod
    def _removal(project: Project, req: Declared, notes: list[str], certain: bool) -> Fix | None:
        if req.source != "requirements":
            return None  # a line of a TOML array may hold more than this requirement
        imports = _app_imports(project)
        provides = installed_modules(project, [req]).get(req.key, frozenset())
        used = sorted(m for m in imports if req.key in candidates(m) or m in provides)
        if used:
            notes.append(
                f"the app imports {', '.join(f'`{m}`' for m in used)}, which `{req.name}` may "
                "provide: replace it with a project that exists"
            )
            return None
        text = project.text(req.path) or ""
        start = text.rfind("\n", 0, req.span.start) + 1
        end = text.find("\n", req.span.end)
        end = len(text) if end < 0 else end + 1
        notes.append(f"no module the app imports comes from `{req.name}`")
        return Fix(
            f"Remove `{req.name}` from {req.path}",
            (Edit(req.path, Span(start, end), ""),),
            Applicability.SAFE if certain else Applicability.UNSAFE,
        )


def _direct_ancestors(
    name: str, parents: dict[str, set[str]], direct: dict[str, Declared]
) -> list[str]:
    """The direct requirements through which the resolver reached `name`."""
    found: list[str] = []
    seen = {name}
    todo = [name]
    while todo:
        for parent in sorted(parents.get(todo.pop(), ())):
            if parent in seen:
                continue
            seen.add(parent)
            if parent in direct:
                found.append(parent)
            else:
                todo.append(parent)
    return found


def _sources_need_missing(view: IndexView, req: Declared) -> bool:
    """Every release `req` allows that has no wheel for the image (the ones a wheels-only
    resolution could not judge) declares, in its source archive, a dependency the index does
    not have: then no release installs. False when any of them is unknown or fine."""
    found = view.found(req)
    if found is None:
        return False
    checked = 0
    for version in sorted(found, reverse=True):
        release = found[version]
        if not req.specifier.contains(version) or release.requires_python(view.python):
            continue
        if release.yanked and req.pin != version:
            continue  # pip skips a yanked release unless pinned to it
        if release.target_wheel(view.python) is not None:
            continue  # the resolution judged the wheel's metadata
        sdist = next((f for f in release.files if not f.filename.endswith(".whl")), None)
        if sdist is None:
            continue  # nothing pip could install from
        checked += 1
        if checked > MAX_SOURCE_RELEASES:
            return False
        try:
            data = view.client.download(sdist)
        except IndexError_:
            return False
        declared = sdist_requirements(data, sdist.filename)
        if declared is None or not any(_missing_dependency(view, d) for d in declared):
            return False
    return checked > 0


def _missing_dependency(view: IndexView, text: str) -> bool:
    try:
        dependency = Requirement(text)
    except InvalidRequirement:
        return False
    if dependency.url or not applies(dependency.marker, view.python):
        return False
    return view.client.lookup(dependency.name).missing
