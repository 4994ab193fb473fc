"""A throwaway database server for the app under `verify`.

A Space gets its database URL from a secret that points at a real server. When the app's
engine speaks PostgreSQL and verify would otherwise hand its URL (or the variables the URL is
assembled from) a placeholder, verify runs the official `postgres:16` image next to the app —
host networking, a free port, a random password — waits until it accepts connections, and gives
the app a URL (or parts) pointing at it. The server starts while the image builds, and its
container is removed whatever happens (success, failure, Ctrl-C). Without the image (offline,
no registry) verify goes on with the placeholders and says so in one line.
"""

from __future__ import annotations

import os
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from hfdeploy.project import Project
from hfdeploy.verify.docker_client import DockerClient, DockerFailure
from hfdeploy.verify.settings import EnvSetting, VerifyOptions, engine_address, free_port

POSTGRES_IMAGE = "postgres:16"
# Another image with the official image's contract (a registry mirror's, `pgvector/pgvector:pg16`).
IMAGE_ENV = "HFDEPLOY_POSTGRES_IMAGE"
SERVICE_USER = "hfdeploy"
SERVICE_DATABASE = "app"
READY_TIMEOUT = 90.0  # seconds for the server to accept connections (initdb included)
_POLL = 0.25
# PostgreSQL's SSLRequest: any server answers it with one byte, `S` or `N`, before any login.
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)


@dataclass(frozen=True)
class ServicePlan:
    image: str
    family: str  # "postgresql"
    port: int
    user: str
    password: str
    database: str
    env: dict[str, str]  # what the app gets: URL and part variables
    settings: tuple[EnvSetting, ...]
    replaces: tuple[str, ...]  # the variables that would have been placeholders

    @property
    def server_env(self) -> dict[str, str]:
        return {
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_DB": self.database,
            # A throwaway cluster: skip initdb's final sync to disk (about a second).
            "POSTGRES_INITDB_ARGS": "--no-sync",
        }

    @property
    def command(self) -> list[str]:
        return ["postgres", "-p", str(self.port)]


@dataclass(frozen=True)
class NoService:
    """Why no service runs although the app's database would get a placeholder."""

    reason: str
    variables: tuple[str, ...]


_PART_KIND = {
    "user": "database user",
    "password": "database password",
    "host": "database host",
    "port": "database port",
    "database": "database name",
}


def plan_service(
    project: Project, options: VerifyOptions, settings: list[EnvSetting], given: dict[str, str]
) -> ServicePlan | NoService | None:
    """The database server the app needs, or None when it needs none (or `--services none`)."""
    if options.services == "none":
        return None
    try:
        from hfdeploy.database.inputs import database_inputs
    except ImportError:  # the database analysis is optional: placeholders then
        return None
    inputs = database_inputs(project)
    placeholders = {s.name for s in settings if s.source == "placeholder"}
    replaces = tuple(sorted(inputs.variables & placeholders))
    if not replaces:
        return None
    if inputs.family != "postgresql":
        if inputs.family == "mysql":
            return NoService("verify starts a throwaway PostgreSQL only, not MySQL", replaces)
        return None
    if options.network != "host":
        return NoService(
            f"the throwaway PostgreSQL runs on the host network only (--network {options.network})",
            replaces,
        )
    sourced = {s.name for s in settings if s.source != "placeholder"}
    parts = {name: part for name, part in inputs.part_variables.items()}
    chosen = {part: given[name] for name, part in parts.items() if name in sourced}
    if "host" in chosen or "port" in chosen:
        return None  # the user pointed the app at a server of their own
    port = free_port()
    user = chosen.get("user") or SERVICE_USER
    password = chosen.get("password") or secrets.token_hex(12)
    database = chosen.get("database") or SERVICE_DATABASE
    values = {
        "user": user,
        "password": password,
        "host": "127.0.0.1",
        "port": str(port),
        "database": database,
    }
    image = os.environ.get(IMAGE_ENV) or POSTGRES_IMAGE
    env: dict[str, str] = {}
    found: list[EnvSetting] = []
    source = f"service {image}"
    for name, scheme in inputs.url_variables.items():
        if name not in sourced and scheme:
            env[name] = f"{scheme}://{user}:{password}@127.0.0.1:{port}/{database}"
            found.append(EnvSetting(name, source, "database URL"))
    for name, part in parts.items():
        if name not in sourced and name not in env:
            env[name] = values[part]
            if name in inputs.portless_hosts:
                env[name] = f"127.0.0.1:{port}"  # the URL names no port: the default is not ours
            found.append(EnvSetting(name, source, _PART_KIND[part]))
    if not env:
        return None
    return ServicePlan(
        image,
        inputs.family,
        port,
        user,
        password,
        database,
        env,
        tuple(found),
        replaces,
    )


