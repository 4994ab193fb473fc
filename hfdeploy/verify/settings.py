"""What verify runs the container with: environment, port, network, image name."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hfdeploy.errors import UsageError
from hfdeploy.project import Project
from hfdeploy.space import DATA_DIR_ENV, DEFAULT_APP_PORT, INJECTED_VARIABLES, SPACE_UID
from hfdeploy.verify.docker_client import ImageConfig, engine_host
from hfdeploy.verify.placeholders import PLACEHOLDER_PREFIX as PLACEHOLDER_PREFIX
from hfdeploy.verify.placeholders import PLACEHOLDER_URL as PLACEHOLDER_URL
from hfdeploy.verify.placeholders import value_for

if TYPE_CHECKING:
    from hfdeploy.environment.kinds import ValueType
DEFAULT_BUILD_TIMEOUT = 30 * 60.0  # seconds; a build longer than this is stuck or far too slow
LOCAL_OWNER = "local"  # SPACE_AUTHOR_NAME when neither --space nor anything else names one
CREATOR_USER_ID = "000000000000000000000000"  # a Hub user id has this shape (24 hex digits)
_SPACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_MEMORY = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<unit>[bkmg]?)$", re.IGNORECASE)
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
    user: str = str(SPACE_UID)  # "1000" as on a Space, or "image": the image's own USER
    memory: str | None = "16g"  # cpu-basic hardware; None: no limit
    cpus: float | None = 2.0
    space: str | None = None  # "owner/name" for the injected SPACE_* variables
    build_timeout: float = DEFAULT_BUILD_TIMEOUT
    services: str = "auto"  # auto: a throwaway database server when the app needs one; none


@dataclass(frozen=True)
class EnvSetting:
    name: str
    source: str  # "--env", "--env-file .env.test", "placeholder"
    kind: str = ""  # for a placeholder: "database URL", "URL", "int", ... ("" plain text)


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
        from hfdeploy.environment.reads import CONTAINER_VARIABLES, env_reads
    except ImportError:  # that analysis is optional: verify then passes only what it was given
        return ()
    # HOME, PATH and the like are the container's own. PORT, HOST and USER are not set on a
    # Space, but its owner can set them like any other variable: an app that requires one gets
    # the value it must have there (see `own_values`), unless the image's ENV gives it.
    return tuple(
        sorted(
            {r.name for r in env_reads(project) if r.required and r.name not in CONTAINER_VARIABLES}
        )
    )


def own_values(project: Project, options: VerifyOptions) -> dict[str, tuple[str, str]]:
    """PORT, HOST, USER -> (value, kind label) for an app that requires them: the values the
    environment domain says they must have on a Space (the port verify serves on for PORT)."""
    from hfdeploy.environment.reads import default_values

    values = default_values(project, options.port or app_port(project)[0])
    labels = {"PORT": "app port", "HOST": "bind address", "USER": "user name"}
    return {name: (value, labels.get(name, "")) for name, value in values.items()}


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
    required = required_variables(project)
    kinds = placeholder_kinds(project) if required else {}
    own = own_values(project, options) if _default_instead() & set(required) else {}
    server = server_variables(project) if required else {}
    for name in required:
        if name in env or name in INJECTED_VARIABLES:
            continue
        if name in server:
            # Left unset, as on a Space (see `server_variables`).
            settings[name] = EnvSetting(name, UNSET_AS_ON_A_SPACE, f"the server's {server[name]}")
            continue
        if name in own:
            env[name], label = own[name]
        else:
            kind = kinds.get(name, "str")
            env[name] = placeholder_value(name, kind)
            label = kind if isinstance(kind, str) else kind.label
        settings[name] = EnvSetting(name, "placeholder", "" if label == "str" else label)
    return env, sorted(settings.values(), key=lambda s: s.name)


# The source of a required variable verify deliberately leaves unset (a server port or host).
UNSET_AS_ON_A_SPACE = "unset, as on a Space"


def server_variables(project: Project) -> dict[str, str]:
    """Variable -> "port" or "host": what the server's own port or host is read from
    (`uvicorn.run(port=int(os.getenv("APP_PORT")))`), from the Dockerfile domain's model.

    verify gives such a variable no value. A placeholder would be wrong (a port of 1, a host
    that does not resolve), and the value the Space needs (`app_port`, `0.0.0.0`) would make
    verify pass where the Space fails: a Space sets neither `APP_PORT` nor `PORT`, so unless
    the image carries the value the server does not start there (DF006/DF005 report it, and
    `hfdeploy fix --write` adds `ENV APP_PORT=<app_port>` to the image, which verify then
    uses like the Space). The run lists them as "unset, as on a Space", and a start that
    fails on one says so. `--env NAME=...` still sets one, like a Variable on the Space."""
    try:
        from hfdeploy.dockerfile.server_values import server_variables as found
    except ImportError:  # the Dockerfile analysis is optional here
        return {}
    return found(project)


def _default_instead() -> frozenset[str]:
    """The names whose value `own_values` gives (none without the environment analysis)."""
    try:
        from hfdeploy.environment.reads import DEFAULT_INSTEAD
    except ImportError:  # optional analysis: required_variables() is empty then too
        return frozenset()
    return DEFAULT_INSTEAD


def placeholder_kinds(project: Project) -> dict[str, ValueType | str]:
    """Variable -> the kind of placeholder it needs: "database URL" (or "async database URL")
    from the database domain, else the type the environment domain reads it as. A settings
    field typed with a DSN of another scheme (PostgresDsn) keeps its type: SQLite would fail
    its validation; an async driver's scheme goes first for an async engine."""
    kinds: dict[str, ValueType | str] = {}
    try:
        from hfdeploy.environment.kinds import variable_types

        kinds.update(variable_types(project))
    except ImportError:  # optional analyses: plain-text placeholders then
        pass
    try:
        from hfdeploy.database.engines import named_like_database_url, url_variables

        for name, is_async in url_variables(project).items():
            typed = kinds.get(name)
            if _fixed_schemes(typed):
                kinds[name] = _driver_first(typed, is_async)  # type: ignore[arg-type]
            else:
                kinds[name] = "async database URL" if is_async else "database URL"
        for name in required_variables(project):
            typed = kinds.get(name)
            label = typed if isinstance(typed, str) else typed.kind if typed else "str"
            if label in ("str", "url") and not _fixed_schemes(typed):
                if named_like_database_url(name):
                    kinds[name] = "database URL"
    except ImportError:
        pass
    return kinds


