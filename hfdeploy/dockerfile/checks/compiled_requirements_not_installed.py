"""DF024: the image installs pip-tools' input (`requirements.in`) instead of the compiled file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.stage import DOCKERFILE
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.dockerfile.parse import Instruction
    from hfdeploy.image.model import Image
    from hfdeploy.project import Project

# Headers that pip-compile and `uv pip compile` write at the top of the compiled file.
_COMPILED_BY = ("pip-compile", "uv pip compile", "uv export")


def compiled_from(project: Project, source: PurePosixPath) -> PurePosixPath | None:
    """The compiled `X.txt` next to `X.in` when its header says it was made from it."""
    target = source.with_suffix(".txt")
    text = project.text(target)
    if source.suffix != ".in" or text is None:
        return None
    head = "\n".join(line for line in text.splitlines()[:12] if line.startswith("#"))
    return target if any(tool in head for tool in _COMPILED_BY) else None


class CompiledRequirementsNotInstalled(Check):
    """## What it does
    Reports a Dockerfile that installs `-r requirements.in` while `requirements.txt` next to it
    was compiled from it by pip-tools (`pip-compile`) or `uv pip compile` (its header says so).

    ## Why is this bad?
    The `.in` file holds the loose, direct requirements; the compiled `.txt` pins every package
    at the versions the project was tested with. Installing the `.in` file resolves afresh at
    every build, so the image can get newer releases than the ones locked, and break at start.

    ## Example
    ```dockerfile
    COPY requirements.in .
    RUN pip install -r requirements.in
    ```

    Use instead:
    ```dockerfile
    COPY requirements.txt .
    RUN pip install -r requirements.txt
    ```

    ## Fix safety
    The fix renames the file in the `pip install -r` and in a `COPY` that names it alone. The
    compiled file was made from the same input, so the fix is safe.
    """

    code = "DF024"
    name = "compiled-requirements-not-installed"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        model = image(project)
        if model.generated or model.dockerfile is None:
            return
        for install in model.installs:
            if install.step is None:
                continue
            for written in install.requirement_files:
                path = model.repo_file(install, written)
                compiled = compiled_from(project, path) if path is not None else None
                if compiled is None:
                    continue
                edits = list(_rename_edits(model, install.step.ins, written))
                fix = Fix(f"Install `{compiled}`", tuple(edits)) if edits else None
                yield self.diagnostic(
                    f"`pip install -r {written}` installs the loose input of `{compiled}`, which pins every "
                    "version: each build resolves afresh and can get newer releases than the ones locked",
                    path=DOCKERFILE,
                    span=install.step.ins.span,
                    fix=fix,
                )


def _rename_edits(model: Image, ins: Instruction, written: str) -> Iterator[Edit]:
    """`-r X.in` -> `-r X.txt` in the RUN, and in each COPY of the stage that names the file."""
    new = written[: -len(".in")] + ".txt"
    if not is_valid("path", new.lstrip("/")):
        return
    stage = next((s for s in model.stages if any(i is ins for i in s.instructions)), None)
    targets = [ins] + [
        i
        for i in (stage.instructions if stage else [])
        if i.keyword == "COPY" and i.flag("from") is None and i.line < ins.line
    ]
    for target in targets:
        for word in target.words():
            base = word.value.rsplit("/", 1)[-1]
            if base != written.rsplit("/", 1)[-1] or word.end - word.start != len(word.value):
                continue
            start = len(word.value) - len(".in")
            yield Edit(DOCKERFILE, target.raw_span(*word.span_of(start, len(word.value))), ".txt")
