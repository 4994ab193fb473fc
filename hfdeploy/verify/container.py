"""Run the built image as a Space would and judge it (start, serve, user, storage); clean up."""

from __future__ import annotations

import secrets
import time

from hfdeploy.diagnostics import Diagnostic
from hfdeploy.project import Project
from hfdeploy.verify import probe
from hfdeploy.verify.docker_client import DockerClient, DockerFailure, ImageConfig
from hfdeploy.verify.findings import engine_failed, finding
from hfdeploy.verify.progress import Progress
from hfdeploy.verify.report import VerifyReport
from hfdeploy.verify.serve import (
    Elsewhere,
    Exited,
    NoAnswer,
    Prober,
    Started,
    Target,
    Up,
    wait_until_serving,
)
from hfdeploy.verify.settings import (
    PLACEHOLDER_PREFIX,
    EnvSetting,
    VerifyOptions,
    app_port,
    engine_address,
    free_port,
    honours_port_variable,
    port_is_free,
)
from hfdeploy.verify.storage import check_storage

REMOVE_ATTEMPTS = 3


def run_container(
    project: Project,
    options: VerifyOptions,
    client: DockerClient,
    config: ImageConfig,
    env: dict[str, str],
    report: VerifyReport,
    progress: Progress,
) -> None:
    env = _placeholders_for_what_the_image_lacks(env, config, report)
    port, report.app_port_source = (options.port, "--port") if options.port else app_port(project)
    report.app_port = port
    host, local = engine_address()
    host_network = options.network == "host"
    probe_port, container_port = port, port
    if host_network and local and not port_is_free(port):
        if not honours_port_variable(project, config):
            report.findings.append(
                finding(
                    "RT009",
                    f"Port {port} (app_port) is already in use on this host, and the image's "
                    "CMD does not read PORT, so the container cannot listen on it here",
                    [f"Hint: stop whatever listens on {port}, or run with `--network bridge`."],
                )
            )
            return
        probe_port = container_port = free_port()
        env = {**env, "PORT": str(probe_port)}
        report.env.append(EnvSetting("PORT", f"verify: {port} is busy on this host"))
    elif not host_network:
        probe_port = free_port()
    name = f"hfdeploy-verify-{report.image.split('/')[1].split(':')[0]}-{secrets.token_hex(3)}"
    report.url = f"http://{host}:{probe_port}"
    # Removed by name until `create` returns its id: an interrupt inside it leaves no id.
    container = name
    try:
        progress.stage(f"Starting {name} on port {container_port} (network {options.network})")
        created = client.create(
            report.image,
            name=name,
            env=env,
            network=options.network,
            ports={container_port: probe_port},
            bind_ip="127.0.0.1" if local else "",
        )
        if isinstance(created, DockerFailure):
            report.findings.append(
                finding("RT003", f"The container could not be created: {created.message}")
            )
            return
        container = created
        failed = client.start(container)
        if failed is not None:
            report.findings.append(
                finding("RT003", f"The container did not start: {failed.message}")
            )
            return
        target = Target(container, host, probe_port, container_port, host_network)
        progress.stage(f"Waiting up to {options.timeout:.0f}s for HTTP on {report.url}")
        started = wait_until_serving(client, target, options.timeout)
        if isinstance(started, DockerFailure):
            engine_failed(report.findings, "watching the container", started)
            return
        if not isinstance(started, Up):
            _not_serving(started, target, report)
            if isinstance(started, Exited):
                check_storage(project, client, config, env, report, None)
            return
        _check_address(started, report)
        report.start_seconds = started.seconds
        _identify_user(client, container, config, report)
        progress.stage("Probing routes")
        prober = Prober(client, target, progress.probed)
        prober.run_all()
        report.probes.extend(prober.probes)
        report.findings.extend(prober.findings)
        if not prober.crashed:
            check_storage(project, client, config, env, report, container)
            if options.keep:
                report.container = name
    finally:
        if report.container is None:
            _remove(client, container)


