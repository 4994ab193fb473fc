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


def test_syntax_directive_is_read_before_the_first_other_line() -> None:
    from hfdeploy.verify.context import syntax_directive

    assert syntax_directive("# syntax=docker/dockerfile:1\nFROM python:3.11\n") == (
        "docker/dockerfile:1"
    )
    assert syntax_directive("#escape=`\n# Syntax = docker.io/docker/dockerfile:1.7\nFROM x\n") == (
        "docker.io/docker/dockerfile:1.7"
    )
    # After a comment, a blank line or an instruction it is a comment; a custom frontend is kept.
    assert syntax_directive("# hello\n# syntax=docker/dockerfile:1\nFROM x\n") is None
    assert syntax_directive("\n# syntax=docker/dockerfile:1\nFROM x\n") is None
    assert syntax_directive("# syntax=example.com/my/frontend:1\nFROM x\n") is None


def test_the_staged_dockerfile_loses_its_directive_and_keeps_its_lines(tmp_path: Path) -> None:
    from hfdeploy.verify.context import without_syntax_directive

    user = tmp_path / "user-Dockerfile"
    user.write_bytes(b"\xef\xbb\xbf# syntax=docker/dockerfile:1\r\n# escape=`\r\nFROM x\r\n")
    staging = tmp_path / "staging"
    staging.mkdir()
    os.link(user, staging / "Dockerfile")
    assert without_syntax_directive(staging) == "docker/dockerfile:1"
    assert (staging / "Dockerfile").read_bytes() == (
        b"\xef\xbb\xbf# escape=`\r\n# hfdeploy-offline syntax=docker/dockerfile:1\r\nFROM x\r\n"
    )
    assert user.read_bytes().startswith(b"\xef\xbb\xbf# syntax=")  # the hard link was not written
    assert without_syntax_directive(staging) is None  # nothing left to turn off


def test_a_frontend_pull_failure_is_told_apart_from_other_build_failures() -> None:
    from hfdeploy.verify.context import frontend_unreachable

    assert frontend_unreachable(
        "failed to solve with frontend dockerfile.v0: failed to solve with frontend gateway.v0: "
        "failed to do request: Head ...: no such host"
    )
    assert frontend_unreachable("x", ["> resolve image config for docker.io/docker/dockerfile:1:"])
    assert not frontend_unreachable('failed to compute cache key: "/app.py" not found: not found')
