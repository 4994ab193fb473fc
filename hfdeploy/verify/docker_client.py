"""The Docker engine behind a small Protocol; the adapter turns docker SDK errors into values.

`connect()` honours DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (via `docker.from_env`),
so a remote engine works as well as the local socket.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hfdeploy.verify.buildlog import BuildLog

DEFAULT_HOST = "unix:///var/run/docker.sock"
API_TIMEOUT = 120  # seconds for one engine call; builds stream and are bounded by the engine
VERIFY_LABEL = "hfdeploy.verify"
_RUNNING_IN = re.compile(
    r"---> Running in ([0-9a-f]{12,64})"
)  # on every container verify creates, so leftovers can be found


@dataclass(frozen=True)
class DockerFailure:
    message: str


@dataclass(frozen=True)
class EngineInfo:
    host: str  # DOCKER_HOST, or the default socket
    server_version: str
    os: str
    desktop: bool = False  # Docker Desktop: containers run in a VM, host networking stays there
    arch: str = ""  # the engine's CPU architecture as Go names it: "amd64", "arm64"


@dataclass(frozen=True)
class Built:
    image_id: str


@dataclass(frozen=True)
class BuildFailed:
    message: str  # the builder's own error line; the log holds the step and its output


@dataclass(frozen=True)
class ImageConfig:
    user: str  # "" means root
    workdir: str  # "" means /
    env: dict[str, str]
    cmd: tuple[str, ...]
    entrypoint: tuple[str, ...]


@dataclass(frozen=True)
class ContainerState:
    running: bool
    exit_code: int | None
    oom_killed: bool = False


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    output: str
    timed_out: bool = False  # `run_once` stopped it at its timeout (exit_code is then -1)


class ImageBuilder(Protocol):
    @property
    def builder_name(self) -> str: ...

    def build(
        self,
        context: Path,
        tag: str,
        network: str | None,
        log: BuildLog,
        timeout: float | None = None,
    ) -> Built | BuildFailed: ...


class DockerClient(ImageBuilder, Protocol):
    engine: EngineInfo

    def image_config(self, image: str) -> ImageConfig | DockerFailure: ...

    def create(
        self,
        image: str,
        *,
        name: str,
        env: dict[str, str],
        network: str,
        ports: dict[int, int],
        bind_ip: str,
        user: str | None = None,
        memory: int | None = None,
        cpus: float | None = None,
        command: list[str] | None = None,
    ) -> str | DockerFailure: ...

    def pull(self, image: str) -> DockerFailure | None: ...

    def memory_peak(self, container: str) -> int | None: ...

    def start(self, container: str) -> DockerFailure | None: ...

    def state(self, container: str) -> ContainerState | DockerFailure: ...

    def logs(self, container: str) -> str: ...

    def exec(
        self, container: str, argv: list[str], user: str | None = None
    ) -> ExecResult | DockerFailure: ...

    def run_once(
        self,
        image: str,
        argv: list[str],
        *,
        user: str | None,
        network: str,
        env: dict[str, str] | None = None,
        workdir: str | None = None,
        timeout: float | None = None,
    ) -> ExecResult | DockerFailure: ...

    def remove(self, container: str) -> DockerFailure | None: ...

    def image_id(self, image: str) -> str | None: ...

    def image_labels(self, image: str) -> dict[str, str]: ...

    def build_image(
        self, context_tar: bytes, tag: str, labels: dict[str, str]
    ) -> DockerFailure | None: ...

    def remove_image(self, image_id: str) -> None: ...


def build_timeout_message(timeout: float | None) -> str:
    return f"the build did not finish within {timeout or 0:.0f}s (--build-timeout); it was stopped"


def engine_host() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def connect() -> SdkDockerClient | DockerFailure:
    """A client for the engine the environment names, or why none answers."""
    import docker
    import requests

    try:
        client = docker.from_env(timeout=API_TIMEOUT)
        client.ping()
        version = client.version()
        system = client.info()
    except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
        return DockerFailure(_engine_reason(exc))
    info = EngineInfo(
        engine_host(),
        str(version.get("Version", "?")),
        str(version.get("Os", "?")),
        desktop="Docker Desktop" in str(system.get("OperatingSystem", "")),
        arch=str(version.get("Arch", "")),
    )
    return SdkDockerClient(client, info)


def _engine_reason(exc: BaseException) -> str:
    text = str(exc)
    for needle, reason in (
        ("No such file or directory", "no such socket"),
        ("Connection refused", "connection refused"),
        ("Permission denied", "permission denied (add your user to the `docker` group)"),
        ("timed out", "the engine did not answer in time"),
        ("Name or service not known", "unknown host"),
    ):
        if needle in text:
            return reason
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:160]


class SdkDockerClient:
    """Adapter over the `docker` SDK; builds with the engine's classic (legacy) builder."""

    builder_name = "legacy builder (docker SDK)"

    def __init__(self, client: Any, engine: EngineInfo) -> None:
        self._client = client
        self.engine = engine

    def _errors(self) -> tuple[type[BaseException], ...]:
        import docker
        import requests
        import urllib3

        # urllib3's own errors surface unwrapped from a streamed response (a build's read timeout).
        return (
            docker.errors.DockerException,
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
        )

    def build(
        self,
        context: Path,
        tag: str,
        network: str | None,
        log: BuildLog,
        timeout: float | None = None,
    ) -> Built | BuildFailed:
        deadline = None if timeout is None else time.monotonic() + timeout
        stream = None
        step_container: str | None = None  # the legacy builder's container for the current RUN
        try:
            # Each read waits at most the time left; each chunk checks the deadline. Closing the
            # stream drops the connection, which makes the engine cancel the build and remove
            # its intermediate containers (forcerm).
            stream = self._client.api.build(
                path=str(context),
                tag=tag,
                rm=True,
                forcerm=True,
                decode=True,
                network_mode=network,
                dockerfile="Dockerfile",
                timeout=max(1, int(timeout)) if timeout is not None else API_TIMEOUT,
            )
            for chunk in stream:
                log.feed_legacy(chunk)
                running = _RUNNING_IN.search(str(chunk.get("stream", "")))
                if running:
                    step_container = running.group(1)
                if deadline is not None and time.monotonic() > deadline:
                    log.finish()
                    self._stop_build(stream, step_container)
                    return BuildFailed(build_timeout_message(timeout))
            log.finish()
            if log.error is not None:
                return BuildFailed(log.error)
            return Built(self._client.images.get(tag).id)
        except self._errors() as exc:
            log.finish()
            if deadline is not None and time.monotonic() >= deadline - 1:
                self._stop_build(stream, step_container)
                return BuildFailed(build_timeout_message(timeout))
            return BuildFailed(_api_message(exc))
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()

    def _stop_build(self, stream: Any, step_container: str | None) -> None:
        """Drop the connection (the engine cancels the build) and remove the step's container
        at once rather than when the engine gets to it."""
        close = getattr(stream, "close", None)
        if close is not None:
            close()
        if step_container is not None:
            self.remove(step_container)

    def image_id(self, image: str) -> str | None:
        try:
            return str(self._client.images.get(image).id)
        except self._errors():
            return None

    def image_labels(self, image: str) -> dict[str, str]:
        try:
            config = self._client.images.get(image).attrs.get("Config") or {}
        except self._errors():
            return {}
        return {str(k): str(v) for k, v in (config.get("Labels") or {}).items()}

    def build_image(
        self, context_tar: bytes, tag: str, labels: dict[str, str]
    ) -> DockerFailure | None:
        """Build a small image from an in-memory context (a tar holding its `Dockerfile`)."""
        import io

        try:
            stream = self._client.api.build(
                fileobj=io.BytesIO(context_tar),
                custom_context=True,
                tag=tag,
                labels=labels,
                rm=True,
                forcerm=True,
                decode=True,
                timeout=API_TIMEOUT,
            )
            for chunk in stream:
                if "error" in chunk:
                    return DockerFailure(str(chunk["error"]).strip())
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))
        return None

    def remove_image(self, image_id: str) -> None:
        """Best effort: an image still used by a container or another tag stays."""
        try:
            self._client.images.remove(image_id, noprune=False)
        except self._errors():
            pass

    def pull(self, image: str) -> DockerFailure | None:
        """Pull `image` from its registry (each read bounded by the API timeout)."""
        repository, tag = image, "latest"
        head, colon, tail = image.rpartition(":")
        if colon and "/" not in tail:  # `postgres:16`, not the port of `host:5000/name`
            repository, tag = head, tail
        try:
            self._client.images.pull(repository, tag=tag)
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))
        return None

    def image_config(self, image: str) -> ImageConfig | DockerFailure:
        try:
            config = self._client.images.get(image).attrs.get("Config") or {}
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))
        env = dict(item.partition("=")[::2] for item in config.get("Env") or [])
        return ImageConfig(
            user=config.get("User") or "",
            workdir=config.get("WorkingDir") or "",
            env=env,
            cmd=tuple(config.get("Cmd") or ()),
            entrypoint=tuple(config.get("Entrypoint") or ()),
        )

    def create(
        self,
        image: str,
        *,
        name: str,
        env: dict[str, str],
        network: str,
        ports: dict[int, int],
        bind_ip: str,
        user: str | None = None,
        memory: int | None = None,
        cpus: float | None = None,
        command: list[str] | None = None,
    ) -> str | DockerFailure:
        options: dict[str, Any] = {"name": name, "environment": env, "labels": {VERIFY_LABEL: "1"}}
        if command:
            options["command"] = command
        if user:
            options["user"] = user
        if memory:
            options["mem_limit"] = memory
            options["memswap_limit"] = memory  # no swap beyond the limit, as on a Space
        if cpus:
            options["nano_cpus"] = int(cpus * 1e9)
        if network in ("host", "bridge", "none"):
            options["network_mode"] = network
        else:
            options["network"] = network  # an existing user-defined network; never created here
        if network != "host":
            options["ports"] = {f"{inner}/tcp": (bind_ip, outer) for inner, outer in ports.items()}
        try:
            return str(self._client.containers.create(image, **options).id)
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))

    def start(self, container: str) -> DockerFailure | None:
        try:
            self._client.containers.get(container).start()
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))
        return None

    def state(self, container: str) -> ContainerState | DockerFailure:
        try:
            attrs = self._client.containers.get(container).attrs.get("State") or {}
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))
        running = bool(attrs.get("Running")) or bool(attrs.get("Restarting"))
        code = attrs.get("ExitCode")
        return ContainerState(running, None if running else code, bool(attrs.get("OOMKilled")))

    def memory_peak(self, container: str) -> int | None:
        """The container's peak memory use in bytes (cgroup v1 `max_usage`, v2 `memory.peak`)."""
        try:
            stats = self._client.api.stats(container, stream=False, one_shot=True)
        except self._errors():
            stats = {}
        memory = stats.get("memory_stats") or {}
        peak = memory.get("max_usage")
        if isinstance(peak, int) and peak > 0:
            return peak
        result = self.exec(container, ["cat", "/sys/fs/cgroup/memory.peak"], user="0")
        if (
            isinstance(result, ExecResult)
            and result.exit_code == 0
            and result.output.strip().isdigit()
        ):
            return int(result.output.strip())
        usage = memory.get("usage")
        return usage if isinstance(usage, int) and usage > 0 else None

    def logs(self, container: str) -> str:
        try:
            data = self._client.containers.get(container).logs(stdout=True, stderr=True)
        except self._errors():
            return ""
        return bytes(data).decode("utf-8", "replace")

    def exec(
        self, container: str, argv: list[str], user: str | None = None
    ) -> ExecResult | DockerFailure:
        try:
            code, output = self._client.containers.get(container).exec_run(argv, user=user or "")
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))
        return ExecResult(
            int(code if code is not None else -1), bytes(output).decode("utf-8", "replace")
        )

    def run_once(
        self,
        image: str,
        argv: list[str],
        *,
        user: str | None,
        network: str,
        env: dict[str, str] | None = None,
        workdir: str | None = None,
        timeout: float | None = None,
    ) -> ExecResult | DockerFailure:
        """Run `argv` in a new container of `image` (as `user`, or the image's; with `env` and
        in `workdir` when given); remove it. Past `timeout` seconds (default: the API timeout)
        it is stopped and the result says so, with what it printed until then."""
        container = None
        try:
            container = self._client.containers.create(
                image,
                entrypoint=argv[:1],
                command=argv[1:],
                user=user or "",
                labels={VERIFY_LABEL: "1"},
                **({"environment": env} if env else {}),
                **({"working_dir": workdir} if workdir else {}),
                **(
                    {"network_mode": network}
                    if network in ("host", "bridge", "none")
                    else {"network": network}
                ),
            )
            container.start()
            limit = timeout or API_TIMEOUT
            started = time.monotonic()
            try:
                status = container.wait(timeout=limit)
            except self._errors():
                if time.monotonic() - started < limit - 1:
                    raise
                output = bytes(container.logs(stdout=True, stderr=True)).decode("utf-8", "replace")
                return ExecResult(-1, output, timed_out=True)
            output = bytes(container.logs(stdout=True, stderr=True)).decode("utf-8", "replace")
            return ExecResult(int(status.get("StatusCode", -1)), output)
        except self._errors() as exc:
            return DockerFailure(_api_message(exc))
        finally:
            if container is not None:
                self.remove(container.id)

    def remove(self, container: str) -> DockerFailure | None:
        try:
            self._client.containers.get(container).remove(force=True, v=True)
        except self._errors() as exc:
            import docker

            if isinstance(exc, docker.errors.NotFound):
                return None
            return DockerFailure(_api_message(exc))
        return None


def _api_message(exc: BaseException) -> str:
    explanation = getattr(exc, "explanation", None)
    text = str(explanation) if explanation else str(exc)
    return " ".join(text.split())[:500] or type(exc).__name__
