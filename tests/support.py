"""Helpers for tests: build trees, run checks and fixes through the real engine."""

from __future__ import annotations

import ctypes
import os
import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from hfdeploy.config import load_config
from hfdeploy.diagnostics import Diagnostic
from hfdeploy.fixer import FixOutcome, fix_project, write_changes
from hfdeploy.project import Project, RunOptions
from hfdeploy.registry import normalise_codes, selected_checks
from hfdeploy.runner import run_checks


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def git_init(root: Path, *, commit: bool = True) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    if commit:
        git("add", "-A")
        git("commit", "-q", "-m", "init", "--allow-empty")


def project_for(root: Path, **options: object) -> Project:
    return Project(root, load_config(root), RunOptions(**options))  # type: ignore[arg-type]


def check_tree(
    root: Path, select: str = "", *, offline: bool = True, **options: object
) -> list[Diagnostic]:
    project = project_for(root, offline=offline, **options)
    checks = selected_checks(normalise_codes([select]) if select else (), ())
    return run_checks(project, checks)


def fix_tree(
    root: Path,
    select: str = "",
    *,
    unsafe: bool = False,
    write: bool = True,
    offline: bool = True,
    **options: object,
) -> FixOutcome:
    project = project_for(root, offline=offline, **options)
    checks = selected_checks(normalise_codes([select]) if select else (), ())
    outcome = fix_project(project, checks, unsafe=unsafe)
    if write:
        write_changes(outcome)
    return outcome


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def read_tree(root: Path) -> dict[str, bytes]:
    return {
        str(PurePosixPath(p.relative_to(root).as_posix())): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def permissions_enforced() -> Callable[[], None] | None:
    """A `preexec_fn` that makes a child process subject to file permissions, or None when
    they already apply (not root). As root, the child loses CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH from its bounding set before it execs, so the program it runs keeps
    uid 0 (and can run the venv's Python under /root) but reads and writes only what the
    permission bits allow. Tests relying on it assert the denial they expect, so a failure of
    this mechanism fails them instead of passing."""
    if os.geteuid() != 0:
        return None

    def drop() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    return drop
