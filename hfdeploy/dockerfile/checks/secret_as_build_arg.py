from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.assignments import assignments
from hfdeploy.dockerfile.edits import whole_lines
from hfdeploy.dockerfile.shell import references
from hfdeploy.dockerfile.stage import DOCKERFILE, Step, runtime
from hfdeploy.secret_names import looks_secret_name

if TYPE_CHECKING:
    from hfdeploy.project import Project


def _passes_through(step: Step, name: str, value: str | None) -> bool:
    """`ARG NAME` without a default, or `ENV NAME=${NAME}` / `ENV NAME=$NAME`."""
    if step.ins.keyword == "ARG":
        return value is None
    refs = references(value or "")
    return (
        len(refs) == 1
        and refs[0].name == name
        and refs[0].start == 0
        and refs[0].end == len(value or "")
    )


def _uses(step: Step, name: str) -> bool:
    return step.ins.keyword == "RUN" and any(r.name == name for r in references(step.ins.args))


class SecretAsBuildArg(Check):
    """## What it does
    Reports a secret-looking variable handed to the build as `ARG NAME` (no default) or
    `ENV NAME=${NAME}`.

    ## Why is this bad?
    Space *variables* are passed to the build as build arguments, Space *secrets* are not: at
    build time only `RUN --mount=type=secret,id=NAME` exposes a secret (as the file
    `/run/secrets/NAME`). So the `ARG` is empty, and a `RUN` that uses it fails or does the
    wrong thing (a private model download: `401 Unauthorized`). At run time the secret is an
    environment variable anyway, so the declaration does nothing there; and a value passed as
    a build argument would be stored in the image's history for anyone who pulls it.

    ## Example
    ```dockerfile
    ARG HF_TOKEN
    RUN python download.py --token $HF_TOKEN
    ```

    Use instead:
    ```dockerfile
    RUN --mount=type=secret,id=HF_TOKEN,mode=0444,required=true export HF_TOKEN="$(cat /run/secrets/HF_TOKEN)" && python download.py --token $HF_TOKEN
    ```

    ## Fix safety
    Safe for shell-form `RUN` steps: each one that uses the variable gets the secret mount
    and reads the file into the variable first; the `ARG`/`ENV` line is removed when it
    declares nothing else. Exec-form or heredoc steps get no fix: the finding says which
    step to change.
    """

    code = "DF037"
    name = "secret-as-build-arg"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for index, step in enumerate(rt.steps):
            if step.ins.keyword not in ("ARG", "ENV"):
                continue
            found = assignments(step.ins)
            for a in found:
                if not looks_secret_name(a.name) or not _passes_through(step, a.name, a.value):
                    continue
                users = [s for s in rt.steps[index + 1 :] if _uses(s, a.name)]
                yield self._finding(rt.dockerfile.text, step, a.name, users, len(found) == 1)

    def _finding(
        self, text: str, step: Step, name: str, users: list[Step], alone: bool
    ) -> Diagnostic:
        edits: list[Edit] = []
        fixable = alone
        for user in users:
            ins = user.ins
            if ins.heredocs or ins.exec_form() is not None:
                fixable = False
                break
            mount = f"--mount=type=secret,id={name},mode=0444,required=true "
            read = f'export {name}="$(cat /run/secrets/{name})" && '
            start = ins.raw(len(ins.keyword))  # after `RUN`
            start = start + 1 if text[start] == " " else start
            first_arg = ins.raw(ins.args_start)
            if first_arg == start:
                edits.append(Edit.insert(DOCKERFILE, start, mount + read))
            else:
                edits.append(Edit.insert(DOCKERFILE, start, mount))
                edits.append(Edit.insert(DOCKERFILE, first_arg, read))
        if alone:
            edits.append(Edit(DOCKERFILE, whole_lines(text, step.ins.span), ""))
        fix = Fix(f"Read `{name}` as a build secret", tuple(edits)) if fixable else None
        if users:
            message = (
                f"`{step.ins.keyword} {name}` gets no value on a Space (secrets are not build "
                f"arguments), so the `RUN` on line {users[0].ins.line} sees `{name}` empty; "
                f"mount it with `RUN --mount=type=secret,id={name}`"
            )
            severity = Severity.ERROR
        else:
            message = (
                f"`{step.ins.keyword} {name}` passes a secret as a build argument: a Space "
                "passes none (the secret is in the environment at run time anyway), and a "
                "value given this way stays in the image history"
            )
            severity = Severity.WARNING
        return self.diagnostic(
            message, path=DOCKERFILE, span=step.ins.span, fix=fix, severity=severity
        )
