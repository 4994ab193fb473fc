"""Declared dependencies as values: what a file asks for, and exactly where it says it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from hfdeploy.diagnostics import Span

# The lock `hfdeploy fix` writes (RQ009); other domains read whether it exists and what it pins.
LOCK_FILE = PurePosixPath("requirements.lock")


@dataclass(frozen=True)
class Declared:
    """One requirement as written in a requirements file or pyproject.toml."""

    name: str  # as written
    extras: frozenset[str]
    specifier: SpecifierSet
    marker: Marker | None
    path: PurePosixPath
    line: int  # 1-based
    span: Span  # the requirement text, for locating findings
    name_span: Span
    version_span: Span | None = None  # the version of an exact `==` pin, for splicing fixes
    url: str | None = None  # `name @ url`, VCS links, local paths: not looked up on the index
    editable: bool = False
    constraint: bool = False  # from a `-c` file: limits versions, installs nothing
    hashes: tuple[str, ...] = ()
    source: str = "requirements"  # "requirements" | "pyproject" | "poetry"

    @property
    def key(self) -> NormalizedName:
        return canonicalize_name(self.name)

    @property
    def pin(self) -> Version | None:
        """The version of an exact `==X` (or `===X`) pin without wildcards, else None."""
        specs = list(self.specifier)
        if len(specs) != 1 or specs[0].operator not in ("==", "===") or "*" in specs[0].version:
            return None
        try:
            return Version(specs[0].version)
        except InvalidVersion:
            return None

    @property
    def checkable(self) -> bool:
        """Looked up on the index: a named requirement without a URL, not editable."""
        return self.url is None and not self.editable

    def requirement_text(self) -> str:
        """Normalised `name[extras]specifier; marker`, for lock inputs and hashing."""
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        spec = ",".join(sorted(str(s) for s in self.specifier))
        text = f"{self.key}{extras}{spec}"
        if self.url:
            text = f"{self.key}{extras} @ {self.url}"
        if self.marker is not None:
            text += f" ; {self.marker}"
        return text


@dataclass(frozen=True)
class SyntaxProblem:
    """Text a package installer would reject or misread: reported, never raised."""

    path: PurePosixPath
    span: Span
    message: str
    severity: str = "error"  # "error" | "warning" | "info"


@dataclass(frozen=True)
class Include:
    """A `-r FILE` or `-c FILE` line, its target resolved against the including file."""

    target: PurePosixPath
    constraint: bool
    span: Span


@dataclass
class ParsedFile:
    path: PurePosixPath
    requirements: list[Declared] = field(default_factory=list)
    problems: list[SyntaxProblem] = field(default_factory=list)
    index_url: str | None = None  # `-i/--index-url` inside the file
    extra_index_urls: list[str] = field(default_factory=list)
    no_index: bool = False
    includes: list[Include] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)  # `-f/--find-links` locations
