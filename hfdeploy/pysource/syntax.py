"""Parsing Python source for a given target version: in-process where the running interpreter
can answer, else with that version's interpreter in one batched subprocess."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pysource.signatures import ParamKind, file_signatures, find_offence, positional

if TYPE_CHECKING:
    from hfdeploy.project import Project

Version = tuple[int, int]
RUNNING: Version = sys.version_info[:2]

# Syntax added after 3.9 that `ast.parse(feature_version=...)` recognises: `match` (3.10, for
# a `FROM python:3.9` image), type statements and parameters (3.12, defaults 3.13), `except*`
# (3.11), `except A, B:` and t-strings (3.14).
NEWER_SYNTAX = re.compile(
    r"^[ \t]*match\b[^\n]*:[ \t]*(?:#[^\n]*)?$"
    r"|^[ \t]*type[ \t]+\w+[ \t]*[=\[]|\b(?:def|class)[ \t]+\w+[ \t]*\[|\bexcept[ \t]*\*"
    r"|\bexcept\b[^:\n(]*,|\b[tT][rR]?['\"]|\b[rR][tT]['\"]",
    re.MULTILINE,
)
# 3.12 f-strings (PEP 701: the same quote, a backslash or a comment inside braces), which
# `feature_version` does not catch: only the target's own interpreter can tell.
NEWER_FSTRING = re.compile(r"""(?i:\b(?:rf|fr|f))(['"])[^\n]*?\{[^}\n]*?(?:\1|\\|#)""")

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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if feature_version is None:
                ast.parse(text)
            else:
                ast.parse(text, feature_version=max(feature_version, (3, 7)))
    except SyntaxError as exc:
        return SyntaxProblem(exc.msg, exc.lineno, exc.offset, exc.end_lineno, exc.end_offset)
    except (ValueError, MemoryError, RecursionError) as exc:
        return SyntaxProblem(str(exc) or "too deeply nested to parse", None, None)
    return None


def without_param_order_errors(project: Project, path: PurePosixPath, text: str) -> str:
    """The text with the defaults of every offending signature's positional parameters blanked
    out (same length, same line breaks), so whatever else fails to parse keeps its position."""
    spans = [
        (param.default_at, param.span.end)
        for sig in file_signatures(project, path)
        if find_offence(sig.params) is not None
        for param in positional(sig.params)
        if param.kind is ParamKind.PLAIN and param.default_at is not None
    ]
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] not in "\r\n":
                chars[i] = " "
    return "".join(chars)


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


MAX_SKIPPED = 64  # parser rounds before giving up on a module


def parse_skipping_newer_syntax(text: str) -> ast.Module | None:
    """The module parsed by the running Python with each line that holds syntax only a newer
    Python accepts (a 3.12 `type` statement or f-string, read by 3.11) made `pass` or a comment
    of the same length, so the rest of the module, positions unchanged, is still analysed.
    None when the text shows no newer syntax, or the parser rejects a line that has none."""
    if not (NEWER_SYNTAX.search(text) or NEWER_FSTRING.search(text)):
        return None
    # Split at "\n" only, as the parser counts lines (`splitlines` also splits at form feeds).
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    passed: set[int] = set()
    for _ in range(MAX_SKIPPED):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse("".join(lines))
        except SyntaxError as exc:
            if exc.lineno is None or not 1 <= exc.lineno <= len(lines):
                return None
            index, error = exc.lineno - 1, exc
        except (ValueError, MemoryError, RecursionError):
            return None
        body = lines[index].rstrip("\r\n")
        ending, stripped = lines[index][len(body) :], body.lstrip(" \t")
        indent = body[: len(body) - len(stripped)]
        if not stripped or stripped.startswith("#"):
            return None  # nothing left to take out: not a newer-syntax problem
        if isinstance(error, IndentationError) and error.msg.startswith("unexpected indent"):
            # The body of a definition that became `pass`: comment the whole indented block.
            end = index + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith(indent)):
                end += 1
            for i in range(index, end):
                lines[i] = _comment_out(lines[i])
        elif index in passed or len(stripped) < len("pass"):
            lines[index] = _comment_out(lines[index])  # inside brackets, where `pass` cannot be
        elif not (NEWER_SYNTAX.search(body) or NEWER_FSTRING.search(body)):
            return None  # an ordinary syntax error (PY001, PY002): no partial tree
        else:
            passed.add(index)
            lines[index] = indent + "pass".ljust(len(stripped)) + ending
    return None


def _comment_out(line: str) -> str:
    body = line.rstrip("\r\n")
    stripped = body.lstrip(" \t")
    if not stripped:
        return line
    return body[: len(body) - len(stripped)] + "#".ljust(len(stripped)) + line[len(body) :]
