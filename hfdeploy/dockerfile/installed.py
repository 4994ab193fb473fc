"""Which Python distributions an image installs, as far as the repository says: the declared
dependencies, `requirements.lock`, and the names `pip install` lines of the Dockerfile give.

Used to tell whether the server the CMD starts (and FastAPI itself) will be there. The answer
is a set of canonical names plus `name[extra]` forms, or None when the Dockerfile installs in
a way hfdeploy does not read (poetry, conda, wheels, variables), where guessing would be wrong.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hfdeploy.dockerfile.stage import Runtime, run_commands, strip_prefix

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Installers whose package sets hfdeploy does not read.
_OTHER_INSTALLERS = frozenset(
    ["pipenv", "poetry", "conda", "mamba", "micromamba", "pdm", "hatch", "pip-sync", "pipx"]
)
_PIP = re.compile(r"^pip(?:3(?:\.\d+)?)?$")
_PYTHON = re.compile(r"^python(?:3(?:\.\d+)?)?$")
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
    ]
)
_FASTAPI_CLI = frozenset(
    ["fastapi-cli", "fastapi[standard]", "fastapi[all]", "fastapi[standard-no-fastapi-cloud-cli]"]
)
# Frameworks that depend on uvicorn and FastAPI themselves: their users need not list them.
_BRINGS_BOTH = frozenset(
    [
        "gradio",
        "nicegui",
        "vllm",
        "ray[serve]",
        "prefect",
        "mlflow",
        "reflex",
        "open-webui",
        "langflow",
        "litserve",
    ]
)
# What the server needs -> the distributions (or `dist[extra]`) that install it.
PROVIDERS = {
    "uvicorn": frozenset(["uvicorn", "uvicorn-worker", "chainlit", "mcp", "fastmcp"])
    | _FASTAPI_CLI
    | _BRINGS_BOTH,
    "gunicorn": frozenset(["gunicorn"]),
    "hypercorn": frozenset(["hypercorn"]),
    "fastapi[standard]": _FASTAPI_CLI,
    "fastapi": frozenset(["fastapi", "fastapi-slim", "chainlit"]) | _BRINGS_BOTH,
}


class Unknown(Exception):
    """The Dockerfile installs packages hfdeploy cannot name."""


def installed_names(project: Project, rt: Runtime) -> frozenset[str] | None:
    return project.memo("dockerfile-installed-names", lambda: _collect(project, rt))


def _collect(project: Project, rt: Runtime) -> frozenset[str] | None:
    from hfdeploy.dockerfile.server import repo_path
    from hfdeploy.requirements.declared import PYPROJECT, dependency_set
    from hfdeploy.requirements.lock import LOCK_FILE
    from hfdeploy.requirements.pyproject_deps import parse_pyproject
    from hfdeploy.requirements.reqfile import parse_requirements_text

    names: set[str] = set()
    targets: list[str] = []
    try:
        for ins in rt.dockerfile.instructions:  # every stage: a builder may fill a venv
            for cmd in run_commands(ins):
                targets += _pip_names([w.value for w in strip_prefix(cmd)], names)
    except Unknown:
        return None
    files = {LOCK_FILE, PYPROJECT}
    files |= {path for t in targets if (path := repo_path(project, rt, t)) is not None}
    requirements = list(dependency_set(project).direct)
    for path in sorted(files):
        text = project.text(path)
        if text is not None:
            parse = parse_pyproject if path == PYPROJECT else parse_requirements_text
            requirements += parse(path, text).requirements
    for req in requirements:
        if not req.constraint:
            names.add(str(req.key))
            names |= {f"{req.key}[{canonicalize_name(e)}]" for e in req.extras}
    return frozenset(names)


def _pip_names(values: list[str], names: set[str]) -> list[str]:
    """Add the requirements a `pip install` (or `uv pip install`) names; return its `-r` files."""
    program = posixpath.basename(values[0]) if values else ""
    if program in _OTHER_INSTALLERS or (program == "uv" and values[1:2] in (["sync"], ["add"])):
        raise Unknown(program)
    if program == "uv" and values[1:2] == ["pip"]:
        args = values[2:]
    elif _PIP.match(program):
        args = values[1:]
    elif _PYTHON.match(program) and values[1:3] == ["-m", "pip"]:
        args = values[3:]
    else:
        return []
    if args[:1] != ["install"]:
        return []
    files: list[str] = []
    i = 1
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in ("-r", "--requirement"):
            files.append(value if eq else (args[i + 1] if i + 1 < len(args) else ""))
        if arg.startswith("-"):
            i += 2 if arg in _VALUED else 1
            continue
        i += 1
        if arg in (".", "./"):
            continue  # the project itself: pyproject.toml is read anyway
        if "$" in arg or "/" in arg or "*" in arg or arg.startswith("."):
            raise Unknown(arg)  # a variable, a path, a wheel or the project with extras
        try:
            req = Requirement(arg)
        except InvalidRequirement:
            raise Unknown(arg) from None
        key = canonicalize_name(req.name)
        names.add(str(key))
        names |= {f"{key}[{canonicalize_name(e)}]" for e in req.extras}
    return [f for f in files if f and "$" not in f]
