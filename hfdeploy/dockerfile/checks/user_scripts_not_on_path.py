from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.copies import pip_installs
from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.stage import DOCKERFILE, is_root, runtime
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project


class UserScriptsNotOnPath(Check):
    """## What it does
    Reports a server started by its script name (`uvicorn ...`) when every `pip install` runs
    as a non-root user (or with `--user`) and `PATH` does not include `~/.local/bin`.

    ## Why is this bad?
    A user-level install puts console scripts in `~/.local/bin`, which is not on the default
    `PATH`. The container fails at start with `/bin/sh: 1: uvicorn: not found` (or
    `exec: "uvicorn": executable file not found in $PATH`).

    ## Example
    ```dockerfile
    USER user
    RUN pip install --no-cache-dir --user -r requirements.txt
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    Use instead:
    ```dockerfile
    USER user
    ENV PATH=/home/user/.local/bin:$PATH
    RUN pip install --no-cache-dir --user -r requirements.txt
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    ## Fix safety
    The fix inserts `ENV PATH=<home>/.local/bin:$PATH` before the first install. It only adds
    a directory to the search path, so it is safe.
    """

    code = "DF017"
    name = "user-scripts-not-on-path"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        server = find_server(project)
        if rt is None or server is None or not server.console_script:
            return
        installs = pip_installs(rt)
        user_level = [p for p in installs if not is_root(p.step.user) or p.has("--user")]
        if not installs or len(user_level) != len(installs):
            return  # a root install may have put the script in /usr/local/bin
        if ".local/bin" in rt.env.get("PATH", ""):
            return
        first = user_level[0]
        user = first.step.user.split(":")[0]
        home = first.step.env.get("HOME") or ("/root" if is_root(user) else f"/home/{user}")
        fix = None
        source = project.source(DOCKERFILE)
        if is_valid("abspath", home) and source is not None:
            line = f"ENV PATH={home}/.local/bin:$PATH{source.newline}"
            fix = Fix(
                f"Put `{home}/.local/bin` on `PATH`",
                (Edit.insert(DOCKERFILE, first.step.ins.span.start, line),),
            )
        yield self.diagnostic(
            f"`{server.tool.split()[0]}` is installed into `~/.local/bin` by a user-level "
            "`pip install`, which is not on `PATH`: the container fails with "
            f"`{server.tool.split()[0]}: not found`",
            path=DOCKERFILE,
            span=first.step.ins.span,
            fix=fix,
        )
