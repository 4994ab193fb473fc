"""Write a file so that readers see the old bytes or the new ones, never a torn mix."""

from __future__ import annotations

import os
import tempfile


def atomic_write(target: os.PathLike[str] | str, data: bytes) -> None:
    target = os.fspath(target)
    directory = os.path.dirname(target) or "."
    os.makedirs(directory, exist_ok=True)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".hfdeploy-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_all(items: list[tuple[str, bytes]]) -> None:
    """Write several files as one change: every new content goes to a private temp file (mode
    0600) first; only when all are ready are they renamed into place. If a rename fails, the
    files already replaced get their old bytes back; temp files are always removed."""
    staged: list[tuple[str, str, bytes | None, int]] = []  # target, tmp, old bytes, mode
    done: list[tuple[str, bytes | None, int]] = []
    try:
        for target, data in items:
            directory = os.path.dirname(target) or "."
            os.makedirs(directory, exist_ok=True)
            try:
                mode = os.stat(target).st_mode & 0o7777
                with open(target, "rb") as handle:
                    old: bytes | None = handle.read()
            except FileNotFoundError:
                mode, old = 0o644, None
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".hfdeploy-", suffix=".tmp")
            staged.append((target, tmp, old, mode))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for target, tmp, old, mode in staged:
            os.chmod(tmp, mode)
            os.replace(tmp, target)
            done.append((target, old, mode))
    except BaseException:
        for target, old, _mode in reversed(done):
            try:
                if old is None:
                    os.unlink(target)
                else:
                    atomic_write(target, old)
            except OSError:
                pass
        raise
    finally:
        for _target, tmp, _old, _mode in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
