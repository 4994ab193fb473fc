"""Build hfdeploy's generated Dockerfile on a real engine with the legacy builder (the docker
SDK's build API) and prove that uid 1000 can create files where the app writes: DATA_DIR and the
WORKDIR. A control build of the Spaces docs' pattern shows the check the fix is about: with the
legacy builder, `WORKDIR` after `USER` leaves a directory uid 1000 cannot write."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.dockerfile.helpers import APP, tree
from tests.support import check_tree, fix_tree

pytestmark = pytest.mark.docker

# Nothing to download: the probe needs the image's users and directories, not the app's packages.
REQUIREMENTS = "# no third-party packages needed for this probe\n"
PROBE = 'touch "$DATA_DIR/probe.db" && touch ./probe.txt && id -u && pwd && echo "$DATA_DIR"'


def build(client: Any, root: Path) -> str:
    tag = f"hfdeploy-test-df-{uuid.uuid4().hex[:12]}"
    # `images.build` goes through the engine's classic build API: the legacy builder.
    client.images.build(path=str(root), tag=tag, network_mode="host", rm=True, forcerm=True)
    return tag


def build_with_buildkit(root: Path) -> str:
    """Build through Debian's docker 20.10 CLI with DOCKER_BUILDKIT=1 (no buildx needed), as the
    Hub's builder does; skip when that client is not installed."""
    cli = shutil.which("docker", path="/usr/bin")
    if cli is None:
        pytest.skip("no /usr/bin/docker client that can build with DOCKER_BUILDKIT=1")
    tag = f"hfdeploy-test-df-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    proc = subprocess.run(
        [cli, "build", "--network", "host", "-t", tag, str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0 and "buildkit" in proc.stderr.lower() and "not" in proc.stderr.lower():
        pytest.skip(f"this client cannot build with BuildKit: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return tag


def run_probe(client: Any, tag: str) -> tuple[int, str]:
    container = client.containers.run(
        tag, ["sh", "-c", PROBE], user="1000", network_mode="host", detach=True
    )
    try:
        status = container.wait(timeout=120)
        return status["StatusCode"], container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)


@pytest.mark.parametrize("builder", ["legacy", "buildkit"])
def test_generated_dockerfile_gives_uid_1000_its_directories(
    docker_client: Any, tmp_path: Path, builder: str
) -> None:
    root = tree(
        tmp_path,
        None,
        {".dockerignore": None, "requirements.txt": REQUIREMENTS, ".env": "SECRET_KEY=x\n"},
    )
    fix_tree(root, "DF")
    assert check_tree(root, "DF") == []
    tag = build(docker_client, root) if builder == "legacy" else build_with_buildkit(root)
    try:
        code, logs = run_probe(docker_client, tag)
        assert code == 0, logs
        assert logs.split() == ["1000", "/home/user/app", "/home/user/app/data"]
        # .dockerignore kept the local .env out of the image
        env_check = docker_client.containers.run(
            tag,
            ["sh", "-c", "test ! -e .env && test -e main.py && echo clean"],
            network_mode="host",
            remove=True,
        )
        assert env_check.decode().strip() == "clean"
    finally:
        docker_client.images.remove(tag, force=True)


def test_control_workdir_after_user_is_root_owned_with_the_legacy_builder(
    docker_client: Any, tmp_path: Path
) -> None:
    dockerfile = (
        "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user DATA_DIR=/home/user/app\n"
        'WORKDIR $HOME/app\nCOPY --chown=user . $HOME/app\nCMD ["sh"]\n'
    )
    root = tree(tmp_path, dockerfile, {"requirements.txt": REQUIREMENTS, **APP})
    assert "DF004" in [d.code for d in check_tree(root, "DF004")]
    tag = build(docker_client, root)
    try:
        code, logs = run_probe(docker_client, tag)
        assert code != 0 and "Permission denied" in logs, logs
    finally:
        docker_client.images.remove(tag, force=True)
    # DF004 only notes this (BuildKit, the Hub's builder, gives the directory to the user);
    # the chown its fix uses for a WORKDIR made before USER repairs it on this builder too.
    dockerfile_path = root / "Dockerfile"
    dockerfile_path.write_text(
        dockerfile_path.read_text().replace(
            "USER user", "RUN mkdir -p /home/user/app && chown user /home/user/app\nUSER user"
        )
    )
    tag = build(docker_client, root)
    try:
        code, logs = run_probe(docker_client, tag)
        assert code == 0, logs
    finally:
        docker_client.images.remove(tag, force=True)


SERVING_APP = """\
import os
import sqlite3
from pathlib import Path

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def write_files() -> dict[str, object]:
    data_dir = Path(os.environ["DATA_DIR"])
    with sqlite3.connect(data_dir / "app.db") as db:  # creates the file and its journal
        db.execute("CREATE TABLE IF NOT EXISTS hits (n INTEGER)")
        db.execute("INSERT INTO hits VALUES (1)")
        count = db.execute("SELECT count(*) FROM hits").fetchone()[0]
    Path("uploads").mkdir(exist_ok=True)  # relative to the WORKDIR
    (Path("uploads") / "x.txt").write_text("ok")
    return {"uid": os.getuid(), "hits": count, "cwd": os.getcwd()}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.network
def test_generated_image_serves_and_writes_as_uid_1000(docker_client: Any, tmp_path: Path) -> None:
    """pip reaches the package index from the build; the server honours PORT (host network)."""
    root = tree(
        tmp_path,
        None,
        {
            ".dockerignore": None,
            "main.py": SERVING_APP,
            "requirements.txt": "fastapi==0.115.6\nuvicorn==0.32.1\n",
        },
    )
    fix_tree(root, "DF")
    tag = build(docker_client, root)
    port = free_port()
    container = docker_client.containers.run(
        tag, user="1000", network_mode="host", environment={"PORT": str(port)}, detach=True
    )
    try:
        body = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = json.loads(response.read())
            except OSError:
                container.reload()
                if container.status == "exited":
                    break
                time.sleep(0.5)
        assert body == {"uid": 1000, "hits": 1, "cwd": "/home/user/app"}, container.logs().decode()[
            -2000:
        ]
    finally:
        container.remove(force=True)
        docker_client.images.remove(tag, force=True)
