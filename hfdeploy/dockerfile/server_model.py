"""The web server a container starts and where its settings are written: the values the server
search (`server.py`, `pycall.py`) finds and the checks and fixes read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from hfdeploy.diagnostics import Span


@dataclass(frozen=True)
class Setting:
    """A value written somewhere, with the exact text to replace."""

    value: str
    span: Span  # file offsets of the text holding the value
    removal: Span | None = None  # for a flag: the span that removes it with its separator
    kind: str = "word"  # "word" (command-line text), "py-str", "py-int" (Python literals),
    # "py-env" (a Python expression reading `variable`, with no literal default in the call)
    # Python form: the environment variable the value is read from (`int(os.getenv("PORT",
    # 8000))`, `os.environ["PORT"]`, a settings field); `value` is then the code's default
    # ("" when it has none), and the image's non-empty value of the variable wins over it.
    variable: str | None = None


@dataclass(frozen=True)
class Server:
    tool: str  # "uvicorn", "gunicorn", "hypercorn", "fastapi run", "fastapi dev", "uvicorn.run"
    path: PurePosixPath  # the file the command (or call) is written in
    origin: str  # for messages: "Dockerfile CMD", "start.sh", "main.py uvicorn.run()"
    form: str  # "exec" (JSON array, no expansion), "shell", "python"
    host: Setting | None
    port: Setting | None
    reload: Setting | None
    app: Setting | None  # "pkg.module:app"
    default_host: str
    default_port: int | None
    insert_at: int  # file offset where a new option can be inserted
    start: int  # file offset of the program word (or the call)
    settings_known: bool = True  # False when a config file may set host/port instead
    console_script: bool = False  # started by its script name (needs it on PATH)
    options: tuple[str, ...] = field(default=())  # every word after the program
    # Variables a start script sets before the server runs (`export PORT=${PORT:-7860}`).
    script_env: tuple[tuple[str, str], ...] = field(default=())
    launcher: str | None = None  # "uv run", "poetry run", ... when started through one

    def environment(self, image_env: dict[str, str]) -> dict[str, str]:
        """The variables the server sees: the image's, then what its start script sets."""
        return {**image_env, **dict(self.script_env)} if self.script_env else image_env

    @property
    def script_env_names(self) -> frozenset[str]:
        """The variables its start script assigns itself."""
        return frozenset(name for name, _ in self.script_env)
