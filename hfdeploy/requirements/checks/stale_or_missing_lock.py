"""RQ009: no lock for the image, or one made from other requirements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.requirements.checks.conflicting_pins import ConflictingPins
from hfdeploy.requirements.checks.index_unreachable import IndexUnreachable
from hfdeploy.requirements.checks.invalid_requirement import InvalidRequirement
from hfdeploy.requirements.checks.no_wheel_for_target import NoWheelForTarget
from hfdeploy.requirements.checks.package_not_on_index import PackageNotOnIndex
from hfdeploy.requirements.checks.python_version_excluded import PythonVersionExcluded
from hfdeploy.requirements.checks.unreleased_version_pin import UnreleasedVersionPin
from hfdeploy.requirements.checks.yanked_pin import YankedPin
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.lock import LOCK_FILE, build_lock, lock_state
from hfdeploy.requirements.lookup import index_view

if TYPE_CHECKING:
    from hfdeploy.project import Project


# The checks of the install set (RQ001-RQ008), whose errors make any resolution fail.
BEFORE_THE_LOCK: tuple[type[Check], ...] = (
    InvalidRequirement,
    PackageNotOnIndex,
    UnreleasedVersionPin,
    YankedPin,
    NoWheelForTarget,
    PythonVersionExcluded,
    ConflictingPins,
    IndexUnreachable,
)


def blocking_errors(project: Project) -> int:
    """Errors in the install set that would make any resolution fail (RQ001-RQ008)."""

    def count() -> int:
        others = [c() for c in BEFORE_THE_LOCK]
        return sum(1 for c in others for d in c.run(project) if d.severity.name == "ERROR")

    return project.memo("rq-blocking-errors", count)


# What `pip install` names to install the installers, not the app's packages.
_TOOLING = frozenset({"pip", "setuptools", "wheel", "uv", "poetry", "pdm", "pipenv", "pip-tools"})


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0].lower()


def _lock_changes_nothing(project: Project) -> str | None:
    """Why a lock would change nothing in the image (its Dockerfile installs no requirements
    with `pip`/`uv pip` whose packages reach the final stage, so DF018 has no step to point
    at the lock), or None when the image installs it or DF018 can make it."""
    from hfdeploy.image import image

    model = image(project)
    if model.generated:
        return None  # the Dockerfile `fix` generates installs the lock
    tools: list[str] = []
    for install in model.installs:
        if install.step is None or model.visibility(install).importable is False:
            continue
        named = [p for p in install.packages if _name(p) not in _TOOLING]
        if install.tool in ("pip", "uv pip") and (
            install.requirement_files or install.project or named
        ):
            return None
        if install.tool not in tools:
            tools.append(install.tool)
    how = f"with {', '.join(f'`{t}`' for t in tools)}" if tools else "with no install step"
    return (
        f"the image installs its packages {how}, never `pip install -r`, so a lock would "
        f"change nothing in it: none is written"
    )


class StaleOrMissingLock(Check):
    """## What it does
    Reports a project without `requirements.lock`, or whose lock was made from other direct
    requirements or for another Python (the lock's header records a hash of both). A project
    whose image installs its own `poetry.lock`, `uv.lock` or `pdm.lock` through that tool needs
    no second lock and is not reported. The fix
    resolves the whole set for the image (CPython of the target version, linux x86_64, wheels
    only) with `uv pip compile`, or pip >= 26.3, as of the code's era, and writes the result.
    The era is the newest direct pin's upload plus 14 days; with no version bound at all, the
    date of the last git commit that changed the dependency file. When nothing installs for the
    target Python at that date (old releases without wheels for it), a year later, then today,
    is used, and the lock's header says so. `--lock-date` or `[tool.hfdeploy] lock-date`
    (`era`, `today`, `YYYY-MM-DD`) choose the date instead.

    ## Why is this bad?
    Unpinned transitive dependencies float to their newest releases at every build:
    `fastapi==0.104.1` builds with today's pydantic, then crashes at start with
    `'FieldInfo' object has no attribute 'in_'`. The lock makes the image install the set
    of the pins' era, the same at every build. Code with no pin at all was written against
    the releases of its day: `templates.TemplateResponse("index.html", {"request": request})`
    runs with the Starlette of 2024 and answers 500 with today's.

    ## Example
    ```text
    requirements.txt   # fastapi==0.104.1, no lock
    ```

    Use instead:
    ```text
    requirements.txt
    requirements.lock  # written by `hfdeploy fix --write`; the Dockerfile installs it
    ```

    ## Fix safety
    Safe: the lock is made only when the resolver found a set that installs for the target,
    and `requirements.txt` is left as it is. It is written only for an image that will install
    it: the Dockerfile `fix` generates, or one whose `pip install`/`uv pip install` (in the
    final stage, or the stage whose packages it copies) DF018 points at the lock; an image
    that installs its packages some other way gets no lock, since it would change nothing. It needs the index; offline, or while errors in
    the requirements remain, the lock is not written.
    """

    code = "RQ009"
    name = "stale-or-missing-lock"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        if image(project).tool_lock() in ("poetry", "uv", "pdm"):
            return  # the image installs the project's own lock through its tool
        state = lock_state(project)
        if state in ("none", "fresh"):
            return
        source = dependency_set(project).install_file
        if state == "missing":
            message = f"No {LOCK_FILE}: dependencies not pinned in {source} float to their newest releases at every build"
            path = source
        else:
            message = (
                f"{LOCK_FILE} is stale: it was not made from the current {source} and target Python"
            )
            path = LOCK_FILE
        notes: list[str] = []
        missed = _lock_changes_nothing(project)
        if missed is not None:
            notes.append(missed)
            fix = None
        else:
            fix = self._fix(project, notes)
        yield self.diagnostic(message, path=path, fix=fix, notes=notes)

    def _fix(self, project: Project, notes: list[str]) -> Fix | None:
        if project.options.offline:
            notes.append(
                "making the lock needs the package index; run `hfdeploy fix --write` without --offline"
            )
            return None
        if index_view(project).unavailable:
            notes.append(
                "some requirements could not be checked against the index (RQ008), so the lock was not made"
            )
            return None
        if blocking_errors(project):
            notes.append("the lock is made once the errors in the requirements are fixed")
            return None
        result = build_lock(project)
        if result.text is None:
            notes.append(f"resolving the set for the image failed: {result.error}")
            return None
        old = project.text(LOCK_FILE) or ""
        notes.append(
            f"cutoff: {result.cutoff.when:%Y-%m-%d} ({result.cutoff.why})"
            if result.cutoff.when
            else f"no cutoff: {result.cutoff.why}"
        )
        return Fix(f"Write {LOCK_FILE}", (Edit(LOCK_FILE, Span(0, len(old)), result.text),))
