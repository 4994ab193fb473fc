"""A throwaway database server for the app under `verify`.

A Space gets its database URL from a secret that points at a real server. When the app's
database (the database domain's `database_inputs`: the family its code speaks, the variables
its URL or its address parts come from) is PostgreSQL or MySQL and verify would otherwise hand
those variables placeholders, verify runs the official image of that server next to the app —
`postgres:16` or `mysql:8`, host networking, a free port, a random password — waits until it
accepts connections, and gives the app a URL (or parts) pointing at it. The server starts while
the image builds, and its container is removed whatever happens (success, failure, Ctrl-C).
Without the image (offline, no registry) verify goes on with the placeholders and says so in
one line.

Each server is data (`Server`): its image and the variable that overrides it, the official
image's environment contract, how the port is passed on its command line, its default port and
how to tell that it is ready. What the app connects to is the database domain's answer; this
module only starts the server and fills the values in.
"""

from __future__ import annotations

import os
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hfdeploy.project import Project
from hfdeploy.verify.docker_client import DockerClient, DockerFailure
from hfdeploy.verify.settings import (
    EnvSetting,
    VerifyOptions,
    engine_address,
    free_port,
    port_is_free,
)

SERVICE_USER = "hfdeploy"
SERVICE_DATABASE = "app"
_POLL = 0.25


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    database: str
    admin_password: str  # the server's superuser (MySQL's root), nobody else's


@dataclass(frozen=True)
class Server:
    """One kind of throwaway server, as its official image runs it."""

    family: str  # the database domain's family: "postgresql", "mysql"
    title: str  # for messages
    name: str  # in container names
    image: str  # the official image
    image_env: str  # a variable naming another image with the same contract
    default_port: int  # where an app that names no port connects
    ready_timeout: float  # seconds for the server to accept connections (initialisation included)
    environment: Callable[[Credentials], dict[str, str]]  # the image's environment contract
    command: Callable[[int], list[str]]  # the server on this port
    ready: Callable[[str, int], bool]  # the server itself answers on host:port

    def chosen_image(self) -> str:
        return os.environ.get(self.image_env) or self.image


# PostgreSQL's SSLRequest: any server answers it with one byte, `S` or `N`, before any login.
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)
_MYSQL_PROTOCOL = 10  # the first byte of a MySQL (and MariaDB) server's handshake packet


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


