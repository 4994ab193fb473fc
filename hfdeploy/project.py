"""Project: a snapshot of the scanned repository — its files, their decoded text and shared
parsed views — plus in-memory edits made by the fixer before anything is written."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from hfdeploy.config import Config
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.ignore import IgnoreRules
from hfdeploy.journal import JournalError, journal_file, load, state, temp_files
from hfdeploy.pyparse import (
    parse_or_none,
    parse_skipping_newer_syntax,
    parse_without_param_order_errors,
    take_summary,
    without_param_order_errors,
)
from hfdeploy.source import SourceFile, UnreadableFile, decode
from hfdeploy.syntax_scan import (
    PendingScan,
    compile_error,
    identifiers,
    start_parallel_syntax_errors,
)

T = TypeVar("T")


class OutsideRepository(Exception):
    """A write aimed outside the repository root (directly, by `..` or through a symlink)."""


MAX_FILE_BYTES = 2 * 1024 * 1024
# Directories that never hold the app's own source: virtualenvs, caches, build output.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        ".env",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "build",
        "dist",
        "site-packages",
        ".eggs",
        ".idea",
        ".vscode",
        ".cache",
    }
)


@dataclass(frozen=True)
class RunOptions:
    offline: bool = False
    index_url: str | None = None
    python: str | None = None  # --python override of the target version
    lock_date: str | None = None  # --lock-date: "era", "today" or "YYYY-MM-DD"


def _unfinished_fix(file: str, root: str) -> tuple[list[Diagnostic], set[str]]:
    """The HF004 finding for a journal left by an interrupted `fix --write`, and the temp files
    it accounts for (not reported again as stray temp files)."""
    shown = os.path.relpath(file, root).replace(os.sep, "/")
    try:
        journal = load(file)
    except JournalError as exc:
        return [_hf004(f"{exc}; delete it and run `hfdeploy fix --write` again")], set()
    if journal is None:
        return [], set()
    if os.path.realpath(journal.root) != root:
        return [], set()  # another directory of the same git repository; its own run reports it
    if journal.in_progress():
        return [], temp_files(journal)  # a fix being written right now, not an interrupted one
    now = state(journal)
    written = ", ".join(now.written) or "none"
    missing = ", ".join(now.pending + now.changed)
    if now.completable:
        advice = "run `hfdeploy fix --write` to complete it"
    else:
        advice = (
            f"{', '.join(now.changed)} changed since (or its staged copy is gone), so it cannot "
            f"be completed: check those files by hand, then delete {shown}"
        )
    message = (
        f"An interrupted `hfdeploy fix --write` left a fix half-written (journal {shown}): "
        f"written: {written}; not written: {missing}. The files are out of step (one expects "
        f"what the other does not have yet); {advice}"
    )
    return [_hf004(message)], temp_files(journal)


def _hf004(message: str) -> Diagnostic:
    return Diagnostic(code="HF004", severity=Severity.WARNING, message=message)


def _git(root: Path, *args: str) -> list[str] | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return [os.fsdecode(p) for p in proc.stdout.split(b"\0") if p]


class Project:
    def __init__(self, root: Path, config: Config | None = None, options: RunOptions | None = None):
        self.root = root.resolve()
        self._root_str = str(self.root)
        self.config = config or Config()
        self.options = options or RunOptions()
        self.problems: list[Diagnostic] = []  # unreadable files and the like (HF001)
        self._overlay: dict[PurePosixPath, str] = {}
        self._sources: dict[PurePosixPath, SourceFile | None] = {}
        # identifiers of each file as read from disk (shared by snapshots, like `_sources`)
        self._words: dict[PurePosixPath, frozenset[str]] = {}
        self._memo: dict[Any, Any] = {}
        self._probed: set[PurePosixPath] = set()
        # files outside the repository and environment variables that checks' results depend
        # on (pip's configuration, the index cache), recorded for the result cache
        self._outside: set[str] = set()
        self._environment: set[str] = set()
        self._inside_cache: dict[PurePosixPath, bool] = {}
        self._pending_scan: PendingScan | None = None
        self._on_failing: Callable[[PurePosixPath], object] | None = None
        self._extra_ignore = IgnoreRules(list(self.config.exclude))
        self._repository: tuple[str, ...] | None = None
        tracked = _git(self.root, "ls-files", "-z", "--cached")
        self.is_git = tracked is not None
        if not self.is_git and os.path.lexists(os.path.join(self._root_str, ".git")):
            self._problem(
                PurePosixPath(".git"),
                "git cannot read this repository (no `git` on "
                "PATH, or broken metadata such as .git/HEAD): the checks that need it, "
                "such as a committed .env (EV002), did not run",
            )
        self.tracked: frozenset[str] = frozenset(tracked or ())
        self._files = self._discover()
        self.journal_file = journal_file(self._root_str, self.is_git)
        # An interrupted multi-file fix (HF004): reported on every run, never cached.
        self.unfinished, journaled = _unfinished_fix(self.journal_file, self._root_str)
        for name in self._files:
            if str(name) in journaled:
                continue
            if name.name.startswith(".hfdeploy-") and name.name.endswith(".tmp"):
                self._problem(
                    name,
                    "left over by an interrupted `hfdeploy fix --write`; it may "
                    "hold the fixed text of another file: delete it and run the fix again",
                )

    # -- discovery -------------------------------------------------------------------------
    def _discover(self) -> list[PurePosixPath]:
        if self.is_git:
            listed = _git(self.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
            deleted = set(_git(self.root, "ls-files", "-z", "--deleted") or ())
            names = sorted(set(listed or ()) - deleted)
            self._repository = tuple(names)
        else:
            names = sorted(self._walk())
        files = []
        for name in names:
            parts = name.split("/")
            if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in parts[:-1]):
                continue
            if self._extra_ignore.patterns and self._extra_ignore.ignored(name):
                continue
            files.append(PurePosixPath(name))
        return files

    def _walk(self) -> Iterator[str]:
        rules_by_dir: dict[str, IgnoreRules] = {}

        def unreadable(error: OSError) -> None:
            # A directory the walk cannot list (permissions): said once, its files unchecked.
            where = os.path.relpath(error.filename or self._root_str, self._root_str)
            self._problem(
                PurePosixPath(where.replace(os.sep, "/")),
                f"directory not read ({error.strerror or error}): the files in it were not checked",
            )

        for dirpath, dirnames, filenames in os.walk(self.root, onerror=unreadable):
            rel = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            rel = "" if rel == "." else rel
            gitignore = os.path.join(dirpath, ".gitignore")
            if os.path.isfile(gitignore):  # os.path: False, not an error, when not searchable
                try:
                    with open(gitignore, encoding="utf-8", errors="replace") as handle:
                        lines = handle.read().splitlines()
                    rules_by_dir[rel] = IgnoreRules(lines)
                except OSError:
                    pass

            def ignored(name: str, is_dir: bool, rel: str = rel) -> bool:
                full = f"{rel}/{name}" if rel else name
                for base, rules in rules_by_dir.items():
                    if base == "" or full.startswith(base + "/"):
                        sub = full[len(base) + 1 :] if base else full
                        if rules.ignored(sub, is_dir=is_dir):
                            return True
                return False

            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in SKIP_DIRS
                and not d.endswith(".egg-info")
                and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
                and not ignored(d, True)
            )
            for name in sorted(filenames):
                if not ignored(name, False):
                    yield f"{rel}/{name}" if rel else name

    def repository_files(self) -> tuple[str, ...]:
        """What the Space repository holds once this work tree is committed, the files a Space
        builds from: in git, what is tracked (less what was deleted or `git rm --cached`) plus
        what is new and not ignored; outside git, the files `.gitignore` does not exclude (what
        `hfdeploy push` uploads). Unlike `files()`, no directory is skipped for the checks'
        sake: a committed `venv/` is in the repository, hence in the build context."""
        if self._repository is None:
            self._repository = tuple(sorted(self._walk()))
        return self._repository

    # -- reading -------------------------------------------------------------------------
    def files(self, suffix: str | tuple[str, ...] | None = None) -> list[PurePosixPath]:
        """Project files (git-tracked or not ignored), plus files created by pending edits."""
        all_files = self._files
        if self._overlay:
            all_files = sorted(set(self._files) | set(self._overlay), key=str)
        if suffix is None:
            return all_files
        # Listed once per snapshot and suffix (checks ask for the Python files again and again).
        chosen = self._memo.get(("files", suffix))
        if chosen is None:
            chosen = self._memo[("files", suffix)] = [
                p for p in all_files if p.name.endswith(suffix)
            ]
        return list(chosen)

    def disk_entries(self) -> tuple[str, ...]:
        """What is on disk at the top of the project and one level below, ignored or not:
        `.env`, `.venv/` or `data.db` that git ignores still reach a Docker build context.
        Directories end with `/`. Part of the result cache's key."""

        def scan() -> tuple[str, ...]:
            found: list[str] = []
            try:
                top = sorted(os.scandir(self._root_str), key=lambda e: e.name)
            except OSError:
                return ()
            for entry in top:
                if entry.is_dir(follow_symlinks=False):
                    found.append(entry.name + "/")
                    if entry.name == ".git":
                        continue
                    try:
                        below = sorted(os.scandir(entry.path), key=lambda e: e.name)
                    except OSError:
                        continue
                    found.extend(
                        f"{entry.name}/{sub.name}"
                        + ("/" if sub.is_dir(follow_symlinks=False) else "")
                        for sub in below
                    )
                else:
                    found.append(entry.name)
            return tuple(found)

        return self.memo("disk-entries", scan)

    def python_texts(self) -> list[tuple[PurePosixPath, str]]:
        """Every readable Python file with its text, listed once per snapshot for the checks
        that scan them all with a cheap text filter before parsing the few that match."""

        def read() -> list[tuple[PurePosixPath, str]]:
            texts = ((path, self.text(path)) for path in self.python_files())
            return [(path, text) for path, text in texts if text is not None]

        return self.memo("python-texts", read)

    def python_files(self) -> list[PurePosixPath]:
        return self.files((".py",))

    # -- the repository boundary: every path read or written goes through `inside` ----------
    def inside(self, path: PurePosixPath | str) -> bool:
        """Whether `path` (relative to the root) stays inside the repository once resolved,
        symlinks included. A path outside is recorded once as a finding and never touched."""
        path = PurePosixPath(path)
        try:
            verdict = self._inside_cache[path]
        except KeyError:
            verdict = self._inside_cache[path] = self._resolve_inside(path)
            if not verdict:
                self._problem(path, "outside the repository: not read")
        return verdict

    def _resolve_inside(self, path: PurePosixPath) -> bool:
        if path.is_absolute() or ".." in path.parts:
            return False
        real = os.path.realpath(os.path.join(self._root_str, str(path)))
        return real == self._root_str or real.startswith(self._root_str.rstrip(os.sep) + os.sep)

    def real_path(self, path: PurePosixPath | str) -> str:
        """The file a write to `path` must replace: through symlinks, never outside the root."""
        if not self.inside(path):
            raise OutsideRepository(f"{path}: outside the repository: not written")
        return os.path.realpath(os.path.join(self._root_str, str(path)))

    def exists(self, path: PurePosixPath | str) -> bool:
        path = PurePosixPath(path)
        self._probed.add(path)
        if path in self._overlay:
            return True
        return self.inside(path) and (self.root / path).is_file()

    def is_tracked(self, path: PurePosixPath | str) -> bool:
        return str(path) in self.tracked

    def source(self, path: PurePosixPath | str) -> SourceFile | None:
        """The decoded file (any file, ignored ones too), or None when missing or unreadable."""
        if type(path) is not PurePosixPath:
            path = PurePosixPath(path)
        try:
            original = self._sources[path]
        except KeyError:
            original = self._sources[path] = self._read(path)
        if self._overlay and path in self._overlay:
            base = original or SourceFile(path, "")
            return SourceFile(path, self._overlay[path], base.encoding, base.bom, base.digest)
        return original

    def text(self, path: PurePosixPath | str) -> str | None:
        src = self.source(path)
        return None if src is None else src.text

    def original(self, path: PurePosixPath) -> SourceFile | None:
        """The file as read from disk, ignoring pending edits."""
        if path not in self._sources:
            self._sources[path] = self._read(path)
        return self._sources[path]

    def read_paths(self) -> list[PurePosixPath]:
        """Every path some check asked for, present or not (for the result cache)."""
        return sorted(set(self._sources) | self._probed, key=str)

    def note_outside(self, path: str | os.PathLike[str]) -> None:
        """Record that a result depends on a file outside the repository (read or found
        absent), such as pip's configuration or the package-index cache: the result cache
        keeps its hash and answers again only while it is unchanged. Never read here."""
        self._outside.add(os.path.abspath(path))

    def note_environment(self, name: str) -> None:
        """Record that a result depends on the environment variable `name` (for the cache)."""
        self._environment.add(name)

    def outside_reads(self) -> list[str]:
        return sorted(self._outside)

    def environment_reads(self) -> list[str]:
        return sorted(self._environment)

    def _read(self, path: PurePosixPath) -> SourceFile | None:
        if not self.inside(path):
            return None
        full = os.path.join(self._root_str, str(path))
        try:
            st = os.stat(full)
            if not stat.S_ISREG(st.st_mode):
                return None  # directories, FIFOs (reading one would block), devices
            if st.st_size > MAX_FILE_BYTES:
                raise UnreadableFile(f"too large to scan ({st.st_size // 1024} KiB)")
            with open(full, "rb") as handle:
                data = handle.read()
            return decode(path, data)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except UnreadableFile as exc:
            self._problem(path, exc.reason)
        except OSError as exc:
            self._problem(path, f"cannot read it ({exc.strerror or exc})")
        return None

    def _problem(self, path: PurePosixPath, reason: str) -> None:
        self.problems.append(
            Diagnostic(
                code="HF001",
                severity=Severity.WARNING,
                message=f"File skipped: {reason}",
                path=path,
            )
        )

    # -- shared parsed views ---------------------------------------------------------------
    def last_commit(self, paths: Iterable[PurePosixPath]) -> tuple[str, str, str] | None:
        """(commit date ISO 8601, short hash, what it dates) of the newest commit that touched
        any of `paths`, else of HEAD when none did (files not yet committed); None outside git
        or before the first commit."""
        if not self.is_git:
            return None
        names = sorted(str(p) for p in paths)
        for args, what in (
            (["--", *names], ", ".join(names)),
            ([], "HEAD"),
        ):
            if not names and args:
                continue
            found = _git(self.root, "log", "-1", "-z", "--format=%cI%x00%h", *args)
            if found and len(found) >= 2:
                return found[0], found[1], what
        return None

    def memo(self, key: Any, factory: Callable[[], T]) -> T:
        """Compute a shared view once per snapshot (app discovery, target Python, ...)."""
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]  # type: ignore[no-any-return]

    def python_ast(self, path: PurePosixPath) -> ast.Module | None:
        """The parsed module, or None when it does not parse or cannot be read. A module using
        syntax newer than the running Python (3.12 `type` or f-strings, read by 3.11) comes
        with those lines taken out, and one with PY001 signatures with their defaults blanked,
        so the checks still see the rest of it."""

        def parse() -> ast.Module | None:
            if self._memo.get(("syntax", path)) is not None:
                return None  # the scan already found it does not parse
            text = self.text(path)
            return None if text is None else parse_or_none(text, str(path))

        def parse_newer() -> ast.Module | None:
            text = self.text(path)
            if text is None:
                return None
            tree = parse_skipping_newer_syntax(text)
            if tree is None:
                # A PY001 signature stops the whole module from parsing; with its defaults
                # blanked (offsets kept) the other checks still see the rest until it is fixed.
                blanked = without_param_order_errors(self, path, text)
                if blanked != text:
                    _, tree, _ = parse_without_param_order_errors(self, path)
                    tree = tree or parse_skipping_newer_syntax(blanked)
            return tree

        # Separate keys: `syntax_error` takes a cached strict tree as proof that the file parses.
        return self.memo(("ast", path), parse) or self.memo(("ast-newer", path), parse_newer)

    def prime_syntax_errors(self, paths: list[PurePosixPath]) -> None:
        """Read, decode and parse `paths` in parallel worker processes when it pays.

        Parsing is the floor of a check over a large project. The workers send back each decoded
        file and its verdict, never a syntax tree, so little crosses the process boundary; for
        a file that does not parse, what PY001 and PY002 ask of it (`summarise_failing`).
        """
        self.finish_priming()
        todo = [
            p
            for p in paths
            if ("syntax", p) not in self._memo and p not in self._overlay and p not in self._sources
        ]
        pending = start_parallel_syntax_errors(self._root_str, todo, MAX_FILE_BYTES, True)
        if pending is not None:
            self._take_scan(pending)

    def start_priming(
        self,
        paths: list[PurePosixPath],
        failing: Callable[[PurePosixPath], object] | None = None,
    ) -> None:
        """Begin `prime_syntax_errors(paths)` in the background (the runner does, before it
        imports the checks, so that start-up and parsing overlap); it completes on the next
        `prime_syntax_errors` or `finish_priming`. `failing(path)` is called for each file the
        scan found not to parse, as the results come in, while the rest is still parsed: the
        runner has the memoised work of the checks on such files done then. With `failing`,
        the workers read what PY001 and PY002 ask of such a file (`summarise_failing`)."""
        if self._pending_scan is None and not self._overlay:
            todo = [p for p in paths if ("syntax", p) not in self._memo and p not in self._sources]
            self._pending_scan = start_parallel_syntax_errors(
                self._root_str, todo, MAX_FILE_BYTES, failing is not None
            )
            self._on_failing = failing

    def finish_priming(self) -> None:
        pending, self._pending_scan = self._pending_scan, None
        if pending is not None:
            self._take_scan(pending)

    def _take_scan(self, pending: PendingScan) -> None:
        failing, self._on_failing = self._on_failing, None
        for batch, summaries in pending.batches():
            taken = []
            for path, (source, error, words) in batch.items():
                if path not in self._sources:
                    self._sources[path] = source
                    self._words[path] = words
                    self._memo[("syntax", path)] = error
                    if error is not None:
                        taken.append(path)
                        if path in summaries:
                            try:
                                take_summary(self, path, summaries[path])
                            except Exception:  # the check that needs it reports it
                                pass
            if failing is not None:
                for path in taken:
                    try:
                        failing(path)
                    except Exception:  # the check that needs it reports it
                        pass

    def identifiers(self, path: PurePosixPath) -> frozenset[str]:
        """The words of the file that may be identifiers (strings and comments included)."""
        if path in self._overlay:
            return self.memo(("identifiers", path), lambda: identifiers(self.text(path) or ""))
        words = self._words.get(path)
        if words is None:
            words = self._words[path] = identifiers(self.text(path) or "")
        return words

    def files_mentioning(self, *names: str) -> list[PurePosixPath]:
        """The Python files whose text mentions any of `names` as a whole word, in file order.

        Answered from each file's set of identifiers (collected by the parallel parse pass) and
        memoised per search, so a search costs one set lookup per file, never a pass over file
        text, and no check pays for findings x files. (A full word -> files index costs more to
        build than the few dozen searches a run makes.)
        """

        def find() -> list[PurePosixPath]:
            wanted = frozenset(names)
            if self._overlay:
                return [
                    p for p in self.python_files() if not wanted.isdisjoint(self.identifiers(p))
                ]
            words = self._words
            found = []
            for p in self.python_files():
                these = words.get(p)
                if these is None:
                    these = self.identifiers(p)
                if not wanted.isdisjoint(these):
                    found.append(p)
            return found

        return self.memo(("files-mentioning", names), find)

    def syntax_error(self, path: PurePosixPath) -> SyntaxError | None:
        """Why the file does not parse (None when it does), without keeping its tree.

        Scanning every file keeps only this verdict: holding thousands of trees in memory makes
        the garbage collector dominate a large project's check time.
        """

        def parse() -> SyntaxError | None:
            tree = self._memo.get(("ast", path))
            if tree is not None:
                return None
            text = self.text(path)
            return None if text is None else compile_error(path, text)

        return self.memo(("syntax", path), parse)

    # -- pending edits ---------------------------------------------------------------------
    def with_changes(
        self, changes: dict[PurePosixPath, str], untracked: frozenset[str] = frozenset()
    ) -> Project:
        """A new snapshot with `changes` applied on top of this one (no disk writes)."""
        clone = Project.__new__(Project)
        clone.root = self.root
        clone._root_str = self._root_str
        clone.config = self.config
        clone.options = self.options
        clone.problems = []
        clone.journal_file = self.journal_file
        clone.unfinished = self.unfinished
        clone._overlay = {**self._overlay, **changes}
        clone._sources = self._sources
        clone._words = self._words
        clone._memo = {}
        clone._probed = self._probed
        clone._outside = self._outside
        clone._environment = self._environment
        clone._inside_cache = self._inside_cache
        clone._pending_scan = None
        clone._on_failing = None
        clone._extra_ignore = self._extra_ignore
        clone.is_git = self.is_git
        clone.tracked = self.tracked - untracked
        clone._files = self._files
        return clone

    @property
    def changes(self) -> dict[PurePosixPath, str]:
        return dict(self._overlay)
