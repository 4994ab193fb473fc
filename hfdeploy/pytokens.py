"""Error-tolerant tokens of Python source (stdlib `tokenize`, restarted past lines it rejects),
with absolute str offsets, plus bracket matching and comma splitting that understands lambdas."""

from __future__ import annotations

import re
import sys
import tokenize
import warnings
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from hfdeploy.project import Project

NAME, OP, NEWLINE, NUMBER, STRING = (
    tokenize.NAME,
    tokenize.OP,
    tokenize.NEWLINE,
    tokenize.NUMBER,
    tokenize.STRING,
)
_SKIPPED = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
        tokenize.ENDMARKER,
    }
)
OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = frozenset(OPENERS.values())
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_WORD = re.compile(r"\w+")  # what `tokenize` reads as a name
_BLANK = re.compile(r"[ \t\f]*(?:#[^\r\n]*)?\r?\n?\Z")


class Token(NamedTuple):
    """One significant token. A named tuple: a file has thousands, and a tuple is made three
    times faster than a frozen dataclass instance."""

    type: int
    text: str
    start: int  # absolute str offset into the file's text
    end: int
    line_start: bool  # first token of a logical line
    indent: int  # width of the physical line's leading whitespace (tabs to 8)

    def is_op(self, text: str) -> bool:
        return self.type == OP and self.text == text

    def is_name(self, text: str | None = None) -> bool:
        return self.type == NAME and (text is None or self.text == text)


def tokenize_text(text: str) -> list[Token]:
    """Significant tokens (no comments, NL, INDENT/DEDENT). Where `tokenize` gives up (bad
    indentation, an unterminated string, ...) it is restarted on the next line, so one bad line
    does not hide the signatures after it."""
    if _C_TOKENIZER is not None:
        fast = _c_tokens(text)
        if fast is not None:
            return fast
    return _python_tokens(text)


