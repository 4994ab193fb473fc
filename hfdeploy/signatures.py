"""Function signatures found from tokens, so files `ast.parse` rejects can still be read: every
`def`, `async def` and `lambda`, its parameters (which have defaults), and where it is defined."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Span
from hfdeploy.pytokens import (
    CLOSERS,
    NAME,
    NEWLINE,
    OP,
    OPENERS,
    Token,
    file_tokens,
    matching,
    split_items,
    tokenize_text,
)

if TYPE_CHECKING:
    from hfdeploy.project import Project


class ParamKind(enum.Enum):
    PLAIN = "plain"  # `a`, `a: int`, `a=1`, `a: int = 1`
    VARARGS = "*args"
    BARE_STAR = "*"
    SLASH = "/"
    KWARGS = "**kwargs"


@dataclass(frozen=True, slots=True)
class Param:
    kind: ParamKind
    name: str  # "*" and "/" for the markers
    span: Span  # the whole parameter: `q: str = Query(None)`
    default_at: int | None = None  # offset of the `=` that starts the default

    @property
    def has_default(self) -> bool:
        return self.default_at is not None


@dataclass(eq=False)
class Block:
    """A class or function body: its header line's indentation and extent."""

    kind: str  # "class" | "def"
    name: str
    start: int
    indent: int
    end: int = sys.maxsize  # offset of the first line after the body

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end


@dataclass(frozen=True, eq=False)
class Signature:
    kind: str  # "def" | "lambda"
    name: str | None  # None for a lambda not assigned to a name
    start: int  # offset of `def` / `lambda`
    params: tuple[Param, ...]
    enclosing: tuple[Block, ...]  # outermost first
    decorators: tuple[str, ...] = ()  # last dotted component: "staticmethod", "get", ...

    @property
    def owner_class(self) -> Block | None:
        return self.enclosing[-1] if self.enclosing and self.enclosing[-1].kind == "class" else None

    @property
    def is_nested(self) -> bool:
        return any(block.kind == "def" for block in self.enclosing)

    @property
    def binding(self) -> str:
        """How callers reach it: "function", "method", "classmethod" or "staticmethod"."""
        if self.owner_class is None:
            return "function"
        for kind in ("staticmethod", "classmethod"):
            if kind in self.decorators:
                return kind
        return "method"


def positional(params: tuple[Param, ...]) -> list[Param]:
    """The parameters that can be passed by position, in declared order."""
    out = []
    for param in params:
        if param.kind is ParamKind.PLAIN:
            out.append(param)
        elif param.kind is not ParamKind.SLASH:
            break
    return out


def positional_only_count(params: tuple[Param, ...]) -> int:
    for index, param in enumerate(params):
        if param.kind is ParamKind.SLASH:
            return index
        if param.kind is not ParamKind.PLAIN:
            return 0
    return 0


@dataclass(frozen=True)
class Offence:
    index: int  # of the first offending parameter in positional(params)
    param: Param  # has no default ...
    follows: Param  # ... but comes after this one, which has


def find_offence(params: tuple[Param, ...]) -> Offence | None:
    last_default: Param | None = None
    for index, param in enumerate(positional(params)):
        if param.has_default:
            last_default = param
        elif last_default is not None:
            return Offence(index, param, last_default)
    return None


def file_signatures(project: Project, path: PurePosixPath) -> list[Signature]:
    return project.memo(
        ("pysource.signatures", path), lambda: scan_signatures(file_tokens(project, path))
    )


def offending_signatures(project: Project, path: PurePosixPath) -> list[Signature]:
    """The signatures of the file that `find_offence` rejects, in file order. The parallel
    parse pass reads them in the worker that found the file does not parse (`offending`), so
    the main process neither tokenizes the file nor scans it for them."""

    def find() -> list[Signature]:
        return [sig for sig in file_signatures(project, path) if find_offence(sig.params)]

    return project.memo(("pysource.offending-signatures", path), find)


def take_offending(
    project: Project, path: PurePosixPath, packed: tuple[PackedSignature, ...]
) -> list[Signature]:
    """Store the `offending` signatures a worker found (packed) as the file's answer."""
    found = [unpack(sig) for sig in packed]
    return project.memo(("pysource.offending-signatures", path), lambda: found)


def offending(text: str) -> list[Signature]:
    """`offending_signatures` of a text (what a worker of the parse pass computes)."""
    return [sig for sig in scan_signatures(tokenize_text(text)) if find_offence(sig.params)]


# A signature as plain tuples, cheap to pickle from a worker process to the main one.
PackedSignature = tuple[
    str,
    "str | None",
    int,
    tuple[tuple[str, str, int, int, "int | None"], ...],
    tuple[tuple[str, str, int, int, int], ...],
    tuple[str, ...],
]


def pack(sig: Signature) -> PackedSignature:
    return (
        sig.kind,
        sig.name,
        sig.start,
        tuple((p.kind.value, p.name, p.span.start, p.span.end, p.default_at) for p in sig.params),
        tuple((b.kind, b.name, b.start, b.indent, b.end) for b in sig.enclosing),
        sig.decorators,
    )


