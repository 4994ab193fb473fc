"""Command-line facts about the servers a Dockerfile may start: which options set the host,
port or bind address, which options take no value, and the defaults (uvicorn 0.3x, gunicorn
23, hypercorn 0.17, fastapi-cli 0.0.x)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSpec:
    host: tuple[str, ...]
    port: tuple[str, ...]
    bind: tuple[str, ...]
    flags: frozenset[str]  # options that take no value
    default_host: str
    default_port: int


_UVICORN_FLAGS = frozenset(
    [
        "--reload",
        "--factory",
        "--proxy-headers",
        "--no-proxy-headers",
        "--use-colors",
        "--no-use-colors",
        "--access-log",
        "--no-access-log",
        "--server-header",
        "--no-server-header",
        "--date-header",
        "--no-date-header",
        "--version",
        "--help",
    ]
)
_GUNICORN_FLAGS = frozenset(
    [
        "--reload",
        "-R",
        "--daemon",
        "-D",
        "--preload",
        "--check-config",
        "--print-config",
        "--capture-output",
        "--spew",
        "--no-sendfile",
        "--reuse-port",
        "--enable-stdio-inheritance",
        "--strip-header-spaces",
        "--help",
        "--version",
    ]
)
SPECS = {
    "uvicorn": ServerSpec(("--host",), ("--port",), (), _UVICORN_FLAGS, "127.0.0.1", 8000),
    "fastapi run": ServerSpec(
        ("--host",),
        ("--port",),
        (),
        frozenset({"--reload", "--no-reload", "--proxy-headers", "--no-proxy-headers"}),
        "0.0.0.0",
        8000,
    ),
    "fastapi dev": ServerSpec(
        ("--host",),
        ("--port",),
        (),
        frozenset({"--reload", "--no-reload", "--proxy-headers", "--no-proxy-headers"}),
        "127.0.0.1",
        8000,
    ),
    "gunicorn": ServerSpec((), (), ("-b", "--bind"), _GUNICORN_FLAGS, "127.0.0.1", 8000),
    "hypercorn": ServerSpec(
        (), (), ("-b", "--bind"), frozenset({"--reload", "--debug", "--help"}), "127.0.0.1", 8000
    ),
}
