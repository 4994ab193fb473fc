"""Where the Python processes a container starts import the project's modules from: the image
directories on their `sys.path`, and what else may put modules there. DF025 asks it where the
server looks for the app module; DF045 where every module the server (or the start-time
`alembic upgrade`) imports is looked for."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.dockerfile.shell import expand
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, run_commands

if TYPE_CHECKING:
    from hfdeploy.dockerfile.server_model import Server
    from hfdeploy.project import Project

# Options that move where the server imports from: (option, meaning).
DIR_OPTIONS = {"--app-dir": "app-dir", "--chdir": "chdir"}
OPAQUE_OPTIONS = ("--pythonpath", "--config", "-c", "--paste", "--factory-dir")
# RUN programs that may put files in the image other than through a COPY from the context.
_MAKES_FILES = frozenset(
    {"git", "mv", "cp", "wget", "curl", "tar", "unzip", "ln", "rsync", "gdown", "hf", "make"}
)
_PYTHON = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_PYTHON_MODULES_OK = frozenset({"pip", "venv", "ensurepip", "compileall", "uv"})


def pythonpath_dirs(rt: Runtime, env: dict[str, str], start: str) -> list[str] | None:
    """The image directories `PYTHONPATH` adds (relative entries against `start`), or None
    when an entry is a variable hfdeploy cannot expand. An empty value adds nothing."""
    dirs = []
    for entry in env.get("PYTHONPATH", "").split(":"):
        entry = expand(entry, env) if "$" in entry else entry
        if not entry:
            continue
        if "$" in entry:
            return None
        dirs.append(posixpath.normpath(posixpath.join(start, entry)))
    return dirs


def server_dirs(project: Project, rt: Runtime, server: Server) -> list[str] | None:
    """The image directories a uvicorn/gunicorn/hypercorn command imports the app from, or
    None when hfdeploy cannot tell (a variable, an option that reads a config file or adds
    paths)."""
    from hfdeploy.dockerfile.writable import start_directory

    start = start_directory(rt)
    options = list(server.options)
    if any(o.split("=", 1)[0] in OPAQUE_OPTIONS for o in options):
        return None
    env = server.environment(rt.env)
    if server.tool == "gunicorn" and (
        "GUNICORN_CMD_ARGS" in env or any(f.name == "gunicorn.conf.py" for f in project.files())
    ):
        return None  # a config file or variable may set `chdir` or `pythonpath`
    if server.tool == "uvicorn" and "UVICORN_APP_DIR" in env:
        return None
    app_dir = None
    for i, option in enumerate(options):
        name, _, value = option.partition("=")
        if name in DIR_OPTIONS:
            value = value or (options[i + 1] if i + 1 < len(options) else "")
            if not value or "$" in value:
                return None
            if DIR_OPTIONS[name] == "chdir":
                start = posixpath.normpath(posixpath.join(start, value))
            else:
                app_dir = value
    dirs = [posixpath.normpath(posixpath.join(start, app_dir)) if app_dir else start]
    extra = pythonpath_dirs(rt, env, start)
    if extra is None:
        return None
    return list(dict.fromkeys([*dirs, *extra]))


def other_sources(project: Project, rt: Runtime, module: str) -> bool:
    """Whether something other than a COPY from the context may put the top-level module
    `module` in the image: the project installed as a package, a distribution that provides
    it (or installs hfdeploy cannot name), a `COPY --from`, a download, a script or a program
    that makes files."""
    from hfdeploy.image import image

    model = image(project)
    if any(i.project is not None or i.lock_tool is not None for i in model.installs):
        return True  # the project itself is installed (or a tool may install it)
    return model.importable(module.split(".")[0]) is not False or _builds_files(rt)


def _builds_files(rt: Runtime) -> bool:
    for step in rt.steps:
        keyword = step.ins.keyword
        if keyword in ("COPY", "ADD") and step.ins.flag("from") is not None:
            return True
        if keyword == "ADD" and any("://" in w.value for w in step.ins.words()):
            return True
        if keyword != "RUN":
            continue
        for cmd in run_commands(step.ins):
            values = [w.value for w in cmd]
            program = posixpath.basename(values[0]) if values else ""
            if program in _MAKES_FILES or program.endswith(".sh") or program in ("sh", "bash"):
                return True
            if _PYTHON.match(program):
                rest = values[1:]
                if not (len(rest) >= 2 and rest[0] == "-m" and rest[1] in _PYTHON_MODULES_OK):
                    return True
    return False


@dataclass(frozen=True)
class Process:
    """A Python process the container starts that imports the project's code."""

    what: str  # for messages: "the server (Dockerfile CMD)", "`alembic` at start (start.sh)"
    start: PurePosixPath  # the repository file it runs or imports first
    dirs: tuple[str, ...]  # image directories on its sys.path, in order
    everywhere_in_start: bool = False  # the start file's imports inside functions run too


def processes(project: Project) -> list[Process]:
    """The server and, when the start command runs Alembic, Alembic's `env.py`: each with the
    image directories its imports are looked up in. Empty when the image may get modules by
    another way than a COPY from the context (the project installed as a package, a
    `COPY --from`, a script or download): hfdeploy then cannot tell what is importable."""
    return project.memo("dockerfile-processes", lambda: _processes(project))


