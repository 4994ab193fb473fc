"""A minimal Hugging Face Hub on 127.0.0.1 for build-time downloads (`HF_ENDPOINT`): one model
repository with a few small files, served the way `snapshot_download` asks for them (repo
info with its commit and file list, then each file by `resolve/<revision>/<name>`)."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, repo: str, files: dict[str, bytes]):
        self.repo = repo
        self.files = files
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                self._answer(head=True)

            def do_GET(self) -> None:
                self._answer(head=False)

            def _answer(self, head: bool) -> None:
                path = unquote(urlsplit(self.path).path)
                hub.requests.append(f"{self.command} {path}")
                info = f"/api/models/{hub.repo}"
                if path == info or path.startswith(info + "/revision/"):
                    body = json.dumps(
                        {
                            "id": hub.repo,
                            "modelId": hub.repo,
                            "sha": COMMIT,
                            "private": False,
                            "siblings": [{"rfilename": name} for name in sorted(hub.files)],
                        }
                    ).encode()
                    self._send(200, body, {"Content-Type": "application/json"}, head)
                    return
                if path.startswith(info + "/tree/"):
                    entries = [
                        {
                            "type": "file",
                            "path": name,
                            "size": len(data),
                            "oid": hashlib.sha1(data).hexdigest(),
                        }
                        for name, data in sorted(hub.files.items())
                    ]
                    self._send(
                        200,
                        json.dumps(entries).encode(),
                        {"Content-Type": "application/json"},
                        head,
                    )
                    return
                prefix = f"/{hub.repo}/resolve/"
                if path.startswith(prefix):
                    _revision, _, name = path[len(prefix) :].partition("/")
                    if name in hub.files:
                        data = hub.files[name]
                        etag = hashlib.sha1(data).hexdigest()
                        headers = {
                            "Content-Type": "application/octet-stream",
                            "ETag": f'"{etag}"',
                            "X-Repo-Commit": COMMIT,
                        }
                        self._send(200, data, headers, head)
                        return
                self._send(404, b'{"error": "not found"}', {"X-Error-Code": "EntryNotFound"}, head)

            def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
