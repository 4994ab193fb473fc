"""Run the built image as a Space would and judge it (start, serve, user, storage); clean up."""

from __future__ import annotations

import re
import secrets
import threading
import time

from hfdeploy.diagnostics import Diagnostic
from hfdeploy.project import Project
from hfdeploy.space import SPACE_UID
from hfdeploy.verify import probe
from hfdeploy.verify.docker_client import DockerClient, DockerFailure, ImageConfig
from hfdeploy.verify.findings import engine_failed, finding
from hfdeploy.verify.placeholders import PLACEHOLDER_HOST
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
    UNSET_AS_ON_A_SPACE,
    EnvSetting,
    VerifyOptions,
    app_port,
    engine_address,
    free_port,
    honours_port_variable,
    memory_bytes,
    port_is_free,
    with_data_dir,
)
from hfdeploy.verify.storage import StorageReport, check_storage

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
    env = with_data_dir(env, report.env, config.env)
    env = {**env, **report.space_env}  # what a Space injects wins over the image's ENV
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
        report.env = [e for e in report.env if e.name != "PORT"]
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
            user=None if options.user == "image" else options.user,
            memory=memory_bytes(options.memory),
            cpus=options.cpus,
        )
        if isinstance(created, DockerFailure):
            report.findings.append(
                finding("RT003", f"The container could not be created: {created.message}")
            )
            return
        container = created
        start_requested = time.monotonic()
        failed = client.start(container)
        if failed is not None:
            report.start_error = failed.message
            report.findings.append(
                finding("RT003", f"The container did not start: {failed.message}")
            )
            return
        target = Target(container, host, probe_port, container_port, host_network)
        progress.stage(f"Waiting up to {options.timeout:.0f}s for HTTP on {report.url}")
        started_waiting = time.monotonic()
        started = wait_until_serving(client, target, options.timeout)
        if isinstance(started, DockerFailure):
            engine_failed(report.findings, "watching the container", started)
            return
        if not isinstance(started, Up):
            report.log = getattr(started, "log", "")
            _not_serving(started, target, report, env, settings_variables(project))
            if isinstance(started, Exited):
                check_storage(project, client, config, env, report, None, options.user)
            return
        _check_address(started, report)
        # From the start request (the engine starting the process is the container's start-up).
        report.start_seconds = started.seconds + (started_waiting - start_requested)
        _check_start_time(project, report)
        _identify_user(client, container, config, report, options.user)
        progress.stage("Probing routes")
        prober = Prober(
            client, target, progress.probed, space_host=report.space_env.get("SPACE_HOST")
        )
        # The write test runs inside the container while the routes are probed.
        storage = StorageReport(report)
        tester = threading.Thread(
            target=check_storage,
            args=(project, client, config, env, storage, container, options.user),
            daemon=True,
        )
        tester.start()
        try:
            prober.run_all()
        finally:
            tester.join()
        report.probes.extend(prober.probes)
        report.findings.extend(prober.findings)
        if not prober.crashed:
            report.findings.extend(storage.findings)
            report.unwritable.extend(storage.unwritable)
            if options.keep:
                report.container = name
    finally:
        if report.container is None and container != name:
            report.peak_memory = client.memory_peak(container)
        if report.container is None:
            remove_container(client, container)


def _check_start_time(project: Project, report: VerifyReport) -> None:
    """Against the README's `startup_duration_timeout` (30 minutes when unset)."""
    try:
        from hfdeploy.space_config.startup import startup_timeout
    except ImportError:
        return
    limit, set_in_readme = startup_timeout(project)
    report.startup_timeout = limit
    seconds = report.start_seconds
    if seconds is not None and seconds > limit:
        where = "`startup_duration_timeout` in README.md" if set_in_readme else "the default"
        report.findings.append(
            finding(
                "RT017",
                f"The first HTTP answer came after {seconds:.0f}s; the Space allows {limit:.0f}s "
                f"({where}) and then stops it: `Launch timed out`",
                ["Hint: download models during the build, or raise `startup_duration_timeout`."],
                path="README.md",
            )
        )


