from __future__ import annotations

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
)
from hfdeploy.dockerfile.copies import copies
from hfdeploy.dockerfile.dockerignore import dockerignore_fix, dotenv_files, ignores, is_dotenv
from hfdeploy.dockerfile.edits import whole_lines
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class DotenvCopiedIntoImage(Check):
    """## What it does
    Reports a `.env` file that ends up in the image: copied by name (`COPY .env .`), or by a
    copy of the whole project (`COPY . .`) that `.dockerignore` does not stop.

    ## Why is this bad?
    Spaces never read `.env`; settings come from the Space's variables and secrets. A `.env`
    baked into the image carries local values (often real passwords and keys) to everyone who
    can pull or duplicate the image, and can silently override the Space secrets when the app
    loads it with `override=True`.

    It is a warning, not an error: the Space still starts (a Space builds only what the
    repository holds, so an uncommitted `.env` never reaches it; a committed one is EV002's
    error). What makes it fail is an app that loads the file over its Space secrets.

    ## Example
    ```dockerfile
    # .env exists; .dockerignore does not mention it
    COPY . .
    ```

    Use instead:
    ```
    # .dockerignore
    **/.env
    **/.env.*
    !.env.example
    ```

    ## Fix safety
    For a whole-project copy the fix creates or extends `.dockerignore`, which only keeps
    files out of the image: safe. Deleting an explicit `COPY .env ...` line is unsafe: an app
    that reads the file will miss those settings until they are set as Space secrets.
    """

    code = "DF011"
    name = "dotenv-copied-into-image"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        source = project.source(DOCKERFILE)
        if rt is None or source is None:
            return
        envs = [f for f in dotenv_files(project) if not ignores(project, f)]
        for copy in copies(rt):
            named = [s for s in copy.sources if is_dotenv(s)]
            ins = copy.step.ins
            if named:
                fix = None
                if len(copy.sources) == 1:
                    cut = whole_lines(source.text, ins.span)
                    fix = Fix(
                        f"Remove the `COPY` of `{named[0]}`",
                        (Edit(DOCKERFILE, cut, ""),),
                        Applicability.UNSAFE,
                    )
                yield self.diagnostic(
                    f"`{ins.text}` copies `{named[0]}` into the image; set its values as Space "
                    "secrets instead",
                    path=DOCKERFILE,
                    span=ins.span,
                    fix=fix,
                )
                continue
            leaked = [f for f in envs if copy.brings(f)]
            if not leaked:
                continue
            yield self.diagnostic(
                f"`{ins.text}` copies {', '.join(f'`{f}`' for f in leaked)} into the image: "
                "`.dockerignore` does not exclude it",
                path=DOCKERFILE,
                span=ins.span,
                fix=dockerignore_fix(project),
            )
