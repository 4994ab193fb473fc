"""RQ018: the tool that installs a Poetry or PDM lock is installed at today's release."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.image.installs import InstallStep
from hfdeploy.requirements.lock import tool_era, tool_set_of_era
from hfdeploy.values import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Lock tools whose own dependencies float (uv is one static binary and is not reported).
TOOLS = ("poetry", "pdm")
DOCKERFILE = PurePosixPath("Dockerfile")
# Where the Dockerfile `fix` generates installs the tool that exports a lock
# (hfdeploy/dockerfile/regenerate.py, TOOL_EXPORTS).
GENERATED_TOOL_VENV = "venv:/tmp/tool"


@dataclass(frozen=True)
class FloatingTool:
    tool: str
    requirement: str  # as the command names it: `pdm`, `pdm<3`
    install: InstallStep  # the step that installs the tool
    span: Span | None  # the requirement's text in the Dockerfile, when it can be replaced


def floating_tools(project: Project) -> list[FloatingTool]:
    """Steps of the built image that install Poetry or PDM without an exact version, while a
    step installs that tool's lock with it."""
    from hfdeploy.image import image

    model = image(project)
    if model.generated:
        return []
    locks = {i.lock_tool for i in model.installs if i.lock_tool in TOOLS}
    found: list[FloatingTool] = []
    for install in model.installs:
        if install.step is None or install.tool not in ("pip", "uv pip"):
            continue
        generated_export = install.location == GENERATED_TOOL_VENV
        for package in install.packages:
            try:
                req = Requirement(package)
            except InvalidRequirement:
                continue
            tool = canonicalize_name(req.name)
            if tool not in locks or any(s.operator in ("==", "===") for s in req.specifier):
                continue
            if generated_export and tool == "poetry":
                # hfdeploy's own export step runs `poetry export --only main` through
                # poetry-plugin-export, which a Poetry of the lock's era (1.1) does not have;
                # its PDM step uses options every PDM 2 knows (`--prod --without-hashes -o`).
                continue
            found.append(FloatingTool(tool, package, install, _span_of(install, package)))
    return found


def _span_of(install: InstallStep, package: str) -> Span | None:
    from hfdeploy.dockerfile.stage import run_commands

    assert install.step is not None
    ins = install.step.ins
    if ins.exec_form() is not None or ins.heredocs:
        return None
    words = [
        w
        for cmd in run_commands(ins)
        if tuple(w.value for w in cmd) == install.words
        for w in cmd[1:]
        if w.value == package and not w.operator
    ]
    if len(words) != 1:
        return None
    return Span(ins.raw(words[0].start), ins.raw(words[0].end - 1) + 1)


class LockToolFloats(Check):
    """## What it does
    Reports a Dockerfile step that installs Poetry or PDM without an exact version
    (`pip install pdm`, `pip install "poetry<2"`) when a later step installs the project's
    `poetry.lock` or `pdm.lock` with that tool.

    ## Why is this bad?
    Each build takes the tool's newest release and the newest releases of the tool's own
    dependencies, years after the lock was written. A tool release that reads the old lock
    differently, or a dependency release the tool does not support, fails the build inside the
    tool itself: `[AttributeError]: module 'hishel' has no attribute 'SyncSqliteStorage'` from
    `pdm install`, `ImportError: cannot import name 'PDMPyPIClient'`. It works until such a
    release comes out, so this is a warning; `fix --write --verify` repairs it when the build
    shows it (a build step failing inside the tool).

    ## Example
    ```dockerfile
    RUN pip install pdm
    COPY pyproject.toml pdm.lock ./
    RUN pdm install --prod
    ```

    Use instead (the tool and its dependencies as of the lock's last commit):
    ```dockerfile
    RUN pip install pdm==2.8.2 cachecontrol==0.13.1 ... unearth==0.10.0
    COPY pyproject.toml pdm.lock ./
    RUN pdm install --prod
    ```

    ## Fix safety
    Safe: the requirement is replaced by the tool at the version that wrote the lock (Poetry
    records it in the lock's header) or at the newest release of the lock's era (the last git
    commit that changed the lock), with every package it needs pinned as of that date for the
    image's Python (a year later when nothing installs then). A tool of the lock's era reads
    the lock it wrote. No fix offline, outside git without a recorded version, or in an
    exec-form RUN.
    """

    code = "RQ018"
    name = "lock-tool-floats"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    cacheable = False
    cacheable_offline = True  # offline it reads nothing outside the repository

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for floating in floating_tools(project):
            era = tool_era(project, floating.tool)
            if era is None:
                continue
            written = f" (written by {floating.tool} {era.version})" if era.version else ""
            notes: list[str] = []
            fix = self._fix(project, floating, notes)
            yield self.diagnostic(
                f"`{floating.requirement}` installs the newest {floating.tool} and the newest "
                f"releases of its own dependencies at every build, to install {era.lock}"
                f"{written}: a release newer than the lock can fail the build inside "
                f"{floating.tool}",
                path=DOCKERFILE,
                span=floating.span
                or (floating.install.step.ins.span if floating.install.step else None),
                fix=fix,
                notes=notes,
            )

    @staticmethod
    def _fix(project: Project, floating: FloatingTool, notes: list[str]) -> Fix | None:
        return tool_hold_fix(project, floating, notes)


def tool_hold_fix(project: Project, floating: FloatingTool, notes: list[str]) -> Fix | None:
    """Replace the tool's requirement with the tool and its dependencies of the lock's era."""
    if floating.span is None:
        notes.append("the requirement is not a plain word of a shell-form RUN: pin it by hand")
        return None
    if project.options.offline:
        notes.append("holding the tool to the lock's era needs the package index")
        return None
    era = tool_era(project, floating.tool)
    if era is None:
        return None
    pins, why = tool_set_of_era(project, floating.requirement, era)
    if not pins or not all(is_valid("pip-requirement", p) for p in pins):
        notes.append(f"no fix: {why}")
        return None
    head = next((p for p in pins if canonicalize_name(p.split("==")[0]) == floating.tool), None)
    notes.append(f"{head or floating.tool} and {len(pins) - 1} packages it needs, {why}")
    ordered = [head] + [p for p in pins if p != head] if head else pins
    lines: list[str] = []
    for pin in ordered:
        if lines and len(lines[-1]) + len(pin) < 80:
            lines[-1] += " " + pin
        else:
            lines.append(pin)
    return Fix(
        f"Install {head or floating.tool} and its dependencies as of the lock's era",
        (Edit(DOCKERFILE, floating.span, " \\\n    ".join(lines)),),
    )
