"""`hfdeploy verify`: build the image, start it as a Space would, prove it serves, clean up."""

from __future__ import annotations

import dataclasses
import threading
import time

from hfdeploy.diagnostics import Diagnostic
from hfdeploy.errors import UsageError
from hfdeploy.project import Project
from hfdeploy.redact import mask, redact_url
from hfdeploy.verify.buildkit import find_buildkit_cli
from hfdeploy.verify.buildlog import BuildLog
from hfdeploy.verify.container import run_container
from hfdeploy.verify.context import (
    frontend_unreachable,
    missing_here_only,
    space_context,
    without_syntax_directive,
)
from hfdeploy.verify.docker_client import BuildFailed, DockerClient, DockerFailure, ImageBuilder
from hfdeploy.verify.findings import engine_failed, finding
from hfdeploy.verify.migrate import migrate_throwaway_database as migrate
from hfdeploy.verify.progress import Progress, Silent
from hfdeploy.verify.report import VerifyReport
from hfdeploy.verify.services import DatabaseService, NoService, ServicePlan, plan_service
from hfdeploy.verify.settings import (
    PLACEHOLDER_PREFIX,
    VerifyOptions,
    container_env,
    image_tag,
    memory_bytes,
    space_identity,
)
from hfdeploy.verify.substitutes import substitute_images


def choose_builder(client: DockerClient, wanted: str) -> ImageBuilder:
    if wanted == "legacy":
        return client
    cli = find_buildkit_cli(client.engine.os)
    if cli is not None:
        return cli
    if wanted == "buildkit":
        raise UsageError(
            "--builder buildkit: no docker CLI that builds with BuildKit was found "
            "(needs the buildx plugin, or a 18.09-22.x CLI)"
        )
    return client


def verify_project(
    project: Project, options: VerifyOptions, client: DockerClient, progress: Progress | None = None
) -> VerifyReport:
    progress = progress or Silent()
    detector = None
    if options.builder != "legacy":
        # Looking for a BuildKit CLI runs `docker` subprocesses: overlap them with the analysis.
        detector = threading.Thread(target=find_buildkit_cli, args=(client.engine.os,), daemon=True)
        detector.start()
    env, env_settings = container_env(project, options)  # bad --env input fails before any work
    report = VerifyReport(
        root=str(project.root), image=image_tag(project), network=options.network, env=env_settings
    )
    report.space_env = space_identity(project, options)
    report.run_as = "image's USER" if options.user == "image" else f"uid {options.user}"
    report.memory_limit = memory_bytes(options.memory)
    report.cpus = options.cpus
    try:
        if detector is not None:
            detector.join()
        _verify(project, options, client, progress, env, report)
    finally:
        # Placeholders are verify's own values, not secrets (and `0.0.0.0` is in every log).
        placeholders = {s.name for s in env_settings if s.source == "placeholder"}
        given = {name: value for name, value in env.items() if name not in placeholders}
        report.findings = [_hide_values(f, given) for f in report.findings]
    return report


def _hide_values(found: Diagnostic, env: dict[str, str]) -> Diagnostic:
    """Mask the values verify passed into the container wherever the app's log echoes them:
    the output's URL redaction does not know that `sk-...` is a secret."""
    values = sorted((v for v in env.values() if _hideable(v)), key=len, reverse=True)

    def hide(text: str) -> str:
        for value in values:
            text = text.replace(value, mask(value))
        return text

    if not values:
        return found
    return dataclasses.replace(
        found, message=hide(found.message), notes=tuple(hide(n) for n in found.notes)
    )


def _hideable(value: str) -> bool:
    if len(value) < 6 or value.startswith(PLACEHOLDER_PREFIX):
        return False  # too short to be a secret (and to replace safely), or our own label
    # A URL is left to the URL redaction when it has no credentials or it masks them itself.
    return "://" not in value or ("@" in value and redact_url(value) == value)


def _verify(
    project: Project,
    options: VerifyOptions,
    client: DockerClient,
    progress: Progress,
    env: dict[str, str],
    report: VerifyReport,
) -> VerifyReport:
    engine = client.engine
    report.engine = f"{engine.host} (Docker {engine.server_version}, {engine.os})"
    if not (project.root / "Dockerfile").is_file():
        report.findings.append(
            finding(
                "RT002",
                "No `Dockerfile` at the repository root: a Docker Space builds exactly that file",
                path="Dockerfile",
            )
        )
        return report
    builder = choose_builder(client, options.builder)
    plan = plan_service(project, options, report.env, env)
    service = None
    if isinstance(plan, ServicePlan):
        # Started now, so that the server initialises while the image builds.
        progress.stage(
            f"Starting a throwaway {plan.server.title} ({plan.image}) on port {plan.port}"
        )
        service = DatabaseService(client, plan)
        service.start()
    elif isinstance(plan, NoService):
        _no_service(report, plan.reason, plan.variables)
    try:
        return _build_and_run(project, options, client, builder, progress, env, report, service)
    finally:
        if service is not None:
            if report.container is not None and service.result().ready:
                report.kept_services.append(service.name)  # --keep: the app keeps its database
            else:
                service.stop()


