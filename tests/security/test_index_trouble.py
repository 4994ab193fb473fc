"""An index answering 200 with an empty page is index trouble, not a project never released."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from hfdeploy.requirements.index import IndexClient


class _Empty(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html><body></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_empty_200_page_is_an_index_error_not_missing(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Empty)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/simple/"
        lookup = IndexClient((url,), cache_dir=tmp_path / "cache").lookup("requests")
    finally:
        server.shutdown()
        server.server_close()
    assert not lookup.missing
    assert lookup.error is not None and "empty page" in lookup.error
