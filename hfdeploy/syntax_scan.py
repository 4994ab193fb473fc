"""Which Python files do not parse, found in parallel worker processes on large projects."""

from __future__ import annotations

import ast
import os
import re
import stat
import warnings
from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.pyparse import FailingSummary, parses, summarise_failing
from hfdeploy.source import SourceFile, UnreadableFile, decode


def compile_error(path: PurePosixPath, text: str) -> SyntaxError | None:
    return _as_syntax_error(_parse_failure(path, text))


def _as_syntax_error(failure: Exception | None) -> SyntaxError | None:
    if failure is None or isinstance(failure, SyntaxError):
        return failure
    return SyntaxError(str(failure))


def _parse_failure(path: PurePosixPath, text: str) -> Exception | None:
    """What parsing the text raises (one of `pyparse.PARSE_FAILURES`), or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _parse_failure_quiet(path, text)


def _parse_failure_quiet(path: PurePosixPath, text: str) -> Exception | None:
    """`_parse_failure` where warnings are already silenced. Most files parse: that is
    learned without building their tree (`pyparse.parses`), which nobody keeps here."""
    if parses(text, str(path)):
        return None
    try:
        compile(text, str(path), "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        return exc
    return None


# A word that may be an identifier; strings and comments count too, which only widens a search.
_WORD = re.compile(r"[^\W\d]\w*")


# ASCII characters that are not word characters, made spaces (the fast path of `identifiers`).
_NOT_WORD = {i: " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")}
_DIGITS = "0123456789"


def identifiers(text: str) -> frozenset[str]:
    """Every word of the text that may be an identifier: the entry of one file in the
    project's identifier index (which files mention a name)."""
    if not text.isascii():
        return frozenset(_WORD.findall(text))
    # The same words, twice as fast: each run of word characters without its leading digits.
    runs = set(text.translate(_NOT_WORD).split())
    return frozenset(w.lstrip(_DIGITS) if w[0] in _DIGITS else w for w in runs) - {""}


# A decoded file as its fields (text, encoding, BOM, digest): its path is the name sent beside
# it, and a PurePosixPath costs more to unpickle than the rest of the file.
Fields = tuple[str, str, bool, str]
Verdict = tuple[str, Fields, tuple[object, ...] | None, frozenset[str], "FailingSummary | None"]


def _syntax_worker(job: tuple[str, list[str], int, bool]) -> list[Verdict]:
    """Read, decode and parse a share of the files; return each decoded file with its verdict
    and its identifiers, so the main process neither reads, decodes nor scans them again.
    With `summarise`, a file that does not parse comes with what PY001 and PY002 ask of it
    (`pyparse.summarise_failing`), read here where the text is at hand: the main process
    neither tokenizes it nor parses it again."""
    root, names, max_bytes, summarise = job
    inside = os.path.realpath(root).rstrip(os.sep) + os.sep
    out: list[Verdict] = []
    # Where each directory really is, resolved once for its files (not once per file).
    real_dirs: dict[str, str] = {}
    with warnings.catch_warnings():  # set once for the share, not once per file
        warnings.simplefilter("ignore")
        for name in names:
            path = PurePosixPath(name)
            full = os.path.join(root, name)
            try:
                st = os.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    st = os.stat(full)
                    real = os.path.realpath(full)
                else:
                    folder, _, base = full.rpartition(os.sep)
                    where = real_dirs.get(folder)
                    if where is None:
                        where = real_dirs[folder] = os.path.realpath(folder)
                    real = os.path.join(where, base)
                if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                    continue  # a FIFO would block; the main process reports what it skips (HF001)
                if not real.startswith(inside):
                    continue  # outside the repository: the main process reports it, never reads it
                with open(full, "rb") as handle:
                    source = decode(path, handle.read())
            except (OSError, UnreadableFile):
                continue  # the main process reads it again and reports it
            out.append(_verdict(name, path, source, summarise))
    return out


