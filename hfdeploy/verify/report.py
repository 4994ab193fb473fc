"""The outcome of `hfdeploy verify` as data, rendered as text for people or JSON for tools."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.redact import redact
from hfdeploy.verify.findings import CANNOT_VERIFY
from hfdeploy.verify.settings import EnvSetting

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_VERIFY = 0, 1, 2


@dataclass(frozen=True)
class Probe:
    path: str
    kind: str  # "root", "health", "openapi" or "route"
    status: int | None  # None: no HTTP answer
    seconds: float
    error: str | None = None


@dataclass
class VerifyReport:
    root: str
    image: str
    engine: str | None = None  # "unix:///var/run/docker.sock (Docker 27.1.1, linux)"
    builder: str | None = None
    build_seconds: float | None = None
    build_cached: bool | None = None  # every RUN/COPY/ADD step came from the layer cache
    cached_steps: int = 0
    total_steps: int = 0
    start_seconds: float | None = None  # container start until the first HTTP answer
    network: str = "host"
    app_port: int | None = None
    app_port_source: str = ""
    url: str | None = None
    user: str | None = None  # the image's USER ("" is root)
    uid: int | None = None
    env: list[EnvSetting] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    container: str | None = None  # name of the container left running by --keep
    kept_services: list[str] = field(default_factory=list)  # its database, left running too
    space_env: dict[str, str] = field(default_factory=dict)  # SPACE_ID, SPACE_HOST, ... (injected)
    run_as: str = ""  # "uid 1000" (as a Space) or "image's USER"
    image_uid: int | None = None  # the uid the image's USER names, when it was run as another
    memory_limit: int | None = None  # bytes
    cpus: float | None = None
    peak_memory: int | None = None  # bytes, the container's peak use
    startup_timeout: float | None = None  # seconds the Space waits for the first answer
    # For runtime repairs (not rendered): what the failed start left behind.
    log: str = ""  # the container's log when it did not serve
    start_error: str = ""  # the engine's message when the container could not start
    unwritable: list[str] = field(
        default_factory=list
    )  # directories the runtime user could not write
    home: str | None = None  # $HOME of the runtime user, when known

    @property
    def exit_code(self) -> int:
        if any(f.code in CANNOT_VERIFY for f in self.findings):
            return EXIT_CANNOT_VERIFY
        if any(f.severity is Severity.ERROR for f in self.findings):
            return EXIT_FAILED
        return EXIT_PASSED

    @property
    def smoke_routes(self) -> list[Probe]:
        return [p for p in self.probes if p.kind == "route"]


def render_json(report: VerifyReport) -> str:
    data: dict[str, Any] = {
        "root": report.root,
        "passed": report.exit_code == EXIT_PASSED,
        "exit_code": report.exit_code,
        "image": report.image,
        "engine": report.engine,
        "builder": report.builder,
        "build": {
            "seconds": _round(report.build_seconds),
            "from_cache": report.build_cached,
            "cached_steps": report.cached_steps,
            "steps": report.total_steps,
        },
        "start_seconds": _round(report.start_seconds),
        "network": report.network,
        "app_port": report.app_port,
        "app_port_source": report.app_port_source,
        "url": report.url,
        "user": report.user,
        "uid": report.uid,
        "env": [
            {"name": e.name, "source": e.source, **({"kind": e.kind} if e.kind else {})}
            for e in report.env
        ],
        "probes": [
            {
                "path": p.path,
                "kind": p.kind,
                "status": p.status,
                "seconds": _round(p.seconds),
                "error": p.error,
            }
            for p in report.probes
        ],
        "findings": [
            {
                "code": f.code,
                "severity": str(f.severity),
                "message": redact(f.message),
                "path": str(f.path) if f.path else None,
                "notes": [redact(n) for n in f.notes],
            }
            for f in report.findings
        ],
        "container": report.container,
        "kept_services": report.kept_services,
        "space_env": report.space_env,
        "run_as": report.run_as,
        "image_uid": report.image_uid,
        "limits": {"memory": report.memory_limit, "cpus": report.cpus},
        "peak_memory": report.peak_memory,
        "startup_timeout": report.startup_timeout,
    }
    return json.dumps(data, indent=2) + "\n"


def render_text(report: VerifyReport) -> str:
    lines = []
    if report.engine:
        lines.append(f"engine   {report.engine}")
    if report.build_seconds is not None:
        cache = ""
        if report.total_steps:
            cache = (
                " (all from the layer cache)"
                if report.build_cached
                else f" ({report.cached_steps} of {report.total_steps} steps from the layer cache)"
            )
        lines.append(
            f"build    {report.build_seconds:.1f}s{cache} with {report.builder} -> {report.image}"
        )
    if report.app_port is not None:
        lines.append(
            f"port     {report.app_port}: {report.app_port_source}; network {report.network}"
        )
    if report.start_seconds is not None:
        limit = (
            f" (the Space allows {report.startup_timeout:.0f}s)" if report.startup_timeout else ""
        )
        lines.append(f"start    {report.start_seconds:.1f}s until {report.url} answered{limit}")
    if report.run_as or report.memory_limit or report.cpus:
        limits = []
        if report.memory_limit:
            limits.append(f"memory {report.memory_limit / 1024**3:g} GiB")
        if report.cpus:
            limits.append(f"{report.cpus:g} CPUs")
        peak = f"; peak memory {report.peak_memory / 1024**2:.0f} MiB" if report.peak_memory else ""
        lines.append(f"run as   {report.run_as or 'image'}, " + ", ".join(limits) + peak)
    if report.uid is not None or report.user is not None:
        name = report.user or "root"
        lines.append(
            f"user     {name}" + (f" (uid {report.uid})" if report.uid is not None else "")
        )
    if report.env:
        lines.append(
            "env      "
            + ", ".join(
                f"{e.name} ({e.source}{', ' + e.kind if e.kind else ''})" for e in report.env
            )
        )
    if report.space_env:
        lines.append(
            f"space    {report.space_env.get('SPACE_ID')} ({report.space_env.get('SPACE_HOST')}); "
            "injected: " + ", ".join(sorted(report.space_env))
        )
    checked = [p for p in report.probes if p.kind != "route"]
    if checked:
        lines.append(
            "probes   "
            + ", ".join(
                f"{p.kind.split()[1] + ' ' if p.kind.startswith('proxy ') else 'GET '}{p.path}"
                f"{' (proxy)' if p.kind.startswith('proxy ') else ''} {_status(p)}"
                for p in checked
            )
        )
    routes = report.smoke_routes
    if routes:
        counts = Counter(_status(p) for p in routes)
        summary = ", ".join(f"{n} x {status}" for status, n in sorted(counts.items()))
        lines.append(
            f"smoke    {len(routes)} GET route{'s' if len(routes) != 1 else ''}: {summary}"
        )
    for finding in report.findings:
        lines.append(f"{finding.code} {finding.severity}: {redact(finding.message)}")
        lines.extend(f"    {redact(note)}" for note in finding.notes)
    lines.append(_verdict(report))
    return "\n".join(lines) + "\n"


def _verdict(report: VerifyReport) -> str:
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    if report.exit_code == EXIT_PASSED:
        verdict = "Verified: the image builds, starts and serves."
    elif report.exit_code == EXIT_CANNOT_VERIFY:
        verdict = f"Not verified: {errors[0].code} above." if errors else "Not verified."
    else:
        verdict = f"Verification failed: {len(errors)} error{'s' if len(errors) != 1 else ''}."
    if report.container:
        verdict += (
            f"\nContainer {report.container} keeps running at {report.url}; "
            f"stop it with `docker rm -f {report.container}`."
        )
        for name in report.kept_services:
            verdict += f"\nIts database {name} keeps running too: `docker rm -f {name}`."
    return verdict


def _status(probe: Probe) -> str:
    return str(probe.status) if probe.status is not None else (probe.error or "no answer")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