def _placeholders_for_what_the_image_lacks(
    env: dict[str, str], config: ImageConfig, report: VerifyReport
) -> dict[str, str]:
    """An `ENV` in the Dockerfile already provides a variable: keep the image's value. An empty
    one (`ENV APP_PORT=${APP_PORT}` with no such ARG) provides nothing: the app reads it as
    unset, and on the Space its owner's setting replaces it."""
    provided = {
        e.name
        for e in report.env
        if (e.source.startswith("placeholder") or e.source == UNSET_AS_ON_A_SPACE)
        and config.env.get(e.name, "") != ""
    }
    report.env = [e for e in report.env if e.name not in provided]
    placeholders = [e.name for e in report.env if e.source == "placeholder"]
    if placeholders:
        report.findings.append(
            finding(
                "RT008",
                f"Started with placeholder values for {', '.join(placeholders)}: the app requires "
                "them and neither --env nor --env-file gave them",
                [
                    "each is a valid value of the type the app reads it as, that reaches "
                    "nothing (a database URL: SQLite under the image's DATA_DIR, else /tmp; a URL or DSN: an "
                    "`.invalid` host; an e-mail, a number within its bounds, the first choice "
                    f"of a Literal or Enum; text: `{PLACEHOLDER_PREFIX}<NAME>`, as long as its "
                    "bounds ask; PORT: app_port, HOST: 0.0.0.0); on the Space, set them as "
                    "secrets or variables"
                ],
            )
        )
    return {name: value for name, value in env.items() if name not in provided}


def remove_container(client: DockerClient, container: str) -> None:
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


_VALIDATION_ERROR = re.compile(r"\d+ validation errors? for (?P<model>\w+)")
_MISSING = re.compile(r"\[type=missing\b|^field required\b|\(type=value_error\.missing\)", re.I)
_INPUT = re.compile(r"\s*\[type=.*$|\s*\(type=[^)]*\)\s*$")
_LOCATION = re.compile(r"^[A-Za-z_][\w.\-]*\s*$")  # `HOST`, `db.port`, `origins.0`
_MARKED = "hfdeploy-placeholder"
_UNRESOLVED = re.compile(
    r"Name or service not known|Temporary failure in name resolution|nodename nor servname"
    r"|could not translate host name|getaddrinfo failed|gaierror"
)
_HOST_NAME = re.compile(
    r"(?:^|_)(?:HOST|HOSTNAME|SERVER|ADDR|ADDRESS)$", re.IGNORECASE
)  # in every text placeholder and placeholder host


def validation_errors(log: str) -> list[tuple[str, str]]:
    """(field, message) for each error of the last pydantic `ValidationError` in `log` (v1 and
    v2 print the field's location unindented, then the message indented under it)."""
    lines = log.splitlines()
    header = max(
        (i for i, line in enumerate(lines) if _VALIDATION_ERROR.search(line)), default=None
    )
    if header is None:
        return []
    errors: list[tuple[str, str]] = []
    field: str | None = None
    for line in lines[header + 1 :]:
        if not line.strip():
            break
        if not line[0].isspace():
            if field is not None or not _LOCATION.match(line):
                break
            field = line.strip()
        elif field is not None:
            errors.append((field, line.strip()))
            field = None
    return errors


def _placeholder_cause(
    log: str, env: dict[str, str], report: VerifyReport, fields: dict[str, str] | None = None
) -> list[str]:
    """Notes naming what made the start fail when it is an environment variable: the settings'
    own validation error (pydantic: a field it says is required, or a value it refuses), else
    each placeholder the crash's traceback mentions (by name, or by its marked value).
    `fields`: a settings field's name (lower case) -> the variable it reads."""
    given = {s.name: s for s in report.env}
    notes = []
    errors = validation_errors(log)
    for field, message in errors:
        top = field.split(".")[0]
        name = (fields or {}).get(top.lower(), top)
        setting = given.get(name) or next(
            (s for n, s in given.items() if n.lower() == name.lower()), None
        )
        message = _INPUT.sub("", message)
        if setting is None:
            if _MISSING.search(message):
                notes.append(
                    f"The app's settings require {name}, which was not set: give it with --env "
                    "or --env-file (on the Space: a secret or variable)"
                )
        elif setting.source == "placeholder":
            kind = f" ({setting.kind})" if setting.kind else ""
            notes.append(
                f"The start failed on the placeholder for {setting.name}{kind}: {message}; give "
                "it a real value with --env or --env-file (on the Space: a secret or variable)"
            )
        else:
            notes.append(
                f"The app's settings refuse the value given for {setting.name} "
                f"({setting.source}): {message}"
            )
    if errors:
        return notes
    tail = "\n".join(probe.traceback_tail(log))
    for setting in report.env:
        if setting.source == UNSET_AS_ON_A_SPACE and re.search(
            rf"\b{re.escape(setting.name)}\b", tail
        ):
            notes.append(
                f"The start failed on {setting.name} ({setting.kind}), which verify leaves "
                "unset because a Space does not set it either: give it its value in the image "
                f"(`ENV {setting.name}=...`, what `hfdeploy fix --write` adds for DF006/DF005), "
                "or define it as a Variable on the Space and pass it here with --env"
            )
        if setting.source != "placeholder":
            continue
        value = env.get(setting.name, "")
        by_value = _MARKED in value or len(value) > 12
        if re.search(rf"\b{re.escape(setting.name)}\b", tail) or (by_value and value in tail):
            kind = f" ({setting.kind})" if setting.kind else ""
            notes.append(
                f"The start failed on the placeholder for {setting.name}{kind}: give it a real "
                "value with --env or --env-file (on the Space: a secret or variable)"
            )
    if not notes and _UNRESOLVED.search(tail):
        # A lookup of a placeholder host fails without naming it (`socket.gaierror`).
        hosts = sorted(
            s.name
            for s in report.env
            if s.source == "placeholder"
            and _MARKED in env.get(s.name, "")  # not verify's own values (HOST: 0.0.0.0)
            and (_HOST_NAME.search(s.name) or PLACEHOLDER_HOST in env.get(s.name, ""))
        )
        if hosts:
            held = "holds a placeholder" if len(hosts) == 1 else "hold placeholders"
            notes.append(
                f"The start failed looking up a host, and {', '.join(hosts)} {held} that no "
                "server answers to: give the real host with --env or --env-file (on the Space: "
                "a secret or variable)"
            )
    return notes


