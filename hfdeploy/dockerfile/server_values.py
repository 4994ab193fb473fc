"""What a found server setting means (host, port, `$PORT` use) and the text edits that change
it, written in the form of the place it lives in (JSON array, shell words, Python call)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Edit, Span
from hfdeploy.dockerfile.server import Server, Setting, find_server
from hfdeploy.dockerfile.shell import Reference, expand, references
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "ip6-localhost")


@dataclass(frozen=True)
class PortValue:
    number: int | None  # the port it listens on, None when it cannot start or is unknown
    text: str  # as written, for messages: "--port 8000", "uvicorn's default 8000"
    reference: Reference | None = None  # a `$PORT`-style variable in the value
    unexpanded: bool = False  # a variable in exec form: passed to the server literally
    # Python form: the environment variable the port is read from (`int(os.getenv("APP_PORT"))`)
    variable: str | None = None
    from_image: bool = False  # the image's ENV (or start script) gives that variable a value


def variable_value(server: Server, setting: Setting, env: dict[str, str]) -> str | None:
    """What the code gets for a Python-form setting read from `setting.variable` on a Space
    where nobody defined that variable: the image's value when its ENV (or start script) sets
    one, even an empty one (`ENV APP_PORT=${APP_PORT}` with no ARG: `os.getenv` then returns
    `""`, not the default); else the code's default; else None (`os.getenv` without default)."""
    assert setting.variable is not None
    image = server.environment(env)
    if setting.variable in image:
        return image[setting.variable]
    if setting.kind == "py-env" and setting.value == "":
        return None
    return setting.value


def contiguous(setting: Setting) -> bool:
    """The value is written without quotes or escapes inside it (offsets map 1:1)."""
    return setting.span.end - setting.span.start == len(setting.value)


def resolve_host(server: Server, env: dict[str, str]) -> str | None:
    env = server.environment(env)
    setting = server.host
    if setting is None:
        return server.default_host
    if setting.kind == "unknown":
        return None
    if setting.variable is not None:
        # None when unset with no default: uvicorn.run(host=None) binds every interface
        # (asyncio's create_server), unless it crashes (see `host_fails_to_start`). "" binds
        # every interface too.
        return variable_value(server, setting, env)
    if "$" in setting.value:
        return None if server.form == "exec" else expand(setting.value, env)
    return setting.value


def port_value(server: Server, env: dict[str, str]) -> PortValue:
    env = server.environment(env)
    setting = server.port
    if setting is None:
        return PortValue(server.default_port, f"{server.tool}'s default port {server.default_port}")
    if setting.kind == "unknown":
        return PortValue(None, setting.value)
    if setting.variable is not None:
        value = variable_value(server, setting, env)
        given = setting.variable in server.environment(env)
        number = int(value) if value is not None and value.strip().isdigit() else None
        shown = "unset" if value is None else "empty" if value == "" else value
        label = f"port from `{setting.variable}` ({shown})"
        return PortValue(number, label, variable=setting.variable, from_image=given)
    refs = references(setting.value) if setting.kind == "word" else []
    label = f"port {setting.value}" if server.form == "python" else f"--port {setting.value}"
    if not refs:
        number = int(setting.value) if setting.value.isdigit() else None
        return PortValue(number, label)
    ref = refs[0]
    if server.form == "exec":
        return PortValue(None, label, ref, unexpanded=True)
    value = expand(setting.value, env)
    return PortValue(int(value) if value.isdigit() else None, label, ref)


def is_local(host: str) -> bool:
    return host in LOCAL_HOSTS or host.startswith("127.")


def option_text(server: Server, name: str, value: str) -> str:
    """A new option as text that fits where `server` is written."""
    if server.form == "exec":
        return f', "{name}", "{value}"'
    if server.form == "python":
        return f", {name.lstrip('-')}={value}"
    return f" {name} {value}"


def insert_option(server: Server, name: str, value: str) -> Edit:
    return Edit.insert(server.path, server.insert_at, option_text(server, name, value))


def replace_value(server: Server, setting: Setting, value: str) -> Edit | None:
    """Replace a setting's value; None when it is not written as plain text we can splice."""
    if setting.kind == "py-int":
        return Edit(server.path, setting.span, value)
    if setting.kind == "py-str":
        return Edit(server.path, Span(setting.span.start + 1, setting.span.end - 1), value)
    if setting.kind == "word" and contiguous(setting):
        return Edit(server.path, setting.span, value)
    return None


