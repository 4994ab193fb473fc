"""`hfdeploy fix --write --verify`: after the static fixes, build and run; while the container
fails in a way a known repair covers, apply the repair (text edits through the normal fixer:
atomic, never an unparsable Python file), rebuild from the layer cache and run again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hfdeploy.diagnostics import Applicability, Severity
from hfdeploy.fixer import StaleFileError, apply_fixes, write_changes
from hfdeploy.project import Project
from hfdeploy.verify.docker_client import DockerClient
from hfdeploy.verify.progress import Progress, Silent
from hfdeploy.verify.repair import find_repair
from hfdeploy.verify.report import EXIT_PASSED, VerifyReport
from hfdeploy.verify.settings import VerifyOptions
from hfdeploy.verify.verify import verify_project

MAX_ROUNDS = 4


@dataclass(frozen=True)
class Round:
    number: int
    failure: str | None  # None: it served
    repair: str | None  # None: no known repair (or it served)
    files: tuple[str, ...] = ()
    static_rule: str | None = None
    # why the loop stopped at this round without repairing (a limit, a repair not written)
    stopped: str | None = None


# Warnings (verify still passes) that a known repair removes.
REPAIRABLE_WARNINGS = frozenset({"RT015"})


@dataclass
class RuntimeFixResult:
    rounds: list[Round] = field(default_factory=list)
    report: VerifyReport | None = None  # the last run's

    @property
    def served(self) -> bool:
        return self.report is not None and self.report.exit_code == EXIT_PASSED


def fix_until_serving(
    load: Callable[[], Project],
    options: VerifyOptions,
    client: DockerClient,
    progress: Progress | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> RuntimeFixResult:
    """Run, repair, rerun: at most `max_rounds` repairs, then one last run to judge them."""
    progress = progress or Silent()
    result = RuntimeFixResult()
    applied: set[tuple[str, tuple[str, ...]]] = set()
    for number in range(1, max_rounds + 2):
        project = load()
        progress.stage(f"fix --verify: round {number}")
        report = verify_project(project, options, client, progress)
        result.report = report
        passed = report.exit_code == EXIT_PASSED
        # A warning with a known repair (a redirect to http:// behind the proxy) is repaired
        # too; a run that passes with nothing left to repair ends the loop.
        warned = [f for f in report.findings if f.code in REPAIRABLE_WARNINGS]
        if passed and not warned:
            result.rounds.append(Round(number, None, None))
            return result
        failure = f"{warned[0].code}: {warned[0].message}" if passed else _first_error(report)
        shown = None if passed else failure
        if number > max_rounds:
            # This run judged the last repair written: the verdict is about the files as they
            # are now.
            limit = f"round limit reached ({max_rounds} repair{'s' if max_rounds > 1 else ''})"
            result.rounds.append(Round(number, shown, None, stopped=limit))
            return result
        repair = find_repair(project, report, client)
        if repair is None:
            result.rounds.append(Round(number, shown, None))
            return result
        key = (repair.title, tuple(repair.files))
        if key in applied:  # a repair that did not help is not repeated
            again = f"`{repair.title}` was applied in an earlier round and did not help"
            result.rounds.append(Round(number, shown, None, stopped=again))
            return result
        applied.add(key)
        outcome = apply_fixes(project, [repair.as_diagnostic()])
        if not outcome.changes or not outcome.applied:
            nothing = f"`{repair.title}` changes nothing in the files as they are"
            result.rounds.append(Round(number, repair.failure, None, stopped=nothing))
            return result
        try:
            write_changes(outcome)
        except StaleFileError as exc:
            unwritten = f"`{repair.title}` was not written: {exc}"
            result.rounds.append(Round(number, repair.failure, None, stopped=unwritten))
            return result
        files = (*repair.files, *_refresh_lock(load))
        result.rounds.append(Round(number, repair.failure, repair.title, files, repair.static_rule))
    return result


def _refresh_lock(load: Callable[[], Project]) -> tuple[str, ...]:
    """Rewrite the lock the image installs when a repair changed the requirements it is made
    from (RQ009's own fix): otherwise the next build installs the old set and the repair is
    judged without taking effect. The lock's files, or () when nothing changed."""
    from hfdeploy.requirements.checks.stale_or_missing_lock import StaleOrMissingLock
    from hfdeploy.requirements.lock import LOCK_FILE

    project = load()
    if project.text(LOCK_FILE) is None:
        return ()  # no lock: the image installs the requirements themselves
    stale = [
        d
        for d in StaleOrMissingLock().run(project)
        if d.fix is not None and d.fix.applicability is Applicability.SAFE
    ]
    if not stale:
        return ()
    outcome = apply_fixes(project, stale)
    if not outcome.changes or not outcome.applied:
        return ()
    try:
        write_changes(outcome)
    except StaleFileError:
        return ()
    return tuple(sorted(str(p) for p in outcome.changes))


def _first_error(report: VerifyReport) -> str:
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    return f"{errors[0].code}: {errors[0].message}" if errors else "did not pass"


def render_rounds(result: RuntimeFixResult) -> str:
    lines = []
    for r in result.rounds:
        if r.failure is None:
            lines.append(f"round {r.number}: serves")
        elif r.repair is None:
            lines.append(f"round {r.number}: {r.failure}\n    {r.stopped or 'no known repair'}")
        else:
            predicted = (
                f" (a static rule could predict it: {r.static_rule})" if r.static_rule else ""
            )
            lines.append(
                f"round {r.number}: {r.failure}\n    repair: {r.repair}{predicted}\n"
                f"    changed: {', '.join(r.files)}"
            )
    verdict = "Verified after runtime repairs." if result.served else "Still failing."
    return "\n".join([*lines, verdict]) + "\n"
