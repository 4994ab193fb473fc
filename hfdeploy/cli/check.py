"""`hfdeploy check`: report problems; exit 1 when an error remains (the CI gate)."""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from hfdeploy import cache
from hfdeploy.check import Check
from hfdeploy.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    IGNORE_OPT,
    INDEX_OPT,
    OFFLINE_OPT,
    PATH_ARG,
    PYTHON_OPT,
    SELECT_OPT,
    OutputFormat,
    choose_checks,
    guarded,
    load_project,
)
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.report import render
from hfdeploy.runner import finalise, run_one


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
        OutputFormat.text, "--format", "-f", help="text for people; json, github or sarif for tools."
    ),
    select: list[str] = SELECT_OPT,
    ignore: list[str] = IGNORE_OPT,
    offline: bool = OFFLINE_OPT,
    python: str | None = PYTHON_OPT,
    index_url: str | None = INDEX_OPT,
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Ignore the result cache (HFDEPLOY_CACHE_DIR) and re-check everything."
    ),
) -> None:
    project = load_project(path, offline=offline, python=python, index_url=index_url)
    diagnostics = collect(project, select, ignore, use_cache=not no_cache)
    print(render(format.value, project, diagnostics), end="")
    failed = any(d.severity is Severity.ERROR for d in diagnostics)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def collect(
    project: Project, select: list[str], ignore: list[str], *, use_cache: bool = True
) -> list[Diagnostic]:
    selection = ["select", *sorted(select), "ignore", *sorted(ignore)]
    hit = cache.load(project, selection) if use_cache else None
    if hit is not None:
        found, uncached = hit
        checks = [_import_check(ref)() for ref in uncached]
    else:
        checks = choose_checks(project, select, ignore)
        found = [d for c in checks if c.cacheable for d in run_one(project, c)] + project.problems
        checks = [c for c in checks if not c.cacheable]
        if use_cache:
            refs = [f"{type(c).__module__}:{type(c).__qualname__}" for c in checks]
            cache.store(project, selection, finalise(project, found), refs)
    for check in checks:
        found.extend(run_one(project, check))
    return finalise(project, found)


def _import_check(ref: str) -> type[Check]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
