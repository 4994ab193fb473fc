from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.base_image import mismatch, python_base
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project


class BaseImagePythonMismatch(Check):
    """## What it does
    Compares the Python version of the final stage's base image (`FROM python:X.Y...`) with
    the version the project declares: `requires-python` in pyproject.toml, or hfdeploy's
    `--python` / `[tool.hfdeploy] python` setting.

    It is an error when the image installs the project itself (`pip install .`, `poetry
    install`, `uv sync`), which refuses a Python outside `requires-python`, or when the version
    comes from hfdeploy's setting; a warning when the image only installs requirement files,
    which never check `requires-python`.

    ## Why is this bad?
    The Space runs the image's Python, not the one the project was written and locked for.
    Code using newer syntax fails at import (`SyntaxError`), pins made for one version have no
    wheels for another, and `pip install .` refuses with "requires a different Python".

    ## Example
    ```dockerfile
    # pyproject.toml: requires-python = ">=3.11"
    FROM python:3.8-slim
    ```

    Use instead:
    ```dockerfile
    FROM python:3.11-slim
    ```

    ## Fix safety
    The fix rewrites only the version in the `FROM` line (the image variant such as `-slim`
    stays). It is safe: the project itself states that it needs that version. It is unsafe in a
    multi-stage Dockerfile: the final stage often copies an installed Python tree
    (`/usr/local/lib/python3.12/site-packages`, `/usr/local/bin`) from an earlier stage, and a
    final stage on another Python then fails at start (`libpython3.12.so.1.0` missing); change
    every stage together. No fix is offered when the version comes from an `ARG`.
    """

    code = "DF002"
    name = "base-image-python-mismatch"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        base = python_base(rt) if rt is not None else None
        if rt is None or base is None:
            return
        wanted = mismatch(project, base)
        if wanted is None:
            return
        from_line = rt.dockerfile.chain()[0].instructions[0]
        fix = None
        if base.version_span is not None:
            edit = Edit(DOCKERFILE, base.version_span, wanted.version)
            # Other stages build what the final one copies: bumping only its FROM breaks that.
            several = len(rt.dockerfile.stages) > 1
            fix = Fix(
                f"Use `python:{wanted.version}` as the base image",
                (edit,),
                Applicability.UNSAFE if several else Applicability.SAFE,
            )
        from hfdeploy.image import image

        severity = None
        message = f"Base image runs Python {base.version}, but the project asks for {wanted.version} ({wanted.reason})"
        if wanted.spec is not None and not image(project).enforces_requires_python():
            severity = Severity.WARNING  # pip never reads requires-python for requirement files
            message += (
                "; nothing in the image checks it (the project itself is not installed), so the build "
                "succeeds and the app fails only if its code or a pin needs the newer Python"
            )
        yield self.diagnostic(
            message,
            severity=severity,
            path=DOCKERFILE,
            span=base.version_span or from_line.span,
            fix=fix,
        )
