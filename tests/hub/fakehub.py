"""A small Hugging Face Hub on 127.0.0.1, for driving the real `huggingface_hub` client through
`HF_ENDPOINT`: the endpoints `hfdeploy push` and `hfdeploy logs` use (whoami, space info, repo
creation, preupload and commit, secrets, variables, runtime, SSE logs), with scripted stages and
logs per Space and injectable failures (401, 404, 409, a dropped log stream)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "hf_fakehubtokenforteststhatisnotreal0123"


@dataclass
class Scenario:
    stages: list[str] = field(default_factory=lambda: ["BUILDING", "APP_STARTING", "RUNNING"])
    build_log: list[str] = field(
        default_factory=lambda: ["Step 1/5 : FROM python:3.11-slim", "Successfully built"]
    )
    run_log: list[str] = field(
        default_factory=lambda: ["INFO:     Uvicorn running on http://0.0.0.0:7860"]
    )
    error_message: str | None = None
    drop_log_after: int | None = None  # close the log stream after this many events


@dataclass
class Space:
    repo_id: str
    private: bool
    sdk: str
    files: dict[str, bytes] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)  # commit summaries
    runtime_calls: int = 0


class FakeHub:
    def __init__(self) -> None:
        self.spaces: dict[str, Space] = {}
        self.scenarios: dict[str, Scenario] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.fail: dict[str, int] = {}  # path regex -> status to answer
        self.user = "alice"
        handler = _handler(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def scenario(self, repo_id: str) -> Scenario:
        return self.scenarios.setdefault(repo_id, Scenario())


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        # -- plumbing ---------------------------------------------------------------------
        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str, code: str | None = None) -> None:
            headers = {"X-Error-Message": message}
            if code:
                headers["X-Error-Code"] = code
            self._json(status, {"error": message}, headers)

        def _authorised(self) -> bool:
            return self.headers.get("Authorization") == f"Bearer {TOKEN}"

        def _route(self, method: str) -> None:
            path = self.path.split("?", 1)[0]
            hub.requests.append((method, path))
            for pattern, status in hub.fail.items():
                if re.search(pattern, path):
                    self._body()
                    self._error(status, f"injected failure {status}")
                    return
            if (
                path == "/api/agent-harnesses"
            ):  # the client's agent detection: tolerated when absent
                self._error(404, "not served here")
                return
            if not self._authorised() and not path.startswith("/api/spaces/public/"):
                self._body()
                self._error(401, "Invalid credentials in Authorization header")
                return
            for regex, name in _ROUTES:
                m = re.fullmatch(regex, path)
                if m and name.startswith(method.lower() + "_"):
                    getattr(self, name)(**m.groupdict())
                    return
            self._body()
            self._error(404, f"no route {method} {path}")

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_HEAD(self) -> None:
            self._route("HEAD")

        # -- endpoints --------------------------------------------------------------------
        def get_whoami(self) -> None:
            self._json(
                200, {"type": "user", "name": hub.user, "auth": {"accessToken": {"role": "write"}}}
            )

        def get_space(self, repo: str) -> None:
            space = hub.spaces.get(repo)
            if space is None:
                self._error(404, "Repository not found", "RepoNotFound")
                return
            self._json(
                200,
                {
                    "id": repo,
                    "private": space.private,
                    "sdk": space.sdk,
                    "sha": f"{len(space.commits):040d}",
                    "siblings": [{"rfilename": p} for p in sorted(space.files)],
                },
            )

        def post_create(self) -> None:
            body = json.loads(self._body() or b"{}")
            owner = body.get("organization") or hub.user
            repo = f"{owner}/{body['name']}"
            if repo in hub.spaces:
                self._error(409, "You already created this space repo", None)
                return
            hub.spaces[repo] = Space(repo, bool(body.get("private")), str(body.get("sdk")))
            self._json(200, {"url": f"{hub.url}/spaces/{repo}", "name": repo})

        def post_validate(self) -> None:
            body = json.loads(self._body() or b"{}")
            content = str(body.get("content", ""))
            if not content.startswith("---"):
                self._json(
                    400,
                    {"errors": [{"message": "Missing configuration in README"}], "warnings": []},
                )
                return
            self._json(200, {"errors": [], "warnings": []})

        def post_preupload(self, repo: str, rev: str) -> None:
            body = json.loads(self._body() or b"{}")
            if repo not in hub.spaces:
                self._error(404, "Repository not found", "RepoNotFound")
                return
            files = [
                {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None}
                for f in body.get("files", [])
            ]
            self._json(200, {"files": files, "commitOid": "0" * 40})

        def post_commit(self, repo: str, rev: str) -> None:
            raw = self._body()
            space = hub.spaces.get(repo)
            if space is None:
                self._error(404, "Repository not found", "RepoNotFound")
                return
            summary = ""
            for line in raw.splitlines():
                item = json.loads(line)
                if item["key"] == "header":
                    summary = item["value"].get("summary", "")
                elif item["key"] == "file":
                    value = item["value"]
                    space.files[value["path"]] = base64.b64decode(value["content"])
            space.commits.append(summary)
            oid = hashlib.sha1(raw).hexdigest()
            self._json(
                200,
                {
                    "commitUrl": f"{hub.url}/spaces/{repo}/commit/{oid}",
                    "commitOid": oid,
                    "success": True,
                },
            )

        def post_secrets(self, repo: str) -> None:
            body = json.loads(self._body() or b"{}")
            hub.spaces[repo].secrets[body["key"]] = body["value"]
            self._json(200, {})

        def post_variables(self, repo: str) -> None:
            body = json.loads(self._body() or b"{}")
            space = hub.spaces[repo]
            space.variables[body["key"]] = body["value"]
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            self._json(200, {k: {"value": v, "updatedAt": now} for k, v in space.variables.items()})

        def get_runtime(self, repo: str) -> None:
            space = hub.spaces.get(repo)
            if space is None:
                self._error(404, "Repository not found", "RepoNotFound")
                return
            scenario = hub.scenario(repo)
            stage = scenario.stages[min(space.runtime_calls, len(scenario.stages) - 1)]
            space.runtime_calls += 1
            payload: dict[str, Any] = {
                "stage": stage,
                "hardware": {"current": "cpu-basic", "requested": "cpu-basic"},
            }
            if scenario.error_message and stage.endswith("ERROR"):
                payload["errorMessage"] = scenario.error_message
            self._json(200, payload)

        def get_logs(self, repo: str, kind: str) -> None:
            if repo not in hub.spaces:
                self._error(404, "Repository not found", "RepoNotFound")
                return
            scenario = hub.scenario(repo)
            lines = scenario.build_log if kind == "build" else scenario.run_log
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            stamp = datetime.now(timezone.utc) - timedelta(seconds=30)
            for number, line in enumerate(lines):
                if scenario.drop_log_after is not None and number >= scenario.drop_log_after:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)  # mid-stream: no closing chunk
                    return
                event = {
                    "data": line + "\n",
                    "timestamp": (stamp + timedelta(milliseconds=number)).strftime(
                        "%Y-%m-%dT%H:%M:%S.%fZ"
                    ),
                }
                self._chunk(f"data: {json.dumps(event)}\n\n".encode())
            self._chunk(b"")

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    return Handler


_REPO = r"(?P<repo>[^/]+/[^/]+)"
_ROUTES = [
    (r"/api/whoami-v2", "get_whoami"),
    (r"/api/repos/create", "post_create"),
    (r"/api/validate-yaml", "post_validate"),
    (rf"/api/spaces/{_REPO}/preupload/(?P<rev>[^/]+)", "post_preupload"),
    (rf"/api/spaces/{_REPO}/commit/(?P<rev>[^/]+)", "post_commit"),
    (rf"/api/spaces/{_REPO}/secrets", "post_secrets"),
    (rf"/api/spaces/{_REPO}/variables", "post_variables"),
    (rf"/api/spaces/{_REPO}/runtime", "get_runtime"),
    (rf"/api/spaces/{_REPO}/logs/(?P<kind>build|run)", "get_logs"),
    (rf"/api/spaces/{_REPO}(?:/revision/[^/]+)?", "get_space"),
]
