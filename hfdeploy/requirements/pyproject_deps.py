"""Dependencies declared in pyproject.toml: PEP 621 `[project] dependencies` and Poetry's
`[tool.poetry.dependencies]` (caret and tilde ranges), with the text position of each entry.

tomllib gives the values; a small scan of the text finds where each one is written, so fixes
splice only the version text and keep the file's formatting."""

from __future__ import annotations

import re
import sys
from pathlib import PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from hfdeploy.constraints import poetry_specifier as poetry_specifier
from hfdeploy.diagnostics import Span
from hfdeploy.requirements.model import Declared, ParsedFile, SyntaxProblem
from hfdeploy.requirements.reqfile import LogicalLine, declared_from

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'([^\'\n]*)\'')
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(?:#.*)?$", re.MULTILINE)


def _table_body(text: str, name: str) -> tuple[int, int] | None:
    """Offsets of the body of `[name]` (up to the next table header)."""
    headers = list(_TABLE.finditer(text))
    for i, m in enumerate(headers):
        if m.group(1).replace(" ", "").replace('"', "") == name:
            end = headers[i + 1].start() if i + 1 < len(headers) else len(text)
            return m.end(), end
    return None


def _line_at(text: str, start: int, end: int) -> LogicalLine:
    return LogicalLine(
        text[start:end], tuple(range(start, end)), text.count("\n", 0, start) + 1, end
    )


def parse_pyproject(path: PurePosixPath, text: str) -> ParsedFile:
    parsed = ParsedFile(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        parsed.problems.append(
            SyntaxProblem(path, Span(0, 0), f"pyproject.toml is not valid TOML ({exc})")
        )
        return parsed
    project = data.get("project")
    if isinstance(project, dict) and isinstance(project.get("dependencies"), list):
        _pep621(parsed, text, project["dependencies"])
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(deps, dict) and not parsed.requirements:
        _poetry(parsed, text, deps)
    return parsed


def _pep621(parsed: ParsedFile, text: str, values: list[object]) -> None:
    body = _table_body(text, "project")
    m = re.compile(r"^\s*dependencies\s*=\s*\[", re.MULTILINE).search(text, *body) if body else None
    found: list[re.Match[str]] = []
    if m:
        pos = m.end()
        while pos < len(text):
            nxt = _STRING.search(text, pos)
            close = text.find("]", pos)
            comment = text.find("#", pos)
            if (
                comment != -1
                and (nxt is None or comment < nxt.start())
                and (close == -1 or comment < close)
            ):
                newline = text.find("\n", comment)
                pos = len(text) if newline == -1 else newline
                continue
            if nxt is None or (close != -1 and close < nxt.start()):
                break
            found.append(nxt)
            pos = nxt.end()
    for i, value in enumerate(values):
        if not isinstance(value, str):
            continue
        literal = found[i] if i < len(found) else None
        start = literal.start() + 1 if literal else 0
        line = _line_at(text, start, start + len(value)) if literal else _line_at(text, 0, 0)
        try:
            req = Requirement(value)
        except InvalidRequirement as exc:
            span = Span(start, start + len(value)) if literal else Span(0, 0)
            parsed.problems.append(
                SyntaxProblem(
                    parsed.path,
                    span,
                    f"`{value}` is not a valid requirement: {str(exc).splitlines()[0]}",
                )
            )
            continue
        if literal is None or "\\" in literal.group(0):  # escapes: positions would be off
            parsed.requirements.append(_unplaced(req, parsed.path, "pyproject"))
            continue
        parsed.requirements.append(
            declared_from(req, value, parsed.path, line, 0, source="pyproject")
        )


def _unplaced(req: Requirement, path: PurePosixPath, source: str) -> Declared:
    return Declared(
        name=req.name,
        extras=frozenset(req.extras),
        specifier=req.specifier,
        marker=req.marker,
        path=path,
        line=1,
        span=Span(0, 0),
        name_span=Span(0, 0),
        url=req.url,
        source=source,
    )


def _poetry(parsed: ParsedFile, text: str, deps: dict[str, object]) -> None:
    body = _table_body(text, "tool.poetry.dependencies")
    for name, value in deps.items():
        if name.lower() == "python" or (isinstance(value, dict) and value.get("optional") is True):
            continue  # optional ones come only with an extra: `pip install .` leaves them out
        m = (
            re.compile(rf"^[ \t]*\"?{re.escape(name)}\"?[ \t]*=[ \t]*(.*)$", re.MULTILINE).search(
                text, *body
            )
            if body
            else None
        )
        version = (
            value
            if isinstance(value, str)
            else value.get("version")
            if isinstance(value, dict)
            else None
        )
        extras = value.get("extras", []) if isinstance(value, dict) else []
        if not isinstance(version, str):
            version = "*"  # git/path/url dependencies are not looked up
        try:
            spec = poetry_specifier(version)
            req = Requirement(f"{name}[{','.join(extras)}]{spec}" if extras else f"{name}{spec}")
        except (InvalidSpecifier, InvalidRequirement, ValueError):
            span = Span(m.start(1), m.end(1)) if m else Span(0, 0)
            parsed.problems.append(
                SyntaxProblem(
                    parsed.path, span, f"cannot read the Poetry constraint `{version}` of `{name}`"
                )
            )
            continue
        if not m:
            parsed.requirements.append(_unplaced(req, parsed.path, "poetry"))
            continue
        line = _line_at(text, m.start(), m.end())
        name_at = text.index(name, m.start())
        version_span = None
        pin = re.search(r'"(?:==)?(\d[^"\s,*]*)"', m.group(1))
        if (
            pin
            and req.specifier
            and len(req.specifier) == 1
            and str(next(iter(req.specifier))).startswith("==")
        ):
            version_span = Span(m.start(1) + pin.start(1), m.start(1) + pin.end(1))
        if isinstance(value, dict) and isinstance(
            value.get("git") or value.get("path") or value.get("url"), str
        ):
            parsed.requirements.append(
                Declared(
                    name=name,
                    extras=frozenset(),
                    specifier=SpecifierSet(),
                    marker=None,
                    path=parsed.path,
                    line=line.line,
                    span=Span(m.start(), m.end()),
                    name_span=Span(name_at, name_at + len(name)),
                    url=str(value.get("git") or value.get("path") or value.get("url")),
                    source="poetry",
                )
            )
            continue
        parsed.requirements.append(
            Declared(
                name=req.name,
                extras=frozenset(req.extras),
                specifier=req.specifier,
                marker=None,
                path=parsed.path,
                line=line.line,
                span=Span(m.start(), m.end()),
                name_span=Span(name_at, name_at + len(name)),
                version_span=version_span,
                source="poetry",
            )
        )