@dataclass
class ServiceOutcome:
    ready: bool
    reason: str = ""  # why not
    seconds: float = 0.0
    log: str = ""


@dataclass
class DatabaseService:
    """Starts the plan's server in a background thread; `result()` waits for it, `stop()`
    removes its container (always call it, in a `finally`)."""

    client: DockerClient
    plan: ServicePlan
    timeout: float = READY_TIMEOUT
    name: str = field(default_factory=lambda: f"hfdeploy-verify-postgres-{secrets.token_hex(3)}")
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _outcome: ServiceOutcome | None = None
    _created: bool = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def result(self) -> ServiceOutcome:
        if self._thread is not None:
            self._thread.join()
        return self._outcome or ServiceOutcome(False, "the service was not started")

    def stop(self) -> None:
        from hfdeploy.verify.container import remove_container

        self._cancel.set()
        if self._thread is not None:
            self._thread.join()
        if self._created:
            remove_container(self.client, self.name)

    def _run(self) -> None:
        started = time.monotonic()
        try:
            self._outcome = self._start()
        except Exception as exc:  # a thread must not die silently: the reason is reported
            self._outcome = ServiceOutcome(False, f"{type(exc).__name__}: {exc}")
        self._outcome.seconds = time.monotonic() - started

    def _start(self) -> ServiceOutcome:
        plan, client = self.plan, self.client
        if client.image_id(plan.image) is None:
            pulled = client.pull(plan.image)
            if pulled is not None or client.image_id(plan.image) is None:
                why = pulled.message if pulled is not None else "not found after the pull"
                return ServiceOutcome(False, f"no image {plan.image} on the engine ({why})")
        if self._cancel.is_set():
            return ServiceOutcome(False, "interrupted")
        self._created = True  # from here on, removed by name even if `create` is interrupted
        created = client.create(
            plan.image,
            name=self.name,
            env=plan.server_env,
            network="host",
            ports={},
            bind_ip="",
            command=plan.command,
        )
        if isinstance(created, DockerFailure):
            return ServiceOutcome(False, f"its container could not be created: {created.message}")
        failed = client.start(self.name)
        if failed is not None:
            return ServiceOutcome(False, f"its container did not start: {failed.message}")
        host, _local = engine_address()
        deadline = time.monotonic() + self.timeout
        while not self._cancel.is_set():
            state = client.state(self.name)
            if isinstance(state, DockerFailure):
                return ServiceOutcome(False, f"the engine failed: {state.message}")
            if not state.running:
                return ServiceOutcome(
                    False,
                    f"the server exited with code {state.exit_code}",
                    log=client.logs(self.name),
                )
            if accepts_connections(host, plan.port):
                return ServiceOutcome(True)
            if time.monotonic() > deadline:
                return ServiceOutcome(
                    False,
                    f"the server did not accept connections within {self.timeout:.0f}s",
                    log=client.logs(self.name),
                )
            self._cancel.wait(_POLL)
        return ServiceOutcome(False, "interrupted")


def accepts_connections(host: str, port: int, timeout: float = 1.0) -> bool:
    """A PostgreSQL server answers an SSLRequest on `host:port` (a bare TCP accept is not
    enough: another process may hold the port)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(_SSL_REQUEST)
            return sock.recv(1) in (b"S", b"N")
    except OSError:
        return False
