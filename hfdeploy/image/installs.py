"""Install commands of a Dockerfile RUN, read as data: which tool, what it installs (requirement
files, named packages, the project itself, a tool's lock) and where it puts it (the system
site-packages, a user's `~/.local`, a virtualenv)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

from hfdeploy.dockerfile.parse import Stage
from hfdeploy.dockerfile.stage import Step, is_root

_PIP = re.compile(r"^pip(?:3(?:\.\d+)?)?$")
_PYTHON = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_SYSTEM_BINS = ("/usr/local/bin", "/usr/bin", "/bin")
# pip options that take a value (so the value is not a requirement).
_VALUED = frozenset(
    [
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--trusted-host",
        "--python",
        "--platform",
        "--python-version",
        "--only-binary",
        "--no-binary",
        "--cache-dir",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "-C",
        "--config-settings",
        "--root-user-action",
        "--log",
        "--timeout",
        "--retries",
        "--index",
        "--default-index",
        "-p",
    ]
)
INDEX_OPTIONS = {
    "-i": "--index-url",
    "--index-url": "--index-url",
    "--extra-index-url": "--extra-index-url",
    "-f": "--find-links",
    "--find-links": "--find-links",
    "--no-index": "--no-index",
}
# Commands whose package set hfdeploy cannot name.
_OPAQUE = frozenset(["conda", "mamba", "micromamba", "hatch", "pipx", "pip-sync", "easy_install"])


@dataclass(frozen=True)
class InstallStep:
    """One command that installs Python packages, in a stage that is built."""

    step: Step | None  # None in the image `fix` would generate
    stage: Stage | None
    tool: str  # "pip", "uv pip", "uv sync", "poetry install", "pdm install", "pipenv install", "conda", ...
    words: tuple[str, ...]  # the command as run
    requirement_files: tuple[str, ...] = ()  # `-r FILE`, as written (container paths)
    constraint_files: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()  # requirements named on the command line
    project: str | None = None  # the project directory it installs (`.`, `-e .`, `uv sync`)
    lock_tool: str | None = None  # "poetry"/"uv"/"pdm"/"pipenv": the tool lock it installs
    location: str = "system"  # "system", "user:<home>", "venv:<dir>", "other:<dir>"
    readable: bool = True  # False: it installs something hfdeploy cannot name
    index_options: tuple[tuple[str, str], ...] = ()  # (`--index-url`, value) from the command line
    # `poetry install` told not to make a venv only by `poetry config` (the running user's own
    # settings file), not by `POETRY_VIRTUALENVS_CREATE` in the environment
    poetry_user_config: bool = False

    @property
    def user(self) -> str:
        return self.step.user if self.step is not None else "user"

    @property
    def line(self) -> int | None:
        return self.step.ins.line if self.step is not None else None


def home_of(user: str, env: dict[str, str]) -> str:
    if env.get("HOME"):
        return env["HOME"].rstrip("/") or "/"
    name = user.split(":", 1)[0]
    return "/root" if is_root(user) else f"/home/{name}"


def venv_on_path(env: dict[str, str], venvs: set[str]) -> str | None:
    """The virtualenv whose `bin` comes first on PATH (before the system's), if any."""
    for entry in env.get("PATH", "").split(":"):
        entry = posixpath.normpath(entry) if entry else entry
        if entry in _SYSTEM_BINS:
            return None
        if entry.endswith("/bin") and (
            entry[:-4] in venvs
            or posixpath.basename(entry[:-4]) in (".venv", "venv", "env")
            or entry[:-4] == env.get("VIRTUAL_ENV", "").rstrip("/")
        ):
            return entry[:-4]
    return None


@dataclass
class StageState:
    """What earlier commands of a stage set that later installs depend on."""

    venvs: set[str]
    exports: dict[str, str]  # container path of an exported requirements file -> lock tool
    poetry_no_venv: bool = False
    poetry_in_project: bool = False


def read_command(
    values: list[str],
    step: Step,
    stage: Stage,
    state: StageState,
    env: dict[str, str] | None = None,
) -> InstallStep | None:
    """The install a simple command performs, or None when it installs nothing. `env`: the
    command's environment when it differs from the step's (`VAR=value cmd`)."""
    if not values:
        return None
    program = posixpath.basename(values[0])
    env = step.env if env is None else env
    workdir = step.workdir

    def full(path: str) -> str:
        return posixpath.normpath(posixpath.join(workdir, path))

    if (
        program in ("venv", "virtualenv")
        or (_PYTHON.match(program) and values[1:3] == ["-m", "venv"])
        or (program == "uv" and values[1:2] == ["venv"])
    ):
        args = [v for v in values[1:] if not v.startswith("-") and v not in ("venv",)]
        state.venvs.add(full(args[-1] if args else ".venv"))
        return None
    if program == "poetry" and values[1:4] == ["config", "virtualenvs.create", "false"]:
        state.poetry_no_venv = True
        return None
    if program == "poetry" and values[1:4] == ["config", "virtualenvs.in-project", "true"]:
        state.poetry_in_project = True
        return None
    exported = _export_target(program, values, full)
    if exported is not None:
        state.exports[exported[1]] = exported[0]
        return None
    if program in _OPAQUE or (program in ("conda", "mamba") and values[1:2] == ["install"]):
        return InstallStep(
            step, stage, program, tuple(values), readable=False, location="other:conda"
        )
    if program == "poetry" and values[1:2] == ["install"]:
        env_no_venv = env.get("POETRY_VIRTUALENVS_CREATE", "").lower() in ("false", "0")
        no_venv = state.poetry_no_venv or env_no_venv
        in_project = state.poetry_in_project or env.get(
            "POETRY_VIRTUALENVS_IN_PROJECT", ""
        ).lower() in ("true", "1")
        location = (
            _plain_location(step, state)
            if no_venv
            else (f"venv:{full('.venv')}" if in_project else "other:poetry-cache-venv")
        )
        root = "--no-root" not in values and "--only-root" not in values
        return InstallStep(
            step,
            stage,
            "poetry install",
            tuple(values),
            project="." if root else None,
            lock_tool="poetry",
            location=location,
            poetry_user_config=state.poetry_no_venv and not env_no_venv,
        )
    if program == "uv" and values[1:2] == ["sync"]:
        target = env.get("UV_PROJECT_ENVIRONMENT") or ".venv"
        root = "--no-install-project" not in values and "--only-deps" not in values
        return InstallStep(
            step,
            stage,
            "uv sync",
            tuple(values),
            project="." if root else None,
            lock_tool="uv",
            location=f"venv:{full(target)}",
        )
    if program == "pdm" and values[1:2] in (["install"], ["sync"]):
        root = "--no-self" not in values
        location = (
            _plain_location(step, state)
            if "--global" in values or "-g" in values
            else f"venv:{full('.venv')}"
        )
        return InstallStep(
            step,
            stage,
            f"pdm {values[1]}",
            tuple(values),
            project="." if root else None,
            lock_tool="pdm",
            location=location,
        )
    if program == "pipenv" and values[1:2] in (["install"], ["sync"]):
        location = _plain_location(step, state) if "--system" in values else "other:pipenv-venv"
        return InstallStep(
            step, stage, "pipenv install", tuple(values), lock_tool="pipenv", location=location
        )
    if program == "uv" and values[1:3] == ["pip", "install"]:
        return _pip(values, 3, "uv pip", step, stage, state, full)
    if _PIP.match(program) and values[1:2] == ["install"]:
        return _pip(values, 2, "pip", step, stage, state, full)
    if _PYTHON.match(program) and values[1:4] == ["-m", "pip", "install"]:
        return _pip(values, 4, "pip", step, stage, state, full)
    return None


def _export_target(program: str, values: list[str], full: object) -> tuple[str, str] | None:
    """(`tool`, container path) for `poetry export -o F`, `uv export > F`, `pdm export`,
    `pipenv requirements > F`."""
    tool = {"poetry": "poetry", "uv": "uv", "pdm": "pdm", "pipenv": "pipenv"}.get(program)
    verb = values[1] if len(values) > 1 else ""
    if (
        tool is None
        or verb not in ("export", "requirements")
        or (tool == "pipenv") != (verb == "requirements")
    ):
        return None
    target = None
    for i, value in enumerate(values):
        if value in ("-o", "--output", "--output-file", ">") and i + 1 < len(values):
            target = values[i + 1]
        elif value.startswith(("--output=", "--output-file=")):
            target = value.split("=", 1)[1]
        elif value.startswith(">") and len(value) > 1:
            target = value[1:]
    if not target:
        return None
    return tool, full(target)  # type: ignore[operator]


def _plain_location(step: Step, state: StageState) -> str:
    """Where `pip install` without --user/--target puts packages for `step`."""
    env = step.env
    venv = venv_on_path(env, state.venvs)
    if venv is not None:
        return f"venv:{venv}"
    if not is_root(step.user):
        # The system site-packages is root's: pip falls back to a user install.
        return f"user:{home_of(step.user, env)}"
    return "system"


def _pip(
    values: list[str],
    first: int,
    tool: str,
    step: Step,
    stage: Stage,
    state: StageState,
    full: object,
) -> InstallStep:
    program = values[0]
    files: list[str] = []
    constraints: list[str] = []
    packages: list[str] = []
    index: list[tuple[str, str]] = []
    project: str | None = None
    readable = True
    location: str | None = None
    lock_tool: str | None = None
    if "/bin/" in program:
        # `/opt/venv/bin/pip` or, from the WORKDIR, `.venv/bin/pip`: that environment's pip.
        prefix = full(program).rsplit("/bin/", 1)[0]  # type: ignore[operator]
        if prefix not in ("/usr", "/usr/local", ""):
            location = f"venv:{posixpath.normpath(prefix)}"
    args = values[first:]
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        takes = name in _VALUED or (name in INDEX_OPTIONS and name != "--no-index")
        if (
            name.startswith("-")
            and not name.startswith("--")
            and len(name) > 2
            and name[:2] in _VALUED
        ):
            name, value, eq, takes = name[:2], name[2:], "=", True  # `-rrequirements.txt`
        if takes and not eq:
            value = args[i + 1] if i + 1 < len(args) else ""
        if name in ("-r", "--requirement"):
            files.append(value)
            lock_tool = lock_tool or state.exports.get(full(value))  # type: ignore[operator]
        elif name in ("-c", "--constraint"):
            constraints.append(value)
        elif name in ("-e", "--editable"):
            if value.startswith((".", "/")) and "$" not in value:
                project = value
            else:
                readable = False
        elif name in INDEX_OPTIONS:
            index.append((INDEX_OPTIONS[name], value))
        elif name == "--user":
            location = f"user:{home_of(step.user, step.env)}"
        elif name in ("-t", "--target", "--prefix", "--root"):
            location = f"other:{full(value)}"  # type: ignore[operator]
        elif name == "--system" and tool == "uv pip":
            location = location or "system"
        elif not name.startswith("-"):
            if arg in (".", "./") or (arg.startswith(("./", "/")) and not _is_archive(arg)):
                project = arg if "$" not in arg else None
                readable = readable and "$" not in arg
            elif "$" in arg or "*" in arg or "/" in arg or _is_archive(arg):
                readable = False  # a variable, a wheel, a URL
            else:
                try:
                    Requirement(arg)
                    packages.append(arg)
                except InvalidRequirement:
                    readable = False
        i += 2 if takes and not eq else 1
    if location is None:
        if tool == "uv pip" and step.env.get("UV_SYSTEM_PYTHON", "").lower() in ("1", "true"):
            location = "system"
        else:
            location = _plain_location(step, state)
            if tool == "uv pip" and location.startswith("user:"):
                location = "system"  # uv has no user site; it writes the environment it finds
    return InstallStep(
        step,
        stage,
        tool,
        tuple(values),
        tuple(files),
        tuple(constraints),
        tuple(packages),
        project,
        lock_tool,
        location,
        readable,
        tuple(index),
    )


def _is_archive(arg: str) -> bool:
    return arg.endswith((".whl", ".tar.gz", ".zip", ".tgz")) or "://" in arg
