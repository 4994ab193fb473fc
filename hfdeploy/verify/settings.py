"""What verify runs the container with: environment, port, network, image name."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hfdeploy.errors import UsageError
from hfdeploy.project import Project
from hfdeploy.space import DEFAULT_APP_PORT, INJECTED_VARIABLES
from hfdeploy.verify.docker_client import ImageConfig, engine_host

PLACEHOLDER_PREFIX = "hfdeploy-placeholder-"
INJECTED_SOURCE = "placeholder; injected on a Space"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SHELLS = {"sh", "bash", "dash", "ash", "zsh"}
_PORT_IN_SHELL = re.compile(r"\$\{PORT(?::?[-=][^}]*)?\}|\$PORT\b")
_PORT_IN_PYTHON = re.compile(r"""(?:environ|getenv)\b[^\n]{0,24}["']PORT["']""")


@dataclass(frozen=True)
class VerifyOptions:
    env: tuple[str, ...] = ()  # raw `--env K=V` values
    env_file: Path | None = None
    network: str = "host"
    timeout: float = 120.0  # seconds to wait for the server to answer
    keep: bool = False
    port: int | None = None  # overrides app_port
    builder: str = "auto"  # auto | buildkit | legacy


@dataclass(frozen=True)
class EnvSetting:
    name: str
    source: str  # "--env", "--env-file .env.test", "placeholder", INJECTED_SOURCE


def parse_env_args(values: tuple[str, ...]) -> dict[str, str]:
    env: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition("=")
        if not sep or not _ENV_NAME.match(name):
            raise UsageError(f"--env {name or value!r}: expected NAME=VALUE")
        env[name] = content
    return env


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as docker's --env-file and python-dotenv read them (quotes stripped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise UsageError(f"--env-file {path}: cannot read it ({reason})") from None
    env: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not _ENV_NAME.match(name):
            raise UsageError(f"--env-file {path}:{number}: expected NAME=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:  # an unquoted trailing comment
            value = value.split(" #", 1)[0].rstrip()
        env[name] = value
    return env


def required_variables(project: Project) -> tuple[str, ...]:
    """Names the app reads without a default, from the environment checks' analysis."""
    try:
        from hfdeploy.environment.reads import CONTAINER_VARIABLES, DEFAULT_INSTEAD, env_reads
    except ImportError:  # that analysis is optional: verify then passes only what it was given
        return ()
    # PORT, HOST, USER stay unset, as on a Space: an app that requires one fails here as it
    # would there; HOME, PATH and the like are the container's own.
    owned = CONTAINER_VARIABLES | DEFAULT_INSTEAD
    return tuple(sorted({r.name for r in env_reads(project) if r.required and r.name not in owned}))


def container_env(
    project: Project, options: VerifyOptions
) -> tuple[dict[str, str], list[EnvSetting]]:
    env: dict[str, str] = {}
    settings: dict[str, EnvSetting] = {}
    if options.env_file is not None:
        for name, value in read_env_file(options.env_file).items():
            env[name] = value
            settings[name] = EnvSetting(name, f"--env-file {options.env_file.name}")
    for name, value in parse_env_args(options.env).items():
        env[name] = value
        settings[name] = EnvSetting(name, "--env")
    for name in required_variables(project):
        if name not in env:
            env[name] = PLACEHOLDER_PREFIX + name
            # The Space itself sets SPACE_HOST and the like: nothing for the user to add.
            source = INJECTED_SOURCE if name in INJECTED_VARIABLES else "placeholder"
            settings[name] = EnvSetting(name, source)
    return env, sorted(settings.values(), key=lambda s: s.name)


def app_port(project: Project) -> tuple[int, str]:
    """The port the Space proxy sends traffic to, and where that number comes from."""
    try:
        from hfdeploy.space_config.app_port import app_port_info
    except ImportError:  # the front matter reader is optional here
        return DEFAULT_APP_PORT, "default"
    found = app_port_info(project)
    return found.port, found.source


def honours_port_variable(project: Project, config: ImageConfig) -> bool:
    """Whether setting PORT moves the server: a shell-form CMD using ${PORT...}, or the code."""
    argv = [*config.entrypoint, *config.cmd]
    for index, word in enumerate(argv[:-1]):
        shell = Path(word).name in _SHELLS and argv[index + 1] == "-c" and index + 2 < len(argv)
        if shell and _PORT_IN_SHELL.search(argv[index + 2]):
            return True
    for path in project.python_files():
        text = project.text(path)
        if text and "PORT" in text and _PORT_IN_PYTHON.search(text):
            return True
    return False


def engine_address() -> tuple[str, bool]:
    """Where the engine's published or host-network ports are reached, and whether it is local."""
    parts = urlsplit(engine_host())
    if parts.scheme in ("tcp", "ssh", "http", "https") and parts.hostname:
        local = parts.hostname in ("localhost", "127.0.0.1", "::1")
        return ("127.0.0.1" if local else parts.hostname), local
    return "127.0.0.1", True


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT leftovers
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


def image_tag(project: Project) -> str:
    """`hfdeploy-verify/<dirname>:latest`: one tag per repository keeps the layer cache warm."""
    name = re.sub(r"[^a-z0-9]+", "-", project.root.resolve().name.lower()).strip("-")
    return f"hfdeploy-verify/{name or 'app'}:latest"
