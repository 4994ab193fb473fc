"""RQ013: packages a Dockerfile installs by name, without a version, float to their newest releases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.image.installs import InstallStep
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.lock import pins_of_named
from hfdeploy.requirements.lookup import index_view
from hfdeploy.target import target_python

if TYPE_CHECKING:
    from hfdeploy.project import Project

DOCKERFILE = PurePosixPath("Dockerfile")
# What `pip install` names to install the installers, not the app's packages (the lock tools
# floating are RQ018's).
_TOOLING = frozenset({"pip", "setuptools", "wheel", "uv", "poetry", "pdm", "pipenv", "pip-tools"})


def floating_names(project: Project, install: InstallStep) -> list[str]:
    """The requirements `install` names on its command line with no version at all (a bare
    name, extras allowed), that no requirements file of the project declares (the lock holds
    those, RQ009)."""
    declared = {r.key for r in dependency_set(project).direct}
    found = []
    for package in install.packages:
        try:
            req = Requirement(package)
        except InvalidRequirement:
            continue
        key = canonicalize_name(req.name)
        if (
            req.url
            or key in _TOOLING
            or key in declared
            or req.specifier  # bounded by hand (a range is a choice; `==X` cannot be added)
            or req.marker
        ):
            continue
        found.append(package)
    return found


def _resolvable(install: InstallStep) -> list[str]:
    """The step's named requirements resolved together (its pins too), the installers aside."""
    found = []
    for package in install.packages:
        try:
            req = Requirement(package)
        except InvalidRequirement:
            continue
        if not req.url and canonicalize_name(req.name) not in _TOOLING:
            found.append(package)
    return found


def _version_points(install: InstallStep, names: list[str]) -> dict[str, int] | None:
    """Where `==X` goes for each name: the Dockerfile offset just past the requirement as
    written (inside its quotes); None unless every name is a plain word of a shell-form RUN."""
    from hfdeploy.dockerfile.stage import run_commands

    assert install.step is not None
    ins = install.step.ins
    if ins.exec_form() is not None or ins.heredocs:
        return None
    points: dict[str, int] = {}
    for name in names:
        words = [
            w
            for cmd in run_commands(ins)
            if tuple(w.value for w in cmd) == install.words
            for w in cmd[1:]
            if w.value == name and not w.operator and w.positions
        ]
        if len(words) != 1:
            return None
        points[name] = ins.raw(words[0].positions[-1]) + 1
    return points


class NamedInstallFloats(Check):
    """## What it does
    Reports a Dockerfile `pip install` (or `uv pip install`) whose packages reach the final
    stage and that names requirements with no version at all (`RUN pip install fastapi
    uvicorn aerich`) rather than installing a requirements file; a name with a bound written
    by hand (`"starlette<0.38"`) is a choice and is not reported. Names a requirements file of
    the project also declares are left to its lock (RQ009), and the installers themselves
    (`pip`, `setuptools`, `wheel`, ...; Poetry and PDM are RQ018's) are not reported.

    ## Why is this bad?
    Each build installs the newest release of every name, and of everything they need, years
    after the code was written against the releases of its day. A release that drops the
    image's Python or changes its API fails the build or the start: on `python:3.9` a new
    `aerich` imports modules its own metadata does not install, and Tortoise ORM stops at
    start with `Module "aerich.models" not found`. It works until such a release comes out,
    so this is a warning.

    ## Example
    ```dockerfile
    FROM python:3.9
    RUN pip install fastapi uvicorn aerich
    ```

    Use instead (the versions of the Dockerfile's era):
    ```dockerfile
    FROM python:3.9
    RUN pip install fastapi==0.95.1 uvicorn==0.22.0 aerich==0.7.1
    ```

    ## Fix safety
    Safe: each name gets `==X`, where X is the version the lock's resolver (RQ009) picks for
    the names together, for the image's Python, as of the lock's date: by default the last
    git commit that changed the Dockerfile (a year later, then today, when nothing installs
    then), or `--lock-date` / `[tool.hfdeploy] lock-date`. The line's formatting and quotes
    are kept. No fix offline, while the index cannot be reached, or when a name is not a
    plain word of a shell-form RUN.
    """

    code = "RQ013"
    name = "named-install-floats"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    cacheable = False
    cacheable_offline = True  # offline it reads nothing outside the repository

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        model = image(project)
        if model.generated:
            return
        python = target_python(project).version
        for install in model.installs:
            if (
                install.step is None
                or install.tool not in ("pip", "uv pip")
                or model.visibility(install).importable is False
            ):
                continue
            names = floating_names(project, install)
            if not names:
                continue
            shown = ", ".join(f"`{n}`" for n in names)
            notes: list[str] = []
            fix = self._fix(project, install, names, notes)
            yield self.diagnostic(
                f"{shown} installed by name with no version: each build takes the newest "
                f"releases, and one that drops Python {python} or changes its API fails the "
                "build or the start",
                path=DOCKERFILE,
                span=install.step.ins.span,
                fix=fix,
                notes=notes,
            )

    @staticmethod
    def _fix(
        project: Project, install: InstallStep, names: list[str], notes: list[str]
    ) -> Fix | None:
        points = _version_points(install, names)
        if points is None:
            notes.append("a name is not a plain word of a shell-form RUN: pin it by hand")
            return None
        if project.options.offline:
            notes.append(
                "pinning the names needs the package index; run `hfdeploy fix --write` without --offline"
            )
            return None
        if index_view(project).unavailable:
            notes.append("the package index could not be reached (RQ008), so no version was picked")
            return None
        found = pins_of_named(project, _resolvable(install), DOCKERFILE)
        if found.error is not None:
            notes.append(f"resolving the names for the image failed: {found.error}")
            return None
        edits = []
        for name in names:
            version = found.pins.get(canonicalize_name(Requirement(name).name))
            if version is None:
                notes.append(f"the resolution picked no version of `{name}`")
                return None
            at = points[name]
            edits.append(Edit(DOCKERFILE, Span(at, at), f"=={version}"))
        notes.append(
            f"cutoff: {found.cutoff.when:%Y-%m-%d} ({found.cutoff.why})"
            if found.cutoff.when
            else f"no cutoff: {found.cutoff.why}"
        )
        return Fix("Pin the names to the versions of the lock's date", tuple(edits))
