"""Apply fixes: non-overlapping edits back to front, re-check, repeat to a fixpoint; refuse any
change that stops a Python file from parsing; write atomically, refusing files changed on disk."""

from __future__ import annotations

import difflib
import hashlib
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from hfdeploy.atomic import atomic_write_all
from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from hfdeploy.journal import JournalError, complete
from hfdeploy.journal import load as load_journal
from hfdeploy.project import OutsideRepository, Project
from hfdeploy.pyparse import parse_or_none
from hfdeploy.redact import redact
from hfdeploy.registry import syntax_error
from hfdeploy.runner import run_checks

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    project: Project  # the final snapshot, pending edits included
    applied: list[Diagnostic] = field(default_factory=list)
    remaining: list[Diagnostic] = field(default_factory=list)
    untrack: set[str] = field(default_factory=set)

    @property
    def changes(self) -> dict[PurePosixPath, str]:
        return self.project.changes

    def diff(self) -> str:
        return render_diff(self.project, self.changes, self.untrack)


def _parses(text: str) -> bool:
    return parse_or_none(text) is not None


def _eligible(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability is Applicability.SAFE or unsafe)


def _fix_key(fix: Fix) -> tuple[object, ...]:
    return (fix.title, fix.edits, fix.untrack)


def _overlaps(edit: Edit, taken: list[Edit]) -> bool:
    for other in taken:
        if other.path != edit.path:
            continue
        if edit.span.start < other.span.end and other.span.start < edit.span.end:
            return True
        # Two insertions at one point, or an insertion at a replaced range's edge: order would
        # be ambiguous, so leave the second for the next round.
        if edit.span.start == other.span.start or (
            edit.span.start == edit.span.end and other.span.start < edit.span.start < other.span.end
        ):
            return True
    return False


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        if edit.span.end > len(text):
            raise ValueError(f"edit past the end of {edit.path}")
        text = text[: edit.span.start] + edit.replacement + text[edit.span.end :]
    return text


def fix_project(project: Project, checks: list[Check], *, unsafe: bool = False) -> FixOutcome:
    outcome = FixOutcome(project)
    rejected: set[tuple[object, ...]] = set()
    guard_findings: list[Diagnostic] = []
    current = project
    diagnostics = run_checks(current, checks)
    for _round in range(MAX_ROUNDS):
        candidates = [
            d
            for d in diagnostics
            if _eligible(d, unsafe) and _fix_key(d.fix) not in rejected  # type: ignore[arg-type]
        ]
        if not candidates:
            break
        chosen: list[Diagnostic] = []
        taken: list[Edit] = []
        seen: set[tuple[object, ...]] = set()
        for diag in sorted(candidates, key=Diagnostic.sort_key):
            assert diag.fix is not None
            key = _fix_key(diag.fix)
            if key in seen:
                chosen.append(diag)  # the same fix reported twice: applied once
                continue
            if any(_overlaps(e, taken) for e in diag.fix.edits):
                continue
            seen.add(key)
            taken.extend(diag.fix.edits)
            chosen.append(diag)
        changes, dropped, held = _apply(current, chosen)
        for diag in held:
            assert diag.fix is not None
            rejected.add(_fix_key(diag.fix))
        for diag in dropped:
            assert diag.fix is not None
            rejected.add(_fix_key(diag.fix))
            guard_findings.append(
                Diagnostic(
                    code="HF002",
                    severity=Severity.ERROR,
                    message=(
                        f"Fix for {diag.code} ({diag.fix.title}) would leave a file that does not "
                        "parse; it was not applied. Please report this."
                    ),
                    path=diag.path,
                    span=diag.span,
                )
            )
        applied = [d for d in chosen if d not in dropped and d not in held]
        untrack = {str(u.path) for d in applied for u in d.fix.untrack}  # type: ignore[union-attr]
        if not changes and not (untrack - outcome.untrack):
            break
        outcome.applied.extend(applied)
        outcome.untrack |= untrack
        current = current.with_changes(changes, frozenset(outcome.untrack))
        diagnostics = run_checks(current, checks)
    else:
        guard_findings.append(
            Diagnostic(
                code="HF003",
                severity=Severity.WARNING,
                message=f"Fixes did not settle after {MAX_ROUNDS} rounds; please report this.",
            )
        )
    outcome.project = current
    outcome.remaining = sorted(diagnostics + guard_findings, key=Diagnostic.sort_key)
    return outcome


def _apply(
    project: Project, chosen: list[Diagnostic]
) -> tuple[dict[PurePosixPath, str], list[Diagnostic], list[Diagnostic]]:
    """Apply the chosen fixes file by file: a fix whose file stops parsing is dropped whole
    (second list); one that edits a file its own parser already rejects is held back (third
    list: the finding about the broken file says why)."""
    dropped: list[Diagnostic] = []
    held: list[Diagnostic] = []
    while True:
        live = [d for d in chosen if d not in dropped and d not in held]
        by_path: dict[PurePosixPath, list[Edit]] = {}
        owners: dict[PurePosixPath, list[Diagnostic]] = {}
        seen: set[tuple[object, ...]] = set()
        for diag in live:
            assert diag.fix is not None
            if _fix_key(diag.fix) in seen:
                continue
            seen.add(_fix_key(diag.fix))
            for edit in diag.fix.edits:
                by_path.setdefault(edit.path, []).append(edit)
                owners.setdefault(edit.path, []).append(diag)
        changes: dict[PurePosixPath, str] = {}
        broken: list[Diagnostic] | None = None
        for path, edits in by_path.items():
            before = project.text(path) or ""
            after = apply_edits(before, edits)
            if after == before:
                continue
            if path.suffix == ".py":
                if _parses(before) and not _parses(after):
                    broken = dropped
            elif syntax_error(path, before) is not None:
                broken = held
            elif syntax_error(path, after) is not None:
                broken = dropped
            if broken is not None:
                broken.extend(owners[path])
                break
            changes[path] = after
        if broken is None:
            return changes, dropped, held


