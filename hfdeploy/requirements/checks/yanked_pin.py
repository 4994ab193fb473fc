"""RQ004: an exact pin to a yanked release."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.requirements.lookup import index_view

if TYPE_CHECKING:
    from hfdeploy.project import Project


class YankedPin(Check):
    """## What it does
    Reports an exact pin to a release its authors yanked (PEP 592), with their reason.

    ## Why is this bad?
    pip still installs an exactly pinned yanked release (with a warning), so the build works,
    but the release was withdrawn for a reason: a broken build, a security problem, wrong
    metadata. The pin is not rewritten, because the choice of release is yours.

    ## Example
    ```text
    somepackage==1.4.0   # yanked: "broken wheel"
    ```

    Use instead:
    ```text
    somepackage==1.4.1
    ```
    """

    code = "RQ004"
    name = "yanked-pin"
    severity = Severity.WARNING
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        view = index_view(project)
        for req in view.checked:
            found = view.found(req)
            if (
                found is None
                or req.pin is None
                or req.pin not in found
                or not found[req.pin].yanked
            ):
                continue
            release = found[req.pin]
            reason = f" (reason given: {release.yank_reason})" if release.yank_reason else ""
            later = [
                v for v, r in found.items() if v > req.pin and not r.yanked and not v.is_prerelease
            ]
            notes = [f"the next release that is not yanked is {later[0]}"] if later else []
            yield self.diagnostic(
                f"`{req.name}=={req.pin}` was yanked{reason}",
                path=req.path,
                span=req.span,
                notes=notes,
            )