def port_default_edit(server: Server, setting: Setting, ref: Reference, port: int) -> Edit | None:
    """Point `${PORT:-8000}`'s default (or a bare `$PORT`) at `port`."""
    if not contiguous(setting):
        return None
    base = setting.span.start
    if ref.default is not None and ref.default_start is not None:
        start = base + ref.default_start
        return Edit(server.path, Span(start, start + len(ref.default)), str(port))
    return Edit(server.path, Span(base + ref.start, base + ref.end), f"${{{ref.name}:-{port}}}")


def settles(
    project: Project, edits: tuple[Edit, ...], done: Callable[[Server, dict[str, str]], bool]
) -> bool:
    """Whether the server found after applying `edits` satisfies `done`.

    Splicing into a command that does not parse the way it reads (an unclosed quote or `${`)
    could repeat forever; a fix is offered only when re-reading its result shows it worked."""
    changed: dict[PurePosixPath, str] = {}
    for edit in sorted(edits, key=lambda e: e.span.start, reverse=True):
        text = changed.get(edit.path, project.text(edit.path) or "")
        changed[edit.path] = text[: edit.span.start] + edit.replacement + text[edit.span.end :]
    after = project.with_changes(changed)
    server, rt = find_server(after), runtime(after)
    return server is not None and rt is not None and done(server, rt.env)


def env_edit(project: Project, variable: str, value: str) -> Edit | None:
    """Give `variable` the value `value` in the image: rewrite the value of the final stage's
    last `ENV` that sets it (an empty `ENV APP_PORT=${APP_PORT}` included), in place, or add
    `ENV <variable>=<value>` just before the stage's CMD/ENTRYPOINT. None when there is no
    runtime view or the values are not plain words."""
    from hfdeploy.dockerfile.assignments import assignments
    from hfdeploy.values import is_valid

    rt = runtime(project)
    source = project.source(DOCKERFILE)
    if rt is None or source is None:
        return None
    if not is_valid("env-name", variable) or not is_valid("env-value", value):
        return None
    for step in reversed(rt.of("ENV")):
        found = [a for a in assignments(step.ins) if a.name == variable]
        if not found:
            continue
        last = found[-1]
        start, end = last.value_start, last.value_end
        if start is not None and end is not None and step.ins.text[start:end] == last.value:
            return Edit(DOCKERFILE, step.ins.raw_span(start, end), value)
        break  # quoted or escaped: a new line after it wins
    starts = [s for s in (rt.last("ENTRYPOINT"), rt.last("CMD")) if s is not None]
    if not starts:
        return None
    first = min(starts, key=lambda s: s.ins.span.start)
    line = f"ENV {variable}={value}{source.newline}"
    return Edit.insert(DOCKERFILE, first.ins.span.start, line)


def host_fails_to_start(project: Project, server: Server, env: dict[str, str]) -> str | None:
    """Why the server cannot start with the host a variable nobody set gives it, or None.

    uvicorn 0.55 (tried): `uvicorn.run(host=None)` serves on every interface (asyncio's
    `create_server`), but with `reload=True` (or workers) it binds its own socket and fails
    with `TypeError: str, bytes or bytearray expected, not NoneType`; `host=""` works either
    way. On a command line an unquoted `--host $HOST` that expands to nothing disappears, so
    the option takes the next word (or nothing) as its value."""
    setting = server.host
    if setting is None or setting.kind == "unknown":
        return None
    if setting.variable is not None:
        if server.reload is not None and variable_value(server, setting, env) is None:
            return (
                "`uvicorn.run(host=None, reload=True)` fails with `TypeError: str, bytes or "
                "bytearray expected, not NoneType`"
            )
        return None
    if server.form != "shell" or setting.kind != "word" or not references(setting.value):
        return None
    if expand(setting.value, server.environment(env)) != "":
        return None
    text = project.text(server.path) or ""
    before = text[setting.span.start - 1 : setting.span.start] if setting.span.start else ""
    after = text[setting.span.end : setting.span.end + 1]
    if before in ('"', "'", "=") or after not in ("", " ", "\t", "\r", "\n", "\\", ";", "&"):
        return None  # `"$HOST"` or `--host=$HOST` is an empty host (every interface)
    return (
        f"`{setting.value}` expands to nothing, so `{server.tool}` takes the word after "
        "`--host` as the host and does not start"
    )


def server_variables(project: Project) -> dict[str, str]:
    """Environment variable -> "port" or "host": the variables the Python file the CMD runs
    reads the server's port or host from (`uvicorn.run(port=int(os.getenv("APP_PORT")))`)."""
    server = find_server(project)
    found: dict[str, str] = {}
    if server is None:
        return found
    for role, setting in (("host", server.host), ("port", server.port)):
        if setting is not None and setting.variable is not None:
            found[setting.variable] = role
    return found
