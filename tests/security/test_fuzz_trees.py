"""Generated hostile trees (a fixed seed set: derandomized, few examples, bounded time):
whatever mix of outside includes, symlinks in and out, FIFOs, odd encodings, huge inputs,
aliases and broken git a repository holds, `check` (every format) and `fix --write` never
write outside the root, never print an outside file or a planted secret, never end in a
traceback, and leave no temp file behind."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hfdeploy.cli import main

SECRET = "PLANTED-fuzz-9Kq2LmT4"
OUTSIDE_LINE = "OUTSIDE-CONTENT-7Hq"
APP = "from fastapi import FastAPI\napp = FastAPI()\n"

FEATURES = {
    "include_up": lambda r, o: _add(r / "requirements.txt", "-r ../outside/reqs.txt\n"),
    "include_abs": lambda r, o: _add(r / "requirements.txt", f"-c {o / 'reqs.txt'}\n"),
    "symlink_dir_out": lambda r, o: os.symlink(o, r / "linked"),
    "symlink_file_out": lambda r, o: os.symlink(o / "reqs.txt", r / "requirements-dev.txt"),
    "symlink_file_in": lambda r, o: os.symlink("main.py", r / "app.py"),
    "alembic_out": lambda r, o: (r / "alembic.ini").write_text(
        "[alembic]\nscript_location = ../outside/migrations\n"
    ),
    "fifo_py": lambda r, o: os.mkfifo(r / "pipe.py"),
    "fifo_pyproject": lambda r, o: os.mkfifo(r / "pyproject.toml"),
    "odd_cookie": lambda r, o: (r / "odd.py").write_bytes(b"# coding: undefined\nx = 1\n"),
    "latin1": lambda r, o: (r / "lat.py").write_bytes(b"# coding: latin-1\ns = '\xe9'\n"),
    "binary": lambda r, o: (r / "bin.py").write_bytes(b"\0\1\2" * 100),
    "huge": lambda r, o: (r / "huge.py").write_bytes(b"x = 1\n" * 500_000),
    "readme_dir": lambda r, o: (r / "README.md").mkdir(),
    "yaml_alias": lambda r, o: (r / "README.md").write_text(
        "---\ntitle: &t Demo\nsdk: gradio\nshort_description: *t\n---\n"
    ),
    "secret_env": lambda r, o: (r / ".env").write_text(
        f"DATABASE_URL=postgres://u:{SECRET}@db/x\nSECRET_KEY={SECRET}\n"
    ),
    "secret_code": lambda r, o: _add(
        r / "main.py", f'DATABASE_URL = "postgres://u:{SECRET}@db/x"\n'
    ),
    "stale_tmp": lambda r, o: (r / ".hfdeploy-x1.tmp").write_text(f"TOKEN={SECRET}\n"),
    "bad_python_setting": lambda r, o: (r / "pyproject.toml").write_text(
        '[tool.hfdeploy]\npython = "3.11\\nRUN id"\n'
    ),
}
GIT_STATES = ("none", "ok", "corrupt_head")


def _add(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def _snapshot(directory: Path) -> dict[str, bytes]:
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path)] = path.read_bytes()
    return out


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


@settings(
    max_examples=30, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    features=st.sets(st.sampled_from(sorted(FEATURES)), min_size=1, max_size=6),
    git=st.sampled_from(GIT_STATES),
)
def test_hostile_tree(features: set[str], git: str) -> None:
    base = Path(tempfile.mkdtemp(prefix="hfdeploy-fuzz-"))
    try:
        outside, repo = base / "outside", base / "repo"
        outside.mkdir()
        repo.mkdir()
        (outside / "reqs.txt").write_text(f"{OUTSIDE_LINE}==1.0\n")
        (outside / "migrations").mkdir()
        (outside / "migrations" / "env.py").write_text(f"# {OUTSIDE_LINE}\n")
        (repo / "main.py").write_text(APP)
        (repo / "requirements.txt").write_text("fastapi\n")
        for name in sorted(features):
            if name == "yaml_alias" and "readme_dir" in features:
                continue
            if name == "bad_python_setting" and "fifo_pyproject" in features:
                continue
            FEATURES[name](repo, outside)
        if git != "none":
            for args in (
                ["init", "-q"],
                ["add", "-A"],
                ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x"],
            ):
                subprocess.run(
                    ["git", "-C", str(repo), *args], capture_output=True, timeout=30, check=False
                )
            if git == "corrupt_head":
                (repo / ".git" / "HEAD").write_text("garbage\n")
        os.environ["HFDEPLOY_CACHE_DIR"] = str(base / "cache")
        before_outside = _snapshot(outside)
        outputs = []
        for fmt in ("text", "json", "github", "sarif"):
            code, text = _cli("check", "--offline", "--format", fmt, str(repo))
            assert code in (0, 1, 2), text[-2000:]
            outputs.append(text)
        code, text = _cli("fix", "--offline", "--write", str(repo))
        assert code in (0, 1, 2), text[-2000:]
        outputs.append(text)
        for text in outputs:
            assert "Traceback" not in text and ") crashed: " not in text, text[-2000:]
            assert OUTSIDE_LINE not in text
            assert SECRET not in text
        assert _snapshot(outside) == before_outside
        leftovers = [p for p in repo.rglob(".hfdeploy-*.tmp") if p.name != ".hfdeploy-x1.tmp"]
        assert not leftovers
        for path in (base / "cache").rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes()
                assert OUTSIDE_LINE.encode() not in path.read_bytes()
    finally:
        os.environ.pop("HFDEPLOY_CACHE_DIR", None)
        for path in base.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)
