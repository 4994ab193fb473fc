"""DF003's severity rests on a fact checked here on a real engine: as uid 1000 (how a Space runs
any image) a root-built image's files are readable, but nothing can be created next to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hfdeploy.diagnostics import Severity
from tests.dockerfile.test_docker_build import build
from tests.support import check_tree, make_tree

pytestmark = pytest.mark.docker

ROOT_IMAGE = """\
FROM python:3.11-slim
WORKDIR /app
COPY . .
CMD ["python", "main.py"]
"""
READER = "from pathlib import Path\n\nprint(Path('data.json').read_text().strip())\n"
WRITER = (
    "import sqlite3\n\n"
    "db = sqlite3.connect('app.db')\n"
    "db.execute('CREATE TABLE IF NOT EXISTS t (x)')\n"
    "print('wrote')\n"
)


@pytest.mark.parametrize(
    ("code", "severity", "exit_ok", "output"),
    [
        pytest.param(READER, Severity.WARNING, True, '{"ok": true}', id="reads-only"),
        pytest.param(WRITER, Severity.ERROR, False, "unable to open database file", id="writes"),
    ],
)
def test_severity_matches_what_uid_1000_can_do(
    docker_client: Any, tmp_path: Path, code: str, severity: Severity, exit_ok: bool, output: str
) -> None:
    root = make_tree(
        tmp_path / "repo",
        {"Dockerfile": ROOT_IMAGE, "main.py": code, "data.json": '{"ok": true}\n'},
    )
    [found] = [d for d in check_tree(root, "DF003") if d.code == "DF003"]
    assert found.severity is severity
    tag = build(docker_client, root)
    try:
        container = docker_client.containers.run(tag, user="1000", network_mode="host", detach=True)
        try:
            status = container.wait(timeout=120)
            logs = container.logs().decode("utf-8", "replace")
        finally:
            container.remove(force=True)
    finally:
        docker_client.images.remove(tag, force=True)
    assert (status["StatusCode"] == 0) is exit_ok, logs
    assert output in logs
