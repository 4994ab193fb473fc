from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.dockerfile.copies import copies
from hfdeploy.dockerfile.shell import expand
from hfdeploy.dockerfile.stage import DOCKERFILE, run_commands, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

DATA = "/data"
_PREPARES = frozenset({"mkdir", "chown", "chmod", "rm", "ln", "echo"})
_READERS = frozenset(
    {"cat", "ls", "tar", "unzip", "source", ".", "head", "tail", "sqlite3", "test"}
)
_MOVERS = frozenset({"cp", "mv", "rsync"})


def _under_data(value: str) -> bool:
    return value == DATA or value.startswith(DATA + "/")


class BuildStepUsesData(Check):
    """## What it does
    Reports build steps that read or write under `/data`: a `RUN` command other than creating
    the directory and setting its owner or mode, and a `COPY` into `/data`.

    ## Why is this bad?
    `/data` is where a Space mounts a storage bucket, and only at run time: during the build
    nothing is mounted. A step that reads from `/data` (`cp /data/model.bin .`, `cat
    /data/config.json`) fails the build (`No such file or directory`). Files a step writes into
    `/data` are hidden at run time as soon as a bucket is mounted over the directory, so the
    app does not find them.

    ## Example
    ```dockerfile
    RUN python -m app.init_db --path /data/app.db
    ```

    Instead create the file at start-up (the app's lifespan), or keep build output outside
    `/data`. `RUN mkdir -p /data && chown user /data` is fine.

    ## Fix safety
    No automatic fix: moving work from the build to the start is a code change.
    """

    code = "DF038"
    name = "build-step-uses-data"
    severity = Severity.WARNING
    fix_availability = FixAvailability.NEVER

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for step in rt.of("RUN"):
            if step.ins.flag("mount") is not None and DATA in (step.ins.flag("mount").value or ""):  # type: ignore[union-attr]
                continue
            worst: tuple[bool, str] | None = None
            for cmd in run_commands(step.ins):
                args = [expand(w.value, step.env) for w in cmd]
                if not args:
                    continue
                program = posixpath.basename(args[0])
                operands = [a for a in args[1:] if not a.startswith("-")]
                touched = [a for a in operands if _under_data(a)]
                if not touched or program in _PREPARES:
                    continue
                reads = program in _READERS or (
                    program in _MOVERS and any(_under_data(a) for a in operands[:-1])
                )
                if worst is None or (reads and not worst[0]):
                    worst = (reads, f"`{program} ... {touched[0]}`")
            if worst is None:
                continue
            reads, shown = worst
            if reads:
                message = (
                    f"{shown} reads `/data` during the build, where nothing is mounted: the "
                    "build fails with `No such file or directory`"
                )
            else:
                message = (
                    f"{shown} writes into `/data` during the build: a storage bucket mounted "
                    "at `/data` hides it at run time"
                )
            yield self.diagnostic(
                message,
                path=DOCKERFILE,
                span=step.ins.span,
                severity=Severity.ERROR if reads else Severity.WARNING,
            )
        for copy in copies(rt):
            if _under_data(copy.dest):
                yield self.diagnostic(
                    f"`{copy.step.ins.keyword}` puts files into `{copy.dest}`: a storage bucket "
                    "mounted at `/data` hides them at run time",
                    path=DOCKERFILE,
                    span=copy.step.ins.span,
                )
