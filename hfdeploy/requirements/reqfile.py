"""pip's requirements-file syntax, read the way pip reads it, keeping every text position.

pip joins `\\`-continued lines, drops `#` comments that start a line or follow whitespace, then
treats a line as options (`-r`, `-c`, `-e`, `-i`, ...) or as a requirement followed by
per-requirement options (`--hash=...`). https://pip.pypa.io/en/stable/reference/requirements-file-format/
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement

from hfdeploy.diagnostics import Span
from hfdeploy.requirements.model import Declared, Include, ParsedFile, SyntaxProblem

_COMMENT = re.compile(r"(^|\s+)#.*$")
_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EXTRAS = re.compile(r"\s*\[[^\]]*\]")
_PIN_VERSION = re.compile(r"===?\s*([^\s,;)]+)")
_URL_LIKE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|git\+|hg\+|svn\+|bzr\+|\.{0,2}/)")
_ARCHIVE = re.compile(r"\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tar)$")
_EGG = re.compile(r"#egg=([A-Za-z0-9._-]+)")

# Option name -> takes a value. Short forms are mapped to long ones in `_OPTION_ALIASES`.
_LINE_OPTIONS = {
    "--requirement": True,
    "--constraint": True,
    "--editable": True,
    "--index-url": True,
    "--extra-index-url": True,
    "--no-index": False,
    "--find-links": True,
    "--pre": False,
    "--prefer-binary": False,
    "--only-binary": True,
    "--no-binary": True,
    "--trusted-host": True,
    "--require-hashes": False,
    "--use-feature": True,
}
_REQ_OPTIONS = {"--hash": True, "--config-settings": True, "--global-option": True}
_OPTION_ALIASES = {
    "-r": "--requirement",
    "-c": "--constraint",
    "-e": "--editable",
    "-i": "--index-url",
    "-f": "--find-links",
    "-C": "--config-settings",
}


@dataclass(frozen=True)
class LogicalLine:
    """A line after joining continuations and dropping the comment; `offsets[i]` is the file
    offset of `text[i]`."""

    text: str
    offsets: tuple[int, ...]
    line: int  # 1-based number of its first physical line
    end: int  # file offset just past its last character

    def span(self, start: int, end: int) -> Span:
        if start >= end:
            at = self.offsets[start] if start < len(self.offsets) else self.end
            return Span(at, at)
        return Span(self.offsets[start], self.offsets[end - 1] + 1)


def logical_lines(text: str) -> Iterator[LogicalLine]:
    chars: list[str] = []
    offsets: list[int] = []
    first_line = 0
    pos = 0
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        body = raw.rstrip("\r\n")
        if not chars:
            first_line = number
        if body.endswith("\\") and not _COMMENT.match(body):
            chars.extend(body[:-1])
            offsets.extend(range(pos, pos + len(body) - 1))
        else:
            chars.extend(body)
            offsets.extend(range(pos, pos + len(body)))
            yield _finish(chars, offsets, first_line, pos + len(body))
            chars, offsets = [], []
        pos += len(raw)
    if chars:
        yield _finish(chars, offsets, first_line, pos)


def _finish(chars: list[str], offsets: list[int], line: int, end: int) -> LogicalLine:
    text = "".join(chars)
    m = _COMMENT.search(text)
    if m:
        text = text[: m.start()]
        offsets = offsets[: m.start()]
    return LogicalLine(text, tuple(offsets), line, end)


def _tokens(line: LogicalLine) -> list[tuple[int, int]]:
    """Whitespace-separated tokens as (start, end) indices into `line.text`."""
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", line.text)]


def parse_requirements_text(
    path: PurePosixPath, text: str, *, constraint: bool = False
) -> ParsedFile:
    parsed = ParsedFile(path)
    for line in logical_lines(text):
        if not line.text.strip():
            continue
        if line.text.lstrip().startswith("-"):
            _parse_option_line(parsed, line, constraint)
        else:
            _parse_requirement_line(parsed, line, 0, constraint, editable=False)
    return parsed


def _split_option(token: str) -> tuple[str, str | None]:
    """`--index-url=X` -> (`--index-url`, X); `-rfile` -> (`--requirement`, file)."""
    if token.startswith("--"):
        name, eq, value = token.partition("=")
        return name, (value if eq else None)
    short, rest = token[:2], token[2:]
    return _OPTION_ALIASES.get(short, short), (rest.lstrip("=") or None)


def _parse_option_line(parsed: ParsedFile, line: LogicalLine, constraint: bool) -> None:
    tokens = _tokens(line)
    i = 0
    while i < len(tokens):
        start, end = tokens[i]
        token = line.text[start:end]
        name, value = _split_option(token)
        takes_value = _LINE_OPTIONS.get(name)
        if takes_value is None:
            parsed.problems.append(
                SyntaxProblem(
                    parsed.path,
                    line.span(start, end),
                    f"`{token}` is not an option pip accepts in a requirements file; "
                    '`pip install -r` stops with "no such option"',
                )
            )
            return
        value_span = None
        if takes_value and value is None:
            if i + 1 >= len(tokens):
                parsed.problems.append(
                    SyntaxProblem(parsed.path, line.span(start, end), f"`{token}` needs a value")
                )
                return
            i += 1
            value_span = tokens[i]
            value = line.text[value_span[0] : value_span[1]]
        if name == "--editable":
            rest = value_span[0] if value_span else start + len(token) - len(value or "")
            _parse_requirement_line(parsed, line, rest, constraint, editable=True)
            return
        _apply_option(parsed, name, value or "", line.span(start, tokens[i][1]))
        i += 1


def _apply_option(parsed: ParsedFile, name: str, value: str, span: Span) -> None:
    if name in ("--requirement", "--constraint"):
        target = PurePosixPath(posixpath.normpath(str(parsed.path.parent / value)))
        parsed.includes.append(Include(target, name == "--constraint", span))
    elif name == "--index-url":
        parsed.index_url = value
    elif name == "--extra-index-url":
        parsed.extra_index_urls.append(value)
    elif name == "--no-index":
        parsed.no_index = True
    elif name == "--find-links":
        parsed.find_links.append(value)


def _parse_requirement_line(
    parsed: ParsedFile, line: LogicalLine, begin: int, constraint: bool, *, editable: bool
) -> None:
    # pip splits on single spaces: the requirement runs until the first token that starts
    # with "-"; the rest are per-requirement options such as --hash.
    req_end = len(line.text)
    hashes: list[str] = []
    for m in re.finditer(r"(?<=\s)-\S*", line.text[begin:]):
        req_end = begin + m.start()
        break
    options = line.text[req_end:].split()
    for j, opt in enumerate(options):
        name, value = _split_option(opt)
        if name not in _REQ_OPTIONS:
            parsed.problems.append(
                SyntaxProblem(
                    parsed.path,
                    line.span(req_end, len(line.text)),
                    f"`{opt}` is not a per-requirement option pip accepts",
                )
            )
            return
        if value is None and j + 1 < len(options):
            value = options[j + 1]
        if name == "--hash" and value:
            hashes.append(value)
    raw = line.text[begin:req_end]
    lead = len(raw) - len(raw.lstrip())
    start, stop = begin + lead, begin + len(raw.rstrip())
    text = line.text[start:stop]
    span = line.span(start, stop)
    bare_archive = "@" not in text and _ARCHIVE.search(text.split("#", 1)[0])
    if _URL_LIKE.match(text) or bare_archive or (editable and not _NAME.fullmatch(text)):
        egg = _EGG.search(text)
        name = egg.group(1) if egg else ""
        parsed.requirements.append(
            Declared(
                name=name,
                extras=frozenset(),
                specifier=Requirement("x").specifier,
                marker=None,
                path=parsed.path,
                line=line.line,
                span=span,
                name_span=span,
                url=text,
                editable=editable,
                constraint=constraint,
                hashes=tuple(hashes),
            )
        )
        return
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        detail = str(exc).splitlines()[0]
        parsed.problems.append(
            SyntaxProblem(parsed.path, span, f"`{text}` is not a valid requirement: {detail}")
        )
        return
    parsed.requirements.append(
        declared_from(
            req,
            text,
            parsed.path,
            line,
            start,
            constraint=constraint,
            editable=editable,
            hashes=tuple(hashes),
        )
    )


def declared_from(
    req: Requirement, text: str, path: PurePosixPath, line: LogicalLine, start: int, **kw: object
) -> Declared:
    """Locate the name and an exact pin's version inside `text` (which begins at `start`)."""
    m = _NAME.match(text)
    assert m is not None  # packaging accepted it, so it starts with a name
    name_span = line.span(start + m.start(1), start + m.end(1))
    version_span = None
    rest_at = m.end()
    extras = _EXTRAS.match(text, rest_at)
    if extras:
        rest_at = extras.end()
    spec_text = text[rest_at:].split(";", 1)[0]
    pin = _PIN_VERSION.search(spec_text)
    if pin and req.url is None and len(req.specifier) == 1 and "*" not in pin.group(1):
        version_span = line.span(start + rest_at + pin.start(1), start + rest_at + pin.end(1))
    return Declared(
        name=req.name,
        extras=frozenset(req.extras),
        specifier=req.specifier,
        marker=req.marker,
        path=path,
        line=line.line,
        span=line.span(start, start + len(text)),
        name_span=name_span,
        version_span=version_span,
        url=req.url,
        **kw,  # type: ignore[arg-type]
    )
