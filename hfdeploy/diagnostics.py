"""Findings as data: severities, text edits, fixes and diagnostics. No I/O here."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import PurePosixPath


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


class Applicability(str, enum.Enum):
    SAFE = "safe"  # applied by `fix --write`
    UNSAFE = "unsafe"  # applied only with `--unsafe-fixes`

    def __str__(self) -> str:
        return self.value


class FixAvailability(str, enum.Enum):
    NEVER = "never"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open offsets (str indices) into a file's decoded text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `span` of `path` with `replacement`.

    An empty span inserts, an empty replacement deletes. A file that does not exist reads as "",
    so an edit at 0..0 creates it.
    """

    path: PurePosixPath
    span: Span
    replacement: str

    @classmethod
    def insert(cls, path: PurePosixPath, offset: int, text: str) -> Edit:
        return cls(path, Span(offset, offset), text)

    @classmethod
    def create(cls, path: PurePosixPath, text: str) -> Edit:
        return cls(path, Span(0, 0), text)


@dataclass(frozen=True, slots=True)
class Untrack:
    """Remove `path` from the git index (`git rm --cached`); the file stays on disk."""

    path: PurePosixPath


@dataclass(frozen=True, slots=True)
class Fix:
    title: str  # imperative: "Make `q` keyword-only"
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    untrack: tuple[Untrack, ...] = ()

    @property
    def paths(self) -> set[PurePosixPath]:
        return {e.path for e in self.edits}


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    path: PurePosixPath | None = None  # None: the project as a whole
    span: Span | None = None  # None: the whole file
    fix: Fix | None = None
    notes: tuple[str, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, str, str]:
        return (
            str(self.path) if self.path is not None else "",
            self.span.start if self.span is not None else -1,
            self.code,
            self.message,
        )
