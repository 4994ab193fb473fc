"""Poetry (no `[build-system]`) and uv (`uv.lock`) projects on a real engine: after
`hfdeploy fix --write` the image builds, installs the project's locked versions with the
project's own tool (or an equivalent lock) and never runs `pip install .`, and the app imports
in the container as uid 1000."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import docker
import pytest

from tests.support import make_tree

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
APP = 'from fastapi import FastAPI\n\napp = FastAPI(title="notes")\n\n\n@app.get("/")\ndef index() -> dict[str, str]:\n    return {"status": "ok"}\n'
README = "---\ntitle: Notes\nsdk: docker\napp_port: 7860\n---\n"
PROBE = 'python -c "import main; print(main.app.title)" && command -v uvicorn && id -u'


def _isolated_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}
    env.update(PIP_CONFIG_FILE="/dev/null", PYTHONPATH=str(ROOT))
    return env


def _hfdeploy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hfdeploy", *args],
        capture_output=True,
        text=True,
        env=_isolated_env(),
        timeout=600,
        check=False,
    )


def _build_and_probe(client: Any, root: Path) -> str:
    tag = f"hfdeploy-test-image-{uuid.uuid4().hex[:12]}"
    try:
        client.images.build(path=str(root), tag=tag, network_mode="host", rm=True, forcerm=True)
        output = client.containers.run(tag, ["sh", "-c", PROBE], network_mode="host", remove=True)
        return str(output.decode("utf-8", "replace"))
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):  # the build failed before tagging
            client.images.remove(tag, force=True)


def test_poetry_project_without_build_system(docker_client: Any, tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "repo",
        {
            "README.md": README,
            "main.py": APP,
            "pyproject.toml": (
                '[tool.poetry]\nname = "notes"\nversion = "0.1.0"\ndescription = ""\nauthors = ["Dev <d@example.org>"]\n\n'
                '[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "0.115.6"\nuvicorn = "0.32.1"\n'
            ),
            # a second top-level package: setuptools' flat-layout discovery refuses `pip install .`
            "tools/__init__.py": "",
            "scripts/__init__.py": "",
        },
    )
    fixed = _hfdeploy("fix", str(root), "--write")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    dockerfile = (root / "Dockerfile").read_text()
    assert "install ." not in dockerfile and "install --no-cache-dir --user ." not in dockerfile
    assert "-r requirements.lock" in dockerfile  # the locked versions (RQ009), not pip's fresh pick
    assert "fastapi==0.115.6" in (root / "requirements.lock").read_text()
    assert _hfdeploy("check", str(root), "--offline").returncode == 0
    lines = _build_and_probe(docker_client, root).split()
    assert lines[0] == "notes" and lines[1].endswith("/uvicorn") and lines[2] == "1000", lines


def test_uv_lock_project(docker_client: Any, tmp_path: Path) -> None:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    root = make_tree(
        tmp_path / "repo",
        {
            "README.md": README,
            "main.py": APP,
            "pyproject.toml": (
                '[project]\nname = "notes"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
                'dependencies = ["fastapi==0.115.6", "uvicorn==0.32.1"]\n\n[dependency-groups]\ndev = ["pytest"]\n'
            ),
        },
    )
    locked = subprocess.run(
        [uv, "lock", "--directory", str(root)],
        capture_output=True,
        text=True,
        env=_isolated_env(),
        timeout=300,
        check=False,
    )
    assert locked.returncode == 0, locked.stderr
    fixed = _hfdeploy("fix", str(root), "--write")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    dockerfile = (root / "Dockerfile").read_text()
    assert "uv export --frozen --no-dev" in dockerfile and "install ." not in dockerfile
    assert not (
        root / "requirements.lock"
    ).exists()  # the project's own lock is what the image installs
    assert _hfdeploy("check", str(root), "--offline").returncode == 0
    lines = _build_and_probe(docker_client, root).split()
    assert lines[0] == "notes" and lines[1].endswith("/uvicorn") and lines[2] == "1000", lines
