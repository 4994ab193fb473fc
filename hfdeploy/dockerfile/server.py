"""Find the web server the container starts, and where its host, port and reload settings are
written: in the Dockerfile's CMD/ENTRYPOINT (exec or shell form, `sh -c "..."`), in a shell
script the CMD runs, or in a `uvicorn.run(...)` call of the Python file the CMD runs."""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Span
from hfdeploy.dockerfile.pycall import find_run_call
from hfdeploy.dockerfile.server_model import Server as Server  # re-exported: its home before
from hfdeploy.dockerfile.server_model import Setting as Setting
from hfdeploy.dockerfile.server_specs import SPECS
from hfdeploy.dockerfile.shell import Word, commands, split_words
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, runtime, strip_prefix

if TYPE_CHECKING:
    from hfdeploy.project import Project

_PYTHON = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_SHELLS = ("sh", "bash", "dash", "ash")


def find_server(project: Project) -> Server | None:
    return project.memo("dockerfile-server", lambda: _find(project))


def _find(project: Project) -> Server | None:
    rt = runtime(project)
    if rt is None:
        return None
    entry, cmd = rt.last("ENTRYPOINT"), rt.last("CMD")
    words: list[Word] = []
    forms: list[str] = []
    for step in (entry, cmd):
        if step is None:
            continue
        exec_words = step.ins.exec_form()
        if step is cmd and entry is not None and (forms[:1] != ["exec"] or exec_words is None):
            break  # a shell-form ENTRYPOINT ignores CMD; so does a CMD that is not a list
        form = "exec" if exec_words is not None else "shell"
        ins_words = exec_words if exec_words is not None else step.ins.shell_words()
        words.extend(w.remap(step.ins.positions) for w in ins_words)
        forms.append(form)
    if not words:
        return None
    origin = "Dockerfile " + ("ENTRYPOINT" if entry is not None else "CMD")
    return _scan(project, rt, words, forms[0], DOCKERFILE, origin, depth=0)


def _scan(
    project: Project,
    rt: Runtime,
    words: list[Word],
    form: str,
    path: PurePosixPath,
    origin: str,
    depth: int,
) -> Server | None:
    groups = [words] if form == "exec" else commands(words)
    for group in groups:
        cmd = strip_prefix(group)
        if not cmd or depth > 3:
            continue
        program = posixpath.basename(cmd[0].value)
        rest = cmd[1:]
        if program in _SHELLS and len(rest) >= 2 and rest[0].value == "-c":
            inner = [w.remap(rest[1].positions) for w in split_words(rest[1].value)]
            found = _scan(project, rt, inner, "shell", path, origin, depth + 1)
        elif program in _SHELLS and rest and not rest[0].value.startswith("-"):
            found = _script(project, rt, rest[0].value, depth)
        elif program.endswith(".sh"):
            found = _script(project, rt, cmd[0].value, depth)
        elif _PYTHON.match(program) and len(rest) >= 2 and rest[0].value == "-m":
            module = rest[1].value
            if module in ("uvicorn", "gunicorn", "hypercorn", "fastapi"):
                found = _tool(project, rt, cmd, 2, form, path, origin)
            else:
                found = _python_entry(project, rt, module.replace(".", "/") + ".py")
        elif _PYTHON.match(program) and rest and rest[0].value.endswith(".py"):
            found = _python_entry(project, rt, rest[0].value)
        elif program in ("uvicorn", "gunicorn", "hypercorn", "fastapi"):
            found = _tool(project, rt, cmd, 0, form, path, origin)
        else:
            found = None
        if found is not None:
            return found
    return None


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


def _script(project: Project, rt: Runtime, container_path: str, depth: int) -> Server | None:
    path = repo_path(project, rt, container_path)
    text = project.text(path) if path is not None else None
    if path is None or text is None:
        return None
    return _scan(project, rt, split_words(text), "shell", path, str(path), depth + 1)


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
) -> Server | None:
    """`cmd[skip]` is the program (`uvicorn`, or `fastapi`); what follows are its arguments."""
    program = cmd[skip].value
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
    env = rt.env
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
        console_script=skip == 0,
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