def mysql_handshake(host: str, port: int, timeout: float = 1.0) -> bool:
    """A MySQL server greets every client first: a packet (3-byte length, sequence 0) whose
    payload starts with protocol version 10. An error packet (0xff: too many connections, host
    blocked), silence or another protocol is not a server ready for the app. The official image's
    temporary server (initialisation) runs with `--skip-networking`: only the final server
    answers on TCP."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            data = b""
            while len(data) < 5:
                chunk = sock.recv(5 - len(data))
                if not chunk:
                    return False
                data += chunk
    except OSError:
        return False
    length = int.from_bytes(data[:3], "little")
    return length > 1 and data[3] == 0 and data[4] == _MYSQL_PROTOCOL


def _postgres_environment(c: Credentials) -> dict[str, str]:
    return {
        "POSTGRES_USER": c.user,
        "POSTGRES_PASSWORD": c.password,
        "POSTGRES_DB": c.database,
        # A throwaway cluster: skip initdb's final sync to disk (about a second).
        "POSTGRES_INITDB_ARGS": "--no-sync",
    }


def _mysql_environment(c: Credentials) -> dict[str, str]:
    # The image creates MYSQL_USER with every privilege on MYSQL_DATABASE; it refuses
    # MYSQL_USER=root, whose password is MYSQL_ROOT_PASSWORD (and who exists on every host).
    if c.user == "root":
        return {"MYSQL_ROOT_PASSWORD": c.password, "MYSQL_DATABASE": c.database}
    return {
        "MYSQL_ROOT_PASSWORD": c.admin_password,
        "MYSQL_DATABASE": c.database,
        "MYSQL_USER": c.user,
        "MYSQL_PASSWORD": c.password,
    }


POSTGRES = Server(
    family="postgresql",
    title="PostgreSQL",
    name="postgres",
    image="postgres:16",
    # Another image with the official image's contract (a registry mirror's, `pgvector/pgvector:pg16`).
    image_env="HFDEPLOY_POSTGRES_IMAGE",
    default_port=5432,
    ready_timeout=90.0,
    environment=_postgres_environment,
    command=lambda port: ["postgres", "-p", str(port)],
    ready=accepts_connections,
)
MYSQL = Server(
    family="mysql",
    title="MySQL",
    name="mysql",
    image="mysql:8",
    # Another image with the official image's contract (a registry mirror's, `mariadb:11`).
    image_env="HFDEPLOY_MYSQL_IMAGE",
    default_port=3306,
    # MySQL 8 initialises its data directory with a temporary server: slower than initdb.
    # Its users authenticate with caching_sha2_password, which PyMySQL and aiomysql complete
    # over a plain connection only with `cryptography` installed (the offline MariaDB stand-in
    # uses mysql_native_password and cannot show that).
    ready_timeout=150.0,
    environment=_mysql_environment,
    # The official image passes arguments that start with `-` to mysqld.
    command=lambda port: ["mysqld", f"--port={port}"],
    ready=mysql_handshake,
)
SERVERS: dict[str, Server] = {server.family: server for server in (POSTGRES, MYSQL)}


@dataclass(frozen=True)
class ServicePlan:
    image: str
    family: str  # "postgresql", "mysql"
    port: int
    user: str
    password: str
    database: str
    env: dict[str, str]  # what the app gets: URL and part variables
    settings: tuple[EnvSetting, ...]
    replaces: tuple[str, ...]  # the variables that would have been placeholders
    admin_password: str = field(default_factory=lambda: secrets.token_hex(12), repr=False)

    @property
    def server(self) -> Server:
        return SERVERS[self.family]

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.user, self.password, self.database, self.admin_password)

    @property
    def server_env(self) -> dict[str, str]:
        return self.server.environment(self.credentials)

    @property
    def command(self) -> list[str]:
        return self.server.command(self.port)


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
    server = SERVERS.get(inputs.family)
    if server is None:
        return None
    if options.network != "host":
        return NoService(
            f"the throwaway {server.title} runs on the host network only "
            f"(--network {options.network})",
            replaces,
        )
    sourced = {s.name for s in settings if s.source != "placeholder"}
    parts = {name: part for name, part in inputs.part_variables.items()}
    chosen = {part: given[name] for name, part in parts.items() if name in sourced}
    if "host" in chosen or "port" in chosen:
        return None  # the user pointed the app at a server of their own
    if inputs.default_port_hosts & set(parts):
        # A driver call with a host and no port: only the default port reaches the server.
        port = server.default_port
        if not port_is_free(port):
            return NoService(
                f"the app connects to {server.title}'s default port {port} (its connection "
                "names no port setting), which another process uses on this machine",
                replaces,
            )
    else:
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
    image = server.chosen_image()
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
    timeout: float | None = None  # None: the server's own
    name: str = ""  # "": hfdeploy-verify-<server>-<random>
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _outcome: ServiceOutcome | None = None
    _created: bool = False

    def __post_init__(self) -> None:
        if self.timeout is None:
            self.timeout = self.plan.server.ready_timeout
        if not self.name:
            self.name = f"hfdeploy-verify-{self.plan.server.name}-{secrets.token_hex(3)}"

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
        timeout = self.timeout or plan.server.ready_timeout
        deadline = time.monotonic() + timeout
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
            if plan.server.ready(host, plan.port):
                return ServiceOutcome(True)
            if time.monotonic() > deadline:
                return ServiceOutcome(
                    False,
                    f"the server did not accept connections within {timeout:.0f}s",
                    log=client.logs(self.name),
                )
            self._cancel.wait(_POLL)
        return ServiceOutcome(False, "interrupted")
