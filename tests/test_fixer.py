"""The fix loop: overlaps, fixpoint, parse guard, atomic writes, stale files, untracking."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span, Untrack
from hfdeploy.fixer import StaleFileError, apply_edits, fix_project, write_changes
from hfdeploy.project import Project
from hfdeploy.runner import run_checks
from tests.support import git_init, make_tree

P = PurePosixPath


class ReplaceWord(Check):
    """Replaces every `old` with `new` in a.py (one fix per occurrence)."""

    code = "ZZ001"
    name = "test-replace"
    severity = Severity.ERROR

    def __init__(self, old: str = "old", new: str = "new", applicability=Applicability.SAFE):
        self.old, self.new, self.applicability = old, new, applicability

    def run(self, project: Project) -> Iterable[Diagnostic]:
        text = project.text("a.py") or ""
        start = text.find(self.old)
        while start != -1:
            span = Span(start, start + len(self.old))
            fix = Fix(f"Use {self.new}", (Edit(P("a.py"), span, self.new),), self.applicability)
            yield self.diagnostic(f"`{self.old}`", path="a.py", span=span, fix=fix)
            start = text.find(self.old, start + 1)


def test_apply_edits_back_to_front() -> None:
    edits = [
        Edit(P("a"), Span(0, 1), "XX"),
        Edit(P("a"), Span(2, 3), "YY"),
        Edit.insert(P("a"), 4, "!"),
    ]
    assert apply_edits("abcd", edits) == "XXbYYd!"


def test_fix_loop_reaches_fixpoint_and_keeps_crlf(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "x = 'old'\r\ny = 'old'\r\n"})
    project = Project(tmp_path)
    outcome = fix_project(project, [ReplaceWord()])
    assert outcome.remaining == [] and len(outcome.applied) == 2
    write_changes(outcome)
    assert (tmp_path / "a.py").read_bytes() == b"x = 'new'\r\ny = 'new'\r\n"
    assert fix_project(Project(tmp_path), [ReplaceWord()]).changes == {}


def test_unsafe_fix_needs_opt_in(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "x = 'old'\n"})
    check = ReplaceWord(applicability=Applicability.UNSAFE)
    assert fix_project(Project(tmp_path), [check]).changes == {}
    assert fix_project(Project(tmp_path), [check], unsafe=True).changes


def test_fix_that_breaks_parsing_is_refused(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "x = old\n"})
    outcome = fix_project(Project(tmp_path), [ReplaceWord("old", "(")])
    assert outcome.changes == {}
    assert [d.code for d in outcome.remaining] == ["HF002", "ZZ001"]


def test_non_converging_fix_is_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "x = 'old'\n"})
    outcome = fix_project(Project(tmp_path), [ReplaceWord("old", "oldold")])
    assert "HF003" in [d.code for d in outcome.remaining]


def test_write_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "x = 'old'\n"})
    outcome = fix_project(Project(tmp_path), [ReplaceWord()])
    (tmp_path / "a.py").write_text("x = 'edited by someone'\n")
    with pytest.raises(StaleFileError):
        write_changes(outcome)
    assert (tmp_path / "a.py").read_text() == "x = 'edited by someone'\n"


def test_write_keeps_mode_and_leaves_no_temp_files(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "x = 'old'\n"})
    (tmp_path / "a.py").chmod(0o755)
    write_changes(fix_project(Project(tmp_path), [ReplaceWord()]))
    assert (tmp_path / "a.py").stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


class CreatesAndUntracks(Check):
    """Creates notes.txt and untracks secret.env."""

    code = "ZZ002"
    name = "test-create"

    def run(self, project: Project) -> Iterable[Diagnostic]:
        if project.is_tracked("secret.env"):
            fix = Fix(
                "Untrack",
                (Edit.create(P(".gitignore"), "secret.env\n"),),
                untrack=(Untrack(P("secret.env")),),
            )
            yield self.diagnostic("tracked", path="secret.env", fix=fix)


def test_untrack_keeps_the_file_on_disk(tmp_path: Path) -> None:
    make_tree(tmp_path, {"secret.env": "TOKEN=abc\n"})
    git_init(tmp_path)
    outcome = fix_project(Project(tmp_path), [CreatesAndUntracks()])
    assert "git rm --cached secret.env" in outcome.diff()
    write_changes(outcome)
    listed = subprocess.run(
        ["git", "-C", str(tmp_path), "ls-files"], capture_output=True, text=True
    ).stdout
    assert "secret.env" not in listed and (tmp_path / "secret.env").exists()
    assert (tmp_path / ".gitignore").read_text() == "secret.env\n"
    assert run_checks(Project(tmp_path), [CreatesAndUntracks()]) == []


def test_diff_masks_secrets(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.py": "URL = 'postgres://u:hunter2secret@db/x'  # old\n"})
    diff = fix_project(Project(tmp_path), [ReplaceWord()]).diff()
    assert "hunter2secret" not in diff and "+URL = 'postgres://u:hu***@db/x'  # new" in diff


def test_diff_masks_secret_assignments_on_added_and_removed_lines(tmp_path: Path) -> None:
    # A regenerated Dockerfile drops `ENV SECRET_KEY=...`; an edited .env line changes.
    make_tree(tmp_path, {"a.py": "SECRET_KEY=hunter2secret  # old\nENV HF_TOKEN=hf_hunter2token\n"})
    diff = fix_project(Project(tmp_path), [ReplaceWord()]).diff()
    assert "hunter2" not in diff
    assert "-SECRET_KEY=hu***\n" in diff and "+SECRET_KEY=hu***\n" in diff
    assert " ENV HF_TOKEN=hf***\n" in diff
