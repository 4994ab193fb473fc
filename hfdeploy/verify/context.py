"""The build context verify sends: the files the Space repository holds, not the whole directory.

A Space builds from its git repository. A file that git ignores (`.env`, `data.db`, a local
`.venv/`) or that was taken out of the index (`git rm --cached .env`, as `fix --write` does with a
committed secret file) exists in this directory but not on the Space, so a `COPY` of it works in a
local `docker build .` and fails on the Space with `"/.env" not found: not found`. verify therefore
stages the repository's files (`Project.repository_files()`) in a temporary directory, hard-linked
where the file system allows it (no copy, no extra space), and builds from there; `.dockerignore`
then applies on top, as on the Space.

One difference from the Space is allowed, and reported (RT033): a `# syntax=docker/dockerfile:<v>`
parser directive makes BuildKit pull the official Dockerfile frontend image before it reads a
line. An engine without registry access (an offline CI runner, a mirror that lacks
`docker/dockerfile`) fails there, although the engine's built-in frontend implements the same
stable syntax. `without_syntax_directive` turns the directive in the *staged* copy into a plain
comment (same line count, so the build's line numbers still match the user's file) so the build can
be retried with the built-in frontend; the user's Dockerfile is never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from hfdeploy.dockerfile.parse import directive_lines
from hfdeploy.project import Project

# The official frontend images: `docker/dockerfile:1`, `docker.io/docker/dockerfile:1.7`,
# `docker/dockerfile-upstream:master`, with an optional digest. Custom frontends are not replaced.
_OFFICIAL_FRONTEND = re.compile(
    r"(?:docker\.io/)?docker/dockerfile(?:-upstream)?(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?"
)
# What BuildKit says when it cannot fetch the frontend image the directive names.
_FRONTEND_UNREACHABLE = re.compile(
    r"frontend gateway\.v0|resolve image config for [\w./-]*docker/dockerfile", re.IGNORECASE
)
_NOT_FOUND = re.compile(r'"/?(?P<path>[^"]+)" not found|stat (?P<stat>\S+): file does not exist')


@contextmanager
def space_context(project: Project) -> Iterator[Path]:
    """A temporary directory holding the repository's files (removed on exit)."""
    staging = Path(tempfile.mkdtemp(prefix="hfdeploy-context-"))
    try:
        root = project.root
        for name in project.repository_files():
            source = root / name
            target = staging / name
            try:
                if not project.inside(name):
                    continue  # a symlink leading out of the repository: never read
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_symlink():
                    os.symlink(os.readlink(source), target)
                elif source.is_file():
                    _link_or_copy(source, target)
            except OSError:
                continue  # unreadable: the build then reports what it misses
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: a copy keeps mode and times
        shutil.copy2(source, target)


def missing_here_only(project: Project, message: str) -> list[str]:
    """Paths a failed `COPY`/`ADD` did not find although they exist in this directory: they are
    not in the repository the Space builds (ignored by git, or not committed)."""
    in_repository = set(project.repository_files())
    found = []
    for match in _NOT_FOUND.finditer(message):
        path = (match.group("path") or match.group("stat") or "").strip("/")
        if not path or path in found:
            continue
        on_disk = project.root / path
        if path not in in_repository and project.inside(path) and on_disk.exists():
            if on_disk.is_file() or not any(n.startswith(path + "/") for n in in_repository):
                found.append(path)
    return found


def syntax_directive(dockerfile_text: str) -> str | None:
    """The official frontend a `# syntax=` parser directive names, or None."""
    for key, value in directive_lines(dockerfile_text):
        if key.lower() == "syntax":
            return value if _OFFICIAL_FRONTEND.fullmatch(value) else None
    return None


def frontend_unreachable(message: str, log_tail: Iterable[str] = ()) -> bool:
    """The build failed fetching the Dockerfile frontend image (before reading the Dockerfile)."""
    return any(_FRONTEND_UNREACHABLE.search(text) for text in (message, *log_tail))


def without_syntax_directive(staging: Path, dockerfile: str = "Dockerfile") -> str | None:
    """Turn the staged Dockerfile's official `# syntax=` directive into a comment; returns the
    frontend it named, or None (no such directive: nothing changed). The staged file may be a hard
    link to the user's: it is replaced by a new file, never written through."""
    path = staging / dockerfile
    try:
        data = path.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", errors="surrogateescape")
    frontend = syntax_directive(text)
    if frontend is None:
        return None
    directives = directive_lines(text)
    at = next(i for i, (key, _) in enumerate(directives) if key.lower() == "syntax")
    key = directives[at][0]
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text[len(bom) :].splitlines(keepends=True)
    # `# hfdeploy-offline syntax=...` is no directive (a space in its key), and a comment ends the
    # directives: it goes after the others (`# escape=` still applies), so no line moves further.
    lines.insert(len(directives) - 1, lines.pop(at).replace(key, "hfdeploy-offline " + key, 1))
    lines[0] = bom + lines[0]
    replacement = path.with_name(path.name + ".hfdeploy-tmp")
    replacement.write_bytes("".join(lines).encode("utf-8", errors="surrogateescape"))
    os.replace(replacement, path)  # a new inode: the hard link to the user's file is dropped
    return frontend
