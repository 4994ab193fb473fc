"""What the Dockerfile checks and generator need from other domains, read defensively: the
Space's `app_port`, the FastAPI app to serve, the dependency file to install, Alembic."""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.space import DEFAULT_APP_PORT

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class SpacePort:
    port: int
    source: str  # "README.md line 8", "default (...)"

    @property
    def short_source(self) -> str:
        return "README.md" if self.source.startswith("README") else "default"


def space_port(project: Project) -> SpacePort:
    try:
        from hfdeploy.space_config.app_port import app_port_info
    except ImportError:
        return SpacePort(DEFAULT_APP_PORT, "default")
    info = app_port_info(project)
    return SpacePort(info.port, info.source)


@dataclass(frozen=True)
class AppTarget:
    module: str  # "app.main"
    attribute: str  # "app"
    factory: bool = False  # served with `--factory`
    app_dir: str | None = None  # "src" for a src/ layout

    @property
    def spec(self) -> str:
        return f"{self.module}:{self.attribute}"


_SPEC = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_]\w*)(\(\))?\s*$")


def parse_spec(spec: str, app_dir: str | None = None) -> AppTarget | None:
    m = _SPEC.match(spec)
    return AppTarget(m.group(1), m.group(2), bool(m.group(3)), app_dir) if m else None


def app_target(project: Project) -> AppTarget | None:
    """The app to serve: discovery (which honours `[tool.hfdeploy] app`), else the setting."""
    try:
        from hfdeploy.pysource.app_discovery import discover_app
    except ImportError:  # the pysource domain is optional to this one
        pass
    else:
        return _from_discovery(discover_app(project))
    if project.config.app:
        return parse_spec(project.config.app)
    return _guess(project)


def _from_discovery(found: object) -> AppTarget | None:
    """Accept the discovery result whatever its exact shape: a spec string or an object."""
    if found is None:
        return None
    if isinstance(found, str):
        return parse_spec(found)
    app = getattr(found, "app", found)
    if app is None:
        return None
    spec = getattr(app, "spec", None) or getattr(app, "target", None)
    module = getattr(app, "module", None)
    attribute = (
        getattr(app, "attribute", None)
        or getattr(app, "attr", None)
        or getattr(app, "variable", None)
    )
    factory = bool(getattr(app, "factory", False))
    app_dir = getattr(app, "app_dir", None)
    app_dir = str(app_dir) if app_dir not in (None, "", ".") else None
    if isinstance(module, str) and isinstance(attribute, str):
        return AppTarget(module, attribute, factory, app_dir)
    if isinstance(spec, str):
        target = parse_spec(spec, app_dir)
        return (
            AppTarget(target.module, target.attribute, factory or target.factory, app_dir)
            if target
            else None
        )
    return None


def _guess(project: Project) -> AppTarget | None:
    """Stand-in used only while app discovery is unavailable: `x = FastAPI(` in a usual file."""
    for name in ("main.py", "app.py", "app/main.py", "src/main.py"):
        text = project.text(name) or ""
        m = re.search(r"^(\w+)\s*(?::[^=\n]+)?=\s*FastAPI\(", text, re.MULTILINE)
        if m:
            return AppTarget(name[:-3].replace("/", "."), m.group(1))
    return None


@dataclass(frozen=True)
class InstallPlan:
    """How the image installs dependencies."""

    file: PurePosixPath | None  # `pip install -r FILE`, or pyproject.toml (`pip install .`)
    copy_first: tuple[PurePosixPath, ...]  # files to COPY before installing (layer cache)
    needs_source: bool  # the install needs the whole project copied first
    tool: str | None = None  # "uv", "poetry", "pdm": install that tool's lock (exported)
    pip_buildable: bool = True  # `pip install .` builds the project (pyproject plans only)

    @property
    def is_pyproject(self) -> bool:
        return self.file is not None and self.file.name == "pyproject.toml"


def install_plan(project: Project) -> InstallPlan:
    """The lock when present, else the requirements file (with the files it includes), else the
    pyproject (`pip install .`), as the requirements domain decides."""
    try:
        from hfdeploy.requirements.declared import dependency_set
        from hfdeploy.requirements.deps import install_file
    except ImportError:  # the requirements domain is optional to this one
        for name in ("requirements.txt", "pyproject.toml"):
            if project.exists(name):
                path = PurePosixPath(name)
                return InstallPlan(path, (path,), name == "pyproject.toml")
        return InstallPlan(None, (), False)
    from hfdeploy.requirements.tool_locks import TOOL_LOCKS, project_tool, pyproject_facts

    tool = project_tool(project)
    if tool in ("uv", "poetry", "pdm"):
        # The project's own lock, in the tool that wrote it: the versions it was tested with.
        pyproject = PurePosixPath("pyproject.toml")
        return InstallPlan(TOOL_LOCKS[tool], (pyproject, TOOL_LOCKS[tool]), False, tool)
    chosen = install_file(project)
    if chosen is None:
        return InstallPlan(None, (), False)
    if str(chosen) in (".", "pyproject.toml"):
        buildable = pyproject_facts(project).pip_buildable
        return InstallPlan(PurePosixPath("pyproject.toml"), (), buildable, None, buildable)
    deps = dependency_set(project)
    if chosen != deps.install_file:  # the lock: one self-contained file
        text = project.text(chosen) or ""
        local = re.search(r"^\s*(?:-e\s|--editable|\.\.?/|file:)", text, re.MULTILINE) is not None
        return InstallPlan(chosen, (chosen,), local)
    files = tuple(dict.fromkeys([chosen, *(f.path for f in deps.files)]))
    # `-e .` or a local path needs the project itself in place before pip runs.
    local = any(
        r.url is not None and not re.match(r"^\w[\w+.-]*://", r.url) for r in deps.requirements
    )
    return InstallPlan(chosen, files, local or any(r.editable for r in deps.requirements))


@dataclass(frozen=True)
class AlembicSetup:
    config: PurePosixPath  # alembic.ini


def alembic_setup(project: Project) -> AlembicSetup | None:
    """Alembic is in use when `alembic.ini` names a script directory holding `env.py`."""
    for ini in (PurePosixPath("alembic.ini"),):
        text = project.text(ini)
        if text is None:
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
            location = parser.get("alembic", "script_location", fallback="alembic")
        except configparser.Error:
            location = "alembic"
        location = location.replace("%(here)s", ".").strip().strip("/")
        location = location.removeprefix("./")
        if project.exists(PurePosixPath(location or ".") / "env.py"):
            return AlembicSetup(ini)
    return None