def unpack(packed: PackedSignature) -> Signature:
    kind, name, start, params, enclosing, decorators = packed
    return Signature(
        kind,
        name,
        start,
        tuple(Param(ParamKind(k), n, Span(a, b), d) for k, n, a, b, d in params),
        tuple(Block(*block) for block in enclosing),
        decorators,
    )


def scan_signatures(tokens: list[Token]) -> list[Signature]:
    found: list[Signature] = []
    stack: list[Block] = []
    decorators: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.line_start:
            while stack and stack[-1].indent >= tok.indent:
                stack.pop().end = tok.start
            if tok.is_op("@"):
                decorators.append(_dotted_tail(tokens, i + 1))
            elif not tok.is_name("async") and not tok.is_name("def") and not tok.is_name("class"):
                decorators.clear()
        if tok.type != NAME:
            continue
        name_tok = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            tok.text == "class"
            and tok.line_start
            and name_tok is not None
            and name_tok.type == NAME
        ):
            stack.append(Block("class", name_tok.text, tok.start, tok.indent))
            decorators.clear()
        elif tok.text == "def" and name_tok is not None and name_tok.type == NAME:
            params = _def_params(tokens, i + 2)
            if params is not None:
                found.append(
                    Signature(
                        "def", name_tok.text, tok.start, params, tuple(stack), tuple(decorators)
                    )
                )
            decorators.clear()
            header = tokens[i - 1] if i and tokens[i - 1].is_name("async") else tok
            if header.line_start:
                stack.append(Block("def", name_tok.text, header.start, header.indent))
        elif tok.text == "lambda":
            sig = _lambda(tokens, i, tuple(stack))
            if sig is not None:
                found.append(sig)
    return found


def _dotted_tail(tokens: list[Token], i: int) -> str:
    last = ""
    while i < len(tokens) and tokens[i].type == NAME:
        last = tokens[i].text
        if i + 1 < len(tokens) and tokens[i + 1].is_op("."):
            i += 2
        else:
            break
    return last


def _def_params(tokens: list[Token], i: int) -> tuple[Param, ...] | None:
    if i < len(tokens) and tokens[i].is_op("["):  # PEP 695 type parameters
        close = matching(tokens, i)
        if close is None:
            return None
        i = close + 1
    if i >= len(tokens) or not tokens[i].is_op("("):
        return None
    close = matching(tokens, i)
    if close is None:
        return None
    return _params(tokens, i + 1, close, annotated=True)


def _lambda(tokens: list[Token], i: int, enclosing: tuple[Block, ...]) -> Signature | None:
    end = _expression_end(tokens, i + 1)
    _, stop = split_items(tokens, i + 1, end, stop_at_colon=True)
    if stop >= end or not tokens[stop].is_op(":"):
        return None
    params = _params(tokens, i + 1, stop, annotated=False)
    if params is None:
        return None
    name = None
    if (
        i >= 2
        and tokens[i - 1].is_op("=")
        and tokens[i - 2].type == NAME
        and tokens[i - 2].line_start
    ):
        name = tokens[i - 2].text
    return Signature("lambda", name, tokens[i].start, params, enclosing)


def _expression_end(tokens: list[Token], i: int) -> int:
    """Index just past the expression starting at `i`: the end of its line or its bracket."""
    depth = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == NEWLINE:
            return i
        if tok.type == OP and tok.text in OPENERS:
            depth += 1
        elif tok.type == OP and tok.text in CLOSERS:
            depth -= 1
            if depth < 0:
                return i
        i += 1
    return i


def _params(tokens: list[Token], lo: int, hi: int, *, annotated: bool) -> tuple[Param, ...] | None:
    items, _ = split_items(tokens, lo, hi)
    params = []
    for a, b in items:
        param = _param(tokens, a, b, annotated) if a < b else None
        if param is None:
            return None  # not a parameter list we understand: leave it to the syntax check
        params.append(param)
    return tuple(params)


def _param(tokens: list[Token], a: int, b: int, annotated: bool) -> Param | None:
    first = tokens[a]
    span = Span(first.start, tokens[b - 1].end)
    if first.is_op("/") and b == a + 1:
        return Param(ParamKind.SLASH, "/", span)
    if first.is_op("*") and b == a + 1:
        return Param(ParamKind.BARE_STAR, "*", span)
    if first.type == OP and first.text in ("*", "**"):
        if b > a + 1 and tokens[a + 1].type == NAME:
            kind = ParamKind.VARARGS if first.text == "*" else ParamKind.KWARGS
            return Param(kind, tokens[a + 1].text, span)
        return None
    if first.type != NAME:
        return None
    if b > a + 1 and not (tokens[a + 1].is_op("=") or (annotated and tokens[a + 1].is_op(":"))):
        return None
    depth = 0
    for tok in tokens[a + 1 : b]:
        if tok.type == OP and tok.text in OPENERS:
            depth += 1
        elif tok.type == OP and tok.text in CLOSERS:
            depth -= 1
        elif depth == 0 and tok.is_op("="):
            return Param(ParamKind.PLAIN, first.text, span, tok.start)
    return Param(ParamKind.PLAIN, first.text, span)
