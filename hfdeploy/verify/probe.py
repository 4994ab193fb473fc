"""HTTP against the running container: plain GETs, the OpenAPI document's routes, and reading
the container log for the address the server announced and for tracebacks."""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

REQUEST_TIMEOUT = 15.0
MAX_BODY = 8 * 1024 * 1024
MAX_SMOKE_ROUTES = 100
HEALTH_PATHS = ("/health", "/healthz", "/api/health", "/api/healthz", "/ping", "/status")
OPENAPI_PATHS = ("/openapi.json", "/api/openapi.json", "/api/v1/openapi.json")
# uvicorn "Uvicorn running on http://0.0.0.0:8000", gunicorn "Listening at: http://0.0.0.0:8000",
# hypercorn "Running on http://127.0.0.1:8000", granian "Listening at: http://0.0.0.0:8000".
_ANNOUNCED = re.compile(
    r"(?:running on|listening (?:at|on)|serving on|started server on)\W+(?:https?://)?"
    r"(?P<host>\[[0-9a-fA-F:.]+\]|[\w.-]+):(?P<port>\d{2,5})",
    re.IGNORECASE,
)
_TRACEBACK = "Traceback (most recent call last):"
# Installed packages, the stdlib, and compiled modules named by a relative .pyx path (uvloop).
_LIBRARY_FRAME = re.compile(
    r'File "(?:<frozen |[^"]*/(?:site|dist)-packages/|[^"]*/lib/python3[.\d]*/|[^"/<][^"]*\.pyx")'
)
_LOG_RECORD = re.compile(r"^(?:INFO|WARNING|ERROR|DEBUG|CRITICAL)\b|^\d{4}-\d\d-\d\d")
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class RequestError:
    reason: str  # "connection refused", "timed out", ...


@dataclass(frozen=True)
class Announced:
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


# What the Space's HTTPS proxy adds to every request it forwards (the client's address is
# from the documentation range, RFC 5737).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def get(
    host: str,
    port: int,
    path: str,
    timeout: float = REQUEST_TIMEOUT,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    source: str | None = None,
) -> Response | RequestError:
    """One request (`source`: the local address to connect from); redirects are not followed."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(
        host, port, timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request(
            method,
            path,
            headers={
                "User-Agent": "hfdeploy-verify",
                "Accept": "application/json, */*",
                **PROXY_HEADERS,
                **(headers or {}),
            },
        )
        response = connection.getresponse()
        body = b"" if method == "HEAD" else response.read(MAX_BODY)
        return Response(
            response.status,
            body,
            time.monotonic() - started,
            {k.lower(): v for k, v in response.getheaders()},
        )
    except (OSError, http.client.HTTPException) as exc:
        return RequestError(_reason(exc))
    finally:
        connection.close()


def outside_address() -> str | None:
    """A non-loopback address of this machine. Requests from it reach a host-network server as
    the Space proxy's do: not from 127.0.0.1, which uvicorn trusts for X-Forwarded-* by default."""
    import socket

    candidates: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            candidates.append(sock.getsockname()[0])
        except OSError:
            pass
    try:
        candidates.extend(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    for address in candidates:
        if not address.startswith("127.") and address != "0.0.0.0":
            return address
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed the connection without answering"
    return str(exc) or type(exc).__name__


def announced_addresses(log: str) -> list[Announced]:
    found = []
    for match in _ANNOUNCED.finditer(log):
        port = int(match["port"])
        if 0 < port < 65536:
            found.append(Announced(match["host"].lower(), port))
    return found


def openapi_get_routes(document: Any) -> list[str] | None:
    """GET paths without path parameters (after a relative server URL); None: not OpenAPI."""
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        return None
    prefix = ""
    servers = document.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = servers[0].get("url")
        if isinstance(url, str) and url.startswith("/"):
            prefix = url.rstrip("/")
    routes = []
    for path, operations in document["paths"].items():
        gettable = isinstance(operations, dict) and "get" in operations
        if isinstance(path, str) and gettable and "{" not in path:
            routes.append(prefix + path)
    return sorted(set(routes))[:MAX_SMOKE_ROUTES]


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def traceback_complete(log: str) -> bool:
    """Whether `log` has a traceback and the last one has reached its exception line.

    A server writes a traceback line by line (stderr is line-buffered), so a log read while it
    is being written can hold the header and some frames only; the access line of the same
    request (stdout) can land between them and is not the exception."""
    lines = log.splitlines()
    start = max((i for i, line in enumerate(lines) if line.startswith(_TRACEBACK)), default=None)
    if start is None:
        return False
    return any(
        line and not line[0].isspace() and not _LOG_RECORD.match(line)
        for line in lines[start + 1 :]
    )


def traceback_tail(log: str, max_lines: int = 30) -> list[str]:
    """The last traceback in `log` (its final lines), or the log's last lines if there is none.

    Log records of other streams written while the traceback was (an access line on stdout
    between stderr's frames) are left out of it."""
    lines = log.splitlines()
    start = max((i for i, line in enumerate(lines) if line.startswith(_TRACEBACK)), default=None)
    if start is None:
        return [line for line in lines if line.strip()][-min(max_lines, 15) :]
    block = [lines[start], *(line for line in lines[start + 1 :] if not _LOG_RECORD.match(line))]
    # A traceback ends with its exception: the first unindented line after the header, plus any
    # continuation lines (SQLAlchemy adds `[SQL: ...]`) up to a blank line or the next log record.
    for offset, line in enumerate(block[1:], start=1):
        if line and not line[0].isspace():
            end = offset + 1
            while end < len(block) and end <= offset + 5 and block[end].strip():
                if _LOG_RECORD.match(block[end]):
                    break
                end += 1
            block = block[:end]
            break
    block = _without_library_frames(block)
    if len(block) <= max_lines:
        return block
    return [block[0], "  ...", *block[-(max_lines - 2) :]]


def _without_library_frames(block: list[str]) -> list[str]:
    """Fold frames in installed packages and the stdlib; the app's own frames are the story."""
    frames: list[list[str]] = []
    for line in block[1:]:
        if line.startswith('  File "') or not frames or not line.startswith(" "):
            frames.append([line])
        else:
            frames[-1].append(line)
    kept = [block[0]]
    folded = 0
    for index, frame in enumerate(frames):
        last_frame = index + 1 < len(frames) and not frames[index + 1][0].startswith('  File "')
        if frame[0].startswith('  File "') and _LIBRARY_FRAME.search(frame[0]) and not last_frame:
            folded += 1
            continue
        if folded:
            kept.append(f"  ... {folded} frame{'s' if folded != 1 else ''} in libraries")
            folded = 0
        kept.extend(frame)
    return kept
