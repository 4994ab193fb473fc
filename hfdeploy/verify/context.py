"""The build context verify sends: the files the Space repository holds, not the whole directory.

A Space builds from its git repository. A file that git ignores (`.env`, `data.db`, a local
`.venv/`) or that was taken out of the index (`git rm --cached .env`, as `fix --write` does with a
committed secret file) exists in this directory but not on the Space, so a `COPY` of it works in a
local `docker build .` and fails on the Space with `"/.env" not found: not found`. verify therefore
stages the repository's files (`Project.repository_files()`) in a temporary directory, hard-linked
where the file system allows it (no copy, no extra space), and builds from there; `.dockerignore`
then applies on top, as on the Space.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hfdeploy.project import Project

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
