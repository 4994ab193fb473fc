"""The runtime view of a Dockerfile: the final stage's instructions with the user, environment
and working directory in effect at each one, the users it creates and the directories it
hands to them. Shared by the DF checks through `runtime(project)`."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.dockerfile.assignments import assignments
from hfdeploy.dockerfile.parse import Dockerfile, Instruction, Stage, parse_dockerfile
from hfdeploy.dockerfile.shell import Word, commands, expand, split_words

if TYPE_CHECKING:
    from hfdeploy.project import Project

DOCKERFILE = PurePosixPath("Dockerfile")
ROOT_NAMES = frozenset({"root", "0"})


@dataclass(frozen=True)
class Step:
    """An instruction and the state in effect when it runs."""

    ins: Instruction
    user: str  # "root" when no USER has been given
    env: dict[str, str]
    workdir: str


@dataclass(frozen=True)
class CreatedUser:
    name: str
    uid: str | None
    creates_home: bool
    step: Step


@dataclass
class Runtime:
    dockerfile: Dockerfile
    steps: list[Step] = field(default_factory=list)
    user: str = "root"
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    users: list[CreatedUser] = field(default_factory=list)

    @property
    def plain_base(self) -> bool:
        """Whether the chain's first base image is one known to set no `WORKDIR` and no
        `PYTHONPATH` (a distribution or official Python image, Astral's uv images, `scratch`).
        Any other base image (`tiangolo/uvicorn-gunicorn-fastapi` sets `WORKDIR /app` and
        `PYTHONPATH=/app`) may start the app somewhere this view cannot see."""
        chain = self.dockerfile.chain()
        return bool(chain) and _PLAIN_BASE.match(chain[0].base.strip()) is not None

    def last(self, keyword: str) -> Step | None:
        return next((s for s in reversed(self.steps) if s.ins.keyword == keyword), None)

    def of(self, keyword: str) -> list[Step]:
        return [s for s in self.steps if s.ins.keyword == keyword]

    @property
    def runs_as_root(self) -> bool:
        return is_root(self.user)

    def user_step(self) -> Step | None:
        """The USER instruction that decides who runs the container."""
        return self.last("USER")


def is_root(user: str) -> bool:
    return user.split(":", 1)[0].strip() in ROOT_NAMES


def strip_prefix(words: list[Word]) -> list[Word]:
    """Drop `sudo`, `exec`, `env`, `VAR=value` and init wrappers in front of the real program."""
    i = 0
    while i < len(words):
        value = words[i].value
        if value in ("sudo", "exec", "env", "nohup", "dumb-init", "tini", "--", "gosu") or (
            "=" in value and value.split("=", 1)[0].isidentifier()
        ):
            i += 1
        else:
            break
    return words[i:]


def prefix_env(words: list[Word], env: dict[str, str]) -> dict[str, str]:
    """The `VAR=value` assignments in front of a simple command (`POETRY_VIRTUALENVS_CREATE=true
    poetry install`, also after `env`), expanded against `env`: they hold for that command."""
    out: dict[str, str] = {}
    for word in words:
        value = word.value
        if value in ("sudo", "exec", "env", "nohup", "--"):
            continue
        name, eq, assigned = value.partition("=")
        if not eq or not name.isidentifier():
            break
        out[name] = expand(assigned, {**env, **out})
    return out


def run_commands_env(
    ins: Instruction, env: dict[str, str]
) -> list[tuple[list[Word], dict[str, str]]]:
    """`run_commands(ins)`, each with the environment it runs in: `env` and the assignments
    written in front of it."""
    if ins.keyword != "RUN" or ins.exec_form() is not None:
        return [(cmd, env) for cmd in run_commands(ins)]
    out = []
    for cmd in commands(ins.shell_words()):
        extra = prefix_env(cmd, env)
        out.append((strip_prefix(cmd), {**env, **extra} if extra else env))
    for body in ins.heredocs:
        out.extend((strip_prefix(c), env) for c in commands(split_words(body)))
    return out


def run_commands(ins: Instruction) -> list[list[Word]]:
    """The simple commands of a RUN (shell form; heredoc bodies without usable positions)."""
    if ins.keyword != "RUN":
        return []
    exec_words = ins.exec_form()
    if exec_words is not None:
        if len(exec_words) >= 3 and exec_words[1].value == "-c":
            return [strip_prefix(c) for c in commands(split_words(exec_words[2].value))]
        return [exec_words]
    found = [strip_prefix(c) for c in commands(ins.shell_words())]
    for body in ins.heredocs:
        found.extend(strip_prefix(c) for c in commands(split_words(body)))
    return [c for c in found if c]


def _created_user(words: list[Word]) -> tuple[str, str | None, bool] | None:
    """(name, uid, creates home) for `useradd`/`adduser` commands."""
    if not words or posixpath.basename(words[0].value) not in ("useradd", "adduser"):
        return None
    program = posixpath.basename(words[0].value)
    uid: str | None = None
    # Debian's adduser and BusyBox's `adduser -D` create the home unless told not to.
    home = program == "adduser"
    name: str | None = None
    args = [w.value for w in words[1:]]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-u", "--uid"):
            uid = args[i + 1] if i + 1 < len(args) else None
            i += 2
            continue
        if arg.startswith("--uid="):
            uid = arg.split("=", 1)[1]
        elif arg in ("-m", "--create-home"):
            home = True
        elif arg in ("-M", "--no-create-home", "-H"):
            home = False
        elif arg.startswith("-") and len(arg) > 2 and not arg.startswith("--") and "m" in arg[1:]:
            home = True  # bundled short options such as -rm
        elif arg in (
            "-d",
            "--home",
            "--home-dir",
            "-g",
            "--gid",
            "-G",
            "--groups",
            "-s",
            "--shell",
            "-c",
            "--comment",
            "--gecos",
            "--ingroup",
            "-h",
            "-k",
        ):
            i += 2
            continue
        elif not arg.startswith("-"):
            name = arg
        i += 1
    return (name, uid, home) if name else None


# What every Linux base image (and the official python images) has before the Dockerfile sets
# anything: only used to expand references to it.
_PLAIN_BASE = re.compile(
    r"^(?:scratch"
    r"|(?:docker\.io/)?(?:library/)?(?:python|debian|ubuntu|alpine|buildpack-deps|fedora"
    r"|amazonlinux|rockylinux|almalinux|centos)(?::[\w.-]+)?"
    r"|ghcr\.io/astral-sh/uv(?::[\w.-]+)?)(?:@sha256:[0-9a-f]{64})?$",
    re.IGNORECASE,
)
BASE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}


def build_runtime(dockerfile: Dockerfile, last: Stage | None = None) -> Runtime:
    """The view of the final stage, or of stage `last` (the image model walks every built stage)."""
    rt = Runtime(dockerfile)
    env: dict[str, str] = {}
    user, workdir = "root", "/"
    for stage in dockerfile.chain(last):
        for ins in stage.instructions:
            step = Step(ins, user, dict(env), workdir)
            rt.steps.append(step)
            if ins.keyword in ("ENV", "ARG"):
                for a in assignments(ins):
                    if a.value is not None:
                        # `ENV PATH=/app/.venv/bin:$PATH` extends the base image's PATH, which
                        # the Dockerfile itself never sets.
                        env[a.name] = expand(a.value, {**BASE_ENV, **env})
                    elif ins.keyword == "ARG" and a.name in dockerfile.global_args:
                        env.setdefault(a.name, dockerfile.global_args[a.name])
            elif ins.keyword == "USER":
                words = ins.shell_words()
                user = expand(words[0].value, env) if words else user
            elif ins.keyword == "WORKDIR":
                target = expand(ins.args.strip().strip("\"'"), env)
                workdir = posixpath.normpath(posixpath.join(workdir, target))
            elif ins.keyword == "RUN":
                for cmd in run_commands(ins):
                    created = _created_user(cmd)
                    if created:
                        rt.users.append(CreatedUser(*created, step))
    rt.user, rt.env, rt.workdir = user, env, workdir
    return rt


def runtime(project: Project) -> Runtime | None:
    """The root Dockerfile's runtime view, or None when there is none (or no FROM)."""

    def build() -> Runtime | None:
        text = project.text(DOCKERFILE)
        if text is None:
            return None
        parsed = parse_dockerfile(DOCKERFILE, text)
        if not parsed.stages:
            return None
        return build_runtime(parsed)

    return project.memo("dockerfile-runtime", build)
