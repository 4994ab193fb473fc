"""Releases of a project page seen from the Space image: which files install there, which
release pip would pick, the nearest existing release to a pin, and known binary alternatives."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from hfdeploy.requirements.model import Declared
from hfdeploy.requirements.simple_api import DistFile, ProjectPage

# python:3.X-slim is Debian bookworm (glibc 2.36) or newer, so manylinux wheels up to 2.36 install.
MANYLINUX_GLIBC = (2, 36)
LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}

# Source-only packages (their builds need a compiler and headers the slim image lacks) and the
# package that ships the same code as wheels. Keep it short and certain.
BINARY_ALTERNATIVES = {
    "psycopg2": "psycopg2-binary",
    "mysqlclient": "PyMySQL",  # pure Python; same DB-API, different import name
}
SAME_IMPORT = {"psycopg2"}  # alternatives that keep the import name: a safe swap
# Packages whose C extension is optional: their source build falls back to pure Python when it
# cannot compile (documented by each project). Keep it short and certain.
OPTIONAL_EXTENSIONS = frozenset(
    {"sqlalchemy", "markupsafe", "pyyaml", "msgpack", "simplejson", "websockets"}
)


def pure_python_wheel(found: Mapping[Version, Release]) -> DistFile | None:
    """A `py3-none-any` wheel of any release: evidence the code runs without its extension."""
    for version in sorted(found, reverse=True):
        for wheel in found[version].wheels():
            if wheel.filename.endswith("-none-any.whl"):
                return wheel
    return None


@lru_cache(maxsize=8)
def target_tags(python: str) -> frozenset[Tag]:
    major, minor = (int(p) for p in python.split(".")[:2])
    glibc_major, glibc_minor = MANYLINUX_GLIBC
    platforms = [f"manylinux_{glibc_major}_{m}_x86_64" for m in range(glibc_minor, 4, -1)]
    platforms += [
        f"{legacy}_x86_64"
        for (gmaj, gmin), legacy in LEGACY_MANYLINUX.items()
        if (gmaj, gmin) <= MANYLINUX_GLIBC
    ]
    version = (major, minor)
    tags = set(cpython_tags(version, platforms=platforms))
    tags |= set(compatible_tags(version, f"cp{major}{minor}", platforms=platforms))
    return frozenset(tags)


@dataclass(frozen=True)
class Release:
    version: Version
    rows: tuple[list[Any], ...]

    @cached_property
    def files(self) -> tuple[DistFile, ...]:
        return tuple(DistFile.from_list(r) for r in self.rows)

    @property
    def yanked(self) -> bool:
        """PEP 592: a release is yanked when all of its files are."""
        return all(f.yanked is not None for f in self.files)

    @property
    def yank_reason(self) -> str:
        return next((f.yanked for f in self.files if f.yanked), "")

    @property
    def upload_time(self) -> str | None:
        times = [f.upload_time for f in self.files if f.upload_time]
        return min(times) if times else None

    def wheels(self) -> list[DistFile]:
        return [f for f in self.files if f.filename.endswith(".whl")]

    def has_sdist(self) -> bool:
        return any(not f.filename.endswith(".whl") for f in self.files)

    def target_wheel(self, python: str) -> DistFile | None:
        tags = target_tags(python)
        for f in self.wheels():
            try:
                _, _, _, wheel_tags = parse_wheel_filename(f.filename)
            except InvalidWheelFilename:
                continue
            if wheel_tags & tags:
                return f
        return None

    def requires_python(self, python: str) -> str | None:
        """The Requires-Python that excludes `python`, when every file of the release says so."""
        blocking = None
        for f in self.files:
            if not f.requires_python:
                return None
            try:
                spec = SpecifierSet(f.requires_python)
            except InvalidSpecifier:
                return None  # pip ignores a broken Requires-Python
            if spec.contains(python + ".0", prereleases=True):
                return None
            blocking = f.requires_python
        return blocking


class Releases(Mapping[Version, Release]):
    """A project's releases by version, parsed lazily: looking up one pin parses one version
    string; iterating parses them all (once) in order."""

    def __init__(self, by_text: dict[str, list[list[Any]]]):
        self._by_text = by_text
        self._by_key: dict[str, list[str]] = {}
        for text in by_text:
            self._by_key.setdefault(_cheap_key(text), []).append(text)
        self._all: dict[Version, Release] | None = None

    def _everything(self) -> dict[Version, Release]:
        if self._all is None:
            grouped: dict[Version, list[list[Any]]] = {}
            for text, rows in self._by_text.items():
                try:
                    grouped.setdefault(Version(text), []).extend(rows)
                except InvalidVersion:
                    continue
            self._all = {v: Release(v, tuple(rows)) for v, rows in sorted(grouped.items())}
        return self._all

    def __getitem__(self, version: Version) -> Release:
        if self._all is None:
            texts = [t for t in self._by_key.get(_cheap_key(str(version)), []) if _same(t, version)]
            if texts:
                return Release(version, tuple(r for t in texts for r in self._by_text[t]))
        return self._everything()[version]

    def __iter__(self) -> Iterator[Version]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())


_CHEAP = re.compile(r"v?([\d.]+?)(?:\.0)*([.\-_]?[a-z+].*)?")


def _cheap_key(text: str) -> str:
    """Spellings of one version map to one key ("1.0.0" and "1.0" -> "1"), without parsing."""
    m = _CHEAP.fullmatch(text.lower())
    return m.group(1) + (m.group(2) or "") if m else text.lower()


def _same(text: str, version: Version) -> bool:
    try:
        return Version(text) == version
    except InvalidVersion:
        return False


def releases(page: ProjectPage) -> Releases:
    return Releases(page.groups)


def chosen_release(req: Declared, found: Mapping[Version, Release], python: str) -> Release | None:
    """The release pip would pick for `req`: an exact pin even when yanked, otherwise the
    newest non-yanked, final release the specifier allows whose Requires-Python admits `python`."""
    pin = req.pin
    if pin is not None:
        return found.get(pin)
    allowed = [
        r for v, r in found.items() if req.specifier.contains(v, prereleases=None) and not r.yanked
    ]
    fitting = [r for r in allowed if r.requires_python(python) is None]
    chosen = fitting or allowed
    return chosen[-1] if chosen else None


def nearest_release(pin: Version, found: Mapping[Version, Release], python: str) -> Release | None:
    """The replacement for a pin that was never released: the highest release below it on the
    same major.minor line, else the lowest release above it on that line; only final, not
    yanked releases whose Requires-Python admits `python`."""
    line = [
        r
        for v, r in found.items()
        if v.release[:2] == pin.release[:2]
        and not v.is_prerelease
        and not r.yanked
        and r.requires_python(python) is None
    ]
    below = [r for r in line if r.version < pin]
    above = [r for r in line if r.version > pin]
    return below[-1] if below else (above[0] if above else None)


def neighbours(pin: Version, found: Mapping[Version, Release], count: int = 3) -> list[Version]:
    """Existing final releases closest to `pin`, for the message: some below, some above."""
    finals = [v for v in found if not v.is_prerelease]
    below = [v for v in finals if v < pin][-count:]
    above = [v for v in finals if v > pin][:count]
    return below + above
