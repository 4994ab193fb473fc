"""Generate a Space-ready Dockerfile from `templates/Dockerfile.j2`, carrying over what an
existing file needs (see understand.py), as one whole-file edit.

Public API (also used by verify and the database domain):
  `dockerfile_context(project)` -> template values, `render_dockerfile(project)` -> text,
  `server_command(target, port, alembic=None, options=())` -> the shell-form CMD,
  `regeneration(project)` -> `Regeneration` (the Fix, or why there is none).
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Applicability, Edit, Fix, Span
from hfdeploy.dockerfile.base_image import mismatch, python_base
from hfdeploy.dockerfile.inputs import (
    AlembicSetup,
    AppTarget,
    alembic_setup,
    app_target,
    install_plan,
    space_port,
)
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime
from hfdeploy.dockerfile.understand import Understanding, understand
from hfdeploy.dockerfile.validate import UnsafeValue, is_valid, require, require_port
from hfdeploy.space import APP_DIR, DATA_DIR
from hfdeploy.target import target_python

if TYPE_CHECKING:
    from hfdeploy.project import Project


class NoApp(Exception):
    """No FastAPI app to serve: nothing sensible to put in CMD."""


def server_command(
    target: AppTarget,
    port: int,
    alembic: AlembicSetup | None = None,
    options: tuple[str, ...] = (),
    *,
    enter_app_dir: bool = False,
) -> str:
    """Shell-form CMD text: `${PORT:-<port>}` expands, and `exec` hands signals to uvicorn.

    With Alembic, migrations run first and the server starts only when they succeed: a failed
    migration stops the container with Alembic's error in the log (a Space shows it as a runtime
    error, `verify` reports it) instead of serving routes that fail with `no such table`.
    With `enter_app_dir`, uvicorn starts inside the app's directory (`cd backend && ...`), as
    its author runs it, so paths relative to it (`StaticFiles(directory="static")`) resolve."""
    parts = [
        "uvicorn",
        f"{require('module', target.module)}:{require('attribute', target.attribute)}",
    ]
    if target.factory:
        parts.append("--factory")
    if target.app_dir and not enter_app_dir:
        parts += ["--app-dir", require("path", target.app_dir)]
    parts += ["--host", "0.0.0.0", "--port", f"${{PORT:-{require_port(port)}}}"]
    parts += ["--proxy-headers", "--forwarded-allow-ips='*'"]
    for i in range(0, len(options) - 1, 2):
        parts += [require("uvicorn-option", options[i]), require("option-value", options[i + 1])]
    serve = "exec " + " ".join(parts)
    if target.app_dir and enter_app_dir:
        serve = f"cd {require('path', target.app_dir)} && {serve}"
    if alembic is None:
        return serve
    config = (
        ""
        if str(alembic.config) == "alembic.ini"
        else f" -c {require('path', str(alembic.config))}"
    )
    return f"alembic{config} upgrade head && {serve}"


# Export the tool's lock to a requirements file and install it with pip, the tool itself kept in
# a throwaway virtualenv so that it neither lands in the image nor pins the app's packages.
_TOOL_VENV = "python -m venv /tmp/tool && /tmp/tool/bin/pip install --no-cache-dir --quiet"
_INSTALL_EXPORT = "pip install --no-cache-dir --user -r /tmp/requirements.txt && rm -rf /tmp/tool /tmp/requirements.txt"
TOOL_EXPORTS = {
    "uv": f"{_TOOL_VENV} uv \\\n    && /tmp/tool/bin/uv export --frozen --no-dev --no-hashes --no-emit-project "
    f"-o /tmp/requirements.txt \\\n    && {_INSTALL_EXPORT}",
    "poetry": f"{_TOOL_VENV} poetry poetry-plugin-export \\\n    && /tmp/tool/bin/poetry export --only main "
    f"--without-hashes -f requirements.txt -o /tmp/requirements.txt \\\n    && {_INSTALL_EXPORT}",
    "pdm": f"{_TOOL_VENV} pdm \\\n    && /tmp/tool/bin/pdm export --prod --without-hashes -o /tmp/requirements.txt "
    f"\\\n    && {_INSTALL_EXPORT}",
}


def _declared(project: Project) -> list[str]:
    """The requirements a pyproject declares, as pip arguments (each validated)."""
    from hfdeploy.requirements.declared import dependency_set

    return [
        r.requirement_text().replace(" ", "")
        for r in dependency_set(project).direct
        if r.url is None and r.marker is None
    ]


def _pip_args(values: list[str]) -> list[str]:
    out = []
    for value in values:
        require("pip-requirement", value)
        out.append(value if is_valid("option-value", value) else shlex.quote(value))
    return out


def dockerfile_context(project: Project, und: Understanding | None = None) -> dict[str, object]:
    """Every value the template needs, validated; raises UnsafeValue or NoApp."""
    und = und or Understanding()
    rt = runtime(project)
    version = target_python(project).version
    base = python_base(rt) if rt is not None else None
    wanted = mismatch(project, base) if base is not None else None
    if wanted is not None:
        version = wanted.version
    require("python-version", version)
    variant = require("image-variant", und.variant)
    target = und.app or app_target(project)
    if target is None:
        raise NoApp()
    port = require_port(space_port(project).port)
    data_dir = posixpath.normpath(require("abspath", project.config.data_dir or DATA_DIR))
    plan = install_plan(project)
    extra = _pip_args(und.pip_packages)
    copy_first: list[str] = []
    early: list[str] = []
    late: list[str] = []
    tool_install = ""
    if plan.tool is not None:
        copy_first = [require("path", str(p)) for p in plan.copy_first]
        tool_install = TOOL_EXPORTS[plan.tool]
        early = extra
    elif plan.file is None:
        early = ["fastapi", "uvicorn", *extra]  # nothing declared: at least what CMD runs
    elif plan.is_pyproject and not plan.pip_buildable:
        # pip cannot build it (Poetry without [build-system], `package-mode = false`, a uv
        # project that is not a package): install what it declares, never the project itself.
        early = [*_pip_args(_declared(project)), *extra]
    elif plan.is_pyproject:
        early, late = extra, ["."]
    elif plan.needs_source:
        early, late = extra, ["-r", require("path", str(plan.file))]
    else:
        copy_first = [require("path", str(p)) for p in plan.copy_first]
        early = ["-r", str(plan.file), *extra]
    if und.install_project and "." not in late and plan.pip_buildable and plan.tool is None:
        late.append(".")
    under_app = data_dir == APP_DIR or data_dir.startswith(APP_DIR + "/")
    return {
        "base_image": f"python:{version}-{variant}" if variant else f"python:{version}",
        "apt_packages": [
            require("apt-package", p)
            for p in [
                *und.apt_packages,
                *(b for b in _build_packages(project) if b not in und.apt_packages),
            ]
        ],
        "env": [(require("env-name", k), require("env-value", v)) for k, v in und.env],
        "data_dir": data_dir,
        "app_dir": APP_DIR,
        "make_dirs": [data_dir],
        "owned_dirs": [APP_DIR] if under_app else [APP_DIR, data_dir],
        "copy_first": copy_first,
        "tool": plan.tool or "",
        "tool_install": tool_install,
        "early_install": early,
        "late_install": late,
        "port": port,
        "command": server_command(
            target,
            port,
            alembic_setup(project),
            tuple(und.uvicorn_options),
            # A backend with its own requirements file (`backend/requirements.txt`) is a project
            # of its own, run from its directory; a `src/` layout is run from the root.
            enter_app_dir=und.app is None
            and target.app_dir is not None
            and plan.file is not None
            and plan.file.parent == PurePosixPath(target.app_dir),
        ),
    }


def _build_packages(project: Project) -> list[str]:
    """System packages the source-only requirements need to build (a maintained mapping), except
    those RQ005 swaps for a wheel twin with the same import (`psycopg2` -> `psycopg2-binary`)."""
    try:
        from hfdeploy.requirements.build_packages import needed_build_packages
        from hfdeploy.requirements.releases import SAME_IMPORT
    except ImportError:  # the requirements domain is optional to this one
        return []
    return needed_build_packages(project, skip=frozenset(SAME_IMPORT))


def render_dockerfile(project: Project, und: Understanding | None = None) -> str:
    from hfdeploy.generate import render

    return render("Dockerfile.j2", **dockerfile_context(project, und))


@dataclass(frozen=True)
class Regeneration:
    fix: Fix | None
    problem: str | None = None  # why no fix is offered
    notes: tuple[str, ...] = ()  # what an unsafe regeneration drops


def regeneration(project: Project) -> Regeneration:
    return project.memo("dockerfile-regeneration", lambda: _regenerate(project))


def _no_app_reason(project: Project) -> str:
    """Why there is no app to serve: none found, several equally likely, or a wrong setting."""
    setting = 'set `[tool.hfdeploy] app = "pkg.module:app"` in pyproject.toml'
    try:
        from hfdeploy.pysource.app_discovery import find_app
    except ImportError:  # the pysource domain is optional to this one
        return f"no FastAPI app found to serve; {setting}"
    found = find_app(project)
    if found.setting_error:
        return f"`[tool.hfdeploy] app` names no usable app ({found.setting_error})"
    if found.ambiguous:
        return f"{len(found.ambiguous)} FastAPI apps could be the one to serve (SC011); {setting}"
    return f"no FastAPI app found to serve; {setting}"


def _regenerate(project: Project) -> Regeneration:
    rt = runtime(project)
    source = project.source(DOCKERFILE)
    und = understand(project, rt) if rt is not None else Understanding()
    if und.level == "foreign":
        return Regeneration(None, f"hfdeploy does not regenerate this Dockerfile: {und.reason}")
    try:
        text = render_dockerfile(project, und)
    except NoApp:
        return Regeneration(None, _no_app_reason(project))
    except UnsafeValue as exc:
        return Regeneration(None, f"refused to write {exc.kind} {exc.value!r} into the Dockerfile")
    if source is None:
        edit = Edit.create(DOCKERFILE, text)
        return Regeneration(Fix("Generate a Space-ready Dockerfile", (edit,)))
    text = text.replace("\n", source.newline)
    if text == source.text:
        return Regeneration(None, "the Dockerfile is already hfdeploy's template")
    safe = und.level == "full"
    fix = Fix(
        "Regenerate the Dockerfile from hfdeploy's Space template",
        (Edit(DOCKERFILE, Span(0, len(source.text)), text),),
        Applicability.SAFE if safe else Applicability.UNSAFE,
    )
    notes = () if safe else ("Regenerating drops " + "; ".join(und.dropped),)
    return Regeneration(fix, None, notes)
