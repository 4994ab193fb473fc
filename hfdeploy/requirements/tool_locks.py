"""Other tools' project files, read as data: which tool a `pyproject.toml` belongs to, whether pip
can build it, and the distributions `poetry.lock`, `uv.lock` and `pdm.lock` pin.

The requirements domain owns these files; the image model (hfdeploy/image) asks here."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from hfdeploy.project import Project

PYPROJECT = PurePosixPath("pyproject.toml")
TOOL_LOCKS = {
    "poetry": PurePosixPath("poetry.lock"),
    "uv": PurePosixPath("uv.lock"),
    "pdm": PurePosixPath("pdm.lock"),
}


@dataclass(frozen=True)
class PyprojectFacts:
    """What `pyproject.toml` says about how the project is installed."""

    exists: bool
    valid: bool  # parses as TOML
    pep621_dependencies: bool  # `[project] dependencies` (even an empty list)
    poetry_dependencies: bool  # `[tool.poetry.dependencies]` with more than `python`
    build_system: bool  # a `[build-system]` table
    package_mode: bool  # Poetry's `package-mode` (default true)
    tool: str | None  # "poetry", "uv", "pdm", or None (plain PEP 621 / setuptools)

    @property
    def pip_buildable(self) -> bool:
        """Whether `pip install .` builds it and installs its dependencies.

        Without `[build-system]` pip falls back to setuptools, which knows nothing of
        `[tool.poetry]` (the dependencies are silently left out) and, on a flat layout with
        several top-level packages, refuses to build ("Multiple top-level packages
        discovered"). Poetry's `package-mode = false` marks a project that is not a package."""
        if not self.exists or not self.valid or not self.package_mode:
            return False
        if self.build_system:
            return True
        return self.pep621_dependencies and self.tool is None

    @property
    def declares(self) -> bool:
        return self.pep621_dependencies or self.poetry_dependencies


def _load(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None


def pyproject_facts(project: Project) -> PyprojectFacts:
    def read() -> PyprojectFacts:
        text = project.text(PYPROJECT)
        data = _load(text)
        if data is None:
            return PyprojectFacts(text is not None, False, False, False, False, True, None)
        proj: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
        tool: dict[str, Any] = data["tool"] if isinstance(data.get("tool"), dict) else {}
        poetry: dict[str, Any] | None = (
            tool["poetry"] if isinstance(tool.get("poetry"), dict) else None
        )
        deps = poetry.get("dependencies") if poetry else None
        poetry_deps = isinstance(deps, dict) and any(k.lower() != "python" for k in deps)
        package_mode = not (poetry and poetry.get("package-mode") is False)
        if project.exists(TOOL_LOCKS["uv"]) or isinstance(tool.get("uv"), dict):
            which: str | None = "uv"
        elif poetry is not None or project.exists(TOOL_LOCKS["poetry"]):
            which = "poetry"
        elif project.exists(TOOL_LOCKS["pdm"]) or isinstance(tool.get("pdm"), dict):
            which = "pdm"
        else:
            which = None
        uv: dict[str, Any] = tool["uv"] if isinstance(tool.get("uv"), dict) else {}
        if uv.get("package") is False:
            package_mode = False
        return PyprojectFacts(
            exists=True,
            valid=True,
            pep621_dependencies=isinstance(proj.get("dependencies"), list),
            poetry_dependencies=poetry_deps,
            build_system=isinstance(data.get("build-system"), dict),
            package_mode=package_mode,
            tool=which,
        )

    return project.memo("rq-pyproject-facts", read)


def poetry_python(project: Project) -> str | None:
    """Poetry's `python = "^3.12"` (its requires-python) as a PEP 440 specifier, or None."""
    from hfdeploy.target import poetry_python_of

    return poetry_python_of(project.text(PYPROJECT) or "")


def locked_distributions(project: Project, tool: str) -> frozenset[str] | None:
    """Canonical names of every package the tool's lock pins (all groups: a dev-only package
    counted as installed only ever silences a finding), or None without a readable lock."""

    def read() -> frozenset[str] | None:
        data = _load(project.text(TOOL_LOCKS[tool]))
        if data is None:
            return None
        packages = data.get("package")
        if not isinstance(packages, list):
            return frozenset()
        names = {
            canonicalize_name(p["name"])
            for p in packages
            if isinstance(p, dict) and isinstance(p.get("name"), str)
        }
        return frozenset(names)

    return project.memo(("rq-tool-lock", tool), read)


PIPFILE_LOCK = PurePosixPath("Pipfile.lock")


def pipenv_locked_distributions(project: Project) -> frozenset[str] | None:
    """Canonical names of every package `Pipfile.lock` pins (its `default` and `develop`
    sections: a dev-only package counted as installed only ever silences a finding), or None
    without a readable lock. Paths and VCS entries have no release name and are left out."""

    def read() -> frozenset[str] | None:
        import json

        text = project.text(PIPFILE_LOCK)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        names: set[str] = set()
        for section in ("default", "develop"):
            entries = data.get(section)
            if isinstance(entries, dict):
                names |= {canonicalize_name(n) for n in entries if isinstance(n, str)}
        return frozenset(names)

    return project.memo(("rq-tool-lock", "pipenv"), read)


def project_tool(project: Project) -> str | None:
    """The tool whose lock holds the project's versions: "uv", "poetry", "pdm" when its lock
    is committed, "pip-tools" when `requirements.txt` is compiled from `requirements.in`."""
    facts = pyproject_facts(project)
    if facts.tool is not None and project.exists(TOOL_LOCKS[facts.tool]):
        return facts.tool
    if project.exists("requirements.in") and project.exists("requirements.txt"):
        return "pip-tools"
    return None
