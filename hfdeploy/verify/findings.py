"""The RT codes `hfdeploy verify` reports: what each one means, and how bad it is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.verify.docker_client import DockerFailure


@dataclass(frozen=True)
class RuntimeRule:
    code: str
    name: str
    severity: Severity
    summary: str


RULES = {
    rule.code: rule
    for rule in (
        RuntimeRule(
            "RT001",
            "engine-unreachable",
            Severity.ERROR,
            "No Docker engine answers; nothing was built (exit 2).",
        ),
        RuntimeRule(
            "RT002",
            "build-failed",
            Severity.ERROR,
            "The Dockerfile does not build; the failing step and its output follow.",
        ),
        RuntimeRule(
            "RT003",
            "container-exited",
            Severity.ERROR,
            "The container stopped before serving: a crash at import or start-up.",
        ),
        RuntimeRule(
            "RT004",
            "port-not-answering",
            Severity.ERROR,
            "Nothing answered HTTP on `app_port` in time: the Space would stay 'Starting'.",
        ),
        RuntimeRule(
            "RT005",
            "route-server-error",
            Severity.ERROR,
            "A GET route answered 5xx; the traceback from the container log follows.",
        ),
        RuntimeRule(
            "RT006",
            "data-dir-not-writable",
            Severity.ERROR,
            "The app's user cannot create files where the SQLite database or data live.",
        ),
        RuntimeRule(
            "RT007",
            "runs-as-root",
            Severity.WARNING,
            "The image runs as uid 0; Spaces run it as uid 1000.",
        ),
        RuntimeRule(
            "RT008",
            "placeholder-secret",
            Severity.INFO,
            "A required variable was not given; the container got a labelled placeholder.",
        ),
        RuntimeRule(
            "RT009",
            "host-port-busy",
            Severity.ERROR,
            "`app_port` is taken on this host and the CMD ignores PORT (exit 2).",
        ),
        RuntimeRule(
            "RT010",
            "listens-on-loopback",
            Severity.ERROR,
            "The server binds 127.0.0.1; the Space proxy connects from outside.",
        ),
        RuntimeRule(
            "RT011",
            "no-openapi",
            Severity.INFO,
            "No OpenAPI document was served, so GET routes were not smoke-tested.",
        ),
        RuntimeRule(
            "RT012",
            "route-timed-out",
            Severity.WARNING,
            "A GET route did not answer within the request timeout.",
        ),
        RuntimeRule(
            "RT013",
            "root-not-found",
            Severity.INFO,
            "`/` answers 404: the Space's page shows the app's root URL.",
        ),
        RuntimeRule(
            "RT014",
            "image-user-not-space-uid",
            Severity.WARNING,
            "The image's USER is not uid 1000; verify ran it as uid 1000, as a Space does.",
        ),
        RuntimeRule(
            "RT015",
            "redirect-to-http",
            Severity.WARNING,
            "Behind the Space's HTTPS proxy a redirect goes to `http://` (proxy headers not trusted): "
            "browsers block it in fetch/XHR from the Space page (mixed content).",
        ),
        RuntimeRule(
            "RT016",
            "head-root-fails",
            Severity.INFO,
            "`HEAD /` does not answer like `GET /`; link checkers and uptime probes send HEAD.",
        ),
        RuntimeRule(
            "RT017",
            "slow-start",
            Severity.ERROR,
            "The first HTTP answer came later than `startup_duration_timeout` allows.",
        ),
        RuntimeRule(
            "RT018",
            "cors-rejects-space-origin",
            Severity.WARNING,
            "CORS refuses the Space's origin (`https://<owner>-<name>.hf.space`): cross-origin browser calls fail.",
        ),
        RuntimeRule(
            "RT019",
            "cache-dir-not-writable",
            Severity.ERROR,
            "uid 1000 cannot create files in a cache directory the app's libraries write to.",
        ),
        RuntimeRule(
            "RT020",
            "space-host-rejected",
            Severity.ERROR,
            "The app refuses requests whose Host is the Space's (`<owner>-<name>.hf.space`).",
        ),
        RuntimeRule(
            "RT021",
            "runtime-repair",
            Severity.ERROR,
            "`fix --verify`: a failure the container showed, with the repair applied for it.",
        ),
        RuntimeRule(
            "RT022",
            "throwaway-database",
            Severity.INFO,
            "verify ran a throwaway PostgreSQL or MySQL for the app's database URL (or its "
            "parts); on the Space that secret must point at your database.",
        ),
        RuntimeRule(
            "RT023",
            "throwaway-database-unavailable",
            Severity.INFO,
            "The app's database needs a server verify could not start (no image, another "
            "network, a default port in use); its variables got placeholders.",
        ),
        RuntimeRule(
            "RT033",
            "frontend-not-pullable",
            Severity.INFO,
            "The Dockerfile's `# syntax=docker/dockerfile:...` frontend image could not be pulled; "
            "verify built with the engine's built-in Dockerfile frontend instead.",
        ),
        RuntimeRule(
            "RT034",
            "image-substituted",
            Severity.INFO,
            "An image the Dockerfile names could not be pulled; verify built a stand-in of the "
            "same content from the package index (Astral's uv images), or says why it could not.",
        ),
        RuntimeRule(
            "RT027",
            "throwaway-database-migration-failed",
            Severity.WARNING,
            "verify ran the Alembic migrations the start command skips against its throwaway "
            "database, and they failed; the app was started anyway.",
        ),
        # Seen in a Space's own logs (`hfdeploy logs`, `hfdeploy push`), not on a local engine.
        RuntimeRule(
            "RT030",
            "out-of-memory",
            Severity.ERROR,
            "The Space killed the container for using more memory than its hardware has.",
        ),
        RuntimeRule(
            "RT031",
            "storage-limit-exceeded",
            Severity.ERROR,
            "The Space (or its repository) went over its disk or storage quota.",
        ),
        RuntimeRule(
            "RT032",
            "platform-capacity",
            Severity.WARNING,
            "The platform could not schedule the Space on hardware; not the repository's fault.",
        ),
    )
}
# Findings that mean verify could not judge the app at all: exit 2 rather than 1.
CANNOT_VERIFY = frozenset({"RT001", "RT009"})


def finding(
    code: str,
    message: str,
    notes: Iterable[str] = (),
    *,
    path: str | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    rule = RULES[code]
    return Diagnostic(
        code=code,
        severity=rule.severity if severity is None else severity,
        message=message,
        path=PurePosixPath(path) if path else None,
        notes=tuple(notes),
    )


def engine_failed(findings: list[Diagnostic], doing: str, failure: DockerFailure) -> None:
    findings.append(finding("RT001", f"The Docker engine failed while {doing}: {failure.message}"))