def _processes(project: Project) -> list[Process]:
    from hfdeploy.dockerfile.server import find_server
    from hfdeploy.dockerfile.stage import runtime
    from hfdeploy.dockerfile.writable import start_directory
    from hfdeploy.image import image

    rt = runtime(project)
    if rt is None or not rt.plain_base:
        return []
    model = image(project)
    if any(i.project is not None or not i.readable for i in model.installs):
        return []
    if _builds_files(rt):
        return []
    start = start_directory(rt)
    found: list[Process] = []
    server = find_server(project)
    if server is not None and server.launcher is None:
        found.extend(_server_process(project, rt, server, start))
    found.extend(_alembic_processes(project, rt, start))
    return found


_APP = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):[A-Za-z_][\w.]*(?:\(\))?$")


def _server_process(project: Project, rt: Runtime, server: Server, start: str) -> list[Process]:
    from hfdeploy.dockerfile.writable import landing

    origin = f"the server ({server.origin})"
    if server.tool in ("uvicorn", "gunicorn", "hypercorn") and server.app is not None:
        match = _APP.match(server.app.value)
        dirs = server_dirs(project, rt, server)
        if match is None or dirs is None:
            return []
        module = resolve_in_image(project, dirs, match.group(1))
        if module is None:
            return []  # DF025's finding
        return [Process(origin, module, tuple(dirs))]
    if server.tool == "uvicorn.run" and server.path != DOCKERFILE:
        # `python path/main.py` puts the script's directory first; `python -m pkg.main` the
        # working directory: both are kept (fewer findings rather than a false one).
        lands = landing(project, str(server.path))
        extra = pythonpath_dirs(rt, server.environment(rt.env), start)
        if lands is None or extra is None:
            return []
        dirs = [posixpath.dirname(lands) or "/", start, *extra]
        return [Process(origin, server.path, tuple(dict.fromkeys(dirs)))]
    return []


def _alembic_processes(project: Project, rt: Runtime, start: str) -> list[Process]:
    from hfdeploy.database.alembic import alembic_setups
    from hfdeploy.database.start import image_start
    from hfdeploy.dockerfile.writable import landing

    started = image_start(project)
    if started is None or not started.runs_alembic or "-m alembic" in started.text:
        return []  # `python -m alembic` puts the working directory on sys.path: left to DB011
    extra = pythonpath_dirs(rt, rt.env, start)
    if extra is None:
        return []
    found = []
    for setup in alembic_setups(project):
        if setup.env is None or not (
            setup.ini.parent == PurePosixPath(".") or str(setup.ini.parent) in started.text
        ):
            continue
        env_text = project.text(setup.env) or ""
        if "sys.path" in env_text:
            continue  # env.py manages its own path
        lands = landing(project, str(setup.env))
        if lands is None:
            continue
        prepend = [
            posixpath.normpath(posixpath.join(start, entry))
            for entry in setup.sys_path
            if "%(" not in entry and "$" not in entry
        ]
        if any("%(" in entry for entry in setup.sys_path):
            ini_lands = landing(project, str(setup.ini))
            if ini_lands is None:
                continue
            prepend.append(posixpath.dirname(ini_lands))
        # Alembic loads env.py from its file: its own directory is not on sys.path, but
        # modules beside it are found through the script directory's package, if any.
        dirs = [*prepend, *extra, posixpath.dirname(lands)]
        found.append(
            Process(
                "`alembic` at start",
                setup.env,
                tuple(dict.fromkeys(dirs)),
                everywhere_in_start=True,
            )
        )
    return found


def resolve_in_image(
    project: Project, dirs: list[str] | tuple[str, ...], dotted: str
) -> PurePosixPath | None:
    """The repository file `import dotted` loads in the image (the module, else the package's
    `__init__.py`), looked up in the image directories `dirs`; None when none has it."""
    top = locate_top(project, dirs, dotted.split(".")[0])
    files = deeper(project, top, dotted) if top is not None else []
    return files[-1] if files else None


def locate_top(
    project: Project, dirs: list[str] | tuple[str, ...], top: str
) -> PurePosixPath | None:
    """The repository path that is the top-level module `top` in the image: the file `x.py`,
    or the package directory `x/` (with or without `__init__.py`), from the first of `dirs`
    that has it (a regular module or package wins over a namespace directory)."""
    from hfdeploy.dockerfile.writable import source_for
    from hfdeploy.image import image

    model = image(project)
    namespace = None
    for directory in dirs:
        base = posixpath.join(directory, top)
        module = source_for(project, base + ".py")
        if module is not None and project.exists(module) and model.in_context(module):
            return PurePosixPath(module)
        init = source_for(project, base + "/__init__.py")
        if init is not None and project.exists(init) and model.in_context(init):
            return PurePosixPath(init).parent
        if namespace is None:
            package = source_for(project, base)
            if package is not None and _has_modules(project, package):
                namespace = PurePosixPath(package)
    return namespace


def _has_modules(project: Project, directory: str) -> bool:
    prefix = directory.rstrip("/") + "/" if directory not in ("", ".") else ""
    return any(str(f).startswith(prefix) for f in project.files((".py",)))


def deeper(project: Project, top: PurePosixPath, dotted: str) -> list[PurePosixPath]:
    """The files `import dotted` runs, given the repository path of its top-level module:
    each package's `__init__.py` on the way, then the module."""
    if top.suffix == ".py":
        return [top]
    files = []
    current = top
    if project.exists(current / "__init__.py"):
        files.append(current / "__init__.py")
    for part in dotted.split(".")[1:]:
        module = current / f"{part}.py"
        if project.exists(module):
            files.append(module)
            break
        current = current / part
        if not _has_modules(project, str(current)):
            break
        if project.exists(current / "__init__.py"):
            files.append(current / "__init__.py")
    return files
