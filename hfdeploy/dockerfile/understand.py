"""Read an existing Dockerfile for regeneration: what must carry over (system packages, plain
ENV values, extra pip packages, the served app and a few uvicorn options) and whether every
instruction is understood.

"full": a single-stage `python:X.Y` file made only of instructions the generated file
reproduces, so replacing it is a safe fix. "partial": regeneration would drop something (each
dropped line is listed), so the fix is unsafe. "foreign": multi-stage or a non-Python base;
never regenerated.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hfdeploy.dockerfile.assignments import assignments
from hfdeploy.dockerfile.base_image import python_base
from hfdeploy.dockerfile.inputs import AppTarget, alembic_setup, parse_spec
from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.shell import commands, split_words
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, Step, run_commands, strip_prefix
from hfdeploy.dockerfile.validate import is_valid
from hfdeploy.redact import redact
from hfdeploy.secret_names import looks_secret_name

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Set by the generated file itself, or replaced by its CMD: safe to drop.
OWNED_ENV = frozenset(
    [
        "HOME",
        "PATH",
        "PYTHONUNBUFFERED",
        "PYTHONDONTWRITEBYTECODE",
        "PIP_NO_CACHE_DIR",
        "PIP_DISABLE_PIP_VERSION_CHECK",
        "DATA_DIR",
        "DEBIAN_FRONTEND",
        "PORT",
        "UVICORN_HOST",
        "UVICORN_PORT",
        "PIP_ROOT_USER_ACTION",
        "LANG",
        "LC_ALL",
    ]
)
_HARMLESS = frozenset({"WORKDIR", "USER", "EXPOSE", "LABEL", "MAINTAINER"})
_APT_OPTIONS = frozenset(
    [
        "-y",
        "--yes",
        "-q",
        "-qq",
        "--quiet",
        "--no-install-recommends",
        "--no-install-suggests",
        "--fix-missing",
    ]
)
_PIP_OK_OPTIONS = frozenset(
    [
        "--no-cache-dir",
        "--user",
        "-q",
        "--quiet",
        "-U",
        "--upgrade",
        "--prefer-binary",
        "--root-user-action=ignore",
        "--disable-pip-version-check",
        "--no-warn-script-location",
    ]
)
_CARRIED_UVICORN = ("--workers", "--root-path", "--log-level", "--timeout-keep-alive")
_SERVER_OPTIONS = frozenset(
    [
        "--host",
        "--port",
        "--reload",
        "--proxy-headers",
        "--forwarded-allow-ips",
        "--factory",
        "--app-dir",
    ]
) | frozenset(_CARRIED_UVICORN)


@dataclass
class Understanding:
    level: str = "full"  # "full", "partial", "foreign"
    variant: str = "slim"
    apt_packages: list[str] = field(default_factory=list)
    env: list[tuple[str, str]] = field(default_factory=list)
    pip_packages: list[str] = field(default_factory=list)
    install_project: bool = False
    app: AppTarget | None = None
    uvicorn_options: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # "line 7: `RUN make`" (partial only)
    reason: str = ""  # why "foreign"

    def drop(self, step: Step, why: str = "") -> None:
        self.level = "partial" if self.level == "full" else self.level
        text = redact(step.ins.text)  # the note is printed: `ENV SECRET_KEY=...` is masked
        text = text if len(text) <= 60 else text[:57] + "..."
        self.dropped.append(f"line {step.ins.line}: `{text}`" + (f" ({why})" if why else ""))


def understand(project: Project, rt: Runtime) -> Understanding:
    und = Understanding()
    base = python_base(rt)
    if len(rt.dockerfile.stages) != 1 or base is None:
        und.level = "foreign"
        und.reason = (
            "it is a multi-stage build"
            if len(rt.dockerfile.stages) != 1
            else (
                f"its base image `{rt.dockerfile.stages[0].base}` is not an official python image"
            )
        )
        return und
    und.variant = base.variant if is_valid("image-variant", base.variant) else "slim"
    if "alpine" in base.variant or "windows" in base.variant:
        und.variant = "slim"
    for step in rt.steps:
        keyword = step.ins.keyword
        if keyword == "FROM":
            if step.ins.flags or "alpine" in base.variant:
                und.drop(step, "the generated file uses a Debian slim image")
        elif keyword in _HARMLESS:
            continue
        elif keyword == "ARG":
            if any(a.name != "DEBIAN_FRONTEND" for a in assignments(step.ins)):
                und.drop(step)
        elif keyword == "ENV":
            _env(und, step)
        elif keyword in ("COPY", "ADD"):
            _copy(und, step)
        elif keyword == "RUN":
            _run(und, step)
        elif keyword not in ("CMD", "ENTRYPOINT"):
            und.drop(step)
    _server(project, rt, und)
    return und


def _env(und: Understanding, step: Step) -> None:
    for a in assignments(step.ins):
        value = a.value or ""
        if a.name in OWNED_ENV:
            continue
        if a.name == "PYTHONPATH" and value.rstrip("/") in (".", step.workdir, ""):
            continue
        if (
            looks_secret_name(a.name)
            or not is_valid("env-name", a.name)
            or not is_valid("env-value", value)
        ):
            und.drop(step, f"`{a.name}` is not carried over")
            return
        und.env.append((a.name, value))


def _copy(und: Understanding, step: Step) -> None:
    ins = step.ins
    if ins.heredocs or any(f.name not in ("chown", "chmod", "link") for f in ins.flags):
        und.drop(step)
        return
    words = [w.value for w in ins.words()]
    if len(words) < 2:
        und.drop(step)
        return
    *sources, dest = words
    target = posixpath.normpath(posixpath.join(step.workdir, dest))
    for src in sources:
        if "://" in src or src.startswith("/") or ".." in src.split("/"):
            und.drop(step)
            return
        clean = posixpath.normpath(src)
        mirrored = posixpath.normpath(posixpath.join(step.workdir, clean))
        into_dir = posixpath.normpath(posixpath.join(target, posixpath.basename(clean)))
        if clean == "." and target == step.workdir:
            continue
        if target == mirrored or (into_dir == mirrored and "/" not in clean):
            continue
        und.drop(step, "it copies to a place the generated file does not")
        return


def _run(und: Understanding, step: Step) -> None:
    if step.ins.heredocs:
        und.drop(step)
        return
    for cmd in run_commands(step.ins):
        if not _known_command(und, [w.value for w in cmd]):
            und.drop(step)
            return


def _known_command(und: Understanding, args: list[str]) -> bool:
    program = posixpath.basename(args[0])
    if program in ("apt-get", "apt"):
        sub = next((a for a in args[1:] if not a.startswith("-")), "")
        if sub == "install":
            packages = [a for a in args[1:] if not a.startswith("-") and a != "install"]
            if any(a.startswith("-") and a not in _APT_OPTIONS for a in args[1:]):
                return False
            if not all(is_valid("apt-package", p) for p in packages):
                return False
            und.apt_packages.extend(p for p in packages if p not in und.apt_packages)
            return True
        return sub in ("update", "clean", "autoremove", "upgrade", "dist-upgrade")
    if program == "rm":
        cleanable = ("-", "/var/lib/apt/lists", "/tmp", "/root/.cache")
        return all(a.startswith(cleanable) for a in args[1:])
    if program in ("useradd", "adduser", "groupadd", "addgroup", "mkdir", "chown", "chmod", "true"):
        return True
    if posixpath.basename(args[0]).startswith("python") and args[1:3] == ["-m", "pip"]:
        args = ["pip", *args[3:]]
    if program not in ("pip", "pip3") and args[0] != "pip":
        return False
    if args[1:2] == ["cache"]:
        return True
    return len(args) > 1 and args[1] == "install" and _pip_install(und, args[2:])


def _pip_install(und: Understanding, args: list[str]) -> bool:
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-r", "--requirement") or arg.startswith("--requirement="):
            i += 1 if "=" in arg else 2
            continue  # the generator installs the project's own dependency file
        if arg in (".", "./", "-e") or arg.startswith("-e."):
            und.install_project = und.install_project or arg != "-e" or args[i + 1 : i + 2] == ["."]
            i += 2 if arg == "-e" else 1
            continue
        if arg.startswith("-"):
            if arg not in _PIP_OK_OPTIONS:
                return False
        elif arg not in ("pip", "setuptools", "wheel"):
            if not is_valid("pip-requirement", arg):
                return False
            und.pip_packages.append(arg)
        i += 1
    return True


def _server(project: Project, rt: Runtime, und: Understanding) -> None:
    server = find_server(project)
    last = rt.last("CMD") or rt.last("ENTRYPOINT")
    if last is None:
        return
    if server is None or server.path != DOCKERFILE or server.tool not in ("uvicorn", "fastapi run"):
        und.drop(last, "the generated CMD serves the app with uvicorn")
        return
    if rt.last("ENTRYPOINT") is not None and rt.last("ENTRYPOINT").ins.exec_form() is None:  # type: ignore[union-attr]
        und.drop(last)
        return
    if not _only_the_server(project, last):
        und.drop(last, "it runs other commands too")
        return
    options = list(server.options)
    app_dir = _option(options, "--app-dir")
    if server.app is not None:
        und.app = parse_spec(server.app.value, app_dir)
        if und.app is not None and "--factory" in options:
            und.app = AppTarget(und.app.module, und.app.attribute, True, app_dir)
        if und.app is None or not (
            is_valid("module", und.app.module) and is_valid("attribute", und.app.attribute)
        ):
            und.app = None
            und.drop(last, "its app target is not `module:attribute`")
    for name in _CARRIED_UVICORN:
        value = _option(options, name)
        if value is not None and is_valid("option-value", value):
            und.uvicorn_options += [name, value]
    for word in options:
        name = word.split("=", 1)[0]
        if name.startswith("-") and name not in _SERVER_OPTIONS:
            und.drop(last, f"`{name}` is not carried over")
            return


def _only_the_server(project: Project, step: Step) -> bool:
    """The CMD runs the server and, at most, Alembic migrations and an `echo`."""
    words = step.ins.exec_form()
    if words is not None and len(words) >= 3 and words[1].value == "-c":
        words = split_words(words[2].value)
    elif words is None:
        words = step.ins.shell_words()
    else:
        return True
    for cmd in commands(words):
        cmd = strip_prefix(cmd)
        program = posixpath.basename(cmd[0].value) if cmd else ""
        if program == "alembic" and alembic_setup(project) is not None:
            continue
        if program not in ("uvicorn", "fastapi", "echo") and not program.startswith("python"):
            return False
    return True


def _option(options: list[str], name: str) -> str | None:
    for i, word in enumerate(options):
        if word == name and i + 1 < len(options):
            return options[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None
