"""DF003's spliced repair on a real engine: a custom root Dockerfile whose app creates a SQLite
file in its working directory fails to start as uid 1000 (how `verify` and a Space run it);
after `fix --write` adds the uid-1000 user, the same file serves."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.cli import main
from tests.support import make_tree

pytestmark = pytest.mark.docker

MAIN = """\
import sqlite3

from fastapi import FastAPI

app = FastAPI()


@app.on_event("startup")
def create_tables() -> None:
    with sqlite3.connect("todo.db") as db:
        db.execute("CREATE TABLE IF NOT EXISTS todo (id INTEGER PRIMARY KEY, title TEXT)")


@app.get("/todos")
def todos() -> list[str]:
    with sqlite3.connect("todo.db") as db:
        return [row[0] for row in db.execute("SELECT title FROM todo")]
"""
DOCKERFILE = """\
# A custom file (hfdeploy's template has no HEALTHCHECK: regenerating it is not safe)\r
FROM python:3.11-slim\r
WORKDIR /app\r
COPY requirements.txt .\r
RUN pip install --no-cache-dir -r requirements.txt\r
COPY . .\r
EXPOSE {port}\r
HEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen('http://localhost:{port}/todos')"\r
# Start the server\r
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "{port}", "--proxy-headers", "--forwarded-allow-ips", "*"]\r
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


def test_spliced_user_makes_a_root_dockerfile_start_as_uid_1000(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], docker_client: Any
) -> None:
    port = free_port()
    name = f"df003-splice-{uuid.uuid4().hex[:8]}"
    root = make_tree(
        tmp_path / name,
        {
            "Dockerfile": DOCKERFILE.format(port=port),
            "main.py": MAIN,
            "requirements.txt": "fastapi==0.165.0\nuvicorn==0.54.0\n",
            "README.md": f"---\ntitle: t\nsdk: docker\napp_port: {port}\n---\n",
            ".dockerignore": "*.db\n",
        },
    )
    original = (root / "Dockerfile").read_bytes()

    def verify() -> tuple[int, dict[str, Any]]:
        code = main(["verify", str(root), "--format", "json", "--timeout", "60"])
        return code, json.loads(capsys.readouterr().out)

    images: set[str] = set()
    try:
        code, report = verify()
        images.add(report["image"])
        assert code == 1, report
        assert report["run_as"] == "uid 1000"
        codes = {f["code"] for f in report["findings"] if f["severity"] == "error"}
        assert codes & {"RT006", "RT003"}, report["findings"]

        assert main(["fix", str(root), "--write", "--select", "DF003"]) == 0
        capsys.readouterr()
        fixed = (root / "Dockerfile").read_bytes()
        # The user's lines are kept byte for byte, CRLF included; the block comes before the
        # comment that introduces CMD.
        assert fixed.startswith(original.split(b"# Start the server")[0])
        assert fixed.endswith(original[original.index(b"# Start the server") :])
        assert b"USER user\r\n" in fixed and b"useradd -m -u 1000 user" in fixed

        code, report = verify()
        images.add(report["image"])
        assert code == 0, json.dumps(report["findings"])[:3000]
        assert report["uid"] == 1000
        routes = {p["path"]: p["status"] for p in report["probes"] if p["kind"] == "route"}
        assert routes.get("/todos") == 200
    finally:
        for image in images:
            try:
                docker_client.images.remove(image, force=True)
            except Exception:
                pass
