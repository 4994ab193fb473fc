"""The final stage's base image when it is an official `python:X.Y` image, and the Python
version the project itself asks for (`--python`, `[tool.hfdeploy] python`, requires-python)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from hfdeploy.diagnostics import Span
from hfdeploy.dockerfile.stage import Runtime
from hfdeploy.target import DEFAULT_PYTHON, SUPPORTED

if TYPE_CHECKING:
    from hfdeploy.project import Project

_PYTHON_IMAGE = re.compile(
    r"^(?:docker\.io/)?(?:library/)?python:(?P<version>3\.\d+)(?:\.\d+)?(?:-(?P<variant>[\w.-]+))?$"
)
_REQUIRES_PYTHON = re.compile(r"""^\s*requires-python\s*=\s*["']([^"']+)["']""", re.MULTILINE)


@dataclass(frozen=True)
class PythonBase:
    version: str  # "3.11"
    variant: str  # "slim", "slim-bookworm", "" for the full image
    version_span: Span | None  # where the version is written in the FROM line; None via ARG


def python_base(rt: Runtime) -> PythonBase | None:
    first = rt.dockerfile.chain()[0]
    m = _PYTHON_IMAGE.match(first.base)
    if not m:
        return None
    from_ins = first.instructions[0]
    words = [w for w in from_ins.shell_words() if not w.value.startswith("--")]
    span = None
    if words and "$" not in words[0].value:
        word = words[0]
        begin = word.value.index(":") + 1
        span = from_ins.raw_span(*word.span_of(begin, begin + len(m.group("version"))))
    return PythonBase(m.group("version"), m.group("variant") or "", span)


@dataclass(frozen=True)
class WantedPython:
    version: str  # the version the image should run
    reason: str  # "requires-python '>=3.11' (pyproject.toml)"
    spec: SpecifierSet | None = None


def wanted_python(project: Project) -> WantedPython | None:
    """What the project declares, strongest first; None when it declares nothing usable."""
    if project.options.python:
        return WantedPython(project.options.python, "`--python`")
    if project.config.python:
        return WantedPython(project.config.python, f"`python` in {project.config.source}")
    m = _REQUIRES_PYTHON.search(project.text("pyproject.toml") or "")
    text = m.group(1) if m else _poetry_python(project)
    if not text:
        return None
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier:
        return None
    fitting = [v for v in SUPPORTED if spec.contains(v + ".0", prereleases=True)]
    if not fitting:
        return None
    chosen = DEFAULT_PYTHON if DEFAULT_PYTHON in fitting else fitting[-1]
    where = "requires-python" if m else "Poetry's python"
    return WantedPython(chosen, f"{where} `{text}` in pyproject.toml", spec)


def _poetry_python(project: Project) -> str | None:
    try:
        from hfdeploy.requirements.tool_locks import poetry_python
    except ImportError:  # the requirements domain is optional to this one
        return None
    return poetry_python(project)


def mismatch(project: Project, base: PythonBase) -> WantedPython | None:
    wanted = wanted_python(project)
    if wanted is None:
        return None
    if wanted.spec is not None:
        fits = any(
            wanted.spec.contains(f"{base.version}.{patch}", prereleases=True) for patch in (0, 99)
        )
        return None if fits else wanted
    return None if wanted.version == base.version else wanted
