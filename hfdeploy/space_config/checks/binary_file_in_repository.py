"""SC016: a git-tracked binary or large file that a push to a Space repository is rejected for."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Untrack
from hfdeploy.ignore import IgnoreRules
from hfdeploy.project import Project
from hfdeploy.space_config.gitattributes import lfs_rules

SNIFF_BYTES = 8192  # where git (and the Hub) look for a NUL byte to call a file binary
MAX_PLAIN_BYTES = 10 * 1024 * 1024  # the Hub: "files larger than 10 MiB"
DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db3")
SQLITE_MAGIC = b"SQLite format 3\0"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
GITIGNORE = PurePosixPath(".gitignore")
# Files Python (or the OS) writes by itself, that never belong in a repository.
GENERATED_SUFFIXES = (".pyc", ".pyo")
GENERATED_NAMES = (".DS_Store",)
GENERATED_IGNORES = ("__pycache__/", "*.py[cod]", ".DS_Store")
SHOWN = 3


def is_generated(name: str) -> bool:
    """Byte-compiled Python (`*.pyc`, anything in `__pycache__/`) and Finder's `.DS_Store`."""
    path = PurePosixPath(name)
    return (
        path.suffix in GENERATED_SUFFIXES
        or "__pycache__" in path.parts[:-1]
        or path.name in GENERATED_NAMES
    )


@dataclass(frozen=True)
class _Offender:
    size: int
    head: bytes  # the first SNIFF_BYTES

    @property
    def binary(self) -> bool:
        return b"\0" in self.head


# Open, then fstat: one system call fewer per tracked file than lstat first. A symlink fails
# to open (git pushes it as its target's name), a FIFO cannot block the read.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
)


