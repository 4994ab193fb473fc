"""The migration DB017 puts into an ENTRYPOINT, on a real engine: it runs before the program,
the program still receives the CMD's words (with spaces kept), and a failed migration stops the
start instead of serving against a broken schema."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from hfdeploy.dockerfile.start_migration import migrate_at_start
from tests.dockerfile.test_docker_build import build
from tests.support import make_tree, project_for

pytestmark = pytest.mark.docker

# A stand-in `alembic` on PATH: it records that it ran (or fails, when asked to).
ALEMBIC = (
    "RUN printf '#!/bin/sh\\n[ -e /app/fail ] && exit 3\\necho \"$@\" > /tmp/migrated\\n' "
    "> /usr/local/bin/alembic && chmod 755 /usr/local/bin/alembic\n"
)
PROGRAM = "import sys; print(open('/tmp/migrated').read().strip(), sys.argv[1:])"


def run(client: Any, root: Path) -> tuple[int, str]:
    tag = build(client, root)
    try:
        container = client.containers.run(tag, network_mode="host", detach=True)
        try:
            status = container.wait(timeout=120)
            return status["StatusCode"], container.logs().decode("utf-8", "replace")
        finally:
            container.remove(force=True)
    finally:
        client.images.remove(tag, force=True)


def fixed(root: Path) -> None:
    project = project_for(root)
    edit = migrate_at_start(project, PurePosixPath("alembic.ini"))
    assert edit is not None
    text = (root / "Dockerfile").read_text()
    (root / "Dockerfile").write_text(
        text[: edit.span.start] + edit.replacement + text[edit.span.end :]
    )


@pytest.mark.parametrize(
    "start",
    [
        f'ENTRYPOINT ["python3", "-c", "{PROGRAM}"]\nCMD ["two words", "--port", "7860"]\n',
        f'ENTRYPOINT python3 -c "{PROGRAM}" "two words" --port 7860\nCMD ["ignored"]\n',
    ],
    ids=["exec-form", "shell-form"],
)
def test_entrypoint_migrates_first_and_keeps_its_arguments(
    docker_client: Any, tmp_path: Path, start: str
) -> None:
    dockerfile = "FROM python:3.12-slim\nWORKDIR /app\n" + ALEMBIC + start
    root = make_tree(tmp_path / "repo", {"Dockerfile": dockerfile, "alembic.ini": "[alembic]\n"})
    code, logs = run(docker_client, root)
    assert code != 0 and "FileNotFoundError" in logs, logs  # nothing migrates before the fix
    fixed(root)
    code, logs = run(docker_client, root)
    assert code == 0, logs
    assert "upgrade head ['two words', '--port', '7860']" in logs, logs


def test_a_failed_migration_stops_the_start(docker_client: Any, tmp_path: Path) -> None:
    start = f'COPY fail /app/fail\nENTRYPOINT ["python3", "-c", "{PROGRAM}"]\nCMD ["x"]\n'
    dockerfile = "FROM python:3.12-slim\nWORKDIR /app\n" + ALEMBIC + start
    root = make_tree(tmp_path / "repo", {"Dockerfile": dockerfile, "fail": ""})
    fixed(root)
    code, logs = run(docker_client, root)
    assert code == 3 and "upgrade head" not in logs, logs
