"""Issue 14, item 4 (no hang): every subprocess and network call in hfdeploy/ is bounded.

An AST scan of the package asserts that each call that can block on another process or on the
network passes a timeout; a real server on 127.0.0.1 that accepts connections and never
answers shows the Hub client gives up instead of hanging."""

from __future__ import annotations

import ast
import socket
import threading
import time
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "hfdeploy"

SUBPROCESS_CALLS = {"run", "check_output", "check_call", "call"}
REQUESTS_CALLS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
# Popen is bounded otherwise; each exception says how.
POPEN_BOUNDED_ELSEWHERE = {
    "verify/buildkit.py": "the build process is stopped by _Deadline (--build-timeout)",
}


def _has_timeout(call: ast.Call) -> bool:
    return any(k.arg == "timeout" for k in call.keywords) or any(
        k.arg is None
        for k in call.keywords  # **kwargs: checked where they are built
    )


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def unbounded_calls() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func)
            parts = name.split(".")
            needs = (
                (parts[0] == "subprocess" and parts[-1] in SUBPROCESS_CALLS)
                or parts[-1] == "communicate"
                or (parts[0] == "requests" and parts[-1] in REQUESTS_CALLS)
                or (
                    len(parts) > 1 and parts[-2].endswith("session") and parts[-1] in REQUESTS_CALLS
                )
                or name in ("http.client.HTTPConnection", "http.client.HTTPSConnection")
                or parts[-1] in ("create_connection", "urlopen")
                or name == "docker.from_env"
            )
            if needs and not _has_timeout(node):
                found.append(f"{rel}:{node.lineno}: {name}(...) without timeout=")
            if name == "subprocess.Popen" and rel not in POPEN_BOUNDED_ELSEWHERE:
                found.append(f"{rel}:{node.lineno}: subprocess.Popen not bounded (add it above)")
    return found


def test_every_subprocess_and_network_call_passes_a_timeout() -> None:
    assert unbounded_calls() == []


def test_the_scan_sees_calls_it_must_reject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the scan itself can fail: a package with an unbounded call is reported
    package = tmp_path / "hfdeploy"
    package.mkdir()
    (package / "bad.py").write_text(
        "import subprocess, requests\n"
        "subprocess.run(['git', 'status'])\n"
        "requests.get('https://example.org')\n"
        "self_session = None\n"
        "proc = subprocess.Popen(['x'])\n"
        "proc.communicate()\n"
        "subprocess.run(['git'], timeout=5)\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", package)
    found = unbounded_calls()
    assert [f.split(":")[1] for f in found] == ["2", "3", "5", "6"], found


@pytest.fixture
def silent_server():
    """A server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    server.close()


def test_hub_that_never_answers_is_an_error_not_a_hang(
    silent_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import close_session

    from hfdeploy.hub.client import HubClient, HubError

    monkeypatch.setenv("HFDEPLOY_HUB_TIMEOUT", "2")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    close_session()  # a fresh shared client, as in a new process
    outcome: list[BaseException | str] = []

    def call() -> None:
        try:
            client.whoami()
            outcome.append("answered")
        except BaseException as exc:  # the outcome is asserted below
            outcome.append(exc)

    try:
        client = HubClient("hf_test_token_not_real", endpoint=silent_server)
        started = time.monotonic()
        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        worker.join(timeout=30)  # the worker is left behind (daemon) if it hangs
        elapsed = time.monotonic() - started
    finally:
        close_session()
    assert outcome, f"whoami() still waiting after {elapsed:.0f}s: no timeout"
    assert isinstance(outcome[0], HubError) and outcome[0].kind == "network", outcome
