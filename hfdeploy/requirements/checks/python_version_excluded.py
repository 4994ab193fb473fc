"""RQ006: the release's Requires-Python excludes the image's Python."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.requirements.lookup import index_view
from hfdeploy.target import target_python

if TYPE_CHECKING:
    from hfdeploy.project import Project


class PythonVersionExcluded(Check):
    """## What it does
    Reports a requirement whose release (the pinned one, or every release the specifier
    allows) declares a `Requires-Python` that excludes the Python the image runs. The target
    comes from `--python`, `[tool.hfdeploy] python`, the Dockerfile's `FROM python:X.Y`,
    `.python-version`, `runtime.txt` or `requires-python`, in that order.

    ## Why is this bad?
    pip skips releases that do not support the running Python: an exact pin then fails with
    "No matching distribution found" (or "Requires-Python ... not in"), and the build stops.

    ## Example
    ```text
    numpy==1.24.4        # Requires-Python >=3.8 (no wheel for 3.12) in a python:3.12 image
    ```

    Use instead:
    ```text
    numpy==1.26.4
    ```
    """

    code = "RQ006"
    name = "python-version-excluded"
    severity = Severity.ERROR
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        view = index_view(project)
        target = target_python(project)
        for req in view.checked:
            release = view.chosen(req)
            needs = release.requires_python(view.python) if release else None
            if release is None or needs is None:
                continue
            if req.pin:
                message = f"`{req.name}=={release.version}` requires Python `{needs}`, but the image runs Python {view.python}"
            else:
                message = (
                    f"No release of `{req.name}` allowed by `{req.specifier}` supports Python "
                    f"{view.python} (the newest requires `{needs}`)"
                )
            yield self.diagnostic(
                message,
                path=req.path,
                span=req.span,
                notes=[f"target Python {target.version} from {target.source}"],
            )
