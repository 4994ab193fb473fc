"""Write a file so that readers see the old bytes or the new ones, never a torn mix."""

from __future__ import annotations

import os
import tempfile

from hfdeploy import journal as log


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


def atomic_write_all(
    items: list[tuple[str, bytes]],
    *,
    journal: tuple[str, str] | None = None,
    untrack: list[str] | None = None,
) -> None:
    """Write several files as one change: every new content goes to a private temp file (mode
    0600) first; only when all are ready are they renamed into place. If a rename fails, the
    files already replaced get their old bytes back; temp files are always removed.

    With `journal` (the journal file and the repository root) and more than one file, the
    planned set is recorded there before the first rename and removed after the last, so that
    a kill in between leaves a state the next run reports and completes (`hfdeploy/journal.py`).
    """
    staged: list[tuple[str, str, bytes | None, int]] = []  # target, tmp, old bytes, mode
    done: list[tuple[str, bytes | None, int]] = []
    journaled = journal is not None and len(items) > 1
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
        if journaled:
            assert journal is not None
            _begin_journal(journal, staged, items, untrack or [])
        for number, (target, tmp, old, mode) in enumerate(staged):
            if number and journaled:
                _pause_for_tests()
            os.chmod(tmp, mode)
            os.replace(tmp, target)
            done.append((target, old, mode))
    except BaseException:
        restored = True
        for target, old, _mode in reversed(done):
            try:
                if old is None:
                    os.unlink(target)
                else:
                    atomic_write(target, old)
            except OSError:
                restored = False
        if restored:
            # Every file replaced got its old bytes back: the journal has nothing left to say.
            if journaled:
                assert journal is not None
                _end_journal(journal[0])
        raise
    else:
        if journaled:
            assert journal is not None
            _end_journal(journal[0])
    finally:
        for _target, tmp, _old, _mode in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass


def _begin_journal(
    journal: tuple[str, str],
    staged: list[tuple[str, str, bytes | None, int]],
    items: list[tuple[str, bytes]],
    untrack: list[str],
) -> None:
    file, root = journal
    entries = [
        log.Entry(
            os.path.relpath(target, root).replace(os.sep, "/"),
            os.path.relpath(tmp, root).replace(os.sep, "/"),
            None if old is None else log.digest(old),
            log.digest(data),
        )
        for (target, tmp, old, _mode), (_target, data) in zip(staged, items, strict=True)
    ]
    log.begin(file, root, entries, untrack)


def _end_journal(file: str) -> None:
    log.end(file)


def _pause_for_tests() -> None:
    """Test hook: `HFDEPLOY_TEST_PAUSE_BETWEEN_RENAMES=<marker file>` creates the marker after
    the first rename of a journaled set and waits, so a test can kill the process there."""
    marker = os.environ.get("HFDEPLOY_TEST_PAUSE_BETWEEN_RENAMES")
    if marker:
        import time

        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
        time.sleep(120)