def settings_variables(project: Project) -> dict[str, str]:
    """A settings field's name (lower case) -> the environment variable it reads."""
    try:
        from hfdeploy.environment.settings import settings_fields
    except ImportError:
        return {}
    return {f.name.lower(): f.env_name for f in settings_fields(project)}


def _not_serving(
    started: Started,
    target: Target,
    report: VerifyReport,
    env: dict[str, str] | None = None,
    fields: dict[str, str] | None = None,
) -> None:
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
        cause = _placeholder_cause(started.log, env or {}, report, fields)
        report.findings.append(
            finding(
                "RT003",
                f"The container exited with code {started.exit_code}{why} before answering on "
                f"port {port}",
                [*probe.traceback_tail(started.log), *(cause or hint)],
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


def _uid_of(client: DockerClient, container: str, user: str | None) -> int | None:
    argv = ["id", "-u"] if user is None else ["id", "-u", user]
    result = client.exec(container, argv)
    if (
        not isinstance(result, DockerFailure)
        and result.exit_code == 0
        and result.output.strip().isdigit()
    ):
        return int(result.output.strip())
    return None


def image_uid(client: DockerClient, container: str, config: ImageConfig) -> int | None:
    """The uid the image's USER names (root when it has none)."""
    user = config.user.split(":")[0]
    if user in ("", "root", "0"):
        return 0
    if user.isdigit():
        return int(user)
    return _uid_of(client, container, user)


def _identify_user(
    client: DockerClient,
    container: str,
    config: ImageConfig,
    report: VerifyReport,
    run_as: str = "image",
) -> None:
    report.user = config.user
    named = config.user.split(":")[0]
    if run_as != "image" and named and not named.isdigit() and named != "root":
        # One engine call for both: the uid running, and the uid the image's USER names.
        result = client.exec(container, ["sh", "-c", 'id -u; id -u "$1"', "sh", named])
        lines = result.output.split() if not isinstance(result, DockerFailure) else []
        report.uid = int(lines[0]) if lines and lines[0].isdigit() else None
        report.image_uid = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else None
    else:
        report.uid = _uid_of(client, container, None)
    if run_as != "image":
        if report.image_uid is None:
            report.image_uid = image_uid(client, container, config)
        if report.image_uid is not None and report.image_uid != SPACE_UID:
            who = "root (uid 0)" if report.image_uid == 0 else f"uid {report.image_uid}"
            report.findings.append(
                finding(
                    "RT014",
                    f"The image's USER `{config.user or 'root'}` is {who}; a Space runs the "
                    f"container as uid {SPACE_UID} whatever USER says, and so did verify: "
                    f"files the image gave {who} are not uid {SPACE_UID}'s to write",
                    [
                        f"Hint: `RUN useradd -m -u {SPACE_UID} user`, `USER user`, and "
                        "`COPY --chown=user` (run with `--user image` to test the image's own user)."
                    ],
                    path="Dockerfile",
                )
            )
        return
    if report.uid is None and (
        config.user in ("", "root", "0") or config.user.startswith(("0:", "root:"))
    ):
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
