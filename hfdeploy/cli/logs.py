"""`hfdeploy logs`: read a Space's build or run log (from the Hub, a file or stdin) and say what
each known failure in it means, with its rule code, the file it concerns and the fix."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hfdeploy.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, err, guarded
from hfdeploy.diagnostics import Severity
from hfdeploy.errors import UsageError

if TYPE_CHECKING:
    from hfdeploy.hub.diagnose import LogReport
    from hfdeploy.project import Project

HELP = (
    "Explain a Space's build or run log: every failure text hfdeploy knows (SyntaxError at "
    "import, `No matching distribution found`, `pg_config executable not found`, `Permission "
    "denied: '/.cache'`, `Memory limit exceeded`, `Launch timed out`, ...) is mapped to its rule "
    "code, the file and line it concerns (when run in the repository) and the fix. Failures that "
    "are the platform's side (scheduling, capacity) are said to be. The whole log is shown, "
    "secrets masked; error lines nobody recognises are listed at the end.\n\n"
    "SOURCE is OWNER/NAME (fetched from the Hub with HF_TOKEN or the login cache), or `-` for "
    "standard input; --file reads a saved log.\n\n"
    "Exit codes: 0 no known failure in the log, 1 at least one, 2 usage or network error."
)


class LogFormat(str, enum.Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("logs", help=HELP)(logs)


@guarded
def logs(
    source: str | None = typer.Argument(
        None, metavar="[OWNER/NAME | -]", help="The Space, or - for stdin."
    ),
    file: Path | None = typer.Option(None, "--file", help="Read the log from this file."),
    build: bool = typer.Option(False, "--build", help="The build log (default: the run log)."),
    run: bool = typer.Option(False, "--run", help="The run log (the default)."),
    repo: Path = typer.Option(
        Path("."),
        "--repo",
        help="The repository the Space was pushed from, to point at files and lines.",
    ),
    format: LogFormat = typer.Option(
        LogFormat.text, "--format", "-f", help="text, or json for tools."
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Do not repeat the log; print only the diagnosis."
    ),
) -> None:
    from hfdeploy.hub.diagnose import diagnose

    if build and run:
        raise UsageError("--build and --run: choose one")
    if file is not None and source is not None:
        raise UsageError("give either a Space, `-`, or --file, not both")
    project = _repository(repo)
    lines, broken = _read(source, file, build=build)
    report = diagnose(lines, project)
    if format is LogFormat.json:
        print(json.dumps(_as_json(report, broken), indent=2))
    else:
        if not quiet:
            for line in report.lines:
                print(f"| {line}")
        show_findings(project, report)
    if broken:
        err(f"hfdeploy: error: {broken}")
        raise typer.Exit(EXIT_USAGE)
    failed = any(d.severity is Severity.ERROR for d in report.findings)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def _repository(repo: Path) -> Project | None:
    from hfdeploy.cli.common import load_project

    if not repo.is_dir() or not any(
        (repo / n).exists()
        for n in ("Dockerfile", "README.md", "pyproject.toml", "requirements.txt")
    ):
        return None
    try:
        return load_project(repo, offline=True)
    except UsageError:
        return None


def _read(source: str | None, file: Path | None, *, build: bool) -> tuple[list[str], str | None]:
    """The log's lines, and a one-line error when reading stopped early (lines read so far are kept)."""
    if file is not None:
        try:
            return file.read_text(encoding="utf-8", errors="replace").splitlines(), None
        except OSError as exc:
            raise UsageError(
                f"--file {file}: cannot read it ({exc.strerror or type(exc).__name__})"
            ) from None
    if source is None:
        raise UsageError("name a Space (OWNER/NAME), `-` for standard input, or --file")
    if source == "-":
        return sys.stdin.read().splitlines(), None
    from hfdeploy.hub.client import HubClient, HubError, find_token
    from hfdeploy.hub.plan import parse_space

    space = parse_space(source, "SOURCE")
    lines: list[str] = []
    try:
        client = HubClient(find_token() or "")
        for chunk in client.logs(space, build=build):
            lines.extend(chunk.splitlines() or [""])
    except HubError as exc:
        if not lines and exc.kind != "network":
            raise UsageError(str(exc)) from None
        return lines, f"{exc} (showing the {len(lines)} lines read before)"
    return lines, None


def show_findings(project: Project | None, report: LogReport) -> None:
    from hfdeploy.report import location

    if not report.findings:
        print("hfdeploy knows no failure in this log.")
    for diag in report.findings:
        where = ""
        if diag.path is not None:
            line, col = location(project, diag) if project is not None else (None, None)
            where = f"{diag.path}:{line}:{col}: " if line is not None else f"{diag.path}: "
        print(f"{where}{diag.code} {diag.severity}: {diag.message}")
        for note in diag.notes:
            print(f"    {note}")
    if report.unrecognised:
        print(f"Error lines hfdeploy does not recognise ({len(report.unrecognised)}):")
        for number, text in report.unrecognised[:50]:
            print(f"  line {number}: {text.strip()}")
        if len(report.unrecognised) > 50:
            print(f"  ... and {len(report.unrecognised) - 50} more (see the log above)")


def _as_json(report: LogReport, broken: str | None) -> dict[str, object]:
    return {
        "lines": len(report.lines),
        "findings": [
            {
                "code": d.code,
                "severity": str(d.severity),
                "message": d.message,
                "path": str(d.path) if d.path else None,
                "notes": list(d.notes),
            }
            for d in report.findings
        ],
        "unrecognised": [{"line": n, "text": t} for n, t in report.unrecognised],
        "error": broken,
    }
