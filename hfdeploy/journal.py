"""The write journal of a multi-file fix: a redo log, so that a `fix --write` killed between
two renames leaves a state the next run reports (HF004) and completes.

`atomic.atomic_write_all` first stages every new content in a private temp file next to its
target (mode 0600, fsynced); only then it writes the journal: for each file, its path, its temp
file and the sha256 of its old and new bytes (never the contents, so no secret is at rest in
the journal). Then it renames the temp files into place one by one and, after the last, removes
the journal. A journal found later therefore means: every new content was complete on disk
when the renames began, and each file is either written (its bytes hash to `new`), still
pending (its bytes hash to `old` and its temp file still holds `new`), or changed by someone
since (anything else). A pending set is completed by renaming the remaining temp files: the
new contents are already there, which a roll-back could not say of the old ones (they were
never kept, so that no old secret lingers in a second copy).

Where: in a git repository, inside its git directory (`.git/hfdeploy-journal.json`, or the
worktree's git directory): never committed, never pushed, not part of a Docker build context
that ignores `.git`, and found again by any later run in the same repository. Outside git,
`.hfdeploy-journal` at the root: it exists only between the first and the last rename (or after
an interruption, when `check` reports it), and holds only names and hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass

GIT_JOURNAL = "hfdeploy-journal.json"
PLAIN_JOURNAL = ".hfdeploy-journal"
VERSION = 1


class JournalError(Exception):
    """A journal that cannot be completed (unreadable, or files changed since)."""


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the root, "/"-separated
    tmp: str  # the staged temp file, relative to the root
    old: str | None  # sha256 of the bytes replaced; None: the file did not exist
    new: str  # sha256 of the bytes written


@dataclass(frozen=True)
class Journal:
    file: str  # where the journal lives
    root: str
    entries: tuple[Entry, ...]
    untrack: tuple[str, ...] = ()
    pid: int = 0  # the process writing the set

    def in_progress(self) -> bool:
        """Whether the `fix --write` that wrote the journal is still running (renaming), as
        opposed to killed: then its files are not to be touched."""
        if self.pid <= 0 or self.pid == os.getpid():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            pass  # another user's process: alive
        try:
            with open(f"/proc/{self.pid}/cmdline", "rb") as handle:
                return b"hfdeploy" in handle.read()  # not a recycled pid
        except OSError:
            return True


@dataclass(frozen=True)
class State:
    written: tuple[str, ...]
    pending: tuple[str, ...]  # not written; its temp file still holds the new content
    changed: tuple[str, ...]  # neither old nor new, or not written and the temp file is gone

    @property
    def completable(self) -> bool:
        return not self.changed


def journal_file(root: str, is_git: bool) -> str:
    """Where the journal of the repository at `root` lives (see the module docstring)."""
    if is_git:
        git_dir = _git_dir(root)
        if git_dir is not None:
            return os.path.join(git_dir, GIT_JOURNAL)
    return os.path.join(root, PLAIN_JOURNAL)


def _git_dir(root: str) -> str | None:
    dotgit = os.path.join(root, ".git")
    if os.path.isdir(dotgit):
        return dotgit
    try:
        proc = subprocess.run(
            ["git", "-C", root, "rev-parse", "--absolute-git-dir"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = os.fsdecode(proc.stdout.strip())
    return found if proc.returncode == 0 and os.path.isdir(found) else None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str) -> str | None:
    """sha256 of a regular file's bytes; None when absent (or not a regular file)."""
    try:
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as handle:
            return digest(handle.read())
    except OSError:
        return "unreadable"


def begin(file: str, root: str, entries: list[Entry], untrack: list[str]) -> None:
    data = {
        "version": VERSION,
        "tool": "hfdeploy",
        "root": root,
        "pid": os.getpid(),
        "entries": [e.__dict__ for e in entries],
        "untrack": sorted(untrack),
    }
    # Written whole or not at all (a temp file renamed over it), mode 0600 from the start.
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(file), prefix=".hfdeploy-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, file)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def end(file: str) -> None:
    try:
        os.unlink(file)
    except FileNotFoundError:
        pass


def load(file: str) -> Journal | None:
    """The journal at `file`; None when there is none. Raises JournalError when unreadable."""
    if not os.path.lexists(file):
        return None
    try:
        if not os.path.isfile(file) or os.path.getsize(file) > 1024 * 1024:
            raise ValueError("not a small regular file")
        with open(file, encoding="utf-8") as handle:
            data = json.load(handle)
        entries = tuple(
            Entry(str(e["path"]), str(e["tmp"]), e["old"] and str(e["old"]), str(e["new"]))
            for e in data["entries"]
        )
        untrack = tuple(map(str, data.get("untrack", ())))
        return Journal(file, str(data["root"]), entries, untrack, int(data.get("pid", 0)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise JournalError(f"the journal {file} cannot be read ({exc})") from None


def _inside(root: str, rel: str) -> str | None:
    """The absolute path of `rel` below `root`, or None if it leaves the root."""
    if os.path.isabs(rel) or ".." in rel.split("/"):
        return None
    full = os.path.realpath(os.path.join(root, rel))
    real_root = os.path.realpath(root)
    return full if full.startswith(real_root.rstrip(os.sep) + os.sep) else None


def state(journal: Journal) -> State:
    written, pending, changed = [], [], []
    for entry in journal.entries:
        target = _inside(journal.root, entry.path)
        tmp = _inside(journal.root, entry.tmp)
        if target is None or tmp is None:
            changed.append(entry.path)
            continue
        now = file_digest(target)
        if now == entry.new:
            written.append(entry.path)
        elif now == entry.old and file_digest(tmp) == entry.new:
            pending.append(entry.path)
        else:
            changed.append(entry.path)
    return State(tuple(written), tuple(pending), tuple(changed))


def temp_files(journal: Journal) -> set[str]:
    return {e.tmp for e in journal.entries}


def complete(journal: Journal) -> list[str]:
    """Finish an interrupted set: rename the remaining temp files into place, drop the files
    from git's index that the fix untracked, remove the journal. Returns the paths written now.
    Raises JournalError (and changes nothing) when a file changed since the interruption."""
    if journal.in_progress():
        raise JournalError(
            f"another `hfdeploy fix --write` (pid {journal.pid}) is writing these files now; "
            "run again when it has finished"
        )
    now = state(journal)
    if not now.completable:
        raise JournalError(
            "an interrupted `hfdeploy fix --write` cannot be completed: "
            f"{', '.join(now.changed)} changed since (or its staged copy is gone); check those "
            f"files by hand, then delete {journal.file}"
        )
    by_path = {e.path: e for e in journal.entries}
    for path in now.pending:
        entry = by_path[path]
        target, tmp = _inside(journal.root, entry.path), _inside(journal.root, entry.tmp)
        assert target is not None and tmp is not None
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    if journal.untrack and os.path.isdir(journal.root):
        try:
            subprocess.run(
                ["git", "-C", journal.root, "rm", "--cached", "--quiet", "--", *journal.untrack],
                check=False,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            pass
    for entry in journal.entries:  # temp files of entries written before the interruption
        tmp = _inside(journal.root, entry.tmp)
        if tmp is not None and os.path.isfile(tmp):
            os.unlink(tmp)
    end(journal.file)
    return list(now.pending)
