from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.copies import copies
from hfdeploy.dockerfile.stage import DOCKERFILE, is_root, runtime
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project


class CopyWithoutChown(Check):
    """## What it does
    Reports `COPY`/`ADD` after `USER <non-root>` in the final stage without `--chown`.

    ## Why is this bad?
    `COPY` ignores `USER`: the files belong to root. The app can read them but not change
    them: a copied SQLite database fails with `attempt to write a readonly database`, and files
    the app rewrites (uploads, caches, generated assets) fail with `Permission denied`.

    ## Example
    ```dockerfile
    USER user
    COPY . /home/user/app
    ```

    Use instead:
    ```dockerfile
    USER user
    COPY --chown=user . /home/user/app
    ```

    ## Fix safety
    The fix adds `--chown=<user>`, giving the app's user the files it already runs with; it is
    safe.
    """

    code = "DF015"
    name = "copy-without-chown"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for copy in copies(rt):
            ins = copy.step.ins
            if is_root(copy.step.user) or ins.flag("chown") is not None:
                continue
            user = copy.step.user.split(":")[0]
            if not is_valid("user", user):
                continue
            at = ins.raw(ins.args_start)
            fix = Fix(f"Copy as `{user}`", (Edit.insert(DOCKERFILE, at, f"--chown={user} "),))
            yield self.diagnostic(
                f"`{ins.keyword}` after `USER {user}` without `--chown`: root owns the copied "
                f"files and `{user}` cannot change them",
                path=DOCKERFILE,
                span=ins.span,
                fix=fix,
            )
