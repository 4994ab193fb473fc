"""What `hfdeploy push` would send: the files (what git tracks, never `.env` files nor what
`.dockerignore` keeps out of the image), the Space secrets the app requires with their values
(never shown), and the public variables. Computed without touching the network, so `--dry-run`
shows exactly this."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.errors import UsageError

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Docker always sends these to the builder, and the Hub needs README.md for the configuration.
_ALWAYS = frozenset({"Dockerfile", ".dockerignore", "README.md", ".gitattributes"})


@dataclass
class PushPlan:
    files: list[PurePosixPath] = field(default_factory=list)
    left_out: list[tuple[PurePosixPath, str]] = field(default_factory=list)  # (path, why)
    secrets: dict[str, str] = field(default_factory=dict)  # name -> value: never printed
    missing: list[str] = field(default_factory=list)  # required, no value found
    variables: dict[str, str] = field(default_factory=dict)  # public: shown by name only too


def plan_push(
    project: Project,
    *,
    env_file: Path | None,
    environ: Mapping[str, str],
    extra_secrets: list[str],
    variables: list[str],
) -> PushPlan:
    plan = PushPlan()
    _plan_files(project, plan)
    given = dict(environ)
    if env_file is not None:
        given.update(read_env_file(env_file))
    public = dict(_parse_assignment(v, "--variable") for v in variables)
    plan.variables = public
    wanted = dict.fromkeys([*_required_names(project), *extra_secrets])
    for name in wanted:
        if name in public:
            continue
        value = given.get(name)
        if value:
            plan.secrets[name] = value
        else:
            plan.missing.append(name)
    return plan


def _plan_files(project: Project, plan: PushPlan) -> None:
    from hfdeploy.dockerfile.dockerignore import ignores, is_dotenv

    names = sorted(project.tracked) if project.is_git else [str(p) for p in project.files()]
    for name in names:
        path = PurePosixPath(name)
        on_disk = project.root / name
        if not on_disk.is_file():
            continue  # deleted in the work tree, or a submodule
        if not on_disk.resolve().is_relative_to(project.root):
            plan.left_out.append((path, "points outside the repository: not read"))
        elif is_dotenv(name):
            plan.left_out.append((path, "a .env file: its values belong in Space secrets"))
        elif name not in _ALWAYS and ignores(project, name):
            plan.left_out.append((path, "kept out of the image by .dockerignore"))
        else:
            plan.files.append(path)


def _required_names(project: Project) -> list[str]:
    from hfdeploy.environment.reads import required_variables

    return sorted(required_variables(project))


def read_env_file(path: Path) -> dict[str, str]:
    """`NAME=VALUE` lines (`export` prefix, quotes and comments as python-dotenv reads them)."""
    from hfdeploy.environment.dotenv import parse_env

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"--env-file {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--env-file {path}: cannot read it ({type(exc).__name__})") from None
    return {entry.key: entry.value for entry in parse_env(text)}


def _parse_assignment(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not name.strip().replace("_", "a").isalnum():
        raise UsageError(f"{option} {text.split('=')[0]!r}: expected NAME=VALUE")
    return name.strip(), value


_SPACE_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


def parse_space(value: str, option: str = "--space") -> str:
    """An `OWNER/NAME` Space id, or a usage error (no path tricks: `..`, a trailing `.git`)."""
    if not _SPACE_ID.fullmatch(value) or ".." in value or value.endswith((".git", ".")):
        raise UsageError(f"{option} {value!r}: expected OWNER/NAME, e.g. alice/taskboard")
    return value


def environment() -> dict[str, str]:
    return dict(os.environ)
