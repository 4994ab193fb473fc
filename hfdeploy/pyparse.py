"""The one tolerant parse of Python source, shared by every domain: a text that does not parse
is an answer (None), never an exception or a warning; plus the two fallbacks that still give a
tree for a module this interpreter rejects (syntax only a newer Python accepts, and PY001
signatures), with every position unchanged."""

from __future__ import annotations

import ast
import re
import symtable
import warnings
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.signatures import (
    PackedSignature,
    ParamKind,
    Signature,
    offending,
    offending_signatures,
    pack,
    positional,
    take_offending,
)

if TYPE_CHECKING:
    from hfdeploy.project import Project

PARSE_FAILURES = (SyntaxError, ValueError, MemoryError, RecursionError)


def parse_python(
    text: str, filename: str = "<unknown>", feature_version: tuple[int, int] | None = None
) -> ast.Module:
    """`ast.parse` without its warnings (invalid escape sequences and the like); raises what
    `ast.parse` raises (see `PARSE_FAILURES`) for callers that report why."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if feature_version is None:
            return ast.parse(text, filename=filename)
        return ast.parse(text, filename=filename, feature_version=feature_version)


def parses(text: str, filename: str = "<unknown>") -> bool:
    """True when `ast.parse(text)` succeeds, found without building its tree: `symtable` runs
    the same parser on the same text and then walks CPython's internal tree, which costs about
    two thirds of turning that tree into Python objects. False means `ast.parse` must be asked
    why (the symbol table also rejects a few programs that parse, such as `nonlocal` at module
    level). The caller silences warnings, as for `ast.parse`."""
    try:
        symtable.symtable(text, filename, "exec")
    except Exception:  # SyntaxError, ValueError (a null byte), RecursionError, MemoryError
        return False
    return True


def parse_or_none(text: str, filename: str = "<unknown>") -> ast.Module | None:
    """The module, or None when it does not parse (never an exception)."""
    try:
        return parse_python(text, filename)
    except PARSE_FAILURES:
        return None


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
            return parse_python("".join(lines))
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


def without_param_order_errors(project: Project, path: PurePosixPath, text: str) -> str:
    """The text with the defaults of every offending signature's positional parameters blanked
    out (same length, same line breaks), so whatever else fails to parse keeps its position."""
    return _blank_defaults(text, offending_signatures(project, path))


def _blank_defaults(text: str, offending: list[Signature]) -> str:
    spans = [
        (param.default_at, param.span.end)
        for sig in offending
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


def blanked_failure(project: Project, path: PurePosixPath) -> tuple[str, Exception | None]:
    """`without_param_order_errors` of the file and why that does not parse (None when it
    does): once per snapshot for the syntax check, or read by the parallel parse pass in the
    worker that found the file does not parse (`summarise_failing`)."""

    def parse() -> tuple[str, Exception | None]:
        blanked = without_param_order_errors(project, path, project.text(path) or "")
        try:
            tree = parse_python(blanked, str(path))
        except PARSE_FAILURES as exc:
            exc.__traceback__ = None  # keep no frames alive in the memo
            return blanked, exc
        project.memo(("pyparse.blanked-tree", path), lambda: tree)
        return blanked, None

    return project.memo(("pyparse.blanked", path), parse)


def parse_without_param_order_errors(
    project: Project, path: PurePosixPath
) -> tuple[str, ast.Module | None, Exception | None]:
    """`blanked_failure` of the file with the tree of the blanked text (None when it does
    not parse), for `Project.python_ast`."""
    blanked, failure = blanked_failure(project, path)
    if failure is not None:
        return blanked, None, failure
    tree = project.memo(("pyparse.blanked-tree", path), lambda: parse_or_none(blanked, str(path)))
    return blanked, tree, None


# What a worker of the parallel parse pass sends back for a file that does not parse: the
# offending signatures (plain tuples) and why the text with their defaults blanked does not
# parse, or None.
FailingSummary = tuple[tuple[PackedSignature, ...], "Exception | None"]


def summarise_failing(text: str, filename: str, failure: Exception) -> FailingSummary:
    """`offending_signatures` and `blanked_failure` of a text that does not parse, where
    `failure` is what parsing it raised; computed where the text was parsed."""
    found = offending(text)
    blanked = _blank_defaults(text, found)
    why: Exception | None = failure  # the same text parses the same way
    if blanked != text:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fine = parses(blanked, filename)
        if fine:
            why = None
        else:
            try:
                parse_python(blanked, filename)
                why = None
            except PARSE_FAILURES as exc:
                why = exc
    if why is not None:
        why.__traceback__ = None
    return tuple(pack(sig) for sig in found), why


def take_summary(project: Project, path: PurePosixPath, summary: FailingSummary) -> None:
    """Store a worker's `summarise_failing` of a project file as the snapshot's answers."""
    packed, failure = summary
    found = take_offending(project, path, packed)
    blanked = _blank_defaults(project.text(path) or "", found)
    project.memo(("pyparse.blanked", path), lambda: (blanked, failure))
