"""Project pages of the simple repository API: PEP 691 JSON, or PEP 503 HTML as a fallback,
reduced to the per-file facts the checks need (PEP 592 yanked, PEP 700 upload-time)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urldefrag

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
        return [self.filename, self.url, self.requires_python, self.yanked, self.upload_time, self.metadata]

    @classmethod
    def from_list(cls, row: list[Any]) -> DistFile:
        return cls(*row)


@dataclass(frozen=True)
class ProjectPage:
    name: str
    files: tuple[DistFile, ...]
    upload_times: bool  # whether the index published upload times

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "files": [f.to_list() for f in self.files], "upload_times": self.upload_times}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProjectPage:
        return cls(data["name"], tuple(DistFile.from_list(r) for r in data["files"]), data["upload_times"])


class BadPage(ValueError):
    """The index answered with something that is not a project page."""


def parse_json_page(name: str, body: bytes, base_url: str) -> ProjectPage:
    try:
        data = json.loads(body)
        files = []
        for item in data["files"]:
            yanked = item.get("yanked", False)
            core = item.get("core-metadata", item.get("data-dist-info-metadata", False))
            files.append(DistFile(
                filename=item["filename"],
                url=urljoin(base_url, item["url"]),
                requires_python=item.get("requires-python") or None,
                yanked=(yanked if isinstance(yanked, str) else "") if yanked else None,
                upload_time=item.get("upload-time"),
                metadata=bool(core),
            ))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadPage(f"not a PEP 691 JSON page ({exc})") from None
    return ProjectPage(name, tuple(files), any(f.upload_time for f in files))


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
    except Exception as exc:  # html.parser is lenient; anything else is a broken page
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
        files.append(DistFile(
            filename=filename,
            url=url,
            requires_python=attrs.get("data-requires-python") or None,
            yanked=(yanked or "") if "data-yanked" in attrs else None,
            metadata=core is not None and core != "false",
        ))
    return ProjectPage(name, tuple(files), False)
