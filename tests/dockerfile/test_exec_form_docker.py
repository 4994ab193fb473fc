"""DF040 on a real engine: an array CMD that is not JSON runs as `/bin/sh -c` and exits 127;
the fixed CMD runs the program."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.dockerfile.test_docker_build import build
from tests.support import check_tree, fix_tree, make_tree

pytestmark = pytest.mark.docker


def run(client: Any, root: Path) -> tuple[int, str]:
    tag = build(client, root)
    try:
        container = client.containers.run(tag, user="1000", network_mode="host", detach=True)
        try:
            status = container.wait(timeout=120)
            return status["StatusCode"], container.logs().decode("utf-8", "replace")
        finally:
            container.remove(force=True)
    finally:
        client.images.remove(tag, force=True)


def test_bare_word_array_exits_127_and_the_fix_runs(docker_client: Any, tmp_path: Path) -> None:
    dockerfile = "FROM python:3.11-slim\nCMD [python, '-c', 'print(\"served\")']\n"
    root = make_tree(tmp_path / "repo", {"Dockerfile": dockerfile})
    assert [d.code for d in check_tree(root, "DF040")] == ["DF040"]
    code, logs = run(docker_client, root)
    assert code == 127 and "not found" in logs, logs
    fix_tree(root, "DF040")
    assert (
        (root / "Dockerfile").read_text().endswith('CMD ["python", "-c", "print(\\"served\\")"]\n')
    )
    code, logs = run(docker_client, root)
    assert code == 0 and "served" in logs, logs
