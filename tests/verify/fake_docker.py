"""A fake `DockerClient` for fast tests of verify's orchestration: each stage's outcome is
scripted, every call is recorded, and a "running" container is a real HTTP server on 127.0.0.1
(started on the published port) whose answers the test chooses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hfdeploy.verify.buildlog import BuildLog
from hfdeploy.verify.docker_client import (
    BuildFailed,
    Built,
    ContainerState,
    DockerFailure,
    EngineInfo,
    ExecResult,
    ImageConfig,
)

# (method, path, headers) -> (status, headers, body)
Answer = tuple[int, dict[str, str], bytes]
Handler = Callable[[str, str, dict[str, str]], Answer]


def fastapi_like(method: str, path: str, headers: dict[str, str]) -> Answer:
    """/ and /openapi.json answer GET; HEAD / is 405 as FastAPI's GET routes are."""
    if method == "HEAD":
        return 405, {}, b""
    if path == "/":
        return 200, {"content-type": "application/json"}, b'{"ok": true}'
    if path == "/openapi.json":
        return 200, {}, b'{"openapi": "3.1.0", "paths": {"/": {"get": {}}}}'
    return 404, {}, b'{"detail": "Not Found"}'


@dataclass
class FakeDocker:
    build_result: Built | BuildFailed = field(default_factory=lambda: Built("sha256:new"))
    config: ImageConfig | DockerFailure = field(
        default_factory=lambda: ImageConfig("user", "/home/user/app", {}, ("uvicorn",), ())
    )
    create_result: DockerFailure | None = None
    start_result: DockerFailure | None = None
    exits_with: int | None = None  # the container stops at once with this code
    start_delay: float = 0.0  # seconds `start` takes (a slow engine, a slow app)
    log: str = ""
    handler: Handler | None = fastapi_like  # None: the container never answers HTTP
    interrupt_on_state: bool = False
    uids: dict[str | None, str] = field(default_factory=lambda: {None: "1000", "user": "1000"})
    write_output: str | None = None  # the storage script's answer; None: every target ok
    run_once_result: ExecResult | None = None  # a migration's answer; None: it succeeds
    engine: EngineInfo = field(default_factory=lambda: EngineInfo("unix:///fake", "27.0", "linux"))
    builder_name: str = "fake builder"
    calls: list[tuple[str, Any]] = field(default_factory=list)
    created: dict[str, Any] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def build(
        self,
        context: Path,
        tag: str,
        network: str | None,
        log: BuildLog,
        timeout: float | None = None,
    ) -> Built | BuildFailed:
        self.calls.append(("build", {"tag": tag, "timeout": timeout}))
        return self.build_result

    def image_id(self, image: str) -> str | None:
        return None

    def remove_image(self, image_id: str) -> None:
        self.calls.append(("remove_image", image_id))

    def image_labels(self, image: str) -> dict[str, str]:
        return {}

    def build_image(
        self, context_tar: bytes, tag: str, labels: dict[str, str]
    ) -> DockerFailure | None:
        self.calls.append(("build_image", tag))
        return DockerFailure("no engine (fake)")

    def image_config(self, image: str) -> ImageConfig | DockerFailure:
        return self.config

    def pull(self, image: str) -> DockerFailure | None:
        self.calls.append(("pull", image))
        return DockerFailure("no registry (fake)")

    def create(self, image: str, **options: Any) -> str | DockerFailure:
        self.calls.append(("create", options))
        self.created = options
        return self.create_result or "container-1"

    def start(self, container: str) -> DockerFailure | None:
        self.calls.append(("start", container))
        time.sleep(self.start_delay)
        if self.start_result is None and self.exits_with is None and self.handler is not None:
            port = next(iter(self.created["ports"].values()))
            self._serve(port)
        return self.start_result

    def state(self, container: str) -> ContainerState | DockerFailure:
        if self.interrupt_on_state:
            raise KeyboardInterrupt
        if self.exits_with is not None:
            return ContainerState(False, self.exits_with)
        return ContainerState(True, None)

    def logs(self, container: str) -> str:
        return self.log

    def exec(
        self, container: str, argv: list[str], user: str | None = None
    ) -> ExecResult | DockerFailure:
        self.calls.append(("exec", argv))
        if argv[:2] == ["id", "-u"]:
            uid = self.uids.get(argv[2] if len(argv) > 2 else None)
            return ExecResult(0, uid + "\n") if uid else ExecResult(1, "no such user")
        if argv[:3] == ["sh", "-c", 'id -u; id -u "$1"']:
            return ExecResult(0, f"{self.uids.get(None)}\n{self.uids.get(argv[4], '')}\n")
        if argv[0] == "/bin/sh":
            return ExecResult(0, self._write_test(argv[4:]))
        return ExecResult(127, "")

    def run_once(
        self, image: str, argv: list[str], *, user: str | None, network: str, **options: Any
    ) -> ExecResult | DockerFailure:
        self.calls.append(("run_once", {"user": user}))
        if options:
            self.calls.append(("run_once_options", {"argv": argv, **options}))
        if self.run_once_result is not None and "alembic" in " ".join(argv):
            return self.run_once_result
        return ExecResult(0, self._write_test(argv[4:]))

    def memory_peak(self, container: str) -> int | None:
        return 123 * 1024**2

    def remove(self, container: str) -> DockerFailure | None:
        self.removed.append(container)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        return None

    def _write_test(self, arguments: list[str]) -> str:
        if self.write_output is not None:
            return self.write_output
        return "".join(f"ok\t{a}\t{a[2:]}\n" for a in arguments)

    def _serve(self, port: int) -> None:
        handler = self.handler
        assert handler is not None

        class Handle(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                status, headers, body = handler(self.command, self.path, dict(self.headers))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_OPTIONS = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("0.0.0.0", port), Handle)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
