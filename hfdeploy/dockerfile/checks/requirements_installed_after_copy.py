from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

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
from hfdeploy.dockerfile.copies import Copy, PipInstall, copies, pip_installs
from hfdeploy.dockerfile.inputs import install_plan
from hfdeploy.dockerfile.regenerate import regeneration
from hfdeploy.dockerfile.stage import DOCKERFILE, Step, runtime
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Instructions that may sit between the whole-context COPY and pip without changing what pip sees.
_NEUTRAL = frozenset({"COPY", "ADD", "EXPOSE", "LABEL"})


class RequirementsInstalledAfterCopy(Check):
    """## What it does
    Reports `pip install -r <file>` that runs after the whole project was copied in
    (`COPY . .`) when the requirements file was not copied on its own first.

    ## Why is this bad?
    Docker reuses a cached layer only while everything before it is unchanged. After
    `COPY . .`, any code change invalidates the install layer, so every push to the Space
    reinstalls every dependency: slower builds, and a fresh resolution each time.

    ## Example
    ```dockerfile
    COPY --chown=user . .
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    COPY --chown=user requirements.txt requirements.txt
    RUN pip install --no-cache-dir -r requirements.txt
    COPY --chown=user . .
    ```

    ## Fix safety
    When only `COPY`/`ADD` lines separate the two, the fix copies the requirement files (and
    the files they include) first and moves the `RUN` line before `COPY . .`: pip sees the same
    files, so it is safe. Otherwise it offers hfdeploy's regenerated Dockerfile, safe only for
    a file the template fully reproduces. Requirements that install the project itself
    (`-e .`) need the code first and are not reported.
    """

    code = "DF009"
    name = "requirements-installed-after-copy"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None or install_plan(project).needs_source:
            return
        all_copies = copies(rt)
        for pip in pip_installs(rt):
            if pip.installs_project or not pip.requirement_files:
                continue
            index = rt.steps.index(pip.step)
            earlier = [c for c in all_copies if rt.steps.index(c.step) < index]
            broad = next((c for c in earlier if c.whole_context), None)
            if broad is None or any(
                not c.whole_context and any(c.brings(f) for f in pip.requirement_files)
                for c in earlier[: earlier.index(broad)]
            ):
                continue
            fix = self._move(project, rt.steps, broad, pip) or self._regenerated(project)
            yield self.diagnostic(
                f"`pip install -r {pip.requirement_files[0]}` runs after `{broad.step.ins.text}` "
                f"(line {broad.step.ins.line}): every code change reinstalls all dependencies",
                path=DOCKERFILE,
                span=pip.step.ins.span,
                fix=fix,
            )

    @staticmethod
    def _regenerated(project: Project) -> Fix | None:
        fix = regeneration(project).fix
        return fix if fix is not None and fix.applicability is Applicability.SAFE else None

    @staticmethod
    def _move(project: Project, steps: list[Step], broad: Copy, pip: PipInstall) -> Fix | None:
        source = project.source(DOCKERFILE)
        between = steps[steps.index(broad.step) + 1 : steps.index(pip.step)]
        if source is None or any(s.ins.keyword not in _NEUTRAL for s in between):
            return None
        if broad.dest != broad.step.workdir or any(
            posixpath.isabs(f) for f in pip.requirement_files
        ):
            return None
        plan = install_plan(project)
        files = list(pip.requirement_files)
        if plan.file is not None and str(plan.file) in files:  # with the files it includes
            files = list(dict.fromkeys([*files, *map(str, plan.copy_first)]))
        if not all(is_valid("path", f) and project.exists(f) for f in files):
            return None
        chown = broad.step.ins.flag("chown")
        flag = (
            f" --chown={chown.value}"
            if chown and chown.value and is_valid("user", chown.value.split(":")[0])
            else ""
        )
        nl = source.newline
        run_span = pip.step.ins.span
        line_end = source.text.find("\n", run_span.end)
        cut_end = len(source.text) if line_end == -1 else line_end + 1
        run_text = source.text[run_span.start : run_span.end]
        moved = "".join(f"COPY{flag} {f} {f}{nl}" for f in files) + run_text + nl
        return Fix(
            "Install the requirements before copying the code",
            (
                Edit.insert(DOCKERFILE, broad.step.ins.span.start, moved),
                Edit(DOCKERFILE, Span(run_span.start, cut_end), ""),
            ),
        )
