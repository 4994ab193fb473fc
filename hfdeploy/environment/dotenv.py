"""`.env` files read the way python-dotenv reads them, keeping where every key and value is
written, plus the name-based guess of which variables hold secrets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Span
from hfdeploy.secret_names import looks_secret_name

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Files that document variables rather than set them: their values are placeholders.
PLACEHOLDER_MARKERS = ("example", "sample", "template", "dist", "defaults")
# Read even when git-ignored: the usual names a local setup uses.
COMMON_ENV_FILES = (
    ".env",
    ".env.local",
    ".env.development",
    ".env.dev",
    ".env.production",
    ".env.prod",
    ".env.staging",
)

_ASSIGNMENT = re.compile(
    r"[ \t]*(?:export[ \t]+)?(?P<q>['\"]?)(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)(?P=q)[ \t]*=[ \t]*"
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}
_PLACEHOLDER_VALUE = re.compile(
    r"^(|<.*>|\$\{.*\}|x+|\.\.\.|changeme|change[-_]me|todo|your[-_].*|replace[-_]?me.*|secret)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EnvEntry:
    key: str
    value: str  # as python-dotenv returns it: unquoted, escapes of "..." processed
    key_span: Span
    value_span: Span  # the value as written, without its quotes: where an edit goes
    quote: str  # "", "'" or '"'
    positions: tuple[int, ...]  # file offset of each character of `value`


@dataclass(frozen=True)
class EnvFile:
    path: PurePosixPath
    entries: tuple[EnvEntry, ...]

    @property
    def placeholder(self) -> bool:
        return is_placeholder_file(self.path)

    def names(self) -> list[str]:
        return list(dict.fromkeys(e.key for e in self.entries))


def is_placeholder_file(path: PurePosixPath) -> bool:
    name = path.name.lower()
    return any(
        marker in name.split(".")[1:] or name.startswith(marker) for marker in PLACEHOLDER_MARKERS
    )


def is_env_file_name(name: str) -> bool:
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def env_files(project: Project) -> list[EnvFile]:
    """Every `.env`-style file: the common names at the root (ignored or not) and any listed one."""

    def collect() -> list[EnvFile]:
        paths = {PurePosixPath(n) for n in COMMON_ENV_FILES}
        paths |= {p for p in project.files() if is_env_file_name(p.name)}
        found = []
        for path in sorted(paths, key=str):
            source = project.source(path)
            if source is not None:
                found.append(EnvFile(path, tuple(parse_env(source.text))))
        return found

    return project.memo("env-files", collect)


def parse_env(text: str) -> list[EnvEntry]:
    entries: list[EnvEntry] = []
    pos = 0
    while pos < len(text):
        line_end = text.find("\n", pos)
        line_end = len(text) if line_end == -1 else line_end
        match = _ASSIGNMENT.match(text, pos, line_end)
        if match is None:
            pos = line_end + 1
            continue
        key_span = Span(match.start("key"), match.end("key"))
        entry, pos = _value(text, match.end(), line_end, match.group("key"), key_span)
        entries.append(entry)
    return entries


def _value(text: str, start: int, line_end: int, key: str, key_span: Span) -> tuple[EnvEntry, int]:
    quote = text[start] if start < len(text) and text[start] in "'\"" else ""
    if quote:
        chars: list[str] = []
        positions: list[int] = []
        i = start + 1
        while i < len(text) and text[i] != quote:
            if text[i] == "\\" and i + 1 < len(text) and (quote == '"' or text[i + 1] in "'\\"):
                chars.append(_ESCAPES.get(text[i + 1], "\\" + text[i + 1]))
                positions.append(i)
                i += 2
                continue
            chars.append(text[i])
            positions.append(i)
            i += 1
        if i < len(text):  # a closing quote: the value may have spanned lines
            end = text.find("\n", i)
            entry = EnvEntry(
                key, "".join(chars), key_span, Span(start + 1, i), quote, tuple(positions)
            )
            return entry, (len(text) if end == -1 else end + 1)
        # No closing quote: python-dotenv then reads the rest of the line unquoted.
    raw = text[start:line_end].rstrip("\r")
    comment = re.search(r"\s+#", raw)
    raw = (raw[: comment.start()] if comment else raw).rstrip()
    entry = EnvEntry(
        key, raw, key_span, Span(start, start + len(raw)), "", tuple(range(start, start + len(raw)))
    )
    return entry, line_end + 1


def has_url_password(value: str) -> bool:
    match = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:(?P<pw>.+)@", value)
    return match is not None and not is_placeholder_value(match.group("pw"))


def is_placeholder_value(value: str) -> bool:
    return bool(_PLACEHOLDER_VALUE.match(value.strip()))


def secret_entries(env: EnvFile) -> list[EnvEntry]:
    """Entries whose value looks like a real secret: a secret-looking name with a value that is
    not a placeholder, or a URL with a password."""
    return [
        e
        for e in env.entries
        if (
            looks_secret_name(e.key)
            and not is_placeholder_value(e.value)
            and not e.value.isdigit()
            and not _CREDENTIAL_FREE_URL.match(e.value)
        )
        or has_url_password(e.value)
    ]


# `DATABASE_URL=sqlite:///./app.db`: a URL with no user, password or query holds no secret.
_CREDENTIAL_FREE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^@?#\s]*$")