def _build_and_run(
    project: Project,
    options: VerifyOptions,
    client: DockerClient,
    builder: ImageBuilder,
    progress: Progress,
    env: dict[str, str],
    report: VerifyReport,
    service: DatabaseService | None,
) -> VerifyReport:
    previous = client.image_id(report.image)
    # Images the engine cannot pull whose content the package index has (Astral's uv images).
    report.findings.extend(substitute_images(project, client))
    if not _build(project, options, builder, report, progress):
        return report
    if service is not None:
        env = _with_service(service, env, report, progress)
    remover = None
    if previous is not None and previous != client.image_id(report.image):
        # The tag moved to the new build: drop the image it leaves behind (its layers stay
        # in the cache while the new image shares them), so repeated runs do not fill the disk.
        # It takes seconds on some engines: done while the container runs.
        remover = threading.Thread(target=client.remove_image, args=(previous,), daemon=True)
        remover.start()
    try:
        config = client.image_config(report.image)
        if isinstance(config, DockerFailure):
            engine_failed(report.findings, "inspecting the image", config)
            return report
        if service is not None:
            ready = service.result().ready
            migrate(project, options, client, config, service.plan, ready, env, report, progress)
        run_container(project, options, client, config, env, report, progress)
    finally:
        if remover is not None:
            remover.join()
    return report


def _with_service(
    service: DatabaseService, env: dict[str, str], report: VerifyReport, progress: Progress
) -> dict[str, str]:
    """The app's env with the service's URL and parts, once the server accepts connections;
    the placeholders as before when it does not."""
    plan = service.plan
    progress.stage(f"Waiting for the throwaway {plan.server.title} on port {plan.port}")
    outcome = service.result()
    if not outcome.ready:
        _no_service(report, outcome.reason, plan.replaces, outcome.log)
        return env
    given = {s.name for s in plan.settings}
    report.env = sorted(
        [*(e for e in report.env if e.name not in given), *plan.settings], key=lambda e: e.name
    )
    names = ", ".join(s.name for s in plan.settings)
    report.findings.append(
        finding(
            "RT022",
            f"Started a throwaway {plan.server.title} ({plan.image}, port {plan.port}, ready in "
            f"{outcome.seconds:.1f}s) for {names}: on the Space "
            f"{'this secret' if len(plan.settings) == 1 else 'these secrets'} must point at "
            "your database",
            [
                f"its container {service.name} is removed when verify ends; "
                "`--services none` gives placeholders instead",
            ],
        )
    )
    return {**env, **plan.env}


def _no_service(
    report: VerifyReport, reason: str, variables: tuple[str, ...], log: str = ""
) -> None:
    tail = [line for line in log.splitlines() if line.strip()][-5:]
    report.findings.append(
        finding(
            "RT023",
            f"No throwaway database for {', '.join(variables)}: {reason}; they got "
            "placeholders, so the app may fail where it connects",
            [*("  " + line for line in tail)],
        )
    )


def _build(
    project: Project,
    options: VerifyOptions,
    builder: ImageBuilder,
    report: VerifyReport,
    progress: Progress,
) -> bool:
    report.builder = builder.builder_name
    progress.stage(f"Building {report.image} with {builder.builder_name}")
    log = BuildLog(progress.build_event)
    started = time.monotonic()
    network = "host" if options.network == "host" else None  # the engine's default otherwise
    with space_context(project) as context:
        result = builder.build(context, report.image, network, log, options.build_timeout)
        if isinstance(result, BuildFailed) and frontend_unreachable(
            result.message, log.failure_tail()
        ):
            frontend = without_syntax_directive(context)
            if frontend is not None:
                report.findings.append(
                    finding(
                        "RT033",
                        f"The `# syntax={frontend}` frontend image could not be pulled from "
                        "this engine; built with the engine's built-in Dockerfile frontend "
                        "instead (a Space pulls that image, so features only the named frontend "
                        "has may still differ)",
                        ["the engine said: " + result.message[:300]],
                        path="Dockerfile",
                    )
                )
                log = BuildLog(progress.build_event)
                result = builder.build(context, report.image, network, log, options.build_timeout)
    report.build_seconds = time.monotonic() - started
    report.total_steps = len(log.layer_steps)
    report.cached_steps = sum(1 for s in log.layer_steps if s.cached)
    report.build_cached = log.fully_cached
    if isinstance(result, BuildFailed):
        where = f" at step {log.failed_step.title}" if log.failed_step else ""
        tail = log.failure_tail()
        notes = (
            ["output of the failing step (last lines):", *("  " + line for line in tail)]
            if tail
            else []
        )
        for path in missing_here_only(project, result.message):
            notes.append(
                f"`{path}` exists in this directory but not in the repository the Space builds "
                "(git ignores it, or it is not committed): the Space build fails the same way"
            )
        report.findings.append(
            finding(
                "RT002",
                f"The image does not build{where}: {result.message}",
                notes,
                path="Dockerfile",
            )
        )
        return False
    return True
