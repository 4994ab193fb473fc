"""`hfdeploy verify`: build and start the image with Docker, probe it, report (exit 0/1/2)."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import typer

from hfdeploy.cli.common import PATH_ARG, err, guarded, load_project


class VerifyFormat(str, enum.Enum):
    text = "text"
    json = "json"


class Services(str, enum.Enum):
    auto = "auto"
    none = "none"


class Builder(str, enum.Enum):
    auto = "auto"
    buildkit = "buildkit"
    legacy = "legacy"


HELP = (
    "Build the repository's Dockerfile with a real Docker engine, start the container as a Space "
    "would (uid 1000, 16g memory and 2 CPUs, the SPACE_* variables a Space injects, listening on "
    "app_port, required secrets from --env/--env-file or placeholders of the right kind; a "
    "throwaway postgres:16 or mysql:8 when the app's PostgreSQL or MySQL URL or its parts were "
    "not given, see "
    "--services), wait "
    "for it to answer (peak memory and start time reported), probe as the HTTPS proxy does "
    "(X-Forwarded-*, the Space's Host and origin), probe /, health routes and /openapi.json, "
    "GET every route without path parameters, and check the app's user can write where its "
    "SQLite database lives. The container is always removed (unless --keep); the image stays as "
    "hfdeploy-verify/<dirname>:latest for the layer cache.\n\n"
    "The engine comes from DOCKER_HOST (and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), else the local "
    "socket. The default network is host (the server listens on this machine's network, as "
    "Docker Engine on Linux runs it); on Docker Desktop, whose host network is a VM's, it is "
    "bridge, which publishes app_port on a free local port. Pass --network to choose; verify "
    "never creates a network.\n\n"
    "Exit codes: 0 everything passed, 1 the build, start or a probe failed (with the cause), "
    "2 no Docker engine answers (or verify could not run: bad options, app_port busy)."
)


def register(app: typer.Typer) -> None:
    app.command("verify", help=HELP)(verify)


# Options `fix --write --verify` passes through to every verify round, declared once.
ENV_OPT = typer.Option(
    [],
    "--env",
    "-e",
    metavar="NAME=VALUE",
    help="Set a variable in the container (repeatable).",
)
ENV_FILE_OPT = typer.Option(
    None, "--env-file", help="Read NAME=VALUE lines (e.g. a local .env) into the container."
)
NETWORK_OPT = typer.Option(
    None,
    "--network",
    help="host (default; bridge on Docker Desktop), bridge, or the name of an existing network.",
)
TIMEOUT_OPT = typer.Option(
    120.0, "--timeout", min=1.0, help="Seconds to wait for the server to answer after start."
)
PORT_OPT = typer.Option(
    None,
    "--port",
    min=1,
    max=65535,
    help="The port the app must listen on (default: app_port from README.md, else 7860).",
)
BUILDER_OPT = typer.Option(
    Builder.auto,
    "--builder",
    help="auto: BuildKit through the docker CLI when it can (as "
    "Spaces build), else the engine's legacy builder through the SDK.",
)
USER_OPT = typer.Option(
    "1000",
    "--user",
    help="Run the container as this uid (1000, as a Space does), or `image` for the "
    "image's own USER.",
)
MEMORY_OPT = typer.Option(
    "16g", "--memory", help="Memory limit (cpu-basic: 16g); `none` for no limit."
)
CPUS_OPT = typer.Option(2.0, "--cpus", min=0.0, help="CPU limit (cpu-basic: 2); 0: none.")
SPACE_OPT = typer.Option(
    None,
    "--space",
    metavar="OWNER/NAME",
    help="The Space's id, for SPACE_ID, SPACE_HOST and the other injected variables "
    "(default: local/<directory name>).",
)
BUILD_TIMEOUT_OPT = typer.Option(
    1800.0, "--build-timeout", min=1.0, help="Seconds the build may take before it is stopped."
)
SERVICES_OPT = typer.Option(
    Services.auto,
    "--services",
    help="auto: when the app's database is PostgreSQL or MySQL and its URL (or the variables "
    "it is built from) was not given, run a throwaway postgres:16 or mysql:8 next to it and "
    "point the app at it (removed afterwards); none: placeholders only.",
)


@guarded
def verify(
    path: Path = PATH_ARG,
    env: list[str] = ENV_OPT,
    env_file: Path | None = ENV_FILE_OPT,
    network: str | None = NETWORK_OPT,
    timeout: float = TIMEOUT_OPT,
    keep: bool = typer.Option(
        False, "--keep", help="Leave the container running and print its URL."
    ),
    format: VerifyFormat = typer.Option(VerifyFormat.text, "--format", "-f", help="text or json."),
    port: int | None = PORT_OPT,
    builder: Builder = BUILDER_OPT,
    user: str = USER_OPT,
    memory: str = MEMORY_OPT,
    cpus: float = CPUS_OPT,
    space: str | None = SPACE_OPT,
    build_timeout: float = BUILD_TIMEOUT_OPT,
    services: Services = SERVICES_OPT,
) -> None:
    from hfdeploy.verify.docker_client import DockerFailure, connect, engine_host
    from hfdeploy.verify.report import EXIT_CANNOT_VERIFY, VerifyReport, render_json, render_text
    from hfdeploy.verify.settings import image_tag
    from hfdeploy.verify.verify import verify_project

    project = load_project(path)
    options = verify_options(
        env,
        env_file,
        network,
        timeout,
        keep,
        port,
        builder.value,
        user,
        memory,
        cpus,
        space,
        build_timeout,
        services.value,
    )
    check_options(project, options)  # bad --env/--env-file input: a usage error before any work
    client = connect()
    if isinstance(client, DockerFailure):
        err(
            f"hfdeploy: error: no Docker engine answers at {engine_host()} ({client.message}); "
            "start Docker Desktop, or `sudo systemctl start docker`, or set DOCKER_HOST to a "
            "running engine"
        )
        if format is VerifyFormat.json:
            from hfdeploy.verify.findings import finding

            report = VerifyReport(
                root=str(project.root), image=image_tag(project), network=options.network
            )
            report.findings.append(
                finding("RT001", f"No Docker engine answers at {engine_host()}: {client.message}")
            )
            print(render_json(report), end="")
        raise typer.Exit(EXIT_CANNOT_VERIFY)
    if network is None and client.engine.desktop:
        options = dataclasses.replace(options, network="bridge")  # see HELP
    progress = ConsoleProgress()
    try:
        with interrupt_on_terminate():
            report = verify_project(project, options, client, progress)
    finally:
        progress.close()
    print(render_json(report) if format is VerifyFormat.json else render_text(report), end="")
    raise typer.Exit(report.exit_code)


def verify_options(
    env: list[str],
    env_file: Path | None,
    network: str | None,
    timeout: float,
    keep: bool,
    port: int | None,
    builder: str,
    user: str,
    memory: str,
    cpus: float,
    space: str | None,
    build_timeout: float,
    services: str = "auto",
) -> Any:
    from hfdeploy.errors import UsageError
    from hfdeploy.verify.settings import VerifyOptions

    if user != "image" and not user.isdigit():
        raise UsageError(f"--user {user!r}: expected a uid (1000) or `image`")
    return VerifyOptions(
        env=tuple(env),
        env_file=env_file,
        network=network or "host",
        timeout=timeout,
        keep=keep,
        port=port,
        builder=builder,
        user=user,
        memory=None if memory.lower() in ("none", "0", "") else memory,
        cpus=cpus or None,
        space=space,
        build_timeout=build_timeout,
        services=services,
    )


def check_options(project: Any, options: Any) -> None:
    """A usage error for bad --env/--env-file input, --space or --memory, before any work."""
    from hfdeploy.verify.settings import container_env, memory_bytes, space_identity

    container_env(project, options)
    space_identity(project, options)
    memory_bytes(options.memory)


@contextlib.contextmanager
def interrupt_on_terminate() -> Iterator[None]:
    """SIGTERM and SIGHUP (a CI job cancelled, a terminal closed) clean up like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signals = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s]
    previous = {s: signal.signal(s, interrupt) for s in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class ConsoleProgress:
    """Streams build steps and stages to stderr; live output under a spinner on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True, highlight=False)
        self.live = self.console.is_terminal
        self._status: Any = None
        self._step: Any = None
        self._step_started = 0.0

    def stage(self, text: str) -> None:
        self._finish_step()
        self._print(f"[bold]→[/bold] {_escape(text)}")

    def build_event(self, event: Any) -> None:
        if event.kind == "step":
            self._finish_step()
            self._step, self._step_started = event.step, time.monotonic()
            self._spin(event.step.title)
        elif event.kind == "output" and event.step is self._step:
            self._spin(f"{event.step.title}\n  {event.text}")

    def probed(self, result: Any) -> None:
        self._spin(f"GET {result.path} → {result.status or result.error}")

    def close(self) -> None:
        self._finish_step()
        if self._status is not None:
            self._status.stop()
            self._status = None

    def _finish_step(self) -> None:
        step, self._step = self._step, None
        if step is None:
            return
        took = "cached" if step.cached else f"{time.monotonic() - self._step_started:.1f}s"
        width = max(20, self.console.width - 16)
        title = step.title if len(step.title) <= width else step.title[: width - 1] + "…"
        self._print(f"  [dim]{_escape(title)}[/dim]  {took}")

    def _spin(self, text: str) -> None:
        if not self.live:
            return
        width = max(20, self.console.width - 4)
        text = "\n".join(line[:width] for line in text.splitlines())
        if self._status is None:
            self._status = self.console.status(_escape(text))
            self._status.start()
        else:
            self._status.update(_escape(text))

    def _print(self, markup: str) -> None:
        self.console.print(markup, soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
