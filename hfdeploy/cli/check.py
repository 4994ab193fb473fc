"""`hfdeploy check`: report problems; exit 1 when an error remains (the CI gate)."""

from __future__ import annotations

from pathlib import Path

import typer

from hfdeploy.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    IGNORE_OPT,
    INDEX_OPT,
    LOCK_DATE_OPT,
    OFFLINE_OPT,
    PATH_ARG,
    PYTHON_OPT,
    SELECT_OPT,
    OutputFormat,
    choose_selection,
    guarded,
    load_project,
)
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.report import render
from hfdeploy.runner import run_checks


def register(app: typer.Typer) -> None:
    app.command(
        "check",
        help=(
            "Report why the repository would fail as a Hugging Face Docker Space.\n\n"
            "Exit codes: 0 no error left (warnings allowed), 1 at least one error, 2 usage or "
            "configuration error, 3 internal error. Findings marked [*] are fixed by "
            "`hfdeploy fix --write`."
        ),
    )(check)


@guarded
def check(
    path: Path = PATH_ARG,
    format: OutputFormat = typer.Option(
        OutputFormat.text,
        "--format",
        "-f",
        help="text for people; json, github or sarif for tools.",
    ),
    select: list[str] = SELECT_OPT,
    ignore: list[str] = IGNORE_OPT,
    offline: bool = OFFLINE_OPT,
    python: str | None = PYTHON_OPT,
    index_url: str | None = INDEX_OPT,
    lock_date: str | None = LOCK_DATE_OPT,
    no_cache: bool = typer.Option(
        False,
        "--no-cache",
        help="Ignore the result cache (HFDEPLOY_CACHE_DIR) and re-check everything.",
    ),
) -> None:
    project = load_project(
        path, offline=offline, python=python, index_url=index_url, lock_date=lock_date
    )
    diagnostics = collect(project, select, ignore, use_cache=not no_cache)
    print(render(format.value, project, diagnostics), end="")
    failed = any(d.severity is Severity.ERROR for d in diagnostics)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def collect(
    project: Project, select: list[str], ignore: list[str], *, use_cache: bool = True
) -> list[Diagnostic]:
    return run_checks(project, choose_selection(project, select, ignore), use_cache=use_cache)
