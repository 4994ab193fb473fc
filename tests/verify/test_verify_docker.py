"""`hfdeploy verify` against a real Docker engine: one small repo per stage that can fail.

Every repo under repos/ starts with the same two lines (the stand-in python:3.11-slim and one
pinned `pip install`), so the layer cache builds that layer once for the whole module. Each test
copies its repo, gives it a free port from the OS as `app_port` (README.md front matter) and runs
the real CLI with host networking.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.cli import main

REPOS = Path(__file__).parent / "repos"
pytestmark = pytest.mark.docker

Verify = Callable[..., tuple[int, Any, str]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


def copy_repo(tmp_path: Path, name: str) -> tuple[Path, int, int]:
    """The repo with its ports moved to free ones: 7860 -> app_port, 8000 -> another port."""
    root = shutil.copytree(REPOS / name, tmp_path / name)
    app_port, other_port = free_port(), free_port()
    dockerfile = root / "Dockerfile"
    text = dockerfile.read_text().replace("7860", str(app_port)).replace("8000", str(other_port))
    dockerfile.write_text(text)
    (root / "README.md").write_text(
        f"---\ntitle: {name}\nsdk: docker\napp_port: {app_port}\n---\n\n# {name}\n"
    )
    return root, app_port, other_port


def leftover_containers(client: Any, repo: str) -> list[str]:
    found = client.containers.list(
        all=True,
        filters={"label": "hfdeploy.verify", "name": f"hfdeploy-verify-{repo.replace('_', '-')}-"},
    )
    return [c.name for c in found]


@pytest.fixture
def verify(capsys: pytest.CaptureFixture[str]) -> Verify:
    def run(root: Path, *args: str, format: str = "json") -> tuple[int, Any, str]:
        code = main(["verify", str(root), "--format", format, "--timeout", "60", *args])
        out = capsys.readouterr()
        return code, (json.loads(out.out) if format == "json" else out.out), out.err

    return run


def finding(report: dict[str, Any], code: str) -> dict[str, Any]:
    matches = [f for f in report["findings"] if f["code"] == code]
    assert matches, f"no {code} in {[f['code'] + ' ' + f['message'] for f in report['findings']]}"
    return matches[0]


def test_passing_app_serves_every_get_route_and_rebuilds_from_cache(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, port, _ = copy_repo(tmp_path, "passing")
    code, report, _ = verify(root)
    assert code == 0, report["findings"]
    assert report["app_port"] == port and report["url"] == f"http://127.0.0.1:{port}"
    assert report["uid"] == 1000 and report["user"] == "user"
    assert report["env"] == []  # DATABASE_URL is required, but the image's ENV provides it
    assert report["build"]["seconds"] > 0 and report["start_seconds"] > 0
    visited = {
        p["path"]: p["status"] for p in report["probes"] if not p["kind"].startswith("proxy")
    }
    assert visited["/"] == 200 and visited["/health"] == 200 and visited["/openapi.json"] == 200
    # The smoke pass: every GET route without path parameters, and only those.
    routes = {p["path"]: p["status"] for p in report["probes"] if p["kind"] == "route"}
    assert routes == {"/notes": 200, "/me": 401, "/search": 422}
    assert leftover_containers(docker_client, "passing") == []

    # A code-only change (new to the cache on every run): the pip layer comes from the cache,
    # the new route is smoke-tested.
    first_image = docker_client.images.get(report["image"]).id
    main_py = root / "main.py"
    stamp = uuid.uuid4().hex
    main_py.write_text(
        main_py.read_text() + f'\n\n@app.get("/version")\ndef version():\n    return "{stamp}"\n'
    )
    code, again, _ = verify(root)
    assert code == 0, again["findings"]
    assert again["build"]["from_cache"] is False and again["build"]["cached_steps"] >= 2
    assert {p["path"] for p in again["probes"]} >= {"/version", "/notes"}
    # The image the tag moved away from is removed, so repeated runs do not fill the disk.
    assert docker_client.images.get(again["image"]).id != first_image
    assert first_image not in {image.id for image in docker_client.images.list(all=True)}


def test_keep_leaves_the_container_serving(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, port, _ = copy_repo(tmp_path, "passing")
    code, text, _ = verify(root, "--keep", format="text")
    kept = leftover_containers(docker_client, "passing")
    try:
        assert code == 0, text
        assert len(kept) == 1 and kept[0] in text and f"http://127.0.0.1:{port}" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/notes", timeout=10) as response:
            assert response.status == 200
    finally:
        for name in kept:
            docker_client.containers.get(name).remove(force=True)


def test_legacy_builder_is_named_and_passes(tmp_path: Path, verify: Verify) -> None:
    root, _, _ = copy_repo(tmp_path, "passing")
    code, report, _ = verify(root, "--builder", "legacy")
    assert code == 0, report["findings"]
    assert report["builder"].startswith("legacy builder")


def test_build_error_shows_the_failing_step_and_its_output(tmp_path: Path, verify: Verify) -> None:
    root, _, _ = copy_repo(tmp_path, "build_error")
    code, text, _ = verify(root, format="text")
    assert code == 1
    assert "RT002 error: The image does not build at step" in text
    assert 'RUN python -c "import yaml' in text
    assert "ModuleNotFoundError: No module named 'yaml'" in text
    assert "start " not in text  # nothing was started


def test_crash_at_import_shows_the_traceback(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, port, _ = copy_repo(tmp_path, "crash_at_import")
    code, text, _ = verify(root, format="text")
    assert code == 1
    assert f"RT003 error: The container exited with code 1 before answering on port {port}" in text
    assert 'File "/home/user/app/main.py", line 1' in text
    assert "ModuleNotFoundError: No module named 'jwt'" in text
    assert leftover_containers(docker_client, "crash_at_import") == []


def test_values_passed_in_are_masked_in_the_log_excerpt(tmp_path: Path, verify: Verify) -> None:
    root, _, _ = copy_repo(tmp_path, "crash_at_import")
    (root / "main.py").write_text(
        "import os\nraise RuntimeError('bad key ' + os.environ['OPENAI_API_KEY'])\n"
    )
    secret = "sk-proj-Zx9Qw8Er7Ty6Ui5Op4As3Df2"
    code, text, _ = verify(root, "-e", f"OPENAI_API_KEY={secret}", format="text")
    assert code == 1
    assert "RuntimeError: bad key sk***" in text
    assert secret not in text


def test_wrong_port_is_reported_without_waiting_for_the_timeout(
    tmp_path: Path, verify: Verify
) -> None:
    root, port, other = copy_repo(tmp_path, "wrong_port")
    started = time.monotonic()
    code, report, _ = verify(root)
    assert code == 1
    message = finding(report, "RT004")["message"]
    assert f"Nothing answered on port {port}" in message and f":{other}" in message
    assert time.monotonic() - started < 45  # the log named the other port: no 60 s wait


def test_server_error_on_a_route_shows_its_traceback(tmp_path: Path, verify: Verify) -> None:
    root, _, _ = copy_repo(tmp_path, "server_error")
    code, report, _ = verify(root)
    assert code == 1
    error = finding(report, "RT005")
    assert error["message"] == "GET /tasks/stats answered 500"
    assert any("ZeroDivisionError" in note for note in error["notes"])
    assert any('main.py", line 23, in task_stats' in note for note in error["notes"])
    # API_KEY is read at import: the app only started because it got the placeholder.
    assert report["env"] == [{"name": "API_KEY", "source": "placeholder"}]
    assert "API_KEY" in finding(report, "RT008")["message"]
    routes = {p["path"]: p["status"] for p in report["probes"] if p["kind"] == "route"}
    assert routes == {"/tasks": 200, "/tasks/stats": 500}


def test_unwritable_database_directory(tmp_path: Path, verify: Verify) -> None:
    root, _, _ = copy_repo(tmp_path, "unwritable_data")
    code, report, _ = verify(root)
    assert code == 1
    assert report["uid"] == 1000 and report["start_seconds"] is not None  # it did serve
    problem = finding(report, "RT006")
    assert problem["severity"] == "error"
    assert "cannot create files in /app" in problem["message"]
    assert [f["code"] for f in report["findings"] if f["severity"] != "info"] == ["RT006"]


def test_unwritable_workdir_without_sqlite_is_a_warning(tmp_path: Path, verify: Verify) -> None:
    # The same root-owned WORKDIR, but the app opens no database: SQLite appears only in its
    # tests (in memory), which a text search used to count as "the app uses SQLite".
    root, _, _ = copy_repo(tmp_path, "unwritable_data")
    (root / "main.py").write_text(
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/")\n'
        'def index():\n    return {"service": "tasks"}\n'
    )
    (root / "tests").mkdir()
    (root / "tests" / "conftest.py").write_text(
        'import os\n\nos.environ["DATABASE_URL"] = "sqlite:///:memory:"\n'
    )
    (root / "requirements-test.txt").write_text("pytest\naiosqlite\n")
    code, report, _ = verify(root)
    assert code == 0, report["findings"]
    problem = finding(report, "RT006")
    assert problem["severity"] == "warning"
    assert "cannot create files in /app" in problem["message"]
    assert not any("SQLite needs" in note for note in problem["notes"]), problem["notes"]


def test_a_data_directory_created_at_start_serves_after_fix_write_alone(
    tmp_path: Path, verify: Verify
) -> None:
    """The app creates ./data at start (a SQLite fallback when DATABASE_URL is unset) under a
    root-owned WORKDIR, and the image's user has another uid than the Space's: verify fails;
    `fix --write` alone (no --verify round) creates the directory owned by uid 1000, and the
    same app then serves as uid 1000."""
    root, _, _ = copy_repo(tmp_path, "data_dir_at_start")
    code, report, _ = verify(root)
    assert code == 1
    assert "Permission denied: 'data'" in json.dumps(finding(report, "RT003")), report["findings"]
    assert main(["fix", "--write", "--offline", str(root)]) in (0, 1)
    dockerfile = (root / "Dockerfile").read_text()
    assert "RUN mkdir -p /app/src/data && chown 1000 /app/src/data\nUSER svc\n" in dockerfile
    code, report, _ = verify(root)
    assert code == 0, report["findings"]
    assert report["uid"] == 1000 and report["start_seconds"] is not None


def test_busy_app_port_moves_a_server_that_reads_port(tmp_path: Path, verify: Verify) -> None:
    root, port, _ = copy_repo(tmp_path, "reads_port")
    with socket.socket() as squatter:
        squatter.bind(("0.0.0.0", port))
        squatter.listen()
        code, report, _ = verify(root)
    assert code == 0, report["findings"]
    assert report["url"] != f"http://127.0.0.1:{port}"
    assert {"name": "PORT", "source": f"verify: {port} is busy on this host"} in report["env"]


def test_busy_app_port_with_a_fixed_port_cannot_be_verified(tmp_path: Path, verify: Verify) -> None:
    root, port, _ = copy_repo(tmp_path, "passing")
    with socket.socket() as squatter:
        squatter.bind(("0.0.0.0", port))
        squatter.listen()
        code, report, _ = verify(root)
    assert code == 2
    assert f"Port {port} (app_port) is already in use" in finding(report, "RT009")["message"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupt_removes_the_container(tmp_path: Path, docker_client: Any, signum: int) -> None:
    root, _, _ = copy_repo(tmp_path, "never_answers")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfdeploy", "verify", str(root), "--timeout", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # SIGINT handled as in a terminal even if this runner ignores it (no threads run here).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not leftover_containers(docker_client, "never_answers"):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the container never appeared"
            time.sleep(0.2)
        time.sleep(0.5)  # inside the wait loop now
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert leftover_containers(docker_client, "never_answers") == []


@pytest.mark.docker
def test_the_docker_marker_sees_an_engine(docker_client: Any) -> None:
    assert docker_client.ping() is True


def _git_commit_all(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
    }
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
        subprocess.run(["git", "-C", str(root), *argv], check=True, env=env, timeout=60)


def test_a_file_git_ignores_is_not_in_the_build_context(tmp_path: Path, verify: Verify) -> None:
    """The Space builds its repository: a `.env` that git ignores exists here, not there."""
    root, _, _ = copy_repo(tmp_path, "passing")
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace(
            "COPY --chown=user main.py .", "COPY --chown=user main.py .env ./"
        )
    )
    (root / ".gitignore").write_text(".env\n")
    (root / ".env").write_text("GREETING=hello\n")
    _git_commit_all(root)
    code, report, _ = verify(root)
    assert code == 1
    failed = finding(report, "RT002")
    assert ".env" in failed["message"]
    assert any(
        "`.env` exists in this directory but not in the repository" in n for n in failed["notes"]
    )

    # The same file committed (and no longer ignored) is in the Space repository: it builds.
    (root / ".gitignore").write_text("")
    _git_commit_all(root)
    code, report, _ = verify(root)
    assert code == 0, report["findings"]


def test_a_file_taken_out_of_the_index_is_not_in_the_build_context(
    tmp_path: Path, verify: Verify
) -> None:
    """`git rm --cached` (what `fix --write` does with a committed secret file) keeps the file on
    disk; the Space no longer has it."""
    root, _, _ = copy_repo(tmp_path, "passing")
    (root / "extra.txt").write_text("x\n")
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace(
            "COPY --chown=user main.py .", "COPY --chown=user main.py extra.txt ./"
        )
    )
    _git_commit_all(root)
    subprocess.run(
        ["git", "-C", str(root), "rm", "-q", "--cached", "extra.txt"], check=True, timeout=60
    )
    (root / ".gitignore").write_text("extra.txt\n")
    code, report, _ = verify(root)
    assert code == 1
    assert any(
        "`extra.txt` exists in this directory" in n for n in finding(report, "RT002")["notes"]
    )


def test_a_syntax_frontend_the_engine_cannot_pull_is_built_with_the_built_in_one(
    tmp_path: Path, verify: Verify
) -> None:
    """`# syntax=docker/dockerfile:<v>` makes BuildKit pull a frontend image first; an engine
    without that image (here: a tag no registry has) gets the built-in frontend, with RT033."""
    root, _, _ = copy_repo(tmp_path, "passing")
    dockerfile = root / "Dockerfile"
    original = (
        "# syntax=docker.io/docker/dockerfile:0.0.0-hfdeploy-absent\n# escape=\\\n"
        + dockerfile.read_text()
    )
    dockerfile.write_text(original)
    code, report, _ = verify(root, "--builder", "buildkit")
    assert code == 0, report["findings"]
    assert "docker/dockerfile:0.0.0-hfdeploy-absent" in finding(report, "RT033")["message"]
    assert dockerfile.read_text() == original  # only the staged copy changed


def test_fix_write_puts_a_bare_named_sibling_on_pythonpath_and_the_image_serves(
    tmp_path: Path, verify: Verify, capsys: pytest.CaptureFixture[str]
) -> None:
    """DF045 on a real engine: `from routes import router` in service/main.py, with service/ on
    nobody's sys.path in the image, stops the server; `fix --write` puts it on PYTHONPATH."""
    root, _, _ = copy_repo(tmp_path, "bare_sibling_import")
    code, report, _ = verify(root)
    assert code == 1
    assert "No module named 'routes'" in "\n".join(finding(report, "RT003")["notes"])

    assert main(["check", "--offline", "--select", "DF045", str(root)]) == 1
    assert "DF045" in capsys.readouterr().out
    assert main(["fix", "--write", "--offline", "--select", "DF045", str(root)]) == 0
    capsys.readouterr()
    assert "ENV PYTHONPATH=/home/user/app/service\n" in (root / "Dockerfile").read_text()

    code, report, _ = verify(root)
    assert code == 0, report["findings"]