# -- output ----------------------------------------------------------------------------------
def render_diff(
    project: Project, changes: dict[PurePosixPath, str], untrack: Iterable[str] = ()
) -> str:
    chunks = []
    for path in sorted(changes):
        original = project.original(path)
        before = original.text if original is not None else ""
        after = changes[path]
        if before == after:
            continue
        lines = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}" if original is not None else "/dev/null",
            tofile=f"b/{path}",
        )
        for line in lines:
            line = line.replace("\r\n", "\n")
            # Redact the file's line, not the diff marker before it (`+SECRET_KEY=...`).
            marker = line[:1] if line[:1] in "+- " else ""
            line = marker + redact(line[len(marker) :])
            chunks.append(
                line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            )
    for name in sorted(untrack):
        chunks.append(f"git rm --cached {name}   # stays on disk, leaves the repository\n")
    return "".join(chunks)


class StaleFileError(Exception):
    pass


def write_changes(outcome: FixOutcome) -> list[PurePosixPath]:
    """Write every changed file, all or none: every target is checked (inside the repository,
    unchanged since read, writable) and every new text prepared before the first one is
    replaced; a failure while replacing puts back the files already replaced. Symlinks inside
    the repository are written through, never replaced by regular files."""
    project = outcome.project
    changes = outcome.changes
    try:
        pending = load_journal(project.journal_file)
    except JournalError as exc:
        raise StaleFileError(f"{exc}; nothing was written") from None
    if pending is not None and os.path.realpath(pending.root) == project._root_str:
        if pending.in_progress():
            raise StaleFileError(
                f"another `hfdeploy fix --write` (pid {pending.pid}) is writing these files "
                "now; nothing was written: run again when it has finished"
            )
        raise StaleFileError(
            "an interrupted `hfdeploy fix --write` is not completed yet (HF004); nothing was "
            "written: run `hfdeploy fix --write` again to complete it first"
        )
    targets: dict[PurePosixPath, str] = {}
    for path in changes:
        try:
            targets[path] = project.real_path(path)
        except OutsideRepository as exc:
            raise StaleFileError(f"{exc}; nothing was written") from None
        original = project.original(path)
        full = targets[path]
        try:
            if os.path.isdir(full):
                raise StaleFileError(f"{path} is a directory; nothing was written")
            on_disk = _read_regular(full)
        except OSError as exc:
            raise StaleFileError(
                f"{path}: cannot read it ({exc.strerror}); nothing was written"
            ) from None
        if original is None and on_disk is not None:
            raise StaleFileError(f"{path} appeared on disk while fixing; nothing was written")
        if original is not None and (
            on_disk is None or hashlib.sha256(on_disk).hexdigest() != original.digest
        ):
            raise StaleFileError(f"{path} changed on disk while fixing; nothing was written")
        directory = _existing_parent(os.path.dirname(full))
        if not os.access(directory, os.W_OK | os.X_OK) or (
            on_disk is not None and not os.access(full, os.W_OK)
        ):
            raise StaleFileError(f"{path}: not writable; nothing was written")
    prepared = {}
    for path, text in sorted(changes.items()):
        original = project.original(path)
        prepared[path] = original.encode(text) if original is not None else text.encode("utf-8")
    try:
        atomic_write_all(
            [(targets[path], data) for path, data in prepared.items()],
            journal=(project.journal_file, project._root_str),
            untrack=sorted(outcome.untrack) if project.is_git else [],
        )
    except OSError as exc:
        raise StaleFileError(f"cannot write ({exc.strerror or exc}); nothing was written") from None
    written = list(prepared)
    if outcome.untrack and project.is_git:
        subprocess.run(
            [
                "git",
                "-C",
                str(project.root),
                "rm",
                "--cached",
                "--quiet",
                "--",
                *sorted(outcome.untrack),
            ],
            check=False,
            capture_output=True,
            timeout=60,
        )
    return written


def complete_interrupted(project: Project) -> list[str]:
    """Complete the multi-file fix an earlier `fix --write` was killed in the middle of (HF004):
    the paths written now; [] when there was none. Raises StaleFileError when it cannot be
    completed (a file changed since); nothing is written then."""
    try:
        journal = load_journal(project.journal_file)
        if journal is None or os.path.realpath(journal.root) != project._root_str:
            return []
        return complete(journal)
    except JournalError as exc:
        raise StaleFileError(str(exc)) from None
    except OSError as exc:
        raise StaleFileError(
            f"cannot complete the interrupted fix ({exc.strerror or exc})"
        ) from None


def apply_fixes(project: Project, diagnostics: list[Diagnostic]) -> FixOutcome:
    """Apply the given findings' fixes once (a fix that would leave a file unparsable is dropped,
    one that edits a file that already is is held back), as a FixOutcome ready for `write_changes`: for fixes found outside the checks,
    such as `fix --verify`'s runtime repairs."""
    changes, dropped, held = _apply(project, diagnostics)
    outcome = FixOutcome(project.with_changes(changes, frozenset()) if changes else project)
    outcome.applied = [d for d in diagnostics if d not in dropped and d not in held]
    outcome.remaining = [*dropped, *held]
    return outcome


def _read_regular(full: str) -> bytes | None:
    if not os.path.isfile(full):
        return None
    with open(full, "rb") as handle:
        return handle.read()


def _existing_parent(directory: str) -> str:
    while directory and not os.path.isdir(directory):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory or "."
