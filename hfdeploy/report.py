"""Render findings as text, JSON, GitHub workflow annotations or SARIF 2.1.0 (pure strings)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence
from typing import Any

from hfdeploy import __version__
from hfdeploy.diagnostics import Applicability, Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.redact import redact


def _printable(text: str) -> str:
    # File names may hold bytes that are not UTF-8 (surrogate escapes); never crash printing.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def location(project: Project, diag: Diagnostic) -> tuple[int | None, int | None]:
    if diag.path is None or diag.span is None:
        return None, None
    source = project.source(diag.path)
    if source is None:
        return None, None
    return source.line_col(diag.span.start)


def fixable(diag: Diagnostic, unsafe: bool = False) -> bool:
    return diag.fix is not None and (diag.fix.applicability is Applicability.SAFE or unsafe)


def as_dict(project: Project, diag: Diagnostic) -> dict[str, Any]:
    line, column = location(project, diag)
    return {
        "code": diag.code,
        "severity": str(diag.severity),
        "path": _printable(str(diag.path)) if diag.path is not None else None,
        "line": line,
        "column": column,
        "message": redact(diag.message),
        "notes": [redact(n) for n in diag.notes],
        "fix": None
        if diag.fix is None
        else {"applicability": str(diag.fix.applicability), "description": diag.fix.title},
    }


def render_text(project: Project, diags: Sequence[Diagnostic], *, summary: bool = True) -> str:
    out = []
    for diag in diags:
        line, column = location(project, diag)
        where = _printable(str(diag.path)) if diag.path is not None else "."
        if line is not None:
            where += f":{line}:{column}"
        mark = " [*]" if fixable(diag) else (" [unsafe fix]" if diag.fix else "")
        out.append(f"{where}: {diag.code}{mark} {diag.severity!s}: {redact(diag.message)}")
        out.extend(f"    {redact(note)}" for note in diag.notes)
    if summary:
        out.append(summary_line(diags))
    return "\n".join(out) + "\n"


def summary_line(diags: Sequence[Diagnostic]) -> str:
    if not diags:
        return "No problems found."
    counts = {s: sum(1 for d in diags if d.severity is s) for s in Severity}
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in reversed(Severity) if counts[s]
    ]
    safe = sum(1 for d in diags if fixable(d))
    unsafe = sum(1 for d in diags if d.fix is not None and not fixable(d))
    tail = ""
    if safe:
        tail += f"; {safe} fixable with `hfdeploy fix --write`"
    if unsafe:
        tail += f"; {unsafe} more with `--unsafe-fixes`"
    return f"Found {', '.join(parts)}{tail}."


def render_json(project: Project, diags: Sequence[Diagnostic]) -> str:
    return json.dumps([as_dict(project, d) for d in diags], indent=2, ensure_ascii=False) + "\n"


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(project: Project, diags: Sequence[Diagnostic]) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    out = []
    for diag in diags:
        line, column = location(project, diag)
        props = []
        if diag.path is not None:
            props.append(f"file={_gh_escape(_printable(str(diag.path)), prop=True)}")
        if line is not None:
            props.append(f"line={line},col={column}")
        props.append(f"title={_gh_escape(diag.code, prop=True)}")
        message = redact(diag.message) + "".join("\n" + redact(n) for n in diag.notes)
        out.append(f"::{level[diag.severity]} {','.join(props)}::{_gh_escape(message)}")
    return "\n".join(out) + ("\n" if out else "")


def render_sarif(project: Project, diags: Sequence[Diagnostic]) -> str:
    from hfdeploy.registry import TOOL_CODES, all_checks

    rules = [
        {
            "id": c.code,
            "name": c.name,
            "shortDescription": {"text": c.summary()},
            "fullDescription": {"text": c.documentation()},
            "defaultConfiguration": {"level": _sarif_level(c.severity)},
        }
        for c in all_checks()
    ] + [{"id": code, "shortDescription": {"text": text}} for code, text in TOOL_CODES.items()]
    results = []
    for diag in diags:
        line, column = location(project, diag)
        result: dict[str, Any] = {
            "ruleId": diag.code,
            "level": _sarif_level(diag.severity),
            "message": {"text": redact(diag.message)},
        }
        if diag.path is not None:
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": _uri(str(diag.path)), "uriBaseId": "%SRCROOT%"}
            }
            if line is not None:
                physical["region"] = {"startLine": line, "startColumn": column}
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hfdeploy",
                        "version": __version__,
                        "informationUri": "https://github.com/hfdeploy/hfdeploy",
                        "rules": rules,
                    }
                },
                "results": results,
                # Columns count characters of the decoded text, not SARIF's default UTF-16 units.
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    """A relative URI reference for SARIF: `my file.py`, `50%.py`, `a:b.py` percent-encoded."""
    return urllib.parse.quote(path, safe="/", errors="surrogateescape")


def _sarif_level(severity: Severity) -> str:
    return {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[severity]


def render(fmt: str, project: Project, diags: Sequence[Diagnostic]) -> str:
    return {
        "text": render_text,
        "json": render_json,
        "github": render_github,
        "sarif": render_sarif,
    }[fmt](project, diags)
