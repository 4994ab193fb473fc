"""Run checks over a project snapshot: crash isolation, inline suppressions, stable order."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable
from functools import partial

from hfdeploy import cache
from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.pyparse import blanked_failure
from hfdeploy.registry import Selection, checks_by_code

# `# hfdeploy: ignore[PY001, DB002]` or a bare `# hfdeploy: ignore` on the finding's line.
_SUPPRESSION = re.compile(r"#\s*hfdeploy:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s-]*)\])?")


def run_checks(
    project: Project, checks: Iterable[Check] | Selection, *, use_cache: bool = False
) -> list[Diagnostic]:
    """Every finding of `checks` on the snapshot, suppressions applied, in a stable order.

    With `use_cache`, an unchanged re-run answers the cacheable checks from the result cache
    (`hfdeploy/cache.py`) and runs only the others (network lookups); a miss runs everything
    and stores the cacheable findings. A snapshot with pending edits is never cached. Given a
    `Selection`, the checks are imported only when they must run.
    """
    every: Callable[[], list[Check]]
    by_code: Callable[[list[str]], list[Check] | None]
    if isinstance(checks, Selection):
        key, every, by_code = checks.key(), checks.checks, checks_by_code
    else:
        listed = list(checks)
        checks = listed
        key = ["codes", *sorted(c.code for c in listed)]

        def every() -> list[Check]:
            return listed

        def by_code(codes: list[str]) -> list[Check] | None:
            return [c for c in listed if c.code in codes]

    if not use_cache or project.changes:
        _start_parsing(project, checks)
        try:
            return _run_all(project, every())
        finally:
            project.finish_priming()
    hit = cache.load(project, key)
    if hit is not None:
        found, uncached_codes = hit
        uncached = by_code(uncached_codes)
        if uncached is not None:
            for check in uncached:
                found.extend(run_one(project, check))
            return finalise(project, found + project.unfinished)
    _start_parsing(project, checks)
    try:
        return _run_and_store(project, key, every())
    finally:
        project.finish_priming()


def _start_parsing(project: Project, checks: Selection | list[Check]) -> None:
    """The PY checks read and parse every Python file (in worker processes on a large
    project): start that now, so that it overlaps with importing the checks."""
    if isinstance(checks, Selection):
        wanted = checks.may_include("PY")
        signatures = checks.may_include("PY001") or checks.may_include("PY002")
    else:
        wanted = any(c.code.startswith("PY") for c in checks)
        signatures = any(c.code in ("PY001", "PY002") for c in checks)
    if wanted:
        # PY001 and PY002 read the signatures of each file that does not parse, and parse it
        # again with their defaults blanked: done by the scan's workers (on a large project)
        # or as the scan's results come in.
        failing = partial(blanked_failure, project) if signatures else None
        project.start_priming(project.python_files(), failing)


def _run_and_store(project: Project, key: list[str], chosen: list[Check]) -> list[Diagnostic]:
    cached = [c for c in chosen if _cacheable(project, c)]
    found = [d for c in cached for d in run_one(project, c)] + project.problems
    rest = [c for c in chosen if not _cacheable(project, c)]
    cache.store(project, key, finalise(project, found), [c.code for c in rest])
    for check in rest:
        found.extend(run_one(project, check))
    return finalise(project, found + project.unfinished)


def _cacheable(project: Project, check: Check) -> bool:
    return check.cacheable or (project.options.offline and check.cacheable_offline)


def _run_all(project: Project, checks: Iterable[Check]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for check in checks:
        found.extend(run_one(project, check))
    found.extend(project.problems)
    found.extend(project.unfinished)
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
