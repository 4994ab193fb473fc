"""`hfdeploy check`: report problems; exit 1 when an error remains (the CI gate)."""

from __future__ import annotations

from pathlib import Path

import typer

from hfdeploy.cli.base import CheckArgs, collect, run_check
from hfdeploy.cli.common import (
    IGNORE_OPT,
    INDEX_OPT,
    LOCK_DATE_OPT,
    OFFLINE_OPT,
    PATH_ARG,
    PYTHON_OPT,
    SELECT_OPT,
    OutputFormat,
    guarded,
)

__all__ = ["check", "collect", "register"]


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
    # The same function the console entry runs without typer (`hfdeploy.cli.base`).
    args = CheckArgs(
        path, format.value, select, ignore, offline, python, index_url, no_cache, lock_date
    )
    raise typer.Exit(run_check(args))
