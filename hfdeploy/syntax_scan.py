"""Which Python files do not parse, found in parallel worker processes on large projects."""

from __future__ import annotations

import ast
import os
import warnings
from pathlib import PurePosixPath

from hfdeploy.source import UnreadableFile, decode


def compile_error(path: PurePosixPath, text: str | bytes) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, str(path), "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return exc
    except (ValueError, MemoryError, RecursionError) as exc:
        return SyntaxError(str(exc))
    return None


def _syntax_worker(job: tuple[str, list[str]]) -> list[tuple[str, tuple[object, ...] | None]]:
    root, names = job
    out: list[tuple[str, tuple[object, ...] | None]] = []
    for name in names:
        path = PurePosixPath(name)
        try:
            with open(os.path.join(root, name), "rb") as handle:
                data = handle.read()
        except OSError:
            continue  # the main process reads it again and reports it
        if b"\0" not in data[:8192] and compile_error(path, data) is None:
            # compile() reads the BOM and the encoding cookie itself: a file that compiles from
            # its bytes parses as its decoded text too, without paying for decoding here.
            out.append((name, None))
            continue
        try:
            source = decode(path, data)
        except UnreadableFile:
            continue  # the main process reports it (HF001)
        error = compile_error(path, source.text)
        out.append((name, None if error is None else (error.msg, error.args[1] if len(error.args) > 1 else None)))
    return out


PARALLEL_MIN_FILES = 400


def parallel_syntax_errors(
    root: str, paths: list[PurePosixPath]
) -> dict[PurePosixPath, SyntaxError | None]:
    """Syntax verdicts for `paths`, computed by forked workers; {} when that would not pay."""
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
    chunks = [(root, names[i::workers]) for i in range(workers)]
    results: dict[PurePosixPath, SyntaxError | None] = {}
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for batch in pool.map(_syntax_worker, chunks):
                for name, error in batch:
                    results[PurePosixPath(name)] = None if error is None else SyntaxError(*error)
    except (OSError, RuntimeError):  # no /dev/shm, fork refused, a worker died: go serial
        return {}
    return results
