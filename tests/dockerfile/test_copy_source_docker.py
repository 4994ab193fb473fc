"""DF021's repairs on a real engine, with BuildKit as Spaces build: each image fails at its COPY
before `fix --write` ("not found") and builds after it, with the file where the Dockerfile wants
it; the requirements file written from the imports installs, and the app then imports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.support import check_tree, fix_tree, git_init, make_tree

pytestmark = pytest.mark.docker

BASE = "FROM python:3.11-slim\nWORKDIR /app\n"


def buildkit(root: Path) -> tuple[int, str, str]:
    """(exit code, output, tag) of `DOCKER_BUILDKIT=1 docker build` through Debian's 20.10 CLI."""
    cli = shutil.which("docker", path="/usr/bin")
    if cli is None:
        pytest.fail("no /usr/bin/docker client that can build with DOCKER_BUILDKIT=1")
    tag = f"hfdeploy-test-df021-{uuid.uuid4().hex[:12]}"
    proc = subprocess.run(
        [cli, "build", "--network", "host", "--progress", "plain", "-t", tag, str(root)],
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return proc.returncode, proc.stdout + proc.stderr, tag


def fails_then_builds(docker_client: Any, root: Path) -> str:
    """Build before and after `fix --write` (DF021 only); returns the built tag."""
    assert [d.code for d in check_tree(root, "DF021")] == ["DF021"]
    code, output, _ = buildkit(root)
    assert code != 0, output[-2000:]
    assert "not found" in output or "no such file or directory" in output, output[-2000:]
    fix_tree(root, "DF021")
    assert check_tree(root, "DF021") == []
    code, output, tag = buildkit(root)
    assert code == 0, output[-3000:]
    return tag


def run(docker_client: Any, tag: str, command: list[str]) -> tuple[int, str]:
    container = docker_client.containers.run(
        tag, command, user="1000", network_mode="host", detach=True
    )
    try:
        status = container.wait(timeout=120)
        return status["StatusCode"], container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)


@pytest.fixture
def cleanup(docker_client: Any) -> Any:
    tags: list[str] = []
    yield tags
    for tag in tags:
        try:
            docker_client.images.remove(tag, force=True)
        except Exception:  # an image that was never built
            pass


def test_env_file_not_in_the_repository_is_dropped(
    docker_client: Any, tmp_path: Path, cleanup: list[str]
) -> None:
    root = make_tree(
        tmp_path / "repo",
        {
            "Dockerfile": BASE + "COPY ./.env config.toml /app\nRUN test -f /app/config.toml\n",
            "config.toml": "[app]\nname = 'demo'\n",
            ".gitignore": ".env\n",
        },
    )
    git_init(root)
    tag = fails_then_builds(docker_client, root)
    cleanup.append(tag)
    assert "COPY config.toml /app/" in (root / "Dockerfile").read_text()
    code, logs = run(docker_client, tag, ["sh", "-c", "ls -a /app"])
    assert code == 0 and "config.toml" in logs and ".env" not in logs, logs


def test_dockerignored_source_gets_an_exception(
    docker_client: Any, tmp_path: Path, cleanup: list[str]
) -> None:
    root = make_tree(
        tmp_path / "repo",
        {
            "Dockerfile": BASE + "COPY data/labels.json data/\n",
            "data/labels.json": '["cat", "dog"]\n',
            "data/cache.tmp": "scratch\n",
            ".dockerignore": "data/\n*.tmp\n",
        },
    )
    tag = fails_then_builds(docker_client, root)
    cleanup.append(tag)
    assert (root / ".dockerignore").read_text() == "data/\n!data/labels.json\n*.tmp\n"
    code, logs = run(docker_client, tag, ["cat", "/app/data/labels.json"])
    assert code == 0 and "dog" in logs, logs