def _verdict(name: str, path: PurePosixPath, source: SourceFile, summarise: bool) -> Verdict:
    """What `_syntax_worker` sends back for one file it read (warnings already silenced)."""
    failure = _parse_failure_quiet(path, source.text)
    error = _as_syntax_error(failure)
    verdict = None if error is None else (error.msg, error.args[1] if len(error.args) > 1 else None)
    summary = None
    if summarise and failure is not None:
        try:
            summary = summarise_failing(source.text, str(path), failure)
        except Exception:  # the main process does it again, in the check that needs it
            summary = None
    fields = (source.text, source.encoding, source.bom, source.digest)
    return (name, fields, verdict, identifiers(source.text), summary)


PARALLEL_MIN_FILES = 400


Scanned = dict[PurePosixPath, tuple[SourceFile, SyntaxError | None, frozenset[str]]]
Summaries = dict[PurePosixPath, "FailingSummary"]


class PendingScan:
    """Workers reading and parsing a share of the files each, while the caller goes on (it
    imports the checks meanwhile); `collect` waits for them."""

    def __init__(
        self, pool: object, batches: object, paths: dict[str, PurePosixPath] | None = None
    ) -> None:
        self._pool = pool
        self._batches = batches
        # The caller's own path objects: a dict lookup by the same object skips `__eq__`
        # (written in Python for PurePosixPath), which thousands of lookups per file pay.
        self._paths = paths or {}

    def collect(self) -> Scanned:
        results: Scanned = {}
        for batch, _ in self.batches():
            results.update(batch)
        return results

    def batches(self) -> Iterator[tuple[Scanned, Summaries]]:
        """The results share by share, as the workers finish them: the caller can work on one
        while the others are still being parsed; with the summaries of the files that do not
        parse, when asked for. When a worker dies the rest is left out (the caller reads and
        parses those files itself)."""
        try:
            for batch in self._batches:  # type: ignore[attr-defined]
                results: Scanned = {}
                summaries: Summaries = {}
                for name, fields, error, words, summary in batch:
                    path = self._paths.get(name) or PurePosixPath(name)
                    source = SourceFile(path, *fields)
                    verdict = None if error is None else SyntaxError(*error)
                    results[path] = (source, verdict, words)
                    if summary is not None:
                        summaries[path] = summary
                yield results, summaries
        except (OSError, RuntimeError):  # a worker died: the caller goes serial
            return
        finally:
            self._pool.shutdown()  # type: ignore[attr-defined]


def start_parallel_syntax_errors(
    root: str, paths: list[PurePosixPath], max_bytes: int, summarise: bool = False
) -> PendingScan | None:
    """Start forked workers on `paths`; None when that would not pay (or cannot fork). With
    `summarise`, the files that do not parse come with `pyparse.summarise_failing`."""
    import threading

    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(paths) < PARALLEL_MIN_FILES or threading.active_count() > 1:
        return None
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
    except (ImportError, ValueError):
        return None
    names = [str(p) for p in paths]
    # A few shares per worker, so that results arrive (and are used) while others are parsed.
    shares = min(workers * 4, max(workers, len(names) // 100))
    chunks = [(root, names[i::shares], max_bytes, summarise) for i in range(shares)]
    try:
        pool = ProcessPoolExecutor(workers, mp_context=context)
        return PendingScan(
            pool, pool.map(_syntax_worker, chunks), dict(zip(names, paths, strict=True))
        )
    except (OSError, RuntimeError):  # no /dev/shm, fork refused: go serial
        return None


def parallel_syntax_errors(root: str, paths: list[PurePosixPath], max_bytes: int) -> Scanned:
    """Decoded files, syntax verdicts and identifiers for `paths`, computed by forked workers;
    {} when that would not pay."""
    pending = start_parallel_syntax_errors(root, paths, max_bytes)
    return {} if pending is None else pending.collect()
