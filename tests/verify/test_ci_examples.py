"""The pre-commit hooks and the GitHub workflow example call commands that exist: each
`hfdeploy ...` line in them runs here, against a small repository, through the real CLI."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support import git_init, make_tree

ROOT = Path(__file__).resolve().parents[2]
SMALL_REPO = {
    "README.md": "---\ntitle: Notes\nsdk: docker\napp_port: 7860\n---\n\n# Notes\n",
    "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.0\n",
}


def load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def run(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command)
    assert argv[0] == "hfdeploy"
    return subprocess.run(
        [sys.executable, "-m", "hfdeploy", *argv[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        check=False,
    )


def workflow_commands() -> list[str]:
    jobs = load(ROOT / "examples" / "github-workflow.yml")["jobs"]
    lines = [
        line.strip()
        for job in jobs.values()
        for step in job["steps"]
        for line in str(step.get("run", "")).splitlines()
    ]
    return [line for line in lines if line.startswith("hfdeploy ")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_tree(tmp_path / "notes", SMALL_REPO)
    git_init(root)
    return root


@pytest.mark.parametrize("hook", load(ROOT / ".pre-commit-hooks.yaml"), ids=lambda h: h["id"])
def test_pre_commit_hook_runs_offline_on_a_repository(hook: dict[str, Any], repo: Path) -> None:
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    proc = run(hook["entry"], repo, PIP_CONFIG_FILE="/dev/null")
    # 0: clean, 1: findings left; 2 would be a usage error (an option the CLI does not have).
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr


def test_workflow_checks_every_push_and_verifies_before_uploading(
    tmp_path: Path, repo: Path
) -> None:
    workflow = load(ROOT / "examples" / "github-workflow.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "check" and "refs/heads/main" in deploy["if"]
    runs = [str(step.get("run", "")) for step in deploy["steps"]]
    verify_at = next(i for i, r in enumerate(runs) if r.startswith("hfdeploy verify"))
    upload_at = next(
        i for i, r in enumerate(runs) if re.match(r"hf upload \S+ \. \. --repo-type space", r)
    )
    assert verify_at < upload_at

    commands = workflow_commands()
    assert [c.split()[1] for c in commands] == ["check", "verify"]
    for command in commands:
        if command.startswith("hfdeploy check"):
            proc = run(command + " --offline", repo)  # tests stay off the package index
            assert proc.returncode in (0, 1), proc.stderr
            assert all(line.startswith("::") for line in proc.stdout.splitlines()), proc.stdout
        else:
            # No engine here on purpose: the options must parse, then verify stops at the engine.
            proc = run(command, repo, DOCKER_HOST=f"unix://{tmp_path}/no-docker.sock")
            assert proc.returncode == 2
            assert "no Docker engine answers" in proc.stderr, proc.stderr
