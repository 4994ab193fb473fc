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
from hfdeploy.dockerfile.stage import runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "ip6-localhost")


@dataclass(frozen=True)
class PortValue:
    number: int | None  # the port it listens on, None when it cannot start or is unknown
    text: str  # as written, for messages: "--port 8000", "uvicorn's default 8000"
    reference: Reference | None = None  # a `$PORT`-style variable in the value
    unexpanded: bool = False  # a variable in exec form: passed to the server literally


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
