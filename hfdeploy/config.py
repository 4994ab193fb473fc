"""`[tool.hfdeploy]` settings read from the scanned project's pyproject.toml."""

from __future__ import annotations

import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hfdeploy import values
from hfdeploy.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

KNOWN_KEYS = {"select", "ignore", "app", "python", "exclude", "index-url", "data-dir", "lock-date"}


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    app: str | None = None  # "pkg.module:variable"
    python: str | None = None  # target Python "3.11"
    exclude: tuple[str, ...] = ()  # extra gitignore-style patterns
    index_url: str | None = None
    data_dir: str | None = None
    lock_date: str | None = None  # "era", "today" or "YYYY-MM-DD" (requirements.lock)
    source: str = "defaults"  # where the settings came from, for messages
    unknown_keys: tuple[str, ...] = field(default=())


def _str_list(table: dict[str, object], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"pyproject.toml: [tool.hfdeploy] {key} must be a list of strings")
    return tuple(value)


def _opt_str(table: dict[str, object], key: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, (int, float)) and key == "python":
        value = str(value)
        lost_zero = value in ("3.1", "3.2", "3.3", "3.4", "3.5")
        if isinstance(table[key], float) and lost_zero:
            # `python = 3.10` is the TOML number 3.1: the zero that makes it 3.10 is gone.
            raise ConfigError(
                f"pyproject.toml: [tool.hfdeploy] python = {value} is a number, so a trailing "
                f'zero is lost; write the version as a string, e.g. python = "{value}0"'
            )
    if not isinstance(value, str):
        raise ConfigError(f"pyproject.toml: [tool.hfdeploy] {key} must be a string")
    return value


def load_config(root: Path) -> Config:
    path = root / "pyproject.toml"
    try:
        st = path.lstat() if not path.is_symlink() else path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError("pyproject.toml: not a regular file; not read")
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root.resolve()):
                raise ConfigError("pyproject.toml: outside the repository: not read")
        if st.st_size > 2 * 1024 * 1024:
            raise ConfigError("pyproject.toml: too large to read")
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"pyproject.toml: cannot read it ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # A broken pyproject.toml is also reported as a finding by the dependency checks;
        # here it only means there are no settings to read.
        if b"[tool.hfdeploy]" in raw:
            raise ConfigError(f"pyproject.toml: not valid TOML ({exc})") from None
        return Config()
    tool = data.get("tool", {})
    table = tool.get("hfdeploy", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict) or not table:
        return Config()
    where = "pyproject.toml [tool.hfdeploy]"
    app = _opt_str(table, "app")
    python = _opt_str(table, "python")
    index_url = _opt_str(table, "index-url")
    data_dir = _opt_str(table, "data-dir")
    lock_date = _opt_str(table, "lock-date")
    return Config(
        select=_str_list(table, "select"),
        ignore=_str_list(table, "ignore"),
        app=app,  # checked by space_config (a finding naming the file), then dockerfile/validate
        python=None if python is None else values.python_version(python, f"{where} python"),
        exclude=_str_list(table, "exclude"),
        index_url=None if index_url is None else values.index_url(index_url, f"{where} index-url"),
        lock_date=None if lock_date is None else values.lock_date(lock_date, f"{where} lock-date"),
        data_dir=data_dir,  # refused with a finding by dockerfile/validate
        source="pyproject.toml [tool.hfdeploy]",
        unknown_keys=tuple(sorted(set(table) - KNOWN_KEYS)),
    )
