"""`hfdeploy fix`: show (default) or apply (`--write`) the fixes for what `check` reports."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import typer

from hfdeploy.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    IGNORE_OPT,
    INDEX_OPT,
    LOCK_DATE_OPT,
    OFFLINE_OPT,
    PATH_ARG,
    PYTHON_OPT,
    SELECT_OPT,
    choose_checks,
    err,
    guarded,
    load_project,
)
from hfdeploy.cli.verify import (
    BUILD_TIMEOUT_OPT,
    BUILDER_OPT,
    CPUS_OPT,
    ENV_FILE_OPT,
    ENV_OPT,
    MEMORY_OPT,
    NETWORK_OPT,
    PORT_OPT,
    SERVICES_OPT,
    SPACE_OPT,
    TIMEOUT_OPT,
    USER_OPT,
    Builder,
    Services,
)
from hfdeploy.diagnostics import Severity
from hfdeploy.fixer import StaleFileError, complete_interrupted, fix_project, write_changes
from hfdeploy.pysource.app_discovery import find_app
from hfdeploy.report import render_text


def register(app: typer.Typer) -> None:
    app.command(
        "fix",
        help=(
            "Repair what `check` reports. Without --write, print the changes as a unified diff "
            "and touch nothing.\n\n"
            "--write applies every safe fix (and unsafe ones with --unsafe-fixes), editing files in "
            "place: comments, formatting, line endings and encoding are kept, writes are atomic, "
            "and a Python file is never left unparsable. Exit 0 when no error would remain, 1 when "
            "one does, 2 on usage errors or when a file changed on disk while fixing.\n\n"
            "--verify (with --write) then builds and runs the image as `verify` does, with "
            "verify's own options (--env, --env-file, --space, --memory, --cpus, --user, "
            "--timeout, --build-timeout, --port, --network, --builder) in every round."
        ),
    )(fix)


@guarded
def fix(
    path: Path = PATH_ARG,
    write: bool = typer.Option(False, "--write", "-w", help="Apply the fixes to the files."),
    unsafe_fixes: bool = typer.Option(
        False,
        "--unsafe-fixes",
        help="Also apply fixes that may change behaviour (listed as \\[unsafe fix]).",
    ),
    select: list[str] = SELECT_OPT,
    ignore: list[str] = IGNORE_OPT,
    offline: bool = OFFLINE_OPT,
    python: str | None = PYTHON_OPT,
    index_url: str | None = INDEX_OPT,
    lock_date: str | None = LOCK_DATE_OPT,
    verify: bool = typer.Option(
        False,
        "--verify",
        help="With --write: then build and run the image (as `verify` does) and "
        "repair what the container shows, rebuilding until it serves or no known repair applies.",
    ),
    rounds: int = typer.Option(
        4, "--rounds", min=1, max=10, help="With --verify: at most this many runtime repairs."
    ),
    env: list[str] = ENV_OPT,
    env_file: Path | None = ENV_FILE_OPT,
    network: str | None = NETWORK_OPT,
    timeout: float = TIMEOUT_OPT,
    port: int | None = PORT_OPT,
    builder: Builder = BUILDER_OPT,
    user: str = USER_OPT,
    memory: str = MEMORY_OPT,
    cpus: float = CPUS_OPT,
    space: str | None = SPACE_OPT,
    build_timeout: float = BUILD_TIMEOUT_OPT,
    services: Services = SERVICES_OPT,
) -> None:
    if verify and not write:
        err("hfdeploy: error: --verify needs --write (runtime repairs edit the files)")
        raise typer.Exit(EXIT_USAGE)
    from hfdeploy.cli.verify import verify_options

    # Any container option that differs from its declared default was given on the command line.
    given = [
        env,
        env_file,
        network,
        timeout,
        port,
        builder,
        user,
        memory,
        cpus,
        space,
        build_timeout,
        services,
    ] != [
        option.default
        for option in (
            ENV_OPT,
            ENV_FILE_OPT,
            NETWORK_OPT,
            TIMEOUT_OPT,
            PORT_OPT,
            BUILDER_OPT,
            USER_OPT,
            MEMORY_OPT,
            CPUS_OPT,
            SPACE_OPT,
            BUILD_TIMEOUT_OPT,
            SERVICES_OPT,
        )
    ]
    if given and not verify:
        err("hfdeploy: error: the container options (--env, --space, ...) apply with --verify")
        raise typer.Exit(EXIT_USAGE)
    options = verify_options(
        env,
        env_file,
        network,
        timeout,
        False,
        port,
        builder.value,
        user,
        memory,
        cpus,
        space,
        build_timeout,
        services.value,
    )
    project = load_project(
        path, offline=offline, python=python, index_url=index_url, lock_date=lock_date
    )
    if write and project.unfinished:
        try:
            completed = complete_interrupted(project)
        except StaleFileError as exc:
            err(f"hfdeploy: error: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        err(
            "Completed the fix an earlier `fix --write` was interrupted in: wrote "
            f"{', '.join(completed) or 'nothing more'}."
        )
        project = load_project(
            path, offline=offline, python=python, index_url=index_url, lock_date=lock_date
        )
    if verify:
        from hfdeploy.cli.verify import check_options

        check_options(project, options)  # bad --env/--space/--memory: before any file changes
    checks = choose_checks(project, select, ignore)
    outcome = fix_project(project, checks, unsafe=unsafe_fixes)
    remaining = outcome.remaining
    files = sorted(p for p, text in outcome.changes.items() if text != (project.text(p) or ""))
    created = [p for p in files if project.original(p) is None]
    if write and created and find_app(project).target is None:
        # Without an app to serve, a Dockerfile, README or .dockerignore made for a Space is a
        # guess about a project that is perhaps no FastAPI backend at all: write nothing.
        err(
            f"hfdeploy: no FastAPI app found, so no file was written (it would create "
            f'{", ".join(map(str, created))}); set `[tool.hfdeploy] app = "pkg.module:app"`'
        )
        sys.stderr.write(render_text(outcome.project, remaining))
        raise typer.Exit(EXIT_FINDINGS)
    if write:
        try:
            write_changes(outcome)
        except StaleFileError as exc:
            err(f"hfdeploy: error: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        count = len(outcome.applied)
        if not files and not outcome.untrack:
            err("Nothing to fix.")
        else:
            err(
                f"Applied {count} fix{'es' if count != 1 else ''} in {len(files)} file"
                f"{'s' if len(files) != 1 else ''}"
                + (
                    f"; untracked {', '.join(sorted(outcome.untrack))} (still on disk)"
                    if outcome.untrack
                    else ""
                )
                + "."
            )
    else:
        diff = outcome.diff()
        sys.stdout.write(diff)
        if diff:
            count = len(outcome.applied)
            err(
                f"Would apply {count} fix{'es' if count != 1 else ''} in {len(files)} file"
                f"{'s' if len(files) != 1 else ''}; run again with --write to apply them."
            )
        else:
            err("Nothing to fix.")
    if remaining:
        err("Remaining after fixes:" if (write or files) else "Findings:")
        sys.stderr.write(render_text(outcome.project, remaining))
    failed = any(d.severity is Severity.ERROR for d in remaining)
    if verify:
        served = _verify_and_repair(
            path, offline, python, index_url, rounds, options, network is None, lock_date
        )
        raise typer.Exit(EXIT_OK if served else EXIT_FINDINGS)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def _verify_and_repair(
    path: Path,
    offline: bool,
    python: str | None,
    index_url: str | None,
    rounds: int,
    options: Any,
    default_network: bool,
    lock_date: str | None = None,
) -> bool:
    """Build and run with verify's options; repair from what the container shows; report
    each round on stdout."""
    from hfdeploy.cli.verify import ConsoleProgress, interrupt_on_terminate
    from hfdeploy.verify.docker_client import DockerFailure, connect, engine_host
    from hfdeploy.verify.report import render_text as render_verify
    from hfdeploy.verify.runtime_fix import fix_until_serving, render_rounds

    client = connect()
    if isinstance(client, DockerFailure):
        err(
            f"hfdeploy: error: --verify: no Docker engine answers at {engine_host()} "
            f"({client.message})"
        )
        raise typer.Exit(EXIT_USAGE)
    if default_network and client.engine.desktop:
        options = dataclasses.replace(options, network="bridge")  # as `verify` chooses
    progress = ConsoleProgress()
    try:
        with interrupt_on_terminate():
            result = fix_until_serving(
                lambda: load_project(
                    path, offline=offline, python=python, index_url=index_url, lock_date=lock_date
                ),
                options,
                client,
                progress,
                max_rounds=rounds,
            )
    finally:
        progress.close()
    if result.report is not None:
        sys.stdout.write(render_verify(result.report))
    sys.stdout.write(render_rounds(result))
    return result.served
