"""`hfdeploy push`'s remote steps, in order: create the Space when missing (Docker SDK), upload
the planned files in one commit, set the secrets and variables, then follow the build and the
start until the Space runs or fails, and explain a failure from its log. Progress goes to the
`say` callback (the CLI prints it); nothing here prints or exits."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.hub.client import RUNNING_STAGES, WAITING_STAGES, HubClient, HubError, Runtime
from hfdeploy.hub.diagnose import LogReport, diagnose, scrub_lines
from hfdeploy.hub.plan import PushPlan

if TYPE_CHECKING:
    from hfdeploy.project import Project

Say = Callable[[str], None]


@dataclass(frozen=True)
class PushOptions:
    space: str
    private: bool = False
    wait: bool = True
    timeout: float = 1800.0  # the Hub's default startup_duration_timeout is 30 minutes
    poll: float = 3.0


@dataclass
class PushOutcome:
    stage: str  # the last stage seen, "UPLOADED" with --no-wait, "TIMEOUT" when still waiting
    commit: str
    report: LogReport | None = None
    hub_error: str | None = None  # the Hub's own error message for a failed Space


def space_url(space: str) -> str:
    owner, name = space.split("/", 1)
    host = f"{owner}-{name}".lower().replace("_", "-").replace(".", "-")
    return f"https://{host}.hf.space"


def commit_message(project: Project, count: int) -> str:
    head = _git_head(project)
    origin = f" from git {head}" if head else ""
    return f"Deploy {count} files with hfdeploy{origin}"


def read_files(project: Project, plan: PushPlan) -> list[tuple[str, bytes]]:
    """The planned files' bytes, read as they are on disk; a file whose real path leaves the
    repository (a symlink pointing outside) is moved to `left_out` and never read."""
    root = project.root
    files: list[tuple[str, bytes]] = []
    kept: list[PurePosixPath] = []
    for path in plan.files:
        real = (root / path).resolve()
        if not real.is_relative_to(root):
            plan.left_out.append((path, "points outside the repository: not read"))
            continue
        try:
            files.append((str(path), real.read_bytes()))
        except OSError as exc:
            plan.left_out.append((path, f"unreadable ({exc.strerror or type(exc).__name__})"))
            continue
        kept.append(path)
    plan.files = kept
    return files


def push(
    project: Project, plan: PushPlan, client: HubClient, options: PushOptions, say: Say
) -> PushOutcome:
    space = options.space
    if client.space_exists(space):
        say(f"Space {space} exists: uploading a new commit")
    else:
        say(f"Creating Space {space} (Docker SDK, {'private' if options.private else 'public'})")
        client.create_space(space, private=options.private)
    files = read_files(project, plan)
    message = commit_message(project, len(files))
    commit = client.commit(space, files, message)
    say(
        f"Uploaded {len(files)} files in one commit{f' ({commit[:12]})' if commit else ''}: {message}"
    )
    for name in sorted(plan.secrets):
        client.add_secret(space, name, plan.secrets[name])
        say(f"Set secret {name}")
    for name in sorted(plan.variables):
        client.add_variable(space, name, plan.variables[name])
        say(f"Set variable {name}")
    if not options.wait:
        return PushOutcome(stage="UPLOADED", commit=commit)
    return follow(
        client, space, project, options, say, secrets=list(plan.secrets.values()), commit=commit
    )


def follow(
    client: HubClient,
    space: str,
    project: Project | None,
    options: PushOptions,
    say: Say,
    *,
    secrets: list[str],
    commit: str = "",
) -> PushOutcome:
    """Poll the Space's stage until it runs or fails (bounded by `options.timeout`), printing
    stage changes with the elapsed time and each new log line once."""
    start = time.monotonic()
    printed = {True: 0, False: 0}  # build log, run log: lines already shown
    last_stage = ""
    runtime = Runtime(stage="", error=None)
    while True:
        runtime = client.runtime(space)
        elapsed = time.monotonic() - start
        if runtime.stage != last_stage:
            say(f"[{elapsed:5.0f}s] {runtime.stage}")
            last_stage = runtime.stage
        build_phase = runtime.stage in ("BUILDING", "RUNNING_BUILDING")
        _stream(client, space, build=build_phase, printed=printed, say=say, secrets=secrets)
        if runtime.stage not in WAITING_STAGES:
            break
        if elapsed >= options.timeout:
            return PushOutcome(stage="TIMEOUT", commit=commit)
        time.sleep(options.poll)
    if runtime.stage in RUNNING_STAGES:
        _stream(client, space, build=False, printed=printed, say=say, secrets=secrets)
        say(f"Running: {space_url(space)}")
        return PushOutcome(stage=runtime.stage, commit=commit)
    build_failed = runtime.stage == "BUILD_ERROR"
    lines = list(_lines(client, space, build=build_failed))
    if runtime.error:
        lines.append(runtime.error)
    report = diagnose(lines, project, secrets=secrets)
    return PushOutcome(stage=runtime.stage, commit=commit, report=report, hub_error=runtime.error)


def _stream(
    client: HubClient,
    space: str,
    *,
    build: bool,
    printed: dict[bool, int],
    say: Say,
    secrets: list[str],
) -> None:
    try:
        lines = list(_lines(client, space, build=build))
    except HubError as exc:
        if exc.kind == "not-found":  # no log yet
            return
        raise
    for line in scrub_lines(lines[printed[build] :], secrets):
        say(f"  | {line}")
    printed[build] = max(printed[build], len(lines))


def _lines(client: HubClient, space: str, *, build: bool) -> list[str]:
    out: list[str] = []
    for chunk in client.logs(space, build=build):
        out.extend(chunk.splitlines() or [""])
    return out


def _git_head(project: Project) -> str:
    if not project.is_git:
        return ""
    try:
        done = subprocess.run(
            ["git", "-C", str(project.root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
