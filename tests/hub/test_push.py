"""`hfdeploy push` against a Hub on 127.0.0.1 (the real `huggingface_hub` client, through
HF_ENDPOINT): creation, the exact upload, secrets never printed, following the build, explaining
failures, and one-line errors for auth, conflict and network trouble."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub.fakehub import TOKEN, FakeHub, Scenario
from tests.support import git_init, make_tree

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "taskboard"
SECRET = "s3cr3t-value-never-printed-9417"


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as running:
        yield running


def env_for(hub: FakeHub, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "HF_", "HUGGING"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        HFDEPLOY_CACHE_DIR=str(tmp_path / "cache"),
        HF_HOME=str(tmp_path / "hf-home"),  # no login cache of the developer's
        HF_ENDPOINT=hub.url,
        HF_TOKEN=TOKEN,
        HF_HUB_DISABLE_TELEMETRY="1",
    )
    env.update(extra)
    return env


def hfdeploy(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hfdeploy", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=cwd,
    )


def git_files(root: Path) -> set[str]:
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, text=True, check=True
    )
    return {name for name in out.stdout.split("\0") if name}


@pytest.fixture
def fixed_example(tmp_path: Path) -> Path:
    """The bundled example after `fix --write`, committed, as a user pushes it."""
    root = tmp_path / "taskboard"
    shutil.copytree(EXAMPLE, root)
    git_init(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, HFDEPLOY_CACHE_DIR=str(tmp_path / "cache"))
    done = hfdeploy("fix", str(root), "--write", "--offline", env=env)
    assert done.returncode in (0, 1), done.stderr
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "fixed"], check=True)
    return root


def small_space(root: Path, *, dockerignore: str = ".env\ntests/\n") -> Path:
    make_tree(
        root,
        {
            "README.md": "---\ntitle: Demo\nsdk: docker\napp_port: 7860\n---\n# Demo\n",
            "Dockerfile": (
                "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user "
                "PATH=/home/user/.local/bin:$PATH\nWORKDIR /home/user/app\nCOPY --chown=user requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\nCOPY --chown=user . .\n"
                'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]\n'
            ),
            ".dockerignore": dockerignore,
            "requirements.txt": "fastapi==0.115.6\nuvicorn==0.34.0\n",
            "main.py": (
                'import os\nfrom fastapi import FastAPI\n\nAPI_TOKEN = os.environ["API_TOKEN"]\n'
                'app = FastAPI()\n\n\n@app.get("/")\ndef root() -> dict[str, str]:\n    return {"ok": "yes"}\n'
            ),
            "tests/test_main.py": "def test_nothing() -> None:\n    assert True\n",
            ".gitignore": ".env\n",
            ".env": f"API_TOKEN={SECRET}\n",
        },
    )
    git_init(root)
    return root


def test_push_of_the_fixed_example_creates_the_space_uploads_tracked_files_and_follows_it_to_running(
    hub: FakeHub, fixed_example: Path, tmp_path: Path
) -> None:
    env = env_for(hub, tmp_path, SECRET_KEY=SECRET)
    done = hfdeploy(
        "push",
        str(fixed_example),
        "--space",
        "alice/taskboard",
        "--offline",
        "--poll",
        "0.05",
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    space = hub.spaces["alice/taskboard"]
    assert space.sdk == "docker"
    assert set(space.files) == git_files(fixed_example) - {".env"}
    assert ".env" not in space.files and "Dockerfile" in space.files
    assert space.files["app/main.py"] == (fixed_example / "app" / "main.py").read_bytes()
    assert space.secrets == {"SECRET_KEY": SECRET}
    assert len(space.commits) == 1 and space.commits[0].startswith("Deploy ")
    out = done.stdout + done.stderr
    assert "RUNNING" in out and "https://alice-taskboard.hf.space" in out
    assert SECRET not in out and TOKEN not in out


def test_push_leaves_out_env_files_and_what_dockerignore_keeps_out_and_reports_missing_secrets(
    hub: FakeHub, tmp_path: Path
) -> None:
    root = small_space(tmp_path / "demo")
    subprocess.run(
        ["git", "-C", str(root), "add", "-f", ".env"], check=True
    )  # committed by mistake
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "env"], check=True)
    env = env_for(hub, tmp_path)
    done = hfdeploy(
        "push", str(root), "--space", "alice/demo", "--offline", "--no-wait", "--force", env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    files = set(hub.spaces["alice/demo"].files)
    assert files == {
        "README.md",
        "Dockerfile",
        ".dockerignore",
        "requirements.txt",
        "main.py",
        ".gitignore",
    }
    assert "API_TOKEN" in done.stderr and "no value" in done.stderr
    assert hub.spaces["alice/demo"].secrets == {}
    assert not any(path.endswith("/runtime") for _, path in hub.requests)  # --no-wait
    assert SECRET not in done.stdout + done.stderr


def test_secret_values_come_from_the_env_file_and_are_never_printed(
    hub: FakeHub, tmp_path: Path
) -> None:
    root = small_space(tmp_path / "demo")
    env = env_for(hub, tmp_path)
    done = hfdeploy(
        "push",
        str(root),
        "--space",
        "alice/demo",
        "--offline",
        "--env-file",
        str(root / ".env"),
        "--variable",
        "LOG_LEVEL=debug",
        "--poll",
        "0.05",
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    space = hub.spaces["alice/demo"]
    assert space.secrets == {"API_TOKEN": SECRET}
    assert space.variables == {"LOG_LEVEL": "debug"}
    assert "Set secret API_TOKEN" in done.stdout
    assert SECRET not in done.stdout + done.stderr


def test_dry_run_shows_the_plan_and_touches_nothing(hub: FakeHub, tmp_path: Path) -> None:
    root = small_space(tmp_path / "demo")
    env = env_for(hub, tmp_path, API_TOKEN=SECRET)
    done = hfdeploy("push", str(root), "--space", "alice/demo", "--offline", "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert hub.requests == []
    assert "Would upload 6 files" in done.stdout
    assert (
        "+ main.py" in done.stdout
        and "- tests/test_main.py (kept out of the image by .dockerignore)" in done.stdout
    )
    assert "Secrets to set (values not shown): API_TOKEN" in done.stdout
    assert SECRET not in done.stdout + done.stderr


def test_refuses_while_check_reports_errors_and_force_says_so_loudly(
    hub: FakeHub, tmp_path: Path
) -> None:
    root = tmp_path / "taskboard"
    shutil.copytree(EXAMPLE, root)
    git_init(root)
    env = env_for(hub, tmp_path)
    refused = hfdeploy("push", str(root), "--space", "alice/broken", "--offline", env=env)
    assert refused.returncode == 1
    assert "refusing to push" in refused.stderr and "PY001" in refused.stdout
    assert hub.requests == []
    forced = hfdeploy(
        "push", str(root), "--space", "alice/broken", "--offline", "--force", "--no-wait", env=env
    )
    assert forced.returncode == 0, forced.stderr
    assert "WARNING: --force" in forced.stderr
    assert "alice/broken" in hub.spaces


def test_a_build_error_is_followed_and_explained_with_the_file_and_line(
    hub: FakeHub, tmp_path: Path
) -> None:
    root = small_space(tmp_path / "demo")
    (root / "requirements.txt").write_text(
        "fastapi==0.115.6\nuvicorn==0.34.0\ncryptography==41.0.8\n"
    )
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "pin"], check=True)
    hub.scenarios["alice/demo"] = Scenario(
        stages=["BUILDING", "BUILD_ERROR"],
        build_log=(Path(__file__).parent / "logs" / "no-distribution.log").read_text().splitlines(),
        error_message="Build failed with exit code: 1",
    )
    env = env_for(hub, tmp_path, API_TOKEN=SECRET)
    done = hfdeploy(
        "push",
        str(root),
        "--space",
        "alice/demo",
        "--offline",
        "--force",
        "--poll",
        "0.05",
        env=env,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "The Space failed: BUILD_ERROR" in done.stdout
    assert (
        "requirements.txt:3:1: RQ003 error: pip found no release matching `cryptography==41.0.8`"
        in done.stdout
    )
    assert "No matching distribution found" in done.stdout  # the log itself streamed


def test_a_runtime_error_is_explained_from_the_run_log(hub: FakeHub, tmp_path: Path) -> None:
    root = small_space(tmp_path / "demo")
    hub.scenarios["alice/demo"] = Scenario(
        stages=["BUILDING", "APP_STARTING", "RUNTIME_ERROR"],
        run_log=[
            "Traceback (most recent call last):",
            '  File "/home/user/app/main.py", line 4, in <module>',
            '    API_TOKEN = os.environ["API_TOKEN"]',
            f"KeyError: 'API_TOKEN' (value was {SECRET})",
            "ModuleNotFoundError: No module named 'httpx'",
        ],
    )
    env = env_for(hub, tmp_path, API_TOKEN=SECRET)
    done = hfdeploy(
        "push", str(root), "--space", "alice/demo", "--offline", "--poll", "0.05", env=env
    )
    assert done.returncode == 1
    assert "RQ011 error: The image does not install the module `httpx`" in done.stdout
    assert SECRET not in done.stdout + done.stderr  # a secret echoed by the app's log is masked


@pytest.mark.parametrize(
    ("fail", "expected"),
    [
        ({r"/api/whoami-v2": 401}, "401 Unauthorized"),
        ({r"/commit/": 409}, "conflict on the Hub (409)"),
        ({r"/secrets$": 404}, "not found on the Hub (404)"),
    ],
)
def test_hub_failures_are_one_line_and_exit_2(
    hub: FakeHub, tmp_path: Path, fail: dict[str, int], expected: str
) -> None:
    root = small_space(tmp_path / "demo")
    hub.fail.update(fail)
    env = env_for(hub, tmp_path, API_TOKEN=SECRET)
    done = hfdeploy("push", str(root), "--space", "alice/demo", "--offline", env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("hfdeploy: error:")]
    assert len(errors) == 1 and expected in errors[0]
    assert "Traceback" not in done.stderr and TOKEN not in done.stderr + done.stdout


def test_a_wrong_token_is_refused_in_one_line_without_echoing_it(
    hub: FakeHub, tmp_path: Path
) -> None:
    root = small_space(tmp_path / "demo")
    wrong = "hf_wrongtokenwrongtokenwrongtoken0000000"
    done = hfdeploy(
        "push",
        str(root),
        "--space",
        "alice/demo",
        "--offline",
        env=env_for(hub, tmp_path, HF_TOKEN=wrong),
    )
    assert done.returncode == 2
    assert "401" in done.stderr and wrong not in done.stderr + done.stdout


def test_no_token_and_no_hub_are_one_line_errors(hub: FakeHub, tmp_path: Path) -> None:
    root = small_space(tmp_path / "demo")
    env = env_for(hub, tmp_path)
    del env["HF_TOKEN"]
    done = hfdeploy("push", str(root), "--space", "alice/demo", "--offline", env=env)
    assert done.returncode == 2 and "no Hugging Face token" in done.stderr
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    done = hfdeploy(
        "push",
        str(root),
        "--space",
        "alice/demo",
        "--offline",
        env=env_for(hub, tmp_path, HF_ENDPOINT=closed),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot reach" in done.stderr and "Traceback" not in done.stderr


def test_a_bad_space_name_is_a_usage_error(hub: FakeHub, tmp_path: Path) -> None:
    root = small_space(tmp_path / "demo")
    done = hfdeploy("push", str(root), "--space", "../etc", "--offline", env=env_for(hub, tmp_path))
    assert done.returncode == 2 and "expected OWNER/NAME" in done.stderr
    assert hub.requests == []


def test_a_symlink_out_of_the_repository_is_never_uploaded(hub: FakeHub, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("PRIVATE-OUTSIDE-CONTENT\n")
    root = small_space(tmp_path / "demo")
    (root / "notes.txt").symlink_to(outside)
    subprocess.run(["git", "-C", str(root), "add", "notes.txt"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "link"], check=True)
    done = hfdeploy(
        "push",
        str(root),
        "--space",
        "alice/demo",
        "--offline",
        "--no-wait",
        env=env_for(hub, tmp_path, API_TOKEN=SECRET),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "notes.txt" not in hub.spaces["alice/demo"].files
    assert "points outside the repository" in done.stdout
    assert all(
        b"PRIVATE-OUTSIDE-CONTENT" not in data for data in hub.spaces["alice/demo"].files.values()
    )
