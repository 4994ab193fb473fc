"""Find the web server the container starts, and where its host, port and reload settings are
written: in the Dockerfile's CMD/ENTRYPOINT (exec or shell form, `sh -c "..."`), in a shell
script the CMD runs, or in a `uvicorn.run(...)` call of the Python file the CMD runs.

Launchers are seen through (`uv run`, `poetry run`, `pipenv run`, `pdm run`, `python -m`), and so
is an ENTRYPOINT script that hands over to its arguments (`exec "$@"`): the server is then the
CMD those arguments are. Variables a script sets before the server starts (`export
PORT=${PORT:-7860}`) are kept on the Server, so its settings are read as the shell would."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Span
from hfdeploy.dockerfile.pycall import find_run_call
from hfdeploy.dockerfile.server_model import Server as Server  # re-exported: its home before
from hfdeploy.dockerfile.server_model import Setting as Setting
from hfdeploy.dockerfile.server_specs import SPECS
from hfdeploy.dockerfile.shell import Word, commands, expand, split_words
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, runtime, strip_prefix

if TYPE_CHECKING:
    from hfdeploy.project import Project

_PYTHON = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_SHELLS = ("sh", "bash", "dash", "ash")
_SERVERS = ("uvicorn", "gunicorn", "hypercorn", "fastapi")
# Programs that run the command after them in a project environment: `uv run uvicorn ...`.
_LAUNCHERS = {
    "uv": "run",
    "poetry": "run",
    "pipenv": "run",
    "pdm": "run",
    "hatch": "run",
    "rye": "run",
    "conda": "run",
    "micromamba": "run",
    "mamba": "run",
    "uvx": "",
}
# Launcher options that take a value (`uv run --with X`, `conda run -n env`).
_LAUNCHER_VALUE_OPTIONS = frozenset(
    {
        "--with",
        "--with-requirements",
        "--with-editable",
        "--python",
        "-p",
        "--env-file",
        "--directory",
        "--project",
        "--package",
        "--extra",
        "--group",
        "--only-group",
        "--no-group",
        "--index",
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "-f",
        "--from",
        "-n",
        "--name",
        "--prefix",
        "-C",
        "-P",
        "-e",
        "--env",
        "--cwd",
    }
)
_ALL_ARGS = ("$@", "${@}", "$*", "${*}")
_EXPORTS = ("export", "readonly", "declare", "typeset", "local")
_DEFAULT_ASSIGN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?=([^}]*)\}")


@dataclass(frozen=True)
class _Handover:
    """The words a script receives as `"$@"` (the CMD after an ENTRYPOINT script)."""

    words: list[Word]
    form: str
    path: PurePosixPath
    origin: str


def find_server(project: Project) -> Server | None:
    return project.memo("dockerfile-server", lambda: _find(project))


def _find(project: Project) -> Server | None:
    rt = runtime(project)
    if rt is None:
        return None
    entry, cmd = rt.last("ENTRYPOINT"), rt.last("CMD")
    words: list[Word] = []
    forms: list[str] = []
    handover = None
    for step in (entry, cmd):
        if step is None:
            continue
        exec_words = step.ins.exec_form()
        if step is cmd and entry is not None and forms[:1] == ["exec"] and exec_words is None:
            # Docker passes a shell-form CMD to an exec-form ENTRYPOINT as `/bin/sh -c "..."`:
            # a script ending in `exec "$@"` runs it.
            shell = [w.remap(step.ins.positions) for w in step.ins.shell_words()]
            handover = _Handover(shell, "shell", DOCKERFILE, "Dockerfile CMD")
            break
        if step is cmd and entry is not None and forms[:1] != ["exec"]:
            break  # a shell-form ENTRYPOINT ignores CMD
        form = "exec" if exec_words is not None else "shell"
        ins_words = exec_words if exec_words is not None else step.ins.shell_words()
        words.extend(w.remap(step.ins.positions) for w in ins_words)
        forms.append(form)
    if not words:
        return None
    origin = "Dockerfile " + ("ENTRYPOINT" if entry is not None else "CMD")
    return _scan(project, rt, words, forms[0], DOCKERFILE, origin, depth=0, handover=handover)


def _scan(
    project: Project,
    rt: Runtime,
    words: list[Word],
    form: str,
    path: PurePosixPath,
    origin: str,
    depth: int,
    env: dict[str, str] | None = None,
    handover: _Handover | None = None,
) -> Server | None:
    env = dict(env or {})
    groups = [words] if form == "exec" else commands(words)
    for group in groups:
        if form == "shell" and _assign(group, env, rt):
            continue
        cmd, launcher = _unwrap(strip_prefix(group))
        if not cmd or depth > 3:
            continue
        program = posixpath.basename(cmd[0].value)
        rest = cmd[1:]
        found: Server | None
        if cmd[0].value in _ALL_ARGS and handover is not None:
            found = _scan(
                project,
                rt,
                handover.words,
                handover.form,
                handover.path,
                handover.origin,
                depth + 1,
                env,
            )
        elif program in _SHELLS and len(rest) >= 2 and rest[0].value == "-c":
            inner = [w.remap(rest[1].positions) for w in split_words(rest[1].value)]
            found = _scan(project, rt, inner, "shell", path, origin, depth + 1, env, handover)
        elif program in _SHELLS and rest and not rest[0].value.startswith("-"):
            args = _Handover(rest[1:], form, path, origin) if rest[1:] else handover
            found = _script(project, rt, rest[0].value, depth, env, args)
        elif program.endswith(".sh") or _is_shell_script(project, rt, cmd[0].value):
            args = _Handover(rest, form, path, origin) if rest else handover
            found = _script(project, rt, cmd[0].value, depth, env, args)
        elif _PYTHON.match(program) and len(rest) >= 2 and rest[0].value == "-m":
            module = rest[1].value
            if module in _SERVERS:
                found = _tool(project, rt, cmd, 2, form, path, origin, env)
            else:
                found = _python_entry(project, rt, module.replace(".", "/") + ".py")
        elif _PYTHON.match(program) and rest and rest[0].value.endswith(".py"):
            found = _python_entry(project, rt, rest[0].value)
        elif program in _SERVERS:
            found = _tool(project, rt, cmd, 0, form, path, origin, env)
        else:
            found = None
        if found is not None:
            if launcher is not None and found.launcher is None:
                # The launcher finds the server in the project's environment, not on PATH.
                found = replace(found, launcher=launcher, console_script=False)
            if env and not found.script_env:
                found = replace(found, script_env=tuple(env.items()))
            return found
    return None


def _unwrap(cmd: list[Word]) -> tuple[list[Word], str | None]:
    """The command a launcher runs (`uv run --frozen uvicorn ...` -> `uvicorn ...`)."""
    launcher = None
    while cmd:
        program = posixpath.basename(cmd[0].value)
        sub = _LAUNCHERS.get(program)
        if sub is None:
            break
        i = 1
        if sub:
            # Options may come before the sub-command: `poetry -C api run`, `uv --quiet run`.
            while i < len(cmd) and cmd[i].value != sub and cmd[i].value.startswith("-"):
                i += 2 if cmd[i].value in _LAUNCHER_VALUE_OPTIONS else 1
            if i >= len(cmd) or cmd[i].value != sub:
                break
            i += 1
        while i < len(cmd) and cmd[i].value.startswith("-"):
            if cmd[i].value == "--":
                i += 1
                break
            name = cmd[i].value.split("=", 1)[0]
            i += 2 if name in _LAUNCHER_VALUE_OPTIONS and "=" not in cmd[i].value else 1
        launcher = f"{program} {sub}".strip()
        cmd = strip_prefix(cmd[i:])
    return cmd, launcher


def _assign(group: list[Word], env: dict[str, str], rt: Runtime) -> bool:
    """Record what a command that only sets variables sets: `PORT=8000`, `export
    PORT=${PORT:-7860}`, `: "${PORT:=7860}"`. False for any other command."""
    words = [w.value for w in group]
    if not words:
        return False
    if words[0] == ":":
        found = False
        for word in words[1:]:
            for name, default in _DEFAULT_ASSIGN.findall(word):
                if not {**rt.env, **env}.get(name):
                    env[name] = expand(default, {**rt.env, **env})
                found = True
        return found
    body = words[1:] if words[0] in _EXPORTS else words
    body = [w for w in body if not w.startswith("-")] if words[0] in _EXPORTS else body
    pairs = [w.partition("=") for w in body]
    if words[0] not in _EXPORTS and not (pairs and all(eq for _, eq, _ in pairs)):
        return False
    if not all(name.isidentifier() for name, _, _ in pairs):
        return False
    for name, eq, value in pairs:
        if eq:
            env[name] = expand(value, {**rt.env, **env})
    return True


def _is_shell_script(project: Project, rt: Runtime, container_path: str) -> bool:
    """A repository file with a shell `#!` line run by its path (`./start`, `/entrypoint`)."""
    if not container_path or container_path.startswith("-") or "$" in container_path:
        return False
    path = repo_path(project, rt, container_path)
    text = project.text(path) if path is not None else None
    first = text.split("\n", 1)[0] if text else ""
    words = first[2:].split() if first.startswith("#!") else []
    return any(posixpath.basename(w) in _SHELLS for w in words)


def repo_path(project: Project, rt: Runtime, container_path: str) -> PurePosixPath | None:
    """The repository file a path inside the image most likely came from (`COPY . <workdir>`)."""
    full = posixpath.normpath(posixpath.join(rt.workdir, container_path))
    candidates = []
    if full.startswith(rt.workdir.rstrip("/") + "/"):
        candidates.append(full[len(rt.workdir.rstrip("/")) + 1 :])
    candidates.append(posixpath.normpath(container_path).lstrip("/"))
    for candidate in candidates:
        if candidate and not candidate.startswith("..") and project.exists(candidate):
            return PurePosixPath(candidate)
    return None


def _script(
    project: Project,
    rt: Runtime,
    container_path: str,
    depth: int,
    env: dict[str, str] | None = None,
    handover: _Handover | None = None,
) -> Server | None:
    path = repo_path(project, rt, container_path)
    text = project.text(path) if path is not None else None
    if path is None or text is None:
        return None
    return _scan(project, rt, split_words(text), "shell", path, str(path), depth + 1, env, handover)


def _python_entry(project: Project, rt: Runtime, container_path: str) -> Server | None:
    path = repo_path(project, rt, container_path)
    if path is None and container_path.endswith(".py"):
        path = repo_path(project, rt, container_path[:-3] + "/__main__.py")
    return find_run_call(project, path) if path is not None else None


def _tool(
    project: Project,
    rt: Runtime,
    cmd: list[Word],
    skip: int,
    form: str,
    path: PurePosixPath,
    origin: str,
    script_env: dict[str, str] | None = None,
) -> Server | None:
    """`cmd[skip]` is the program (`uvicorn`, or `fastapi`); what follows are its arguments."""
    program = posixpath.basename(cmd[skip].value)  # `/app/.venv/bin/fastapi` is `fastapi`
    tool, sub = program, None
    args = cmd[skip + 1 :]
    if program == "fastapi":
        if not args or args[0].value not in ("run", "dev"):
            return None
        sub, args = args[0], args[1:]
        tool = f"fastapi {sub.value}"
    spec = SPECS[tool]
    host = port = reload = app = None
    config_file = tool == "gunicorn" and project.exists("gunicorn.conf.py")
    i = 0
    while i < len(args):
        word = args[i]
        name, eq, _ = word.value.partition("=")
        takes_value = name.startswith("-") and name not in spec.flags
        value_word, begin = (word, len(name) + 1) if takes_value and eq else (None, 0)
        if takes_value and not eq and i + 1 < len(args):
            value_word = args[i + 1]
        if name in spec.host and value_word is not None:
            host = _setting(value_word, begin, len(value_word.value))
        elif name in spec.port and value_word is not None:
            port = _setting(value_word, begin, len(value_word.value))
        elif name in spec.bind and value_word is not None and host is None:
            host, port = _split_bind(value_word, begin)
        elif name in ("-c", "--config"):
            config_file = True
        elif name == "--reload":
            before = args[i - 1] if i else (sub or cmd[skip])
            reload = Setting(word.value, Span(word.start, word.end), Span(before.end, word.end))
        elif not name.startswith("-") and app is None and tool != "fastapi run":
            app = _setting(word, 0, len(word.value))
        i += 2 if takes_value and not eq else 1
    if tool == "fastapi dev" and reload is None and sub is not None:
        reload = Setting("dev", Span(*sub.span_of(0, 3)), kind="fastapi-dev")
    default_host, default_port = spec.default_host, spec.default_port
    env = {**rt.env, **(script_env or {})}
    if tool == "uvicorn":
        default_host = env.get("UVICORN_HOST", default_host)
        if env.get("UVICORN_PORT", "").isdigit():
            default_port = int(env["UVICORN_PORT"])
    if tool == "gunicorn" and env.get("PORT", "").isdigit():
        default_host, default_port = "0.0.0.0", int(env["PORT"])  # gunicorn binds $PORT itself
    return Server(
        tool=tool,
        path=path,
        origin=origin,
        form=form,
        host=host,
        port=port,
        reload=reload,
        app=app,
        default_host=default_host,
        default_port=default_port,
        insert_at=cmd[-1].end,
        start=cmd[skip].start,
        console_script=skip == 0 and "/" not in cmd[0].value,  # a path needs no PATH lookup
        # A gunicorn/hypercorn config file may set the bind; the command line overrides it.
        settings_known=host is not None or not config_file,
        options=tuple(w.value for w in args),
    )


def _setting(word: Word, begin: int, end: int) -> Setting | None:
    if begin >= end:
        return None
    start, stop = word.span_of(begin, end)
    return Setting(word.value[begin:end], Span(start, stop))


def _last_colon(value: str) -> int:
    """The host:port separator: the last `:` outside `${PORT:-7860}`."""
    depth, found = 0, value.rindex(":")
    for i, char in enumerate(value):
        if value.startswith("${", i):
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth:
            found = i
    return found


def _split_bind(word: Word, begin: int) -> tuple[Setting | None, Setting | None]:
    value = word.value[begin:]
    if value.startswith(("unix:", "fd://")) or ":" not in value:
        return None, None
    colon = begin + _last_colon(value)
    host = _setting(word, begin, colon)
    if host is not None and host.value.startswith("["):
        host = Setting(host.value.strip("[]"), host.span)
    return host, _setting(word, colon + 1, len(word.value))