def test_file_under_the_app_directory_is_copied_from_there(
    docker_client: Any, tmp_path: Path, cleanup: list[str]
) -> None:
    root = make_tree(
        tmp_path / "repo",
        {
            "Dockerfile": BASE
            + "COPY requirements.txt requirements.txt\nCOPY backend/ .\n"
            + 'CMD ["python", "-m", "uvicorn", "main:app"]\n',
            "backend/requirements.txt": "# the backend's own file\n",
            "backend/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    tag = fails_then_builds(docker_client, root)
    cleanup.append(tag)
    code, logs = run(docker_client, tag, ["cat", "/app/requirements.txt"])
    assert code == 0 and "the backend's own file" in logs, logs


def test_requirements_written_from_imports_install_and_the_app_imports(
    docker_client: Any, tmp_path: Path, cleanup: list[str]
) -> None:
    root = make_tree(
        tmp_path / "repo",
        {
            "Dockerfile": BASE
            + "COPY requirements.txt requirements.txt\n"
            + "RUN pip install --no-cache-dir -r requirements.txt\n"
            + "COPY . .\n"
            + 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]\n',
            "main.py": "import yaml\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
            "CONFIG = yaml.safe_load('name: demo')\n",
        },
    )
    tag = fails_then_builds(docker_client, root)
    cleanup.append(tag)
    written = (root / "requirements.txt").read_text().splitlines()
    assert written[1:] == ["fastapi", "uvicorn", "PyYAML"], written
    code, logs = run(
        docker_client,
        tag,
        ["python", "-c", "import main, uvicorn; print(main.CONFIG['name'], main.app.title)"],
    )
    assert code == 0 and "demo FastAPI" in logs, logs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_df025_app_one_directory_deeper_does_not_start_and_the_fix_serves(
    docker_client: Any, tmp_path: Path, cleanup: list[str]
) -> None:
    """DF025's finding on a real container: the image builds, and uvicorn cannot import the
    module the CMD names; after `fix --write` the server starts in the app's directory."""
    root = make_tree(
        tmp_path / "repo",
        {
            "backend/requirements.txt": "uvicorn\nfastapi\n",
            "backend/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "Dockerfile": BASE
            + "COPY backend/requirements.txt .\n"
            + "RUN pip install --no-cache-dir -r requirements.txt\n"
            + "COPY . .\n"
            + 'CMD ["sh", "-c", "uvicorn main:app --host 0.0.0.0 --port ${PORT:-7860}"]\n',
        },
    )
    assert [d.code for d in check_tree(root, "DF025")] == ["DF025"]
    code, output, tag = buildkit(root)
    cleanup.append(tag)
    assert code == 0, output[-3000:]
    code, logs = serve(docker_client, tag)
    assert code != 0 and 'Could not import module "main"' in logs, logs
    fix_tree(root, "DF025")
    assert "cd backend && uvicorn main:app" in (root / "Dockerfile").read_text()
    assert check_tree(root, "DF025") == []
    code, output, tag = buildkit(root)
    cleanup.append(tag)
    assert code == 0, output[-3000:]
    code, logs = serve(docker_client, tag)
    assert code == 0 and "Application startup complete" in logs, logs


def serve(docker_client: Any, tag: str) -> tuple[int, str]:
    """Start the image's own CMD on a free port: (0, log) once it serves, else (exit, log)."""
    container = docker_client.containers.run(
        tag,
        user="1000",
        network_mode="host",
        environment={"PORT": str(free_port())},
        detach=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            container.reload()
            logs = container.logs().decode("utf-8", "replace")
            if "Application startup complete" in logs:
                return 0, logs
            if container.status == "exited":
                return int(container.attrs["State"]["ExitCode"]) or 1, logs
            time.sleep(1)
        return 1, container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)


def test_monorepo_folder_prefix_is_stripped(
    docker_client: Any, tmp_path: Path, cleanup: list[str]
) -> None:
    # Written for the monorepo's root as context; the Space's repository is backend/ itself.
    root = make_tree(
        tmp_path / "mono" / "backend",
        {
            "Dockerfile": BASE + "COPY ./backend/app /app/app\nRUN test -f /app/app/main.py\n",
            "app/main.py": "print('ok')\n",
        },
    )
    tag = fails_then_builds(docker_client, root)
    cleanup.append(tag)
    assert "COPY ./app /app/app\n" in (root / "Dockerfile").read_text()
    code, logs = run(docker_client, tag, ["python", "/app/app/main.py"])
    assert code == 0 and "ok" in logs, logs
