"""Give verify's throwaway database the app's schema before the app starts.

A Space's database may well be migrated already; the server verify starts for the app is
empty. When the project has Alembic revisions that the image's start command never runs (the
database domain's `unrun_migrations`: DB017's question), verify runs `alembic upgrade head`
once, in a one-off container of the built image — the app's environment, its uid, the host
network, from the directory the image holds `alembic.ini` in — so that the app is judged
against the schema its migrations define rather than failing with `relation ... does not
exist`, an artefact of verify. A migration that fails is reported (RT027, with its log) and the
app is started anyway, so that the report shows both. The hook knows nothing of the server's
engine: it takes any service plan whose server is ready.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Protocol

from hfdeploy.diagnostics import Severity
from hfdeploy.project import Project
from hfdeploy.verify.docker_client import DockerClient, DockerFailure, ImageConfig
from hfdeploy.verify.findings import finding
from hfdeploy.verify.progress import Progress
from hfdeploy.verify.report import VerifyReport
from hfdeploy.verify.settings import VerifyOptions, with_data_dir

MIGRATION_TIMEOUT = 180.0  # seconds for `alembic upgrade head` against the throwaway server
LOG_LINES = 15
# `alembic` on PATH when the image has its script there, else the interpreter's module, else
# through the tool that manages the app's environment (`poetry run`, `uv run`, ...).
_MIGRATE = (
    'if command -v alembic >/dev/null 2>&1; then exec alembic "$@"; fi; '
    'if python -c "import alembic" >/dev/null 2>&1; then exec python -m alembic "$@"; fi; '
    "for tool in poetry uv pdm pipenv; do "
    'if command -v "$tool" >/dev/null 2>&1; then exec "$tool" run alembic "$@"; fi; done; '
    'exec python -m alembic "$@"'
)


class Service(Protocol):
    """What the hook needs of a throwaway server's plan (PostgreSQL's, MySQL's)."""

    @property
    def image(self) -> str: ...

    @property
    def family(self) -> str: ...


def migrate_throwaway_database(
    project: Project,
    options: VerifyOptions,
    client: DockerClient,
    config: ImageConfig,
    plan: Service,
    ready: bool,
    env: dict[str, str],
    report: VerifyReport,
    progress: Progress,
) -> None:
    """Run the migrations the start command skips against the service, when it is `ready`."""
    if not ready:
        return
    try:
        from hfdeploy.database.migrations import unrun_migrations
        from hfdeploy.image import image
    except ImportError:  # the database analysis is optional
        return
    setup = unrun_migrations(project)
    if setup is None:
        return
    where = image(project).container_path(str(setup.ini))
    workdir = posixpath.dirname(where) if where else (config.workdir or "/")
    ini = posixpath.basename(where) if where else str(setup.ini)
    arguments = ["upgrade", "head"] if ini == "alembic.ini" else ["-c", ini, "upgrade", "head"]
    command = " ".join(["alembic", *arguments])
    progress.stage(f"Migrating the throwaway database: `{command}` in {workdir}")
    result = client.run_once(
        report.image,
        ["sh", "-c", _MIGRATE, "sh", *arguments],
        user=None if options.user == "image" else options.user,
        network="host",
        env=_app_env(env, config, report),
        workdir=workdir,
        timeout=MIGRATION_TIMEOUT,
    )
    server = _server_name(plan)
    if isinstance(result, DockerFailure):
        _failed(report, command, server, f"the engine failed: {result.message}", "")
        return
    if result.timed_out:
        _failed(
            report,
            command,
            server,
            f"it did not finish within {MIGRATION_TIMEOUT:.0f}s",
            result.output,
        )
        return
    if result.exit_code != 0:
        _failed(report, command, server, f"it exited with code {result.exit_code}", result.output)
        return
    _note(
        report,
        f"the throwaway {server} was migrated with `{command}` (in {workdir}) because the start "
        "command does not run migrations; on the Space, your database must already have the "
        "schema — see DB017",
    )


def _app_env(env: dict[str, str], config: ImageConfig, report: VerifyReport) -> dict[str, str]:
    """The environment the app's container gets (container.py's `run_container`): the image's
    ENV wins over a placeholder, placeholders move under the image's data directory, and what
    a Space injects wins over everything."""
    placeholders = {e.name for e in report.env if e.source.startswith("placeholder")}
    kept = {k: v for k, v in env.items() if not (k in placeholders and k in config.env)}
    return {**with_data_dir(kept, report.env, config.env), **report.space_env}


def _server_name(plan: Service) -> str:
    names = {"postgresql": "PostgreSQL", "mysql": "MySQL"}
    return names.get(plan.family, plan.family or "database")


def _failed(report: VerifyReport, command: str, server: str, why: str, log: str) -> None:
    tail = [line for line in log.splitlines() if line.strip()][-LOG_LINES:]
    report.findings.append(
        finding(
            "RT027",
            f"`{command}` against the throwaway {server} failed ({why}): the app starts on "
            "an empty database (routes that query it fail), and the same migration fails against "
            "the Space's database when it is not at that revision yet",
            [
                *(["output of the migration (last lines):"] if tail else []),
                *("  " + line for line in tail),
                "the start command does not run migrations (DB017), so verify ran them once "
                "before starting the app",
            ],
        )
    )


def _note(report: VerifyReport, note: str) -> None:
    """On the finding that announced the throwaway server (RT022), else one of its own."""
    for index in range(len(report.findings) - 1, -1, -1):
        found = report.findings[index]
        if found.code == "RT022":
            report.findings[index] = dataclasses.replace(found, notes=(*found.notes, note))
            return
    report.findings.append(
        finding("RT027", note[0].upper() + note[1:] + ".", severity=Severity.INFO)
    )
