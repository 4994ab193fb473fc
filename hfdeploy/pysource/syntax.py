"""Parsing Python source for a given target version: in-process where the running interpreter
can answer, else with that version's interpreter in one batched subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from hfdeploy.pyparse import PARSE_FAILURES, parse_python

Version = tuple[int, int]
RUNNING: Version = sys.version_info[:2]

_COMPILE_ALL = """
import ast, json, sys, warnings
warnings.simplefilter("ignore")
results = {}
for name, text in json.load(sys.stdin).items():
    try:
        ast.parse(text, filename=name)
        results[name] = None
    except SyntaxError as e:
        results[name] = [e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset]
    except (ValueError, MemoryError, RecursionError) as e:
        results[name] = [str(e) or type(e).__name__, None, None, None, None]
print(json.dumps({"version": "%d.%d" % sys.version_info[:2], "results": results}))
"""


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    line: int | None  # 1-based
    column: int | None  # 1-based, in characters
    end_line: int | None = None
    end_column: int | None = None


def parse_version(text: str) -> Version | None:
    match = re.match(r"(\d+)\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def syntax_problem(text: str, feature_version: Version | None = None) -> SyntaxProblem | None:
    version = None if feature_version is None else max(feature_version, (3, 7))
    try:
        parse_python(text, feature_version=version)
    except PARSE_FAILURES as exc:
        return problem_of(exc)
    return None


def problem_of(exc: Exception) -> SyntaxProblem:
    """What a parse failure (one of `PARSE_FAILURES`) reports."""
    if isinstance(exc, SyntaxError):
        return SyntaxProblem(exc.msg, exc.lineno, exc.offset, exc.end_lineno, exc.end_offset)
    return SyntaxProblem(str(exc) or "too deeply nested to parse", None, None)


def find_interpreters(version: str) -> list[str]:
    """`pythonX.Y` executables to try, best first. A pyenv shim is tried last: it fails unless
    that version is selected, so real installs under PYENV_ROOT come first."""
    found: list[str] = []
    on_path = shutil.which(f"python{version}")
    if on_path and "shims" not in Path(on_path).parts:
        found.append(on_path)
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        installs = sorted(root.glob(f"{version}.*"), key=_patch_level, reverse=True)
    except OSError:
        installs = []
    for install in installs:
        exe = install / "bin" / f"python{version}"
        if exe.is_file() and str(exe) not in found:
            found.append(str(exe))
    if on_path and on_path not in found:
        found.append(on_path)
    return found


def _patch_level(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.name))


def compile_with(version: str, sources: dict[str, str]) -> dict[str, SyntaxProblem | None] | None:
    """Parse every source with Python `version` in one subprocess; None when no such
    interpreter runs here."""
    payload = json.dumps(sources, ensure_ascii=True)
    for exe in find_interpreters(version):
        try:
            proc = subprocess.run(
                [exe, "-I", "-c", _COMPILE_ALL],
                input=payload,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            answer = json.loads(proc.stdout)
        except (OSError, subprocess.SubprocessError, ValueError):
            continue  # not runnable (a pyenv shim for an unselected version, a broken install)
        if proc.returncode != 0 or answer.get("version") != version:
            continue
        return {
            name: SyntaxProblem(*found) if found else None
            for name, found in answer["results"].items()
        }
    return None
