"""A 5xx answer's traceback may reach the container log after the answer: the prober reads the
log again until it shows up (a real HTTP server on 127.0.0.1; the engine's log is a fake)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from hfdeploy.verify import probe, serve
from hfdeploy.verify.serve import Prober, Target

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/app/main.py", line 9, in root\n'
    'sqlalchemy.exc.ProgrammingError: relation "notes" does not exist\n'
)


class _Failing(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


class _SlowLog:
    """The engine's log: empty for the first `late` reads after the failure, then the traceback."""

    def __init__(self, late: int) -> None:
        self.reads = 0
        self.late = late

    def logs(self, container: str) -> str:
        self.reads += 1
        return "" if self.reads <= 1 + self.late else TRACEBACK


@pytest.mark.parametrize("late", [0, 3])
def test_the_traceback_of_a_5xx_is_waited_for(
    port: int, late: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "LOG_SETTLE", 0.01)
    client = _SlowLog(late)
    prober = Prober(client, Target("c", "127.0.0.1", port, port, True), lambda p: None)  # type: ignore[arg-type]
    prober.visit("/", "root")
    [found] = prober.findings
    assert found.code == "RT005" and any("does not exist" in n for n in found.notes)


def test_a_5xx_without_a_traceback_stops_waiting(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "LOG_SETTLE", 0.01)
    monkeypatch.setattr(serve, "LOG_WAIT", 0.1)
    client = _SlowLog(late=10_000)
    prober = Prober(client, Target("c", "127.0.0.1", port, port, True), lambda p: None)  # type: ignore[arg-type]
    prober.visit("/", "root")
    [found] = prober.findings
    assert list(found.notes) == ["(nothing in the log)"]
    assert client.reads < 100


class _PiecewiseLog:
    """The engine's log as a server writes a traceback line by line (stderr is line-buffered):
    the header, a frame and the request's access line (stdout) first, the exception later."""

    PIECES = (
        "Traceback (most recent call last):\n"
        '  File "/app/main.py", line 9, in root\n'
        "    return session.scalars(select(Item)).all()\n"
        'INFO:     203.0.113.7:0 - "GET / HTTP/1.1" 500 Internal Server Error\n',
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: items\n",
        "[SQL: SELECT items.id FROM items]\n",
    )

    def __init__(self) -> None:
        self.reads = 0

    def logs(self, container: str) -> str:
        self.reads += 1
        # The first read is the prober's mark (before the request); then one piece per read.
        return "".join(self.PIECES[: max(0, self.reads - 1)])


def test_a_traceback_read_while_it_is_written_is_waited_for_until_whole(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "LOG_SETTLE", 0.01)
    client = _PiecewiseLog()
    prober = Prober(client, Target("c", "127.0.0.1", port, port, True), lambda p: None)  # type: ignore[arg-type]
    prober.visit("/", "root")
    [found] = prober.findings
    assert found.notes[-2:] == (
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: items",
        "[SQL: SELECT items.id FROM items]",
    )
    assert not any(n.startswith("INFO:") for n in found.notes)


def test_an_access_line_inside_a_traceback_is_not_its_exception() -> None:
    log = "".join(_PiecewiseLog.PIECES)
    assert probe.traceback_complete(log)
    assert not probe.traceback_complete(_PiecewiseLog.PIECES[0])
    tail = probe.traceback_tail(log)
    assert tail[-2].endswith("no such table: items") and not any("INFO:" in t for t in tail)