def test_a_port_and_host_from_unset_variables_serve_after_fix_write(
    tmp_path: Path, verify: Verify
) -> None:
    """`uvicorn.run(host=os.getenv("APP_HOST"), port=int(os.getenv("APP_PORT")), reload=True)`
    with an empty `ENV APP_PORT=${APP_PORT}`: verify leaves both unset as a Space does, and the
    start fails on `int("")`; `fix --write` gives the image `ENV APP_PORT=<app_port>` (in place)
    and `ENV APP_HOST=0.0.0.0`, and the same app then serves on app_port."""
    root, port, _ = copy_repo(tmp_path, "port_from_variable")
    code, report, _ = verify(root)
    assert code == 1, report["findings"]
    assert {"name": "APP_PORT", "source": "unset, as on a Space", "kind": "the server's port"} in (
        report["env"]
    )
    assert "APP_PORT" in json.dumps(report["findings"])
    assert main(["fix", "--write", "--offline", str(root)]) in (0, 1)
    dockerfile = (root / "Dockerfile").read_text()
    assert f"ENV APP_PORT={port}\n" in dockerfile and "${APP_PORT}" not in dockerfile
    assert "ENV APP_HOST=0.0.0.0\n" in dockerfile
    code, report, _ = verify(root)
    assert code == 0, report["findings"]
    assert report["url"] == f"http://127.0.0.1:{port}"
    assert not any(e["name"] in ("APP_PORT", "APP_HOST") for e in report["env"]), report["env"]