def _fixed_schemes(kind: ValueType | str | None) -> bool:
    """A URL type that accepts only its own schemes, SQLite not among them."""
    return (
        kind is not None
        and not isinstance(kind, str)
        and bool(kind.schemes)
        and not any(s.startswith("sqlite") for s in kind.schemes)
    )


def _driver_first(kind: ValueType, is_async: bool) -> ValueType:
    import dataclasses

    asynchronous = ("+asyncpg", "+aiomysql", "+asyncmy", "+asynch", "+aiosqlite")
    preferred = [s for s in kind.schemes if s.endswith(asynchronous) == is_async]
    if not preferred:
        return kind
    return dataclasses.replace(
        kind, schemes=(preferred[0], *(s for s in kind.schemes if s != preferred[0]))
    )


PLACEHOLDER_DB_DIR = "/tmp"


def placeholder_value(name: str, kind: ValueType | str, data_dir: str | None = None) -> str:
    """A valid value of `kind` that reaches nothing: the app parses it and starts. `kind` is
    the environment domain's type, or a label ("database URL", "int", "url", ...)."""
    if kind in ("database URL", "async database URL"):
        scheme = "sqlite+aiosqlite" if str(kind).startswith("async") else "sqlite"
        # Under the data directory the image sets (`with_data_dir`), else /tmp: every image has
        # it, writable by uid 1000 (the generated image's DATA_DIR need not exist in another).
        return f"{scheme}:///{(data_dir or PLACEHOLDER_DB_DIR).rstrip('/')}/app.db"  # four slashes
    if isinstance(kind, str):
        from hfdeploy.environment.kinds import ValueType

        kind = ValueType(kind) if kind in _LABELLED_KINDS else ValueType()  # type: ignore[arg-type]
    return value_for(name, kind, data_dir)


_LABELLED_KINDS = frozenset(
    {"int", "float", "bool", "url", "list", "dict", "email", "uuid", "datetime", "date", "time"}
    | {"duration", "path", "directory", "file", "new path", "ip address", "ip network"}
)


def with_data_dir(
    env: dict[str, str], settings: list[EnvSetting], image_env: dict[str, str]
) -> dict[str, str]:
    """Database and directory placeholders under the data directory the image sets (DATA_DIR),
    if any."""
    data_dir = env.get(DATA_DIR_ENV) or image_env.get(DATA_DIR_ENV)
    if not data_dir or not data_dir.startswith("/"):
        return env
    changed = dict(env)
    for setting in settings:
        if setting.source == "placeholder" and (
            setting.kind.endswith("database URL") or setting.kind in ("directory", "path")
        ):
            changed[setting.name] = placeholder_value(setting.name, setting.kind, data_dir)
    return changed


def space_identity(project: Project, options: VerifyOptions) -> dict[str, str]:
    """The variables a Space injects at run time, for `--space owner/name` or this directory."""
    if options.space is not None:
        if not _SPACE_ID.match(options.space):
            raise UsageError(f"--space {options.space!r}: expected owner/name")
        owner, name = options.space.split("/")
    else:
        owner = LOCAL_OWNER
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", project.root.resolve().name).strip("-.") or "app"
    title = None
    try:
        from hfdeploy.space_config.startup import space_title

        title = space_title(project)
    except ImportError:
        pass
    host = re.sub(r"[^a-z0-9-]+", "-", f"{owner}-{name}".lower()).strip("-") + ".hf.space"
    return {
        "SPACE_ID": f"{owner}/{name}",
        "SPACE_AUTHOR_NAME": owner,
        "SPACE_REPO_NAME": name,
        "SPACE_TITLE": title or name,
        "SPACE_HOST": host,
        "SPACE_CREATOR_USER_ID": CREATOR_USER_ID,
        "ACCELERATOR": "none",
        "CPU_CORES": _cores(options.cpus),
        "MEMORY": _gibibytes(options.memory),
    }


def _cores(cpus: float | None) -> str:
    return str(int(cpus)) if cpus and cpus == int(cpus) else str(cpus or 2)


def memory_bytes(memory: str | None) -> int | None:
    """`16g` -> bytes (docker's units: b, k, m, g, powers of 1024); None: no limit."""
    if memory is None:
        return None
    match = _MEMORY.match(memory.strip())
    if match is None:
        raise UsageError(f"--memory {memory!r}: expected a size such as 16g or 512m")
    power = "bkmg".index(match["unit"].lower() or "b")
    return int(float(match["n"]) * 1024**power)


def _gibibytes(memory: str | None) -> str:
    size = memory_bytes(memory) or 16 * 1024**3
    gib = size / 1024**3
    return f"{gib:g}Gi" if gib >= 1 else f"{size // 1024**2}Mi"


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
