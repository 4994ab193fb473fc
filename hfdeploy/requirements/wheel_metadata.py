"""A wheel's METADATA without downloading the whole wheel: PEP 658 `<url>.metadata` when the
index serves it, else HTTP range requests for the zip's tail and the one member (as pip's
"lazy wheel" does). Returns None when neither works."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

CHUNK = 64 * 1024

# fetch(url, headers) -> (status, body, headers with lower-case names)
Fetch = Callable[[str, dict[str, str]], tuple[int, bytes, dict[str, str]]]


class _RangeFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, filled by range requests on demand."""

    def __init__(self, fetch: Fetch, url: str, size: int, tail: bytes):
        self._fetch, self._url, self._size, self._pos = fetch, url, size, 0
        self._chunks: dict[int, bytes] = {size - len(tail): tail}

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _have(self, start: int, end: int) -> bytes | None:
        for at, data in self._chunks.items():
            if at <= start and end <= at + len(data):
                return data[start - at : end - at]
        return None

    def read(self, n: int = -1) -> bytes:
        end = self._size if n < 0 else min(self._size, self._pos + n)
        if end <= self._pos:
            return b""
        data = self._have(self._pos, end)
        if data is None:
            stop = max(end, min(self._size, self._pos + CHUNK))
            status, body, _ = self._fetch(self._url, {"Range": f"bytes={self._pos}-{stop - 1}"})
            if status != 206 or len(body) != stop - self._pos:
                raise OSError(f"range request failed (HTTP {status})")
            self._chunks[self._pos] = body
            data = body[: end - self._pos]
        self._pos += len(data)
        return data

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def wheel_metadata(fetch: Fetch, url: str) -> str | None:
    status, body, _ = fetch(url + ".metadata", {})
    if status == 200 and body.startswith(b"Metadata-Version"):
        return body.decode("utf-8", "replace")
    handle = _open_zip(fetch, url)
    return None if handle is None else _read_member(handle)


def wheel_top_levels(fetch: Fetch, url: str) -> frozenset[str] | None:
    """The top-level import names a wheel installs, read from the zip's file list (what its
    RECORD lists) through range requests: the central directory, never the whole wheel."""
    handle = _open_zip(fetch, url)
    return None if handle is None else _top_levels(handle)


def _open_zip(fetch: Fetch, url: str) -> io.IOBase | None:
    """The wheel as a seekable file: its end first (a range request), the rest only as read."""
    status, body, headers = fetch(url, {"Range": f"bytes=-{CHUNK}"})
    if status == 206:
        m = re.search(r"/(\d+)\s*$", headers.get("content-range", ""))
        if not m:
            return None
        return _RangeFile(fetch, url, int(m.group(1)), body)
    if status == 200:
        return io.BytesIO(body)
    return None


def local_wheel_top_levels(path: Path) -> frozenset[str] | None:
    try:
        with path.open("rb") as handle:
            return _top_levels(handle)
    except OSError:
        return None


def _top_levels(handle: io.IOBase | BinaryIO) -> frozenset[str] | None:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile, KeyError, EOFError):
        return None
    tops: set[str] = set()
    for name in names:
        parts = name.split("/")
        if parts[0].endswith(".data") and len(parts) > 3 and parts[1] in ("purelib", "platlib"):
            parts = parts[2:]
        elif parts[0].endswith((".dist-info", ".data")):
            continue
        first = parts[0]
        if len(parts) > 1:
            tops.add(first)
        elif first.endswith((".py", ".so", ".pyd")):
            tops.add(first.split(".", 1)[0])
    return frozenset(t for t in tops if t.isidentifier())


def local_wheel_metadata(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return _read_member(handle)
    except OSError:
        return None


def _read_member(handle: io.IOBase | BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
            return archive.read(names[0]).decode("utf-8", "replace") if names else None
    except (OSError, zipfile.BadZipFile, KeyError, EOFError):
        return None
