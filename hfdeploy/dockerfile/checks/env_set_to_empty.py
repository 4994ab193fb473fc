"""DF047: an `ENV` line that sets a variable to the expansion of one nothing defines, which is
an empty string in the image."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.assignments import assignments
from hfdeploy.dockerfile.edits import whole_lines
from hfdeploy.dockerfile.shell import expand, references
from hfdeploy.dockerfile.stage import BASE_ENV, DOCKERFILE, runtime
from hfdeploy.secret_names import looks_secret_name

if TYPE_CHECKING:
    from hfdeploy.dockerfile.stage import Step
    from hfdeploy.project import Project

# The variables the official `python` images set (docker-library/python): a reference to them
# is not empty.
_PYTHON_IMAGE_ENV = ("PATH", "LANG", "GPG_KEY", "PYTHON_VERSION", "PYTHON_SHA256")
_ARG = "\0arg"  # stands for a build argument's value: present when the build passes it
_SHOWN = 2


class EnvSetToEmpty(Check):
    """## What it does
    Reports an `ENV` instruction in the stages the Space builds that sets a variable to the
    expansion of variables nothing defines when the image is built — `ENV APP_PORT=${APP_PORT}`
    or `ENV DEBUG=$MODE` with no `ARG` of that name in the stage and no earlier `ENV` (nor one
    the official `python` base image sets) — so that the image holds the variable set to an
    empty string. Secret-looking names are DF037's.

    ## Why is this bad?
    The line reads as "pass the variable through", which it is under docker-compose
    (`environment:`/`.env`), not in a Docker build: a Space passes its variables to the build
    only as build arguments of the `ARG`s the Dockerfile declares, and at run time as the
    container's environment, which replaces the image's value. So the app works only when the
    Space defines a variable of that name. Without one, the app does not see an unset
    variable but an empty one: `os.getenv("APP_PORT", "7860")` returns `""`, not its default,
    `int(os.getenv("APP_PORT", "7860"))` fails at start with `ValueError: invalid literal for
    int()`, a pydantic-settings field with a default gets `""` (an `int` field fails), and an
    empty `PYTHONPATH` adds nothing to `sys.path`.

    ## Example
    ```dockerfile
    ENV APP_PORT=${APP_PORT}
    ```

    Use instead: a value (`ENV APP_PORT=7860`), or nothing and a Space variable, or
    `ARG APP_PORT` before the `ENV` line if the build itself needs it.

    ## Fix safety
    The fix removes the line when it sets nothing else, so that the variable is unset unless
    the Space defines it (the code's defaults then apply). It is unsafe: code that requires
    the variable and accepted an empty value (a pydantic `str` field with no default) then
    stops at start instead.
    """

    code = "DF047"
    name = "env-set-to-empty"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None or not rt.plain_base:
            return  # another base image may set the variables referred to
        env: dict[str, str] = {name: "set" for name in _PYTHON_IMAGE_ENV}
        env.update(BASE_ENV)
        stage = None
        empty: list[tuple[Step, str, str, bool]] = []
        for step in rt.steps:
            if step.ins.stage != stage:  # a new stage: its ARGs are its own
                stage = step.ins.stage
                env = {k: v for k, v in env.items() if v != _ARG}
            if step.ins.keyword == "ARG":
                for a in assignments(step.ins):
                    env[a.name] = expand(a.value, env) if a.value is not None else _ARG
                continue
            if step.ins.keyword != "ENV":
                continue
            found = assignments(step.ins)
            for a in found:
                value = a.value or ""
                expanded = expand(value, env)
                if references(value) and expanded == "" and not looks_secret_name(a.name):
                    empty.append((step, a.name, value, len(found) == 1))
                env[a.name] = expanded
        if empty:
            yield self._finding(project, empty)

    def _finding(self, project: Project, empty: list[tuple[Step, str, str, bool]]) -> Diagnostic:
        """One finding for every such line: they are one habit (compose-style pass-through)."""
        step, name, value, _ = empty[0]
        others = [f"`{n}` (line {s.ins.line})" for s, n, _, _ in empty[1:]]
        message = (
            f"`ENV {name}={value}` sets `{name}` to an empty string: nothing defines "
            + ", ".join(dict.fromkeys(f"`{r.name}`" for r in references(value)))
            + " when the image is built (no `ARG` of that name before it in this stage)"
        )
        if others:
            message += (
                "; so does 1 more `ENV` line"
                if len(others) == 1
                else f"; so do {len(others)} more `ENV` lines"
            )
        notes = []
        if others:
            notes.append("also empty: " + ", ".join(others))
        rt = runtime(project)
        hidden = [
            n
            for _, n, v, _ in empty
            for r in references(v)
            if rt and r.name in rt.dockerfile.global_args
        ]
        if hidden:
            notes.append(
                f"`ARG {hidden[0]}` before `FROM` is visible only in `FROM` lines: declare it "
                "again (`ARG NAME`) after `FROM` to use it in the stage"
            )
        notes.append(
            "a Space passes its variables to the build only as the build arguments of the "
            "`ARG`s the Dockerfile declares; at run time a Space variable or secret of the same "
            "name replaces the image's value, so the app gets such a variable only if the "
            "Space defines it, and an empty string otherwise, not an unset variable"
        )
        for _, n, _, _ in empty:
            lost = _defaults_lost(project, n)
            if lost:
                notes.append(
                    f"the code's default for `{n}` is then never used: "
                    + "; ".join(lost[:_SHOWN])
                    + (f" and {len(lost) - _SHOWN} more" if len(lost) > _SHOWN else "")
                )
        text = project.text(DOCKERFILE) or ""
        edits = tuple(
            Edit(DOCKERFILE, whole_lines(text, s.ins.span), "") for s, _, _, alone in empty if alone
        )
        fix = (
            Fix(
                "Remove the `ENV` lines that set a variable to nothing (unset unless the Space "
                "defines it)",
                edits,
                Applicability.UNSAFE,
            )
            if edits
            else None
        )
        return self.diagnostic(message, path=DOCKERFILE, span=step.ins.span, notes=notes, fix=fix)


def _defaults_lost(project: Project, name: str) -> list[str]:
    """`os.getenv("NAME", "x") at app/main.py:3 reads "" instead of "x"`, for each read of
    `name` in the code that has a default (the environment domain owns the reads)."""
    from hfdeploy.environment.reads import env_reads

    out = []
    for read in env_reads(project):
        if read.name != name or read.default is None:
            continue
        line = getattr(read.node, "lineno", None)
        where = f"{read.module.source.path}:{line}" if line else str(read.module.source.path)
        out.append(f"the read at {where} gets `''`, not its default `{ast.unparse(read.default)}`")
    return out
