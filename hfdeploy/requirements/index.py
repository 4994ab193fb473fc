"""A client for simple-API package indexes: concurrent lookups, an on-disk HTTP cache
revalidated with ETag/Last-Modified, an offline mode, timeouts, retries, and failures as values.

A project is "missing" only when every index answered 404; any index that could not answer
makes the lookup "unavailable", so an outage never reads as "does not exist"."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from packaging.utils import canonicalize_name

from hfdeploy.cache import cache_root
from hfdeploy.redact import redact_url
from hfdeploy.requirements.simple_api import (
    ACCEPT,
    JSON_TYPE,
    BadPage,
    DistFile,
    ProjectPage,
    parse_html_page,
    parse_json_page,
)
from hfdeploy.requirements.wheel_metadata import (
    local_wheel_metadata,
    local_wheel_top_levels,
    wheel_metadata,
    wheel_top_levels,
)


def url2pathname(path: str) -> str:
    """`urllib.request.url2pathname`, imported when a `file:` URL is read: urllib.request
    brings http.client, ssl and email with it, which `check` need not load to start."""
    from urllib.request import url2pathname as convert

    return convert(path)


TIMEOUT = (5.0, 20.0)  # connect, read (seconds)
RETRIES = 2  # after the first try, for connection errors, timeouts, 429 and 5xx
DEFAULT_MAX_AGE = 600  # seconds, when the index sends no Cache-Control (PyPI sends 600)
WORKERS = 8
CACHE_VERSION = "v3"


@dataclass(frozen=True)
class Lookup:
    name: str
    page: ProjectPage | None = None  # merged over every index that has the project
    error: str | None = None  # why it could not be looked up (network, offline cache miss)

    @property
    def missing(self) -> bool:
        return self.page is None and self.error is None


class IndexError_(Exception):
    """One index could not answer for one project."""


class IndexClient:
    def __init__(
        self,
        urls: tuple[str, ...],
        *,
        offline: bool = False,
        cache_dir: Path | None = None,
        on_read: Callable[[Path], None] | None = None,
    ):
        self.urls = urls
        self.offline = offline
        self.cache_dir = (cache_dir or cache_root()) / "index" / CACHE_VERSION
        # told every local file an answer is read from (cache entries, file: indexes, local
        # wheels), present or not, before it is read
        self._on_read = on_read or (lambda path: None)
        self._local = threading.local()
        self._dead: dict[str, str] = {}  # index url -> reason, after a connection failure

    # -- public ------------------------------------------------------------------------------
    def lookup_many(
        self, names: list[str], then: Callable[[Lookup], object] | None = None
    ) -> dict[str, Lookup]:
        """Look projects up concurrently; `then(lookup)` runs in the same worker right after
        each answer (to fetch a pinned release's metadata while other pages still load)."""
        keys = list(dict.fromkeys(canonicalize_name(n) for n in names))

        def work(key: str) -> Lookup:
            found = self.lookup(key)
            if then is not None:
                then(found)
            return found

        if len(keys) <= 1:
            return {k: work(k) for k in keys}
        with ThreadPoolExecutor(min(WORKERS, len(keys))) as pool:
            return dict(zip(keys, pool.map(work, keys), strict=False))

    def lookup(self, name: str) -> Lookup:
        key = canonicalize_name(name)
        if not self.urls:
            return Lookup(key, error="no package index is configured (--no-index)")
        pages: list[ProjectPage] = []
        for url in self.urls:
            try:
                page = self._page(url, key)
            except IndexError_ as exc:
                return Lookup(key, error=str(exc))
            if page is not None:
                pages.append(page)
        if not pages:
            return Lookup(key)
        if len(pages) == 1:
            return Lookup(key, pages[0])
        rows = {row[0]: row for p in reversed(pages) for row in p.rows}  # first index wins
        return Lookup(
            key, ProjectPage.of(key, list(rows.values()), all(p.upload_times for p in pages))
        )

    def core_metadata(self, file: DistFile) -> str | None:
        """A wheel's METADATA, cached for good: a release's files never change."""
        if not file.filename.endswith(".whl"):
            return None
        path = self.cache_dir.parent / "metadata" / hashlib.sha256(file.url.encode()).hexdigest()
        self._on_read(path)
        try:
            return path.read_text("utf-8")
        except OSError:
            pass
        if file.url.startswith("file:"):
            local = Path(url2pathname(urlparse(file.url).path))
            self._on_read(local)
            return local_wheel_metadata(local)
        if self.offline:
            return None

        def fetch(url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
            return self._get(url, headers, "*/*")

        try:
            text = wheel_metadata(fetch, file.url)
        except IndexError_:
            return None
        if text is not None:
            _write_atomic(path, text.encode())
        return text

    def download(self, file: DistFile) -> bytes:
        """A release file's bytes (from a `file:` index, or over HTTP with the index's retries);
        `IndexError_` when it cannot be had (offline, HTTP error, unreadable)."""
        if file.url.startswith("file:"):
            local = Path(url2pathname(urlparse(file.url).path))
            self._on_read(local)
            try:
                return local.read_bytes()
            except OSError as exc:
                raise IndexError_(f"cannot read {local} ({exc.strerror})") from None
        if self.offline:
            raise IndexError_("offline")
        status, body, _ = self._get(file.url.split("#", 1)[0], {}, "*/*")
        if status != 200:
            raise IndexError_(f"{redact_url(file.url)} answered HTTP {status}")
        return body

    def wheel_modules(self, file: DistFile) -> frozenset[str] | None:
        """The top-level modules a wheel installs, cached for good (one line per module)."""
        if not file.filename.endswith(".whl"):
            return None
        path = self.cache_dir.parent / "modules" / hashlib.sha256(file.url.encode()).hexdigest()
        self._on_read(path)
        try:
            return frozenset(path.read_text("utf-8").split())
        except OSError:
            pass
        if file.url.startswith("file:"):
            local = Path(url2pathname(urlparse(file.url).path))
            self._on_read(local)
            return local_wheel_top_levels(local)
        if self.offline:
            return None

        def fetch(url: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
            return self._get(url, headers, "*/*")

        try:
            found = wheel_top_levels(fetch, file.url)
        except (IndexError_, OSError):
            return None
        if found is not None:
            _write_atomic(path, "\n".join(sorted(found)).encode())
        return found

    # -- one index, one project ---------------------------------------------------------------
    def _page(self, index: str, key: str) -> ProjectPage | None:
        url = f"{index.rstrip('/')}/{key}/"
        if url.startswith("file:"):
            return self._file_page(url, key)
        if urlparse(index).scheme not in ("http", "https"):  # `-i notaurl`, a typo
            raise IndexError_(f"`{redact_url(index)}` is not an http(s) or file: URL")
        path = self.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")
        self._on_read(path)
        entry = _read_json(path)
        if entry is not None and (self.offline or entry["expires"] > time.time()):
            return ProjectPage.from_json(entry["page"]) if entry["page"] else None
        if self.offline:
            raise IndexError_("offline, and not in the cache")
        if index in self._dead:
            raise IndexError_(self._dead[index])
        headers = {}
        if entry and entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry and entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
        try:
            status, body, resp_headers = self._get(url, headers, ACCEPT)
        except IndexError_ as exc:
            self._dead[index] = str(exc)
            raise
        if status == 304 and entry is not None:
            entry["expires"] = time.time() + _max_age(resp_headers)
            _write_atomic(path, json.dumps(entry).encode())
            return ProjectPage.from_json(entry["page"]) if entry["page"] else None
        if status == 404:
            page = None
        elif status == 200:
            ctype = resp_headers.get("content-type", "")
            try:
                parse = (
                    parse_json_page if JSON_TYPE in ctype or "json" in ctype else parse_html_page
                )
                page = parse(key, body, url)
            except BadPage as exc:
                raise IndexError_(f"{redact_url(index)} answered with {exc}") from None
            if not page.groups:
                # A real project page lists files; a 200 with none is a broken proxy or mirror,
                # not "never released" for every pin.
                raise IndexError_(f"{redact_url(index)} answered an empty page for {key}")
        else:
            raise IndexError_(f"{redact_url(index)} answered HTTP {status} for {key}")
        entry = {
            "url": redact_url(url),
            "etag": resp_headers.get("etag"),
            "last_modified": resp_headers.get("last-modified"),
            "expires": time.time() + _max_age(resp_headers),
            "page": page.to_json() if page else None,
        }
        _write_atomic(path, json.dumps(entry).encode())
        return page

    def _file_page(self, url: str, key: str) -> ProjectPage | None:
        target = Path(url2pathname(urlparse(url).path))
        self._on_read(target)
        if target.is_dir():
            target = target / "index.html"
            self._on_read(target)
        try:
            body = target.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise IndexError_(f"cannot read {target} ({exc.strerror})") from None
        try:
            return parse_html_page(key, body, target.as_uri())
        except BadPage as exc:
            raise IndexError_(f"{target}: {exc}") from None

    def _get(
        self, url: str, headers: dict[str, str], accept: str
    ) -> tuple[int, bytes, dict[str, str]]:
        import requests  # only when the network is needed: it costs ~0.1 s to import

        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["User-Agent"] = "hfdeploy (index check)"
        last = ""
        for attempt in range(RETRIES + 1):
            if attempt:
                time.sleep(0.25 * 2 ** (attempt - 1))
            try:
                resp = session.get(url, headers={"Accept": accept, **headers}, timeout=TIMEOUT)
            except requests.RequestException as exc:
                last = _short_error(exc)
                continue
            if resp.status_code == 429 or resp.status_code >= 500:
                last = f"HTTP {resp.status_code}"
                continue
            return resp.status_code, resp.content, {k.lower(): v for k, v in resp.headers.items()}
        host = urlparse(url).netloc.rsplit("@", 1)[-1]
        raise IndexError_(f"{host} did not answer ({last})")


def _short_error(exc: Exception) -> str:
    text = str(exc)
    for pattern, label in (
        (
            r"Name or service not known|nodename nor servname|getaddrinfo failed|Temporary failure in name resolution",
            "name not resolved",
        ),
        (r"Connection refused", "connection refused"),
        (r"timed out|Timeout", "timed out"),
        (r"SSL|certificate", "TLS error"),
    ):
        if re.search(pattern, text):
            return label
    return type(exc).__name__


def _max_age(headers: dict[str, str]) -> float:
    control = headers.get("cache-control", "")
    if "no-store" in control or "no-cache" in control:
        return 0
    m = re.search(r"max-age=(\d+)", control)
    if m:
        return float(m.group(1))
    expires = headers.get("expires")
    if expires:
        try:
            import email.utils  # deferred: only a fetch reads an Expires header

            return max(0.0, email.utils.parsedate_to_datetime(expires).timestamp() - time.time())
        except (TypeError, ValueError):
            pass
    return DEFAULT_MAX_AGE


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None  # a missing or torn cache entry is just a miss
    return data if isinstance(data, dict) and "expires" in data else None


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs speed
