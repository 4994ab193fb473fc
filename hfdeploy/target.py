"""The Python version the Space image will run, and where that value came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet

if TYPE_CHECKING:
    from hfdeploy.project import Project

DEFAULT_PYTHON = "3.11"
# Minor versions with official python:X.Y-slim images we would choose from, newest last.
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")

_FROM_PYTHON = re.compile(
    r"^\s*FROM\s+(?:--platform=\S+\s+)?(?:\S+/)?python:(\d+\.\d+)", re.IGNORECASE | re.MULTILINE
)
_VERSION = re.compile(r"(?:python-?)?(\d+\.\d+)")


# `ARG PYTHON_VERSION=3.12` before the first FROM: the only ARGs a FROM line can use.
_GLOBAL_ARG = re.compile(
    r"^[ \t]*ARG[ \t]+(\w+)=([\"']?)([\w.\-]+)\2[ \t]*$", re.IGNORECASE | re.MULTILINE
)
_FIRST_FROM = re.compile(r"^[ \t]*FROM[ \t]", re.IGNORECASE | re.MULTILINE)


def _with_global_args(dockerfile: str) -> str:
    """The Dockerfile with `$NAME` and `${NAME}` replaced by the default of a global ARG, so
    `FROM python:${PYTHON_VERSION}-slim` reads as the version it builds (lines unchanged)."""
    first = _FIRST_FROM.search(dockerfile)
    args = {m[1]: m[3] for m in _GLOBAL_ARG.finditer(dockerfile[: first.start() if first else 0])}
    if not args:
        return dockerfile
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m[1] or m[2], m[0]), dockerfile)


@dataclass(frozen=True)
class TargetPython:
    version: str  # "3.11"
    source: str  # "Dockerfile FROM (line 1)", "--python", "default", ...

    @property
    def tuple(self) -> tuple[int, int]:
        major, minor = self.version.split(".")[:2]
        return int(major), int(minor)


def _from_requires_python(spec_text: str) -> str | None:
    try:
        spec = SpecifierSet(spec_text)
    except InvalidSpecifier:
        return None
    fitting = [v for v in SUPPORTED if spec.contains(v + ".0", prereleases=True)]
    if not fitting:
        return None
    # The fitting version nearest the default: `>=3.12` was written for 3.12, and the newest
    # Python is the one most likely to lack wheels for the project's dependencies.
    default = _minor(DEFAULT_PYTHON)
    return min(fitting, key=lambda v: (abs(_minor(v) - default), -_minor(v)))


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def _requires_python(project: Project) -> str | None:
    text = project.text("pyproject.toml") or ""
    m = re.search(r'^\s*requires-python\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if m:
        return m.group(1)
    return poetry_python_of(text) if "[tool.poetry" in text else None


def poetry_python_of(text: str) -> str | None:
    """Poetry's `python = "^3.12"` (its requires-python) as a PEP 440 specifier, or None."""
    import sys

    from hfdeploy.constraints import poetry_specifier

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    value = deps.get("python") if isinstance(deps, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return str(poetry_specifier(value)) or None
    except ValueError:
        return None


def target_python(project: Project) -> TargetPython:
    return project.memo("target-python", lambda: _resolve(project))


def _resolve(project: Project) -> TargetPython:
    if project.options.python:
        return TargetPython(project.options.python, "--python")
    if project.config.python:
        return TargetPython(project.config.python, project.config.source)
    dockerfile = project.text("Dockerfile")
    if dockerfile:
        dockerfile = _with_global_args(dockerfile)
        m = _FROM_PYTHON.search(dockerfile)
        if m:
            line = dockerfile.count("\n", 0, m.start(1)) + 1
            return TargetPython(m.group(1), f"Dockerfile FROM (line {line})")
    for name in (".python-version", "runtime.txt"):
        text = (project.text(name) or "").strip()
        m = _VERSION.match(text.splitlines()[0].strip()) if text else None
        if m:
            return TargetPython(m.group(1), name)
    spec = _requires_python(project)
    if spec:
        chosen = _from_requires_python(spec)
        if chosen:
            return TargetPython(
                chosen, f"pyproject.toml requires-python {spec!r}"
            )  # or Poetry's python
    return TargetPython(DEFAULT_PYTHON, "default")
