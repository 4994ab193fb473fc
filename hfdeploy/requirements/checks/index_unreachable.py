"""RQ008: the index could not be asked, so some requirements went unchecked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.redact import redact_url
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.lookup import index_view

if TYPE_CHECKING:
    from hfdeploy.project import Project


class IndexUnreachable(Check):
    """## What it does
    Says, in one finding, how many requirements could not be checked against the package
    index and why: the index did not answer (after retries), `--offline` found no cached
    answer, or `--no-index` leaves no index to ask.

    ## Why is this bad?
    The other index checks (RQ002-RQ007) are silent for those requirements, so a clean result
    would be misleading. Nothing is reported as missing and no pin is rewritten while the
    index is unreachable.

    ## Example
    ```text
    $ hfdeploy check --offline      # with an empty cache
    ```

    Use instead:
    ```text
    $ hfdeploy check                # with access to the index (or its cache warm)
    ```
    """

    code = "RQ008"
    name = "index-unreachable"
    severity = Severity.WARNING
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        view = index_view(project)
        missed = view.unavailable
        if not missed:
            return
        reasons = sorted({view.lookup(r).error or "" for r in missed})
        where = ", ".join(redact_url(u) for u in view.settings.urls) or "no index"
        count = len({r.key for r in missed})
        yield self.diagnostic(
            f"Could not check {count} requirement{'s' if count != 1 else ''} against {where}: {'; '.join(reasons)}",
            path=dependency_set(project).install_file,
            notes=[f"index from {view.settings.source}"],
        )
