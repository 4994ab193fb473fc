"""Run checks over a project snapshot: crash isolation, inline suppressions, stable order."""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project

# `# hfdeploy: ignore[PY001, DB002]` or a bare `# hfdeploy: ignore` on the finding's line.
_SUPPRESSION = re.compile(r"#\s*hfdeploy:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s-]*)\])?")


def run_checks(project: Project, checks: Iterable[Check]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for check in checks:
        found.extend(run_one(project, check))
    found.extend(project.problems)
    return finalise(project, found)


def run_one(project: Project, check: Check) -> list[Diagnostic]:
    try:
        return list(check.run(project))
    except Exception as exc:  # a crashing check must not take the others down
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        return [
            Diagnostic(
                code="HF000",
                severity=Severity.ERROR,
                message=(
                    f"Check {check.code} ({check.name}) crashed: {type(exc).__name__}: {exc}; "
                    "the other checks still ran. Please report this at the hfdeploy issue tracker."
                ),
                notes=(f"raised at {where}",),
            )
        ]


def finalise(project: Project, found: Iterable[Diagnostic]) -> list[Diagnostic]:
    unique = {(*d.sort_key(), d.severity): d for d in found if not suppressed(project, d)}
    return sorted(unique.values(), key=Diagnostic.sort_key)


def suppressed(project: Project, diagnostic: Diagnostic) -> bool:
    if diagnostic.path is None or diagnostic.span is None:
        return False
    source = project.source(diagnostic.path)
    if source is None:
        return False
    line, _ = source.line_col(diagnostic.span.start)
    match = _SUPPRESSION.search(source.line_text(line))
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    wanted = {c.strip().upper() for c in codes.split(",") if c.strip()}
    return any(diagnostic.code.startswith(c) for c in wanted)
