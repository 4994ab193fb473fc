"""Project pages of the simple repository API: PEP 691 JSON, or PEP 503 HTML as a fallback,
reduced to the per-file facts the checks need (PEP 592 yanked, PEP 700 upload-time)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


@dataclass(frozen=True)
class DistFile:
    filename: str
    url: str
    requires_python: str | None = None
    yanked: str | None = None  # None: not yanked; "" yanked without a reason
    upload_time: str | None = None  # ISO 8601, PEP 700 (JSON only)
    metadata: bool = False  # PEP 658/714: `<url>.metadata` holds the core metadata

    def to_list(self) -> list[Any]:
        return [
            self.filename,
            self.url,
            self.requires_python,
            self.yanked,
            self.upload_time,
            self.metadata,
        ]

    @classmethod
    def from_list(cls, row: list[Any]) -> DistFile:
        return cls(*row)


@dataclass(frozen=True)
class ProjectPage:
    """Files as plain rows (`DistFile.to_list()`) grouped by the version text of their names,
    turned into objects only for the releases a check looks at: big projects list tens of
    thousands of files, and the cache stores this grouping so a warm run does no per-file work."""

    name: str
    groups: dict[str, list[list[Any]]]  # version text -> rows; files without a version dropped
    upload_times: bool  # whether the index published upload times

    @classmethod
    def of(cls, name: str, rows: list[list[Any]], upload_times: bool) -> ProjectPage:
        groups: dict[str, list[list[Any]]] = {}
        elsewhere: set[str] = set()
        for row in rows:
            filename = row[0]
            text = version_text(filename)
            if text is None:
                continue
            if (
                filename.endswith(".whl")
                and not filename.endswith("-any.whl")
                and not ("x86_64" in filename and "linux" in filename)
            ):
                # Wheels that cannot install on linux x86_64 matter only as a sign that the
                # project is compiled: keep one per release, drop the rest (most of a page).
                if text in elsewhere:
                    continue
                elsewhere.add(text)
            groups.setdefault(text, []).append(row)
        return cls(name, groups, upload_times)

    @property
    def rows(self) -> list[list[Any]]:
        return [row for rows in self.groups.values() for row in rows]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "groups": self.groups, "upload_times": self.upload_times}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProjectPage:
        return cls(data["name"], data["groups"], data["upload_times"])


_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")


def version_text(filename: str) -> str | None:
    """The version part of a wheel or sdist filename, by splitting alone (full parsing of tens
    of thousands of names would dominate a run)."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        return parts[1] if len(parts) in (5, 6) else None
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem.rpartition("-")[2] if "-" in stem else None
    return None


class BadPage(ValueError):
    """The index answered with something that is not a project page."""


def parse_json_page(name: str, body: bytes, base_url: str) -> ProjectPage:
    try:
        data = json.loads(body)
        rows = []
        for item in data["files"]:
            yanked = item.get("yanked", False)
            core = item.get("core-metadata", item.get("data-dist-info-metadata", False))
            url = item["url"]
            rows.append(
                [
                    item["filename"],
                    url if url.startswith(("https:", "http:")) else urljoin(base_url, url),
                    item.get("requires-python") or None,
                    (yanked if isinstance(yanked, str) else "") if yanked else None,
                    item.get("upload-time"),
                    bool(core),
                ]
            )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadPage(f"not a PEP 691 JSON page ({exc})") from None
    return ProjectPage.of(name, rows, any(row[4] for row in rows))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[dict[str, str | None], list[str]]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append((dict(attrs), []))
        elif tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        pass

    def handle_data(self, data: str) -> None:
        if self.anchors:
            self.anchors[-1][1].append(data)


def parse_html_page(name: str, body: bytes, base_url: str) -> ProjectPage:
    parser = _Anchors()
    try:
        parser.feed(body.decode("utf-8", "replace"))
    except (ValueError, AssertionError) as exc:  # html.parser is lenient; these mean a broken page
        raise BadPage(f"not a PEP 503 HTML page ({exc})") from None
    base = urljoin(base_url, parser.base) if parser.base else base_url
    files = []
    for attrs, text in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, _fragment = urldefrag(urljoin(base, href))
        filename = url.rstrip("/").rsplit("/", 1)[-1] or "".join(text).strip()
        yanked = attrs.get("data-yanked")
        core = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        files.append(
            DistFile(
                filename=filename,
                url=url,
                requires_python=attrs.get("data-requires-python") or None,
                yanked=(yanked or "") if "data-yanked" in attrs else None,
                metadata=core is not None and core != "false",
            )
        )
    return ProjectPage.of(name, [f.to_list() for f in files], False)
