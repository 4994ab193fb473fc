from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.edits import whole_lines
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, Step, is_root, run_commands, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

APT = frozenset({"apt-get", "apt", "aptitude", "dpkg"})
# Commands that may share an apt step and do not care which user or directory runs them.
_APT_COMPANIONS = frozenset(
    {"rm", "echo", "true", "apt-get", "apt", "ln", "update-ca-certificates"}
)


def apt_commands(step: Step) -> list[list[str]]:
    return [
        [w.value for w in cmd]
        for cmd in run_commands(step.ins)
        if cmd and posixpath.basename(cmd[0].value) in APT
    ]


class AptGetAsNonRoot(Check):
    """## What it does
    Reports `apt-get`/`apt` steps that run after `USER` has switched to a non-root user.

    ## Why is this bad?
    Only root can install system packages. The build stops with
    `E: List directory /var/lib/apt/lists/partial is missing. - Acquire (13: Permission
    denied)` (or `Could not open lock file /var/lib/dpkg/lock-frontend`), and the Space shows
    a build error. `sudo` is not installed in the python images.

    ## Example
    ```dockerfile
    RUN useradd -m -u 1000 user
    USER user
    RUN apt-get update && apt-get install -y ffmpeg
    ```

    Use instead:
    ```dockerfile
    RUN useradd -m -u 1000 user
    RUN apt-get update && apt-get install -y ffmpeg
    USER user
    ```

    ## Fix safety
    Safe: the step is moved, unchanged, in front of the `USER` instruction, when it runs only
    apt and clean-up commands and no `ENV`/`ARG` between the two defines something it uses.
    Otherwise the finding says where to move it.
    """

    code = "DF033"
    name = "apt-get-as-non-root"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for step in rt.of("RUN"):
            if is_root(step.user) or not apt_commands(step):
                continue
            switch = _switch(rt, step)
            fix = _move(rt, step, switch) if switch is not None else None
            yield self.diagnostic(
                f"`{apt_commands(step)[0][0]}` runs as `{step.user}` (after `USER`): the build "
                "fails with `E: List directory /var/lib/apt/lists/partial is missing. - "
                "Acquire (13: Permission denied)`; install system packages before `USER`",
                path=DOCKERFILE,
                span=step.ins.span,
                fix=fix,
            )


def _switch(rt: Runtime, step: Step) -> Step | None:
    """The USER instruction that switched from root to the user this step runs as."""
    index = rt.steps.index(step)
    for earlier in reversed(rt.steps[:index]):
        if earlier.ins.keyword == "USER":
            return earlier if is_root(earlier.user) else None
    return None


def _move(rt: Runtime, step: Step, switch: Step) -> Fix | None:
    ins = step.ins
    if ins.heredocs or ins.exec_form() is not None or ins.stage != switch.ins.stage:
        return None
    for cmd in run_commands(ins):
        if cmd and posixpath.basename(cmd[0].value) not in _APT_COMPANIONS:
            return None
    start, end = rt.steps.index(switch), rt.steps.index(step)
    between = rt.steps[start + 1 : end]
    if "$" in ins.text and any(s.ins.keyword in ("ENV", "ARG") for s in between):
        return None
    text = rt.dockerfile.text
    lines = whole_lines(text, ins.span)
    moved = text[lines.start : lines.end]
    if not moved.endswith("\n"):
        moved += "\r\n" if "\r\n" in text else "\n"
    at = whole_lines(text, switch.ins.span).start
    return Fix(
        "Move the apt step before `USER`",
        (Edit.insert(DOCKERFILE, at, moved), Edit(DOCKERFILE, lines, "")),
    )
