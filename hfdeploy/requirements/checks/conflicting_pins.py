"""RQ007: two direct pins that cannot be installed together."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.requirements.conflicts import pin_conflicts

if TYPE_CHECKING:
    from hfdeploy.project import Project


class ConflictingPins(Check):
    """## What it does
    Reports a pin that another pinned release excludes in its own dependency metadata (read
    from the index, PEP 658), explaining the conflict in one finding on the excluded pin's line.
    Conflicts deeper in the dependency tree surface when the lock is made (RQ009).

    ## Why is this bad?
    pip's resolver stops with `ResolutionImpossible` and the build fails.

    ## Example
    ```text
    fastapi==0.104.1
    pydantic==1.6.2      # fastapi 0.104.1 requires pydantic>=1.7.4
    ```

    Use instead:
    ```text
    fastapi==0.104.1
    pydantic==2.5.2
    ```
    """

    code = "RQ007"
    name = "conflicting-pins"
    severity = Severity.ERROR
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for conflict in pin_conflicts(project):
            yield self.diagnostic(
                f"`{conflict.pinned.name}=={conflict.pinned.pin}` conflicts with `{conflict.dependent.name}=={conflict.dependent.pin}`",
                path=conflict.pinned.path,
                span=conflict.pinned.span,
                notes=[conflict.explain()],
            )
