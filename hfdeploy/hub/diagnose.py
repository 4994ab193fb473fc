"""Turn a Space's build or run log into findings: each known failure text (see `catalogue.py`)
becomes a `Diagnostic` with its rule code, the cure and, when the repository is at hand, the file
and line it concerns. Lines nobody knows stay in the log as they were; error-looking ones among
them are listed so they are not lost in a long log. Every line is redacted before it is kept."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from hfdeploy.diagnostics import Diagnostic, Severity, Span
from hfdeploy.hub.catalogue import LOG_ONLY_CODES, KnownFailure, match_line
from hfdeploy.redact import redact

if TYPE_CHECKING:
    from hfdeploy.project import Project

# `  File "/home/user/app/app/main.py", line 12, in <module>` (tracebacks, SyntaxError reports)
_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+)')
_ERRORISH = re.compile(
    r"\b(?:error|exception|traceback|failed|fatal|killed|denied)\b", re.IGNORECASE
)
# How far back a traceback frame may stand from the line that names the error.
_FRAME_WINDOW = 60
# The package a source build failure is about, when the log names a tool rather than a package.
_BUILD_TOOL_PACKAGE = {"pg-config": "psycopg2", "mysql-config": "mysqlclient"}
_DOCKERFILE_KEYS = frozenset(
    {"apt-after-user", "executable-not-found", "exec-format", "cache-permission"}
)
_README_KEYS = frozenset({"missing-config", "missing-app-file"})


@dataclass
class LogReport:
    lines: list[str]  # the whole log, redacted
    findings: list[Diagnostic] = field(default_factory=list)
    unrecognised: list[tuple[int, str]] = field(default_factory=list)  # (1-based line, text)


def diagnose(
    raw_lines: Iterable[str], project: Project | None = None, *, secrets: Iterable[str] = ()
) -> LogReport:
    """Read a log; `secrets` are exact values (from `--env-file`) masked wherever they appear."""
    lines = scrub_lines(raw_lines, secrets)
    report = LogReport(lines=lines)
    seen: dict[tuple[str, str], Diagnostic] = {}
    last_frame: tuple[int, str, int] | None = None  # (log line index, path, line)
    for index, line in enumerate(lines):
        frame = _FRAME.match(line)
        if frame:
            last_frame = (index, frame.group("path"), int(frame.group("line")))
            continue
        hit = match_line(line)
        if hit is None:
            if _ERRORISH.search(line) and not line.lstrip().startswith(("#", "Step ", "--->")):
                report.unrecognised.append((index + 1, line))
            continue
        entry, detail = hit
        if (entry.key, detail) in seen:
            continue
        near = None
        if entry.traceback and last_frame and index - last_frame[0] <= _FRAME_WINDOW:
            near, last_frame = last_frame, None
        finding = _finding(entry, detail, index, line, near, project)
        seen[(entry.key, detail)] = finding
        report.findings.append(finding)
    return report


def scrub_lines(lines: Iterable[str], secrets: Iterable[str] = ()) -> list[str]:
    """Lines as they may be shown: known secret values and secret-looking text masked."""
    hidden = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)
    return [_scrub(line.rstrip("\r\n"), hidden) for line in lines]


def _scrub(line: str, hidden: list[str]) -> str:
    for value in hidden:
        line = line.replace(value, "***")
    return redact(line)


def _finding(
    entry: KnownFailure,
    detail: str,
    index: int,
    line: str,
    frame: tuple[int, str, int] | None,
    project: Project | None,
) -> Diagnostic:
    notes = [f"log line {index + 1}: {line.strip()}"]
    path, span = _locate(entry, detail, frame, project)
    if frame is not None and path is None:
        notes.append(f"in the image at {frame[1]}, line {frame[2]}")
    notes.append(f"Fix: {entry.fix}")
    if entry.platform:
        notes.append("This is the platform's side, not a problem in the repository.")
    if entry.code in LOG_ONLY_CODES:
        notes.append(f"See `hfdeploy explain {entry.code}`.")
    else:
        tool = "verify" if entry.code.startswith("RT") else "check"
        notes.append(
            f"Before the next push, `hfdeploy {tool}` reports this cause as {entry.code} "
            f"(`hfdeploy explain {entry.code}`)."
        )
    return Diagnostic(
        code=entry.code,
        severity=Severity.WARNING if entry.platform else Severity.ERROR,
        message=entry.title.format(detail) if "{0}" in entry.title else entry.title,
        path=path,
        span=span,
        notes=tuple(notes),
    )


def _locate(
    entry: KnownFailure,
    detail: str,
    frame: tuple[int, str, int] | None,
    project: Project | None,
) -> tuple[PurePosixPath | None, Span | None]:
    if project is None:
        return None, None
    if frame is not None:
        located = _repo_file(project, frame[1])
        if located is not None:
            return located, _line_span(project, located, frame[2])
    package = _BUILD_TOOL_PACKAGE.get(entry.key) or (
        re.split(r"[=<>!~;\[ ]", detail, maxsplit=1)[0]
        if entry.key in ("no-distribution", "wheel-build-failed")
        else ""
    )
    if package:
        declared = _declared(project, package)
        if declared is not None:
            return declared
    if entry.key in _DOCKERFILE_KEYS and project.exists("Dockerfile"):
        return PurePosixPath("Dockerfile"), None
    if entry.key in _README_KEYS:
        return PurePosixPath("README.md"), None
    return None, None


def _repo_file(project: Project, image_path: str) -> PurePosixPath | None:
    """The repository file an in-image path is a copy of: the longest path suffix that names a
    project file (`/home/user/app/app/main.py` → `app/main.py`)."""
    parts = PurePosixPath(image_path).parts
    files = {str(p) for p in project.python_files()}
    for start in range(1, len(parts)):
        candidate = "/".join(parts[start:])
        if candidate in files:
            return PurePosixPath(candidate)
    return None


def _line_span(project: Project, path: PurePosixPath, line: int) -> Span | None:
    source = project.source(path)
    if source is None:
        return None
    lines = source.text.splitlines(keepends=True)
    if not 0 < line <= len(lines):
        return None
    start = sum(len(text) for text in lines[: line - 1])
    return Span(start, start + len(lines[line - 1].rstrip("\r\n")))


def _declared(project: Project, package: str) -> tuple[PurePosixPath, Span] | None:
    from hfdeploy.requirements.declared import dependency_set

    wanted = canonicalize_name(package)
    for item in dependency_set(project).direct:
        if item.key == wanted:
            return item.path, item.span
    return None
