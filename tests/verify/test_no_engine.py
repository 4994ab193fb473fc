"""Without a reachable engine `verify` says so in one line and exits 2; bad options fail before
it even looks for one. These run everywhere: no Docker needed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent / "repos" / "passing"


def run_verify(*args: str, docker_host: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = docker_host
    return subprocess.run(
        [sys.executable, "-m", "hfdeploy", "verify", str(REPO), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_missing_socket_is_one_line_with_what_to_start(tmp_path: Path) -> None:
    host = f"unix://{tmp_path}/docker.sock"
    proc = run_verify(docker_host=host)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        f"hfdeploy: error: no Docker engine answers at {host} (no such socket)"
    )
    assert "systemctl start docker" in lines[0] and "DOCKER_HOST" in lines[0]
    assert "Traceback" not in proc.stderr


def test_refused_tcp_engine_reports_rt001_as_json() -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound but never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        proc = run_verify("--format", "json", docker_host=f"tcp://127.0.0.1:{port}")
    assert proc.returncode == 2
    report = json.loads(proc.stdout)
    assert report["passed"] is False and report["exit_code"] == 2
    assert [f["code"] for f in report["findings"]] == ["RT001"]
    assert "connection refused" in report["findings"][0]["message"]
    assert len(proc.stderr.splitlines()) == 1


def test_bad_env_option_is_a_usage_error_before_docker(tmp_path: Path) -> None:
    proc = run_verify("--env", "NOT A PAIR", docker_host=f"unix://{tmp_path}/docker.sock")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "hfdeploy: error: --env 'NOT A PAIR': expected NAME=VALUE"


def test_unreadable_env_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.env"
    proc = run_verify("--env-file", str(missing), docker_host=f"unix://{tmp_path}/docker.sock")
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"hfdeploy: error: --env-file {missing}: cannot read it (No such file or directory)"
    )


def run_docker_test(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """One `docker`-marked test, run by a nested pytest with no engine reachable."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_", "HFDEPLOY_REQUIRE"))
    }
    environ.update(DOCKER_HOST=f"unix://{tmp_path}/docker.sock", **env)
    test = "tests/verify/test_verify_docker.py::test_the_docker_marker_sees_an_engine"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_docker_tests_skip_with_the_reason_without_an_engine(tmp_path: Path) -> None:
    proc = run_docker_test(tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "1 skipped" in proc.stdout
    assert f"no Docker engine answers at unix://{tmp_path}/docker.sock" in proc.stdout


def test_docker_tests_fail_without_an_engine_when_required(tmp_path: Path) -> None:
    proc = run_docker_test(tmp_path, HFDEPLOY_REQUIRE_DOCKER="1")
    assert proc.returncode == 1, proc.stdout
    assert "1 error" in proc.stdout  # fails in set-up, before the test body
    assert "HFDEPLOY_REQUIRE_DOCKER=1 requires a Docker engine" in proc.stdout
