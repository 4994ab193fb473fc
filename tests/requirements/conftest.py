"""A package index served over real HTTP on 127.0.0.1: PEP 691 JSON (upload times, yanked
flags, core metadata) or PEP 503 HTML, ETag revalidation, range requests, and tiny wheels and
sdists built here. Every test gets its own cache dir and an isolated pip configuration."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    uploaded: str  # ISO date
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    yanked: str | None = None
    tags: tuple[str, ...] = ("py3-none-any",)  # one wheel per tag set; () for none
    sdist: bool = False
    modules: tuple[str, ...] = ()  # top-level packages in the wheel (default: the name)
    sdist_files: tuple[tuple[str, str], ...] = ()  # more files at the sdist's top folder


CATALOGUE = [
    # a project with a release line that skips a version: 41.0.8 was never released
    *(
        Dist("cryptography", v, d, tags=("cp37-abi3-manylinux_2_28_x86_64", "cp37-abi3-win_amd64"))
        for v, d in [
            ("41.0.5", "2023-10-24"),
            ("41.0.6", "2023-11-27"),
            ("41.0.7", "2023-11-28"),
            ("42.0.0", "2024-01-22"),
        ]
    ),
    Dist("cryptography", "2.1.1", "2017-10-12", tags=("cp37-abi3-manylinux_2_17_x86_64",)),
    # source-only on linux (a Windows wheel shows it is compiled), and its binary twin
    Dist("psycopg2", "2.9.9", "2023-10-03", tags=("cp311-cp311-win_amd64",), sdist=True),
    *(
        Dist(
            "psycopg2-binary",
            "2.9.9",
            "2023-10-03",
            tags=(f"cp3{m}-cp3{m}-manylinux_2_17_x86_64.manylinux2014_x86_64",),
        )
        for m in (10, 11, 12)
    ),
    Dist("puresrc", "1.0", "2020-01-01", tags=(), sdist=True),
    # a framework and its dependency whose newest releases are years newer than the pin
    Dist("webframe", "0.104.1", "2023-10-30", requires=("datamodel>=1.0,<3",)),
    Dist("datamodel", "1.0", "2023-01-01"),
    Dist("datamodel", "2.5.2", "2023-11-05"),
    Dist("datamodel", "2.14.4", "2025-06-01"),
    Dist("oldfw", "1.0", "2023-01-01", requires=("datamodel<2",)),
    Dist("yankedpkg", "1.0", "2022-01-01", yanked="broken wheel"),
    Dist("yankedpkg", "1.1", "2022-02-01"),
    Dist("newpy", "1.0", "2024-01-01", requires_python=">=3.12"),
    Dist("newpy", "0.9", "2023-01-01", requires_python=">=3.8"),
    Dist("requests", "2.31.0", "2023-05-22"),
    # MySQL's C driver (source-only on linux) and the pure-Python one
    Dist("mysqlclient", "2.2.4", "2024-02-09", tags=("cp311-cp311-win_amd64",), sdist=True),
    Dist("PyMySQL", "1.1.1", "2024-05-21"),
    # the distributions behind `import yaml` and `import cv2`
    Dist("PyYAML", "6.0.2", "2024-08-06"),
    Dist("opencv-python-headless", "4.10.0.84", "2024-06-17"),
    # a range whose every release was yanked, and the release after it
    Dist("allyanked", "1.0", "2022-01-01", yanked="bad metadata"),
    Dist("allyanked", "1.1", "2022-02-01", yanked="bad metadata"),
    Dist("allyanked", "2.0", "2022-03-01"),
    # a C extension that is optional: compiled wheels for other platforms, and a pure-Python
    # wheel of an earlier release (the code runs without the extension)
    Dist("speedups", "2.0", "2024-01-01", tags=("cp311-cp311-win_amd64",), sdist=True),
    Dist("speedups", "1.0", "2023-01-01", tags=("py3-none-any",), sdist=True),
    # import names that differ from the distribution's (read from the wheel's file list)
    Dist("argon2-cffi", "23.1.0", "2023-08-15", modules=("argon2",)),
    Dist("jwt-helpers", "1.0", "2023-01-01", modules=("jwt_helpers",)),
    Dist("fastapi", "0.104.1", "2023-10-30"),
    # a library whose releases of 2021 have wheels for CPython 3.9 only; 2.0 is pure Python
    Dist("oldwheels", "1.0", "2021-01-01", tags=("cp39-cp39-manylinux_2_17_x86_64",)),
    Dist("oldwheels", "2.0", "2023-03-01"),
    # releases that need a project nobody published; the second one's newest release is
    # source-only (only a build could tell what it needs)
    Dist("ghostdep", "1.0", "2021-01-01", requires=("neverpublished",)),
    Dist("ghostdep", "1.1", "2021-02-01", requires=("neverpublished>=1", "requests")),
    Dist("halfghost", "1.0", "2021-01-01", requires=("neverpublished",)),
    Dist("halfghost", "2.0", "2022-01-01", tags=(), sdist=True),
    # ... and one whose source-only release says in its setup.py (read, never run) what it needs
    Dist("srcghost", "1.0", "2021-01-01", requires=("neverpublished",)),
    Dist(
        "srcghost",
        "2.0",
        "2022-01-01",
        tags=(),
        sdist=True,
        sdist_files=(
            (
                "setup.py",
                "import setuptools\nsetuptools.setup(name='srcghost', version='2.0',\n"
                "    install_requires=open('requirements.txt').read().splitlines())\n",
            ),
            ("requirements.txt", "neverpublished\n"),
        ),
    ),
    # lock tools whose own dependency broke them later (toolhttp 1.0 dropped what pdm 2.8 used)
    Dist("pdm", "2.8.0", "2023-07-01", requires=("toolhttp>=0.1",)),
    Dist("pdm", "2.26.0", "2025-11-01", requires=("toolhttp>=1.0",)),
    Dist("poetry", "1.4.2", "2023-04-01", requires=("toolhttp",)),
    Dist("poetry", "2.2.0", "2025-09-01", requires=("toolhttp",)),
    Dist("toolhttp", "0.1.5", "2023-06-01"),
    Dist("toolhttp", "1.0.0", "2025-10-20"),
    Dist("uvicorn", "0.24.0", "2023-11-04"),
]


def _wheel(dist: Dist, tag: str) -> tuple[str, bytes, str]:
    stem = f"{canonicalize_name(dist.name).replace('-', '_')}-{dist.version}"
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            f"Name: {dist.name}",
            f"Version: {dist.version}",
            *([f"Requires-Python: {dist.requires_python}"] if dist.requires_python else []),
            *(f"Requires-Dist: {r}" for r in dist.requires),
            "",
            "",
        ]
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for module in dist.modules or (canonicalize_name(dist.name).replace("-", "_"),):
            zf.writestr(f"{module}/__init__.py", f"__version__ = {dist.version!r}\n")
        zf.writestr(f"{stem}.dist-info/METADATA", metadata)
        zf.writestr(
            f"{stem}.dist-info/WHEEL", f"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: {tag}\n"
        )
        zf.writestr(f"{stem}.dist-info/RECORD", "")
    return f"{stem}-{tag}.whl", buf.getvalue(), metadata


def _sdist(dist: Dist) -> tuple[str, bytes]:
    stem = f"{canonicalize_name(dist.name).replace('-', '_')}-{dist.version}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        data = f"Metadata-Version: 2.1\nName: {dist.name}\nVersion: {dist.version}\n".encode()
        info = tarfile.TarInfo(f"{stem}/PKG-INFO")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
        for name, text in dist.sdist_files:
            info = tarfile.TarInfo(f"{stem}/{name}")
            info.size = len(text.encode())
            tf.addfile(info, io.BytesIO(text.encode()))
    return f"{stem}.tar.gz", buf.getvalue()


@dataclass
class FakeIndex:
    url: str = ""  # http://127.0.0.1:PORT/simple
    files: dict[str, bytes] = field(default_factory=dict)
    pages: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    log: list[tuple[str, str, int]] = field(default_factory=list)  # (path, if-none-match, status)
    html_only: bool = False
    down: bool = False  # answer 503 to everything
    max_age: int = 600
    metadata_files: bool = True  # serve PEP 658 `.metadata`

    def add(self, dist: Dist) -> None:
        entries = self.pages.setdefault(canonicalize_name(dist.name), [])
        built = [_wheel(dist, tag) for tag in dist.tags]
        if dist.sdist:
            built.append((*_sdist(dist), ""))
        for filename, data, metadata in built:
            self.files[filename] = data
            if metadata:
                self.files[filename + ".metadata"] = metadata.encode()
            entries.append(
                {
                    "filename": filename,
                    "url": f"../../files/{filename}",
                    "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                    "requires-python": dist.requires_python,
                    "yanked": dist.yanked or False,
                    "upload-time": f"{dist.uploaded}T12:00:00.000000Z",
                    **(
                        {"core-metadata": {"sha256": hashlib.sha256(metadata.encode()).hexdigest()}}
                        if metadata
                        else {}
                    ),
                }
            )

    def requests_for(self, project: str) -> list[tuple[str, str, int]]:
        return [e for e in self.log if e[0] == f"/simple/{project}/"]


def _handler(index: FakeIndex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(
            self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
        ) -> None:
            # Logged before answering, so a test that reads the log after a reply sees it.
            index.log.append((self.path, self.headers.get("If-None-Match") or "", status))
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            if index.down:
                return self._send(503)
            m = re.fullmatch(r"/simple/([^/]+)/", self.path)
            if m:
                return self._page(m.group(1))
            m = re.fullmatch(r"/files/(.+)", self.path)
            if (
                m
                and m.group(1) in index.files
                and (index.metadata_files or not m.group(1).endswith(".metadata"))
            ):
                return self._file(index.files[m.group(1)])
            return self._send(404)

        do_HEAD = do_GET

        def _page(self, name: str) -> None:
            entries = index.pages.get(name)
            if entries is None:
                return self._send(404)
            wants_json = "application/vnd.pypi.simple.v1+json" in (self.headers.get("Accept") or "")
            if wants_json and not index.html_only:
                body = json.dumps(
                    {"meta": {"api-version": "1.1"}, "name": name, "files": entries}
                ).encode()
                ctype = "application/vnd.pypi.simple.v1+json"
            else:
                anchors = "".join(
                    f'<a href="{e["url"]}#sha256={e["hashes"]["sha256"]}"'  # type: ignore[index]
                    + (
                        f' data-requires-python="{str(e["requires-python"]).replace(">", "&gt;").replace("<", "&lt;")}"'
                        if e["requires-python"]
                        else ""
                    )
                    + (f' data-yanked="{e["yanked"]}"' if e["yanked"] else "")
                    + f">{e['filename']}</a><br>"
                    for e in entries
                )
                body = f"<!DOCTYPE html><html><body>{anchors}</body></html>".encode()
                ctype = "text/html"
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers = {"ETag": etag, "Cache-Control": f"max-age={index.max_age}"}
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", headers)
            self._send(200, body, {**headers, "Content-Type": ctype})

        def _file(self, data: bytes) -> None:
            wanted = self.headers.get("Range")
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted or "")
            if not m:
                return self._send(
                    200,
                    data,
                    {"Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"},
                )
            if m.group(1) == "":
                start, end = max(0, len(data) - int(m.group(2))), len(data) - 1
            else:
                start, end = int(m.group(1)), min(len(data) - 1, int(m.group(2) or len(data) - 1))
            self._send(
                206, data[start : end + 1], {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
            )

    return Handler


@pytest.fixture(scope="session")
def _index_server() -> Iterator[FakeIndex]:
    index = FakeIndex()
    for dist in CATALOGUE:
        index.add(dist)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(index))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    index.url = f"http://127.0.0.1:{server.server_address[1]}/simple"
    yield index
    server.shutdown()
    server.server_close()


@pytest.fixture
def isolated_pip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No pip configuration, no find-links or constraints, a private cache dir."""
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    for var in (
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "PIP_FIND_LINKS",
        "PIP_NO_INDEX",
        "UV_INDEX_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PIP_CONSTRAINT", "")
    cache = tmp_path / "cache"
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def fake_index(
    _index_server: FakeIndex, isolated_pip: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeIndex]:
    _index_server.log.clear()
    _index_server.html_only = _index_server.down = False
    _index_server.max_age = 600
    _index_server.metadata_files = True
    monkeypatch.setenv("PIP_INDEX_URL", _index_server.url)
    yield _index_server
