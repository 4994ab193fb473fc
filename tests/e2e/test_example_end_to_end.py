"""The example repository end to end, as a user runs it: `check` fails, `fix --write` repairs it,
`check` passes, `verify` builds and starts it on a real Docker engine, and real requests through
the running container (register, log in, create a task, update it, read it) succeed.

Reaches the package index (the lock is resolved and the image installs it), so it runs where the
Docker tests run; pip's configuration on this machine is isolated away.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support import git_init

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "taskboard"

pytestmark = pytest.mark.docker


def hfdeploy(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hfdeploy", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def request(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, Any]:
    data, headers = None, {}
    if json_body is not None:
        data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
            return resp.status, json.loads(body) if body else None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, HFDEPLOY_CACHE_DIR=str(tmp_path / "cache"))
    return env


def test_example_check_fix_verify_and_serve(
    tmp_path: Path, isolated_env: dict[str, str], docker_client: Any
) -> None:
    repo = tmp_path / "taskboard"
    shutil.copytree(EXAMPLE, repo)
    git_init(repo)  # the example commits its .env, as the repos it stands for do

    before = hfdeploy("check", str(repo), "--format", "json", env=isolated_env)
    assert before.returncode == 1, before.stderr
    found = {(f["code"], f["path"], f["line"]) for f in json.loads(before.stdout)}
    expected = {
        ("PY001", "app/crud.py", 50),
        ("PY001", "app/routers/tasks.py", 42),
        ("PY001", "app/routers/tasks.py", 56),
        ("RQ005", "requirements.txt", 7),
        ("RQ003", "requirements.txt", 13),
        ("SC004", "README.md", 4),
        ("SC003", "README.md", 6),
        ("SC005", "README.md", 9),
        ("SC006", "README.md", 11),
        ("DB001", ".env", 3),
        ("DB002", ".env", 3),
        ("DB001", "alembic.ini", 40),
        ("DB002", "alembic.ini", 40),
        ("EV002", ".env", 3),
        ("DF003", "Dockerfile", 1),
        ("DF011", "Dockerfile", 6),
        ("DF005", "Dockerfile", 12),
    }
    assert expected <= found, sorted(expected - found)
    assert "p@ss#w0rd" not in before.stdout  # the password is never printed

    fixed = hfdeploy("fix", str(repo), "--write", env=isolated_env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    for path in repo.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    assert "data=task_in" in (repo / "app/routers/tasks.py").read_text()
    tracked = subprocess.run(
        ["git", "-C", str(repo), "ls-files"], capture_output=True, text=True
    ).stdout
    assert ".env" not in tracked.split() and (repo / ".env").exists()

    after = hfdeploy("check", str(repo), "--format", "json", env=isolated_env)
    assert after.returncode == 0, after.stdout
    assert not [f for f in json.loads(after.stdout) if f["severity"] == "error"]
    again = hfdeploy("fix", str(repo), env=isolated_env)
    assert again.returncode == 0 and again.stdout == "", again.stdout  # idempotent

    verified = hfdeploy(
        "verify",
        str(repo),
        "--keep",
        "--format",
        "json",
        "--env",
        "SECRET_KEY=e2e-secret-value",
        env=isolated_env,
    )
    report = json.loads(verified.stdout)
    container = report.get("container")
    try:
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert report["uid"] == 1000 and report["app_port"] == 8000
        base = report["url"].rstrip("/")
        user = {"username": "ada", "password": "correct horse battery"}
        status, body = request("POST", f"{base}/auth/register", json_body=user)
        assert status in (200, 201), body
        status, body = request("POST", f"{base}/auth/token", form=user)
        assert status == 200, body
        token = body["access_token"]
        status, task = request("POST", f"{base}/tasks", json_body={"title": "Ship it"}, token=token)
        assert status in (200, 201), task
        status, body = request(
            "PUT",
            f"{base}/tasks/{task['id']}",
            json_body={"title": "Shipped", "completed": True},
            token=token,
        )
        assert status == 200, body
        status, body = request("GET", f"{base}/tasks/{task['id']}", token=token)
        assert status == 200 and body["title"] == "Shipped" and body["completed"] is True, body
    finally:
        if container:
            docker_client.containers.get(container).remove(force=True)
