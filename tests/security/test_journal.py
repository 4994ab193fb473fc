"""Issue 14, item 8: a multi-file fix killed between two renames (a real `kill -9` of a real
`hfdeploy fix --write` subprocess) is reported by the next `check` (HF004, with what was and
was not written) and completed by the next `fix --write`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hfdeploy.atomic import atomic_write_all
from tests.support import git_init, make_tree

WORKTREE = str(Path(__file__).resolve().parents[2])
SECRET = "PLANTED-s3cr3t-Zq9xW7"
APP = "from fastapi import FastAPI\napp = FastAPI()\n"
FILES = {
    "main.py": APP,
    "requirements.txt": "fastapi\nuvicorn\n",
    # the fix rewrites .env too (DB001): the journal must not hold its secret
    ".env": f"DATABASE_URL=postgres://u:{SECRET}@db.example.com/x\n",
}


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": WORKTREE,
        "HFDEPLOY_CACHE_DIR": str(tmp_path / "cache"),
        **extra,
    }


def hfdeploy(tmp_path: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hfdeploy", *args, "--offline", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env_for(tmp_path),
        check=False,
    )
    both = proc.stdout + proc.stderr
    assert "Traceback" not in both, both[-2000:]
    assert SECRET not in both
    return proc


def killed_between_renames(tmp_path: Path, root: Path) -> None:
    """Start `fix --write`, wait until it has renamed its first file, then kill -9 it."""
    marker = tmp_path / "paused"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfdeploy", "fix", "--write", "--offline", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env_for(tmp_path, HFDEPLOY_TEST_PAUSE_BETWEEN_RENAMES=str(marker)),
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "fix --write ended before pausing between renames"
            assert time.monotonic() < deadline, "fix --write never reached the second rename"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.mark.parametrize("git", [True, False], ids=["git", "plain"])
def test_fix_killed_between_renames_is_reported_then_completed(tmp_path: Path, git: bool) -> None:
    # The reference: the same fix, never interrupted.
    reference = make_tree(tmp_path / "reference" / "repo", FILES)
    root = make_tree(tmp_path / "victim" / "repo", FILES)
    if git:
        git_init(reference)
        git_init(root)
    hfdeploy(tmp_path / "reference", reference, "fix", "--write")
    expected = tree(reference)
    assert {"Dockerfile", "README.md"} <= set(expected)

    killed_between_renames(tmp_path, root)
    journal = root / (".git/hfdeploy-journal.json" if git else ".hfdeploy-journal")
    assert journal.is_file()
    assert SECRET.encode() not in journal.read_bytes()
    assert journal.stat().st_mode & 0o077 == 0
    assert tree(root) != expected  # half-written

    report = hfdeploy(tmp_path, root, "check")
    hf004 = [line for line in report.stdout.splitlines() if "HF004" in line]
    assert len(hf004) == 1, report.stdout
    written, _, missing = hf004[0].partition("not written:")
    assert "written: .dockerignore" in written  # renamed first (sorted), then the kill
    assert "Dockerfile" in missing and "README.md" in missing
    # the staged temp files are the fix's, not strays: one finding, not one per temp file
    assert "left over by an interrupted" not in report.stdout

    done = hfdeploy(tmp_path, root, "fix", "--write")
    assert "Completed the fix" in done.stderr, done.stderr
    assert done.returncode in (0, 1)
    assert tree(root) == expected
    assert not journal.exists()
    assert not list(root.glob(".hfdeploy-*.tmp"))
    assert "HF004" not in hfdeploy(tmp_path, root, "check").stdout


def test_interrupted_fix_with_a_file_changed_since_is_not_completed(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo", FILES)
    git_init(root)
    killed_between_renames(tmp_path, root)
    (root / "README.md").write_text("# written by hand after the crash\n")
    report = hfdeploy(tmp_path, root, "check")
    assert "HF004" in report.stdout and "README.md changed since" in report.stdout
    before = tree(root)
    proc = hfdeploy(tmp_path, root, "fix", "--write")
    assert proc.returncode == 2
    assert "cannot be completed" in proc.stderr and "README.md" in proc.stderr
    assert tree(root) == before  # nothing written over the hand edit


def test_unreadable_journal_is_a_finding_and_a_one_line_error(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\n"})
    git_init(root)
    (root / ".git" / "hfdeploy-journal.json").write_text("{torn")
    assert "HF004" in hfdeploy(tmp_path, root, "check").stdout
    proc = hfdeploy(tmp_path, root, "fix", "--write")
    assert proc.returncode == 2 and "cannot be read" in proc.stderr


def test_a_failed_rename_rolls_back_and_leaves_no_journal(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "repo", {"a.txt": "old a\n"})
    journal = root / ".hfdeploy-journal"
    (root / "b").mkdir()  # a directory where the second file goes: its rename fails
    (root / "b" / "x").write_text("keep\n")
    with pytest.raises(OSError):
        atomic_write_all(
            [(str(root / "a.txt"), b"new a\n"), (str(root / "b"), b"new b\n")],
            journal=(str(journal), str(root)),
        )
    assert (root / "a.txt").read_text() == "old a\n"
    assert not journal.exists()
    assert not list(root.glob(".hfdeploy-*.tmp"))


def test_interrupted_fix_is_reported_even_when_check_answers_from_its_cache(
    tmp_path: Path,
) -> None:
    # The journal lives in .git/, outside the files the result cache keys on: an unchanged
    # re-run answered from the cache must still say that a fix was left half-written.
    root = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\n"})
    git_init(root)
    assert "HF004" not in hfdeploy(tmp_path, root, "check").stdout  # fills the cache
    (root / ".git" / "hfdeploy-journal.json").write_text("{torn")
    assert "HF004" in hfdeploy(tmp_path, root, "check").stdout
    (root / ".git" / "hfdeploy-journal.json").unlink()
    assert "HF004" not in hfdeploy(tmp_path, root, "check").stdout


def test_a_fix_still_being_written_is_neither_reported_nor_completed(tmp_path: Path) -> None:
    # The journal of a live `fix --write` (paused between renames) is not an interrupted fix:
    # a concurrent check does not report it, a concurrent fix does not touch its files.
    root = make_tree(tmp_path / "repo", FILES)
    git_init(root)
    marker = tmp_path / "paused"
    writer = subprocess.Popen(
        [sys.executable, "-m", "hfdeploy", "fix", "--write", "--offline", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env_for(tmp_path, HFDEPLOY_TEST_PAUSE_BETWEEN_RENAMES=str(marker)),
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert writer.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert "HF004" not in hfdeploy(tmp_path, root, "check").stdout
        before = tree(root)
        proc = hfdeploy(tmp_path, root, "fix", "--write")
        assert proc.returncode == 2 and "is writing these files now" in proc.stderr, proc.stderr
        assert tree(root) == before
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert "HF004" in hfdeploy(tmp_path, root, "check").stdout  # killed: now it is interrupted
