from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.copies import pip_installs
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

_TRUE = ("1", "true", "yes", "on")


class PipCacheNotDisabled(Check):
    """## What it does
    Reports `pip install` in the final stage without `--no-cache-dir`, unless
    `PIP_NO_CACHE_DIR` is set or the `RUN` mounts a build cache (`--mount=type=cache`).

    ## Why is this bad?
    pip keeps every downloaded wheel in `~/.cache/pip`, inside the layer. The image carries
    that copy of all dependencies for nothing: larger images, slower Space builds and starts.

    ## Example
    ```dockerfile
    RUN pip install -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    RUN pip install --no-cache-dir -r requirements.txt
    ```

    ## Fix safety
    The fix adds `--no-cache-dir` after `install`. pip installs exactly the same packages, so
    the fix is safe.
    """

    code = "DF010"
    name = "pip-cache-not-disabled"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for pip in pip_installs(rt):
            if (
                pip.has("--no-cache-dir")
                or pip.step.env.get("PIP_NO_CACHE_DIR", "").lower() in _TRUE
            ):
                continue
            if any(
                f.name == "mount" and "type=cache" in (f.value or "") for f in pip.step.ins.flags
            ):
                continue
            ins = pip.step.ins
            at = ins.raw(pip.install.end - 1) + 1
            fix = Fix("Add `--no-cache-dir`", (Edit.insert(DOCKERFILE, at, " --no-cache-dir"),))
            yield self.diagnostic(
                "`pip install` without `--no-cache-dir` keeps pip's download cache in the image",
                path=DOCKERFILE,
                span=ins.raw_span(pip.words[0].start, pip.install.end),
                fix=fix,
            )
