"""The CI engine scripts: stop-engine.sh stops only a dockerd that setup-engine.sh started.

Run against a scratch pidfile and a stand-in process named `dockerd` (a copy of `sleep`), never
against the machine's engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

STOP = Path(__file__).parent / "docker" / "stop-engine.sh"


@pytest.fixture
def fake_dockerd(tmp_path: Path):  # type: ignore[no-untyped-def]
    sleep = shutil.which("sleep")
    if sleep is None or not Path("/proc/self/comm").exists():
        pytest.fail("needs coreutils `sleep` and /proc")
    binary = tmp_path / "dockerd"
    shutil.copy(sleep, binary)
    proc = subprocess.Popen([str(binary), "300"])
    pidfile = tmp_path / "dockerd.pid"
    pidfile.write_text(f"{proc.pid}\n")
    deadline = time.monotonic() + 5
    while Path(f"/proc/{proc.pid}/comm").read_text().strip() != "dockerd":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    yield proc, pidfile
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def stop(pidfile: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HFDEPLOY_DOCKERD_PIDFILE": str(pidfile), "STOP_WAIT_SECONDS": "5"}
    return subprocess.run(
        ["bash", str(STOP)], env=env, capture_output=True, text=True, timeout=30, check=True
    )


def test_an_engine_setup_did_not_start_is_left_running(fake_dockerd) -> None:  # type: ignore[no-untyped-def]
    proc, pidfile = fake_dockerd
    out = stop(pidfile)
    assert "not started by setup-engine.sh" in out.stderr
    assert proc.poll() is None and pidfile.exists()


def test_a_marker_naming_another_pid_does_not_stop_it(fake_dockerd) -> None:  # type: ignore[no-untyped-def]
    proc, pidfile = fake_dockerd
    Path(f"{pidfile}.started-by-setup-engine").write_text(f"{proc.pid + 1}\n")
    stop(pidfile)
    assert proc.poll() is None


def test_the_engine_setup_started_is_stopped(fake_dockerd) -> None:  # type: ignore[no-untyped-def]
    proc, pidfile = fake_dockerd
    marker = Path(f"{pidfile}.started-by-setup-engine")
    marker.write_text(f"{proc.pid}\n")
    out = stop(pidfile)
    assert "stopped" in out.stderr
    assert proc.wait(timeout=10) != 0  # ended by the signal
    assert not pidfile.exists() and not marker.exists()