def _offender(full: str) -> _Offender | None:
    """The file when a plain git push of it is refused; None for ordinary or absent files."""
    try:
        fd = os.open(full, _OPEN_FLAGS)
    except OSError:
        return None  # deleted from the working tree, a symlink, unreadable: nothing to judge
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None  # a submodule (pushed as a commit id), a FIFO, a device
        head = os.read(fd, SNIFF_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    found = _Offender(st.st_size, head)
    return found if found.binary or found.size > MAX_PLAIN_BYTES else None


class BinaryFileInRepository(Check):
    """## What it does
    Reports git-tracked files that a push to a Space repository is rejected for: binary files
    (a NUL byte in the first 8 KiB, as in a committed `test.db`, `.png` or `.pkl`) and files
    larger than 10 MiB, unless a `.gitattributes` rule stores them with Git LFS or Xet
    (`filter=lfs`).

    A UTF-16 text file (PowerShell's `pip freeze > requirements.txt`) is reported too: pip reads
    it, but it is full of NUL bytes, so the Hub takes it for binary.

    ## Why is this bad?
    The Hub refuses the whole push: `remote: Your push was rejected because it contains binary
    files.` / `Please use https://huggingface.co/docs/hub/xet to store binary files.` (or
    `... files larger than 10 MiB.`). The check sees only the files tracked now: a binary file
    in an earlier commit blocks the push too, until the history is rewritten.

    ## Example
    ```
    $ git ls-files
    app/main.py
    data/app.db
    ```

    Use instead: keep the database out of git and create it at start-up, or store it with
    Git LFS/Xet:
    ```
    $ git lfs track "*.db"
    $ cat .gitattributes
    *.db filter=lfs diff=lfs merge=lfs -text
    ```

    ## Fix safety
    Files Python writes by itself (`*.pyc`, anything under `__pycache__/`) and `.DS_Store` are
    reported together, in one finding for the whole tree. The fix removes them from the git
    index (`git rm --cached`; they stay on disk) and adds `__pycache__/`, `*.py[cod]` and
    `.DS_Store` to `.gitignore` unless it already ignores them. Python recreates bytecode
    when it needs it, so the fix is safe. Other binary files have no fix: only you know
    whether they belong in Git LFS/Xet or out of the repository.
    """

    code = "SC016"
    name = "binary-file-in-repository"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        if not project.is_git or not project.tracked:
            return
        root = str(project.root)
        excluded = IgnoreRules(list(project.config.exclude))
        generated: list[str] = []
        others: list[tuple[str, _Offender]] = []
        for name in sorted(project.tracked):
            if excluded.patterns and excluded.ignored(name):
                continue
            # Reads raw bytes outside `project.source` (which refuses binaries); `exists` records
            # the path, so the result cache revalidates it on the next run.
            project.exists(name)
            found = _offender(os.path.join(root, name))
            if found is None or lfs_rules(project).stores(name):
                continue
            if is_generated(name):
                generated.append(name)
                continue
            others.append((name, found))
        if len(others) > SHOWN:
            yield self._many(others)
        else:
            for name, found in others:
                yield self.diagnostic(_message(name, found), path=name, notes=_notes(name, found))
        if generated:
            yield self._generated(project, generated)

    def _many(self, others: list[tuple[str, _Offender]]) -> Diagnostic:
        """One finding for the tree when more than a few files are refused."""
        names = [name for name, _ in others]
        shown = ", ".join(names[:SHOWN]) + f" and {len(names) - SHOWN} more"
        patterns = sorted(
            {
                f'"*{PurePosixPath(n).suffix}"' if PurePosixPath(n).suffix else f'"{n}"'
                for n in names
            }
        )
        large = any(not found.binary for _, found in others)
        hub = "contains binary files." + (" or files larger than 10 MiB." if large else "")
        hub = hub.replace(". or", " or")
        return self.diagnostic(
            f"{len(names)} files committed without Git LFS/Xet are binary or larger than 10 MiB: "
            f"{shown}; the Space rejects the push (`remote: Your push was rejected because it {hub}`)",
            notes=[
                (
                    f"Track them with Git LFS/Xet: `git lfs track {' '.join(patterns)}`, commit "
                    "`.gitattributes`, then `git add --renormalize .` "
                    "(https://huggingface.co/docs/hub/xet)."
                ),
                (
                    "Or keep out of the Space repository what the image never uses "
                    "(`git rm --cached <file>` and `.gitignore`)."
                ),
                (
                    "A copy in an earlier commit still blocks the push: rewrite it "
                    "(`git lfs migrate import --include=...`)."
                ),
                "Files: " + ", ".join(names),
            ],
        )

    def _generated(self, project: Project, names: list[str]) -> Diagnostic:
        """One finding for every committed byte-compiled file, with the fix that untracks them."""
        more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
        shown = ", ".join(names[:SHOWN]) + more
        count = f"{len(names)} generated file" + ("s" if len(names) > 1 else "")
        gitignore = project.source(GITIGNORE)
        text = gitignore.text if gitignore is not None else ""
        rules = IgnoreRules(text.splitlines())
        edits: tuple[Edit, ...] = ()
        if any(not rules.ignored(n) for n in names):
            nl = gitignore.newline if gitignore is not None else "\n"
            lead = nl if text and not text.endswith("\n") else ""
            block = f"{lead}{nl if text else ''}# Generated by Python and the OS{nl}"
            block += "".join(f"{p}{nl}" for p in GENERATED_IGNORES)
            edits = (Edit.insert(GITIGNORE, len(text), block),)
        fix = Fix(
            f"Stop tracking {count} and git-ignore them",
            edits,
            untrack=tuple(Untrack(PurePosixPath(n)) for n in names),
        )
        kinds = " and ".join(
            kind
            for kind, present in (
                ("byte-compiled Python", any(PurePosixPath(n).name != ".DS_Store" for n in names)),
                ("`.DS_Store`", any(PurePosixPath(n).name == ".DS_Store" for n in names)),
            )
            if present
        )
        return self.diagnostic(
            f"{count} committed ({kinds}): {shown}; they are binary, "
            "so the Space rejects the push (`remote: Your push was rejected because it contains "
            "binary files.`)",
            fix=fix,
            notes=[
                (
                    "Python writes these files itself at run time; they never belong in git. The "
                    "fix runs `git rm --cached` on them (they stay on disk) and git-ignores them."
                ),
                (
                    "A copy in an earlier commit still blocks the push: rewrite it "
                    '(`git filter-repo --path-glob "*.pyc" --invert-paths`).'
                ),
            ],
        )


def _message(name: str, found: _Offender) -> str:
    if found.binary:
        what = "is UTF-16 text" if found.head.startswith(UTF16_BOMS) else "is a binary file"
        hub = "contains binary files."
    else:
        what = f"is {found.size / 1024 / 1024:.1f} MiB"
        hub = "contains files larger than 10 MiB."
    return (
        f"{name} {what}, committed without Git LFS/Xet: the Space rejects the push "
        f"(`remote: Your push was rejected because it {hub}`)"
    )


def _notes(name: str, found: _Offender) -> list[str]:
    path = PurePosixPath(name)
    if found.binary and found.head.startswith(UTF16_BOMS):
        resave = f"`pip freeze | Out-File -Encoding utf8 {path.name}`"
        return [f"Re-save it as UTF-8 (PowerShell: {resave}), then commit it again."]
    pattern = f"*{path.suffix}" if path.suffix else name
    track = f'`git lfs track "{pattern}"`, commit `.gitattributes`, then `git add --renormalize .`'
    notes = [f"Track it with Git LFS/Xet: {track} (https://huggingface.co/docs/hub/xet)."]
    if path.suffix.lower() in DATABASE_SUFFIXES or found.head.startswith(SQLITE_MAGIC):
        notes.append(
            f"Or, for a database: `git rm --cached {name}`, add it to `.gitignore` and create it "
            "at start-up (a Space loses what it writes to disk on every restart anyway)."
        )
    upload = f"`hf upload <user>/<space> {name} {name} --type space`"
    migrate = f'`git lfs migrate import --include="{pattern}"`'
    notes.append(f"Or upload it with {upload}, which stores large and binary files with Xet.")
    notes.append(f"A copy in an earlier commit still blocks the push: rewrite it ({migrate}).")
    return notes
