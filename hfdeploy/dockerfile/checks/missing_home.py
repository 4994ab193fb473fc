from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.stage import DOCKERFILE, run_commands, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class MissingHome(Check):
    """## What it does
    Reports a final non-root user without a usable home directory: created with `useradd`
    but without `-m`, or not created in the Dockerfile at all, while no `ENV HOME=...` is set.

    ## Why is this bad?
    Python tools write caches and configuration under `$HOME` (`~/.cache`, `~/.local`,
    Hugging Face's `~/.cache/huggingface`). Without a home they fail with
    `PermissionError: [Errno 13] Permission denied: '/.cache'`, and `pip install --user` has
    nowhere to install.

    ## Example
    ```dockerfile
    RUN useradd -u 1000 user
    USER user
    ```

    Use instead:
    ```dockerfile
    RUN useradd -m -u 1000 user
    USER user
    ENV HOME=/home/user
    ```

    ## Fix safety
    For a `useradd` without `-m` the fix adds `-m` (in place of `-M`/`--no-create-home`
    when the command has one, which would otherwise still win), which creates `/home/<user>` owned by the
    user; safe. Other cases have no automatic fix.
    """

    code = "DF016"
    name = "missing-home"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None or rt.runs_as_root or "HOME" in rt.env:
            return
        user = rt.user.split(":")[0]
        created = next((u for u in rt.users if u.name == user or u.uid == user), None)
        if created is not None and created.creates_home:
            return
        step = rt.user_step()
        assert step is not None  # a non-root user comes from USER
        fix = None
        if created is not None:
            ins = created.step.ins
            command = next(
                (cmd for cmd in run_commands(ins) if cmd[:1] and cmd[0].value.endswith("useradd")),
                None,
            )
            word = command[0] if command else None
            # `--no-create-home`/`-M` would still win over an added `-m`: replace it instead.
            refusal = next(
                (w for w in command or [] if w.value in ("-M", "--no-create-home")), None
            )
            if word is not None and ins.exec_form() is None and not ins.heredocs:
                if refusal is not None and refusal.end - refusal.start == len(refusal.value):
                    edit = Edit(DOCKERFILE, ins.raw_span(refusal.start, refusal.end), "-m")
                else:
                    edit = Edit.insert(DOCKERFILE, ins.raw(word.end - 1) + 1, " -m")
                fix = Fix(f"Create `/home/{created.name}` with `useradd -m`", (edit,))
            where = ins.span
            message = (
                f"User `{created.name}` is created without a home directory "
                "(`useradd` without `-m`)"
            )
        else:
            where = step.ins.span
            message = f"User `{user}` is not created in the Dockerfile and no `ENV HOME` is set"
        yield self.diagnostic(
            message + "; caches fail with `Permission denied: '/.cache'`",
            path=DOCKERFILE,
            span=where,
            fix=fix,
        )
