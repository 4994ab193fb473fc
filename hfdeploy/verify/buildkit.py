"""Build with BuildKit through the `docker` CLI, as Spaces do, when a capable CLI is installed.

The docker SDK can only drive the engine's classic builder. The two differ where Spaces care
(a `WORKDIR` after `USER` is owned by that user only under BuildKit; `RUN --mount` exists only
there), so verify prefers BuildKit: a CLI with the buildx plugin, or a 18.09-22.x CLI, whose
built-in BuildKit client `DOCKER_BUILDKIT=1` switches on.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from hfdeploy.verify.buildlog import BuildLog
from hfdeploy.verify.docker_client import (
    DEFAULT_HOST,
    BuildFailed,
    Built,
    build_timeout_message,
)

_VERSION = re.compile(r"version (?P<major>\d+)\.(?P<minor>\d+)[\w.+~-]*")
PROBE_TIMEOUT = 15


@dataclass(frozen=True)
class BuildkitCli:
    executable: str
    version: str
    buildx: bool  # the plugin is installed: `docker build` is `docker buildx build`

    @property
    def builder_name(self) -> str:
        return f"BuildKit (docker CLI {self.version}, {self.executable})"

    def build(
        self,
        context: Path,
        tag: str,
        network: str | None,
        log: BuildLog,
        timeout: float | None = None,
    ) -> Built | BuildFailed:
        with tempfile.TemporaryDirectory(prefix="hfdeploy-build-") as scratch:
            iidfile = Path(scratch) / "image-id"
            argv = [
                self.executable,
                "build",
                "--progress=plain",
                "--tag",
                tag,
                "--iidfile",
                str(iidfile),
            ]
            if network:
                argv += ["--network", network]
            if self.buildx:
                argv.append("--load")  # a docker-container builder would otherwise keep the image
            argv.append(str(context))
            timer = _Deadline(timeout)
            returncode = self._stream(argv, log, timer)
            log.finish_buildkit(returncode)
            if timer.expired:
                return BuildFailed(build_timeout_message(timeout))
            if returncode != 0:
                return BuildFailed(log.error or f"docker build exited with {returncode}")
            try:
                return Built(iidfile.read_text(encoding="utf-8").strip())
            except OSError:
                return Built(tag)

    def _stream(self, argv: list[str], log: BuildLog, timer: _Deadline | None = None) -> int:
        env = dict(os.environ, DOCKER_BUILDKIT="1")
        # The SDK talks to DOCKER_HOST or the default socket; a CLI context must not send the
        # build to another engine than the one that will run it.
        env.setdefault("DOCKER_HOST", DEFAULT_HOST)
        env.pop("DOCKER_CONTEXT", None)  # the CLI refuses DOCKER_HOST and DOCKER_CONTEXT together
        try:
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        except OSError as exc:
            log.error = f"cannot run {argv[0]}: {exc.strerror}"
            return 127
        if timer is not None:
            timer.watch(proc)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.feed_buildkit(line)
            return proc.wait()
        finally:
            if timer is not None:
                timer.cancel()
            if proc.poll() is None:  # interrupted: do not leave a build running
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


class _Deadline:
    """Stops the build process when `timeout` seconds pass (the CLI then cancels the build)."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.expired = False
        self._timer: threading.Timer | None = None

    def watch(self, proc: subprocess.Popen[str]) -> None:
        if self.timeout is None:
            return

        def stop() -> None:
            self.expired = True
            proc.terminate()  # SIGTERM: the CLI cancels the build on the engine

        self._timer = threading.Timer(self.timeout, stop)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


@functools.lru_cache(maxsize=4)
def find_buildkit_cli(engine_os: str) -> BuildkitCli | None:
    """Asked once per process: `fix --verify` builds several times."""
    if engine_os != "linux":
        return None
    for executable in _docker_executables():
        version = _client_version(executable)
        if version is None:
            continue
        text, major_minor = version
        if _has_buildx(executable):
            return BuildkitCli(executable, text, buildx=True)
        if (18, 9) <= major_minor < (23, 0):
            return BuildkitCli(executable, text, buildx=False)
    return None


def _docker_executables() -> list[str]:
    seen: set[str] = set()
    found = []
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(directory or ".") / "docker"
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        real = os.path.realpath(candidate)
        if real not in seen:
            seen.add(real)
            found.append(str(candidate))
    return found


def _run(argv: list[str]) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _client_version(executable: str) -> tuple[str, tuple[int, int]] | None:
    proc = _run([executable, "--version"])  # "Docker version 20.10.24+dfsg1, build 297e128"
    if proc is None or proc.returncode != 0 or not (match := _VERSION.search(proc.stdout)):
        return None
    text = match.group(0).removeprefix("version ").rstrip(",")
    return text, (int(match["major"]), int(match["minor"]))


def _has_buildx(executable: str) -> bool:
    proc = _run([executable, "buildx", "version"])
    return proc is not None and proc.returncode == 0
