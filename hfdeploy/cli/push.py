"""`hfdeploy push`: check, upload to a Docker Space, set its secrets, follow the build and start,
and explain a failure (exit 0 running, 1 failed or refused, 2 usage/auth/network)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hfdeploy.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    OFFLINE_OPT,
    PATH_ARG,
    err,
    guarded,
    load_project,
)
from hfdeploy.diagnostics import Severity
from hfdeploy.errors import UsageError

if TYPE_CHECKING:
    from hfdeploy.hub.plan import PushPlan

HELP = (
    "Deploy the repository to a Hugging Face Docker Space.\n\n"
    "Runs `hfdeploy check` first and refuses while an error remains (--force pushes anyway). "
    "Creates the Space when missing (Docker SDK), uploads in one commit what git tracks (never "
    ".env files, never what .gitignore or .dockerignore keep out), sets as Space secrets the "
    "variables the app requires (values from --env-file or the environment, never printed; the "
    "ones with no value are listed), then follows the build and the start with the log, and on "
    "failure explains it like `hfdeploy logs`.\n\n"
    "The token comes from HF_TOKEN or `hf auth login`'s cache; HF_ENDPOINT selects another Hub.\n\n"
    "Exit codes: 0 the Space runs (or was uploaded, with --no-wait or --dry-run), 1 it failed to "
    "build or start, or check found errors, 2 usage, authentication or network error."
)


def register(app: typer.Typer) -> None:
    app.command("push", help=HELP)(push)


@guarded
def push(
    path: Path = PATH_ARG,
    space: str = typer.Option(
        ..., "--space", "-s", metavar="OWNER/NAME", help="The Space to deploy to."
    ),
    private: bool = typer.Option(
        False, "--private", help="Create the Space private (when it is missing)."
    ),
    env_file: Path | None = typer.Option(
        None,
        "--env-file",
        help="Read secret values from this NAME=VALUE file (values are never printed).",
    ),
    secret: list[str] = typer.Option(
        [],
        "--secret",
        metavar="NAME",
        help="Also set this variable as a Space secret (value from --env-file or the environment).",
    ),
    variable: list[str] = typer.Option(
        [], "--variable", metavar="NAME=VALUE", help="Set a public Space variable (repeatable)."
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Show the files, secret and variable names and the commit; touch nothing.",
    ),
    no_wait: bool = typer.Option(
        False, "--no-wait", help="Return after the upload; do not follow the build."
    ),
    force: bool = typer.Option(False, "--force", help="Push even though `check` reports errors."),
    timeout: float = typer.Option(
        1800.0, "--timeout", help="Seconds to wait for the Space to run."
    ),
    poll: float = typer.Option(
        3.0, "--poll", help="Seconds between status checks while waiting.", hidden=True
    ),
    offline: bool = OFFLINE_OPT,
) -> None:
    from hfdeploy.cli.check import collect
    from hfdeploy.hub.client import HubClient, HubError, find_token
    from hfdeploy.hub.plan import environment, parse_space, plan_push
    from hfdeploy.hub.push import PushOptions, commit_message
    from hfdeploy.hub.push import push as run_push
    from hfdeploy.report import render_text

    space = parse_space(space)
    for name in secret:
        if not name.replace("_", "a").isalnum():
            raise UsageError(f"--secret {name!r}: expected a variable name")
    project = load_project(path, offline=offline)
    plan = plan_push(
        project, env_file=env_file, environ=environment(), extra_secrets=secret, variables=variable
    )

    findings = collect(project, [], [])
    errors = [d for d in findings if d.severity is Severity.ERROR]
    if errors:
        print(render_text(project, errors), end="")
        if not force:
            err(
                f"hfdeploy: refusing to push: `check` reports {len(errors)} error(s) that will make "
                "the Space fail (run `hfdeploy fix --write`, or pass --force to push anyway)"
            )
            raise typer.Exit(EXIT_FINDINGS)
        err(
            f"hfdeploy: WARNING: --force: pushing with {len(errors)} error(s) that `check` says "
            "will make the Space fail"
        )

    _show_plan(plan, space, commit_message(project, len(plan.files)), dry_run=dry_run)
    if dry_run:
        raise typer.Exit(EXIT_OK)

    token = find_token()
    if not token:
        raise UsageError("no Hugging Face token: set HF_TOKEN or run `hf auth login`")
    try:
        client = HubClient(token)
        user = client.whoami()
        print(f"Logged in to {client.endpoint} as {user}")
        options = PushOptions(
            space=space, private=private, wait=not no_wait, timeout=timeout, poll=poll
        )
        outcome = run_push(project, plan, client, options, print)
    except HubError as exc:
        err(f"hfdeploy: error: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    if plan.missing:
        err(
            f"hfdeploy: warning: no value for {', '.join(plan.missing)}: set them on the Space "
            "(Settings → Variables and secrets) or pass --env-file"
        )
    if outcome.stage in ("RUNNING", "UPLOADED"):
        raise typer.Exit(EXIT_OK)
    if outcome.stage == "TIMEOUT":
        err(
            f"hfdeploy: the Space was not running after {timeout:.0f} s; follow it with "
            f"`hfdeploy logs {space} --build`"
        )
        raise typer.Exit(EXIT_FINDINGS)
    print(
        f"The Space failed: {outcome.stage}"
        + (f" ({outcome.hub_error})" if outcome.hub_error else "")
    )
    if outcome.report is not None:
        from hfdeploy.cli.logs import show_findings

        show_findings(project, outcome.report)
    raise typer.Exit(EXIT_FINDINGS)


def _show_plan(plan: PushPlan, space: str, message: str, *, dry_run: bool) -> None:
    head = "Would upload" if dry_run else "Uploading"
    print(f"{head} {len(plan.files)} files to Space {space} in one commit: {message}")
    for path in plan.files:
        print(f"  + {path}")
    for path, why in plan.left_out:
        print(f"  - {path} ({why})")
    if plan.secrets:
        print(f"Secrets to set (values not shown): {', '.join(sorted(plan.secrets))}")
    if plan.variables:
        print(f"Variables to set: {', '.join(sorted(plan.variables))}")
    if plan.missing:
        print(
            f"Required but no value given (set them on the Space or pass --env-file): "
            f"{', '.join(plan.missing)}"
        )