def _python_tokens(text: str) -> list[Token]:
    """`tokenize_text` with the stdlib's pure-Python tokenizer (error-tolerant)."""
    lines = _LINE.findall(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    tokens: list[Token] = []
    first = 0  # index of the line this run of the tokenizer starts at
    while first < len(lines):
        failed_at = _run(lines, starts, first, tokens)
        if failed_at is None:
            break
        first = max(failed_at, first + 1)
    return tokens


def _run(lines: list[str], starts: list[int], first: int, out: list[Token]) -> int | None:
    """Tokenize lines[first:] into `out`; the 0-based line to restart at when it fails."""
    feed = iter(lines[first:])
    at_line_start = True
    last_row = first
    try:
        for tok in tokenize.generate_tokens(lambda: next(feed, "")):
            if tok.type == NEWLINE:
                at_line_start = True
            if tok.type in _SKIPPED:
                continue
            row, col = tok.start[0] - 1 + first, tok.start[1]
            end_row, end_col = tok.end[0] - 1 + first, tok.end[1]
            last_row = row
            line = lines[row] if row < len(lines) else ""
            indent = len(line[: len(line) - len(line.lstrip(" \t\f"))].expandtabs(8))
            out.append(
                Token(
                    tok.type,
                    tok.string,
                    starts[min(row, len(lines))] + col,
                    starts[min(end_row, len(lines))] + end_col,
                    at_line_start and tok.type != NEWLINE,
                    indent,
                )
            )
            if tok.type != NEWLINE:
                at_line_start = False
    except (tokenize.TokenError, SyntaxError) as exc:  # IndentationError is a SyntaxError
        reported: object = getattr(exc, "lineno", None)
        if reported is None and len(exc.args) > 1 and isinstance(exc.args[1], tuple):
            reported = exc.args[1][0]  # TokenError: (message, (row, column))
        ok = isinstance(reported, int) and reported > 0
        failed = reported - 1 + first if ok and isinstance(reported, int) else last_row
        if isinstance(exc, IndentationError):
            return failed  # a fresh tokenizer accepts the line's indentation
        return max(failed, last_row) + 1
    return None


def _c_tokenizer() -> object | None:
    """CPython's own tokenizer (`_tokenize.TokenizerIter(str)`) on 3.11, where its tokens, once
    mapped, equal those of the stdlib's pure-Python `tokenize` (tests/test_pytokens.py), which
    costs several times more. 3.10 lacks it; 3.12 changed this private API and made `tokenize`
    itself use the C tokenizer, so other versions take `_python_tokens`."""
    if sys.version_info[:2] != (3, 11):
        return None
    try:
        from _tokenize import TokenizerIter
    except ImportError:
        return None
    return TokenizerIter  # type: ignore[no-any-return]


_C_TOKENIZER = _c_tokenizer()
_AS_OP = frozenset(tokenize.EXACT_TOKEN_TYPES.values())
_AS_NAME = frozenset({tokenize.ASYNC, tokenize.AWAIT})


def _c_tokens(text: str) -> list[Token] | None:
    """The tokens `_python_tokens` gives, from the C tokenizer; None where it cannot tell the
    same story: the C tokenizer rejects the text (a bad indent, an unterminated string, a stray
    `$`, ...: the Python tokenizer restarts past such lines), would number lines otherwise (a
    lone carriage return) or split a name elsewhere (a combining mark). The C tokenizer counts
    columns in UTF-8 bytes, types operators exactly, has ASYNC/AWAIT tokens and puts NEWLINE
    before a trailing comment; all mapped here."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    lines = _LINE.findall(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    lines.append("")  # the row of the end marker of a file without a final newline
    out: list[Token] = []
    append = out.append
    new = tuple.__new__
    skipped, as_op, as_name = _SKIPPED, _AS_OP, _AS_NAME
    at_line_start = True
    last_row = -1
    line, base, indent, ascii_line = "", 0, 0, True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # `1if x` and the like warn; the tokens are the same
            for string, kind, row, end_row, col, end_col, _ in _C_TOKENIZER(text):  # type: ignore[operator]
                if kind in skipped:
                    continue
                if row != last_row:
                    last_row = row
                    line = lines[row - 1]
                    base = starts[row - 1]
                    indent = len(line[: len(line) - len(line.lstrip(" \t\f"))].expandtabs(8))
                    ascii_line = line.isascii()
                if kind == NEWLINE:
                    # At the line's end, after any comment; "" (one past the end) at the end of
                    # a file without a final newline, as `tokenize` has it.
                    if line.endswith("\n"):
                        ending = "\r\n" if line.endswith("\r\n") else "\n"
                        at = base + len(line) - len(ending)
                        append(new(Token, (NEWLINE, ending, at, at + len(ending), False, indent)))
                    else:
                        at = base + len(line)
                        append(new(Token, (NEWLINE, "", at, at + 1, False, indent)))
                    at_line_start = True
                    continue
                if kind in as_op:
                    kind = OP
                elif kind == OP:
                    return None  # `$`, `?`, `!`: `tokenize` has ERRORTOKENs there
                elif kind in as_name:
                    kind = NAME
                if not ascii_line:
                    if kind == NAME and _WORD.fullmatch(string) is None:
                        return None  # `tokenize` splits a name at a combining mark
                    col = len(line.encode("utf-8")[:col].decode("utf-8"))
                    if end_row == row:
                        end_col = len(line.encode("utf-8")[:end_col].decode("utf-8"))
                start = base + col
                if end_row == row:
                    end = base + end_col
                else:
                    last = lines[end_row - 1]
                    if not last.isascii():
                        end_col = len(last.encode("utf-8")[:end_col].decode("utf-8"))
                    end = starts[end_row - 1] + end_col
                append(new(Token, (kind, text[start:end], start, end, at_line_start, indent)))
                at_line_start = False
    except (SyntaxError, ValueError, UnicodeError, IndexError):
        return None
    # On some errors (a dedent to no enclosing level, inconsistent tabs, the end of the file
    # inside brackets) the C tokenizer just stops, as it does at the end: the run is whole only
    # if it ended a logical line and nothing but blank lines and comments follows.
    if out and out[-1].type != NEWLINE:
        return None
    rest = lines[last_row:-1] if out else lines[:-1]
    if not all(_BLANK.match(line) for line in rest):
        return None
    return out


def file_tokens(project: Project, path: PurePosixPath) -> list[Token]:
    """Tokens of a project file, computed once per snapshot."""
    return project.memo(("pysource.tokens", path), lambda: tokenize_text(project.text(path) or ""))


def matching(tokens: list[Token], index: int) -> int | None:
    """Index of the bracket closing the one at `index`; None when the file is unbalanced there."""
    depth = 0
    for i in range(index, len(tokens)):
        tok = tokens[i]
        if tok.type == NEWLINE:
            return None
        if tok.type == OP:
            if tok.text in OPENERS:
                depth += 1
            elif tok.text in CLOSERS:
                depth -= 1
                if depth == 0:
                    return i
    return None


def split_items(
    tokens: list[Token], lo: int, hi: int, *, stop_at_colon: bool = False
) -> tuple[list[tuple[int, int]], int]:
    """Split tokens[lo:hi] at top-level commas: ([(start, end) index ranges], stop index).

    Commas inside a lambda's parameters (`lambda x, y: ...`) do not split. With
    `stop_at_colon` (a lambda's own parameters) the first top-level `:` ends the list.
    """
    items: list[tuple[int, int]] = []
    depth = 0
    open_lambdas = 0  # lambdas whose parameter list has not reached its `:` yet
    start = lo
    i = lo
    while i < hi:
        tok = tokens[i]
        if tok.type == OP and tok.text in OPENERS:
            depth += 1
        elif tok.type == OP and tok.text in CLOSERS:
            depth -= 1
        elif depth == 0:
            if tok.is_name("lambda"):
                open_lambdas += 1
            elif tok.is_op(":"):
                if open_lambdas:
                    open_lambdas -= 1
                elif stop_at_colon:
                    break
            elif tok.is_op(",") and not open_lambdas:
                items.append((start, i))
                start = i + 1
        i += 1
    if start < i:
        items.append((start, i))
    return items, i


def top_level(tokens: list[Token], lo: int, hi: int) -> list[Token]:
    """Tokens of tokens[lo:hi] not nested inside brackets."""
    out = []
    depth = 0
    for tok in tokens[lo:hi]:
        if tok.type == OP and tok.text in CLOSERS:
            depth -= 1
        if depth == 0:
            out.append(tok)
        if tok.type == OP and tok.text in OPENERS:
            depth += 1
    return out
