"""Which Python files do not parse, found in parallel worker processes on large projects."""

from __future__ import annotations

import ast
import os
import stat
import warnings
from pathlib import PurePosixPath

from hfdeploy.source import SourceFile, UnreadableFile, decode


def compile_error(path: PurePosixPath, text: str) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, str(path), "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return exc
    except (ValueError, MemoryError, RecursionError) as exc:
        return SyntaxError(str(exc))
    return None


Verdict = tuple[str, "SourceFile", tuple[object, ...] | None]


def _syntax_worker(job: tuple[str, list[str], int]) -> list[Verdict]:
    """Read, decode and parse a share of the files; return each decoded file with its verdict,
    so the main process neither reads nor decodes them again."""
    root, names, max_bytes = job
    out: list[Verdict] = []
    for name in names:
        path = PurePosixPath(name)
        full = os.path.join(root, name)
        try:
            st = os.stat(full)
            if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                continue  # a FIFO would block; the main process reports what it skips (HF001)
            real = os.path.realpath(full)
            if not real.startswith(os.path.realpath(root).rstrip(os.sep) + os.sep):
                continue  # outside the repository: the main process reports it, never reads it
            with open(full, "rb") as handle:
                source = decode(path, handle.read())
        except (OSError, UnreadableFile):
            continue  # the main process reads it again and reports it
        error = compile_error(path, source.text)
        verdict = None if error is None else (error.msg, error.args[1] if len(error.args) > 1 else None)
        out.append((name, source, verdict))
    return out


PARALLEL_MIN_FILES = 400


def parallel_syntax_errors(
    root: str, paths: list[PurePosixPath], max_bytes: int
) -> dict[PurePosixPath, tuple[SourceFile, SyntaxError | None]]:
    """Decoded files and syntax verdicts for `paths`, computed by forked workers; {} when that
    would not pay."""
    import threading

    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(paths) < PARALLEL_MIN_FILES or threading.active_count() > 1:
        return {}
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
    except (ImportError, ValueError):
        return {}
    names = [str(p) for p in paths]
    chunks = [(root, names[i::workers], max_bytes) for i in range(workers)]
    results: dict[PurePosixPath, tuple[SourceFile, SyntaxError | None]] = {}
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for batch in pool.map(_syntax_worker, chunks):
                for name, source, error in batch:
                    verdict = None if error is None else SyntaxError(*error)
                    results[PurePosixPath(name)] = (source, verdict)
    except (OSError, RuntimeError):  # no /dev/shm, fork refused, a worker died: go serial
        return {}
    return results
