"""The Check base class: metadata on the class, user documentation in its docstring."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar

from hfdeploy.diagnostics import Diagnostic, Fix, FixAvailability, Severity, Span

if TYPE_CHECKING:
    from hfdeploy.project import Project


class Check:
    """Subclasses set the class attributes and implement `run`.

    The docstring of a check module's class is its user documentation, with the headings
    `## What it does`, `## Why is this bad?`, `## Example` and, when it can fix,
    `## Fix safety`. `hfdeploy explain CODE` prints it.
    """

    code: ClassVar[str]  # "PY001": two letters and three digits, never reused
    name: ClassVar[str]  # kebab-case, names the problem
    severity: ClassVar[Severity] = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NEVER
    # True when results depend only on file contents and settings (not on the network),
    # so an unchanged re-run may answer from the result cache.
    cacheable: ClassVar[bool] = True
    # For a check that is not `cacheable` because it asks the package index: True when, with
    # --offline, everything it reads besides project files is recorded on the Project
    # (`note_outside`, `note_environment`: the index cache, pip's configuration), so that an
    # offline re-run may answer from the result cache while none of those changed.
    cacheable_offline: ClassVar[bool] = False

    def run(self, project: Project) -> Iterable[Diagnostic]:
        raise NotImplementedError

    def diagnostic(
        self,
        message: str,
        *,
        path: PurePosixPath | str | None = None,
        span: Span | None = None,
        fix: Fix | None = None,
        notes: Iterable[str] = (),
        severity: Severity | None = None,
    ) -> Diagnostic:
        return Diagnostic(
            code=self.code,
            severity=self.severity if severity is None else severity,
            message=message,
            path=PurePosixPath(path) if path is not None else None,
            span=span,
            fix=fix,
            notes=tuple(notes),
        )

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first sentence under `## What it does`."""
        doc = cls.documentation()
        marker = "## What it does"
        body = doc.split(marker, 1)[1] if marker in doc else doc
        para = body.strip().split("\n\n", 1)[0]
        return " ".join(para.split())