def _placeholders_for_what_the_image_lacks(
    env: dict[str, str], config: ImageConfig, report: VerifyReport
) -> dict[str, str]:
    """An `ENV` in the Dockerfile already provides a variable: keep the image's value."""
    provided = {
        e.name for e in report.env if e.source.startswith("placeholder") and e.name in config.env
    }
    report.env = [e for e in report.env if e.name not in provided]
    placeholders = [e.name for e in report.env if e.source == "placeholder"]
    if placeholders:
        report.findings.append(
            finding(
                "RT008",
                f"Started with placeholder values for {', '.join(placeholders)}: the app requires "
                "them and neither --env nor --env-file gave them",
                [f"each one is `{PLACEHOLDER_PREFIX}<NAME>`; on the Space, set them as secrets"],
            )
        )
    return {name: value for name, value in env.items() if name not in provided}


def _remove(client: DockerClient, container: str) -> None:
    """Remove the container, retrying: an interrupt in the middle of an engine call can leave
    the connection unusable for the first attempt, and a second Ctrl-C must not stop clean-up."""
    interrupted = False
    for _attempt in range(REMOVE_ATTEMPTS):
        try:
            if client.remove(container) is None:
                break
        except KeyboardInterrupt:
            interrupted = True
        time.sleep(0.2)
    if interrupted:
        raise KeyboardInterrupt


def _not_serving(started: Started, target: Target, report: VerifyReport) -> None:
    placeholders = [e.name for e in report.env if e.source == "placeholder"]
    hint = (
        [
            (
                f"started with placeholder values for {', '.join(placeholders)}; pass real "
                "ones with --env NAME=VALUE or --env-file if the app needs them"
            )
        ]
        if placeholders
        else []
    )
    port = target.container_port
    if isinstance(started, Exited):
        why = " (killed: out of memory)" if started.oom_killed else ""
        report.findings.append(
            finding(
                "RT003",
                f"The container exited with code {started.exit_code}{why} before answering on "
                f"port {port}",
                [*probe.traceback_tail(started.log), *hint],
            )
        )
    elif isinstance(started, Elsewhere):
        where = ", ".join(str(a) for a in started.addresses)
        if all(a.loopback and a.port == port for a in started.addresses):
            report.findings.append(_loopback_finding(where))
        else:
            report.findings.append(
                finding(
                    "RT004",
                    f"Nothing answered on port {port}: the server listens on {where} "
                    "(from its log)",
                    [
                        (
                            f"Hint: listen on {port} (`--port {port}`), or set `app_port` "
                            "in README.md to the port the server uses."
                        )
                    ],
                )
            )
    elif isinstance(started, NoAnswer):
        tail = [
            "last lines of the container log:",
            *("  " + line for line in probe.traceback_tail(started.log)),
        ]
        report.findings.append(
            finding(
                "RT004",
                f"Nothing answered on port {port} within {started.seconds:.0f}s",
                [*tail, *hint],
            )
        )


def _check_address(started: Up, report: VerifyReport) -> None:
    """With host networking a loopback-only server answers us, but not the Space's proxy."""
    loopback = [a for a in probe.announced_addresses(started.log) if a.loopback]
    if loopback:
        report.findings.append(_loopback_finding(", ".join(str(a) for a in loopback)))


def _loopback_finding(where: str) -> Diagnostic:
    return finding(
        "RT010",
        f"The server listens on {where} only; the Space proxy connects from "
        "outside the container and gets no answer",
        ["Hint: bind all interfaces: `--host 0.0.0.0`."],
    )


def _identify_user(
    client: DockerClient, container: str, config: ImageConfig, report: VerifyReport
) -> None:
    report.user = config.user
    result = client.exec(container, ["id", "-u"])
    if (
        not isinstance(result, DockerFailure)
        and result.exit_code == 0
        and result.output.strip().isdigit()
    ):
        report.uid = int(result.output.strip())
    elif config.user in ("", "root", "0") or config.user.startswith(("0:", "root:")):
        report.uid = 0
    if report.uid == 0:
        report.findings.append(
            finding(
                "RT007",
                "The container runs as root (uid 0); Spaces run it as uid 1000, which cannot "
                "write what root created at build time",
                ["Hint: `RUN useradd -m -u 1000 user` and `USER user` before the app's files."],
                path="Dockerfile",
            )
        )
