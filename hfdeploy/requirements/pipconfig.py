"""The package indexes pip would use: its configuration files, `PIP_*` variables, our own
`--index-url`/`[tool.hfdeploy] index-url`, and `-i`/`--extra-index-url` lines in the files.

Order as in pip's `Configuration` (later wins): global files (`$XDG_CONFIG_DIRS/pip/pip.conf`,
`/etc/pip.conf`), user files (`~/.pip/pip.conf`, `~/.config/pip/pip.conf`; skipped when
`PIP_CONFIG_FILE` names an existing file), the site file (`sys.prefix/pip.conf`),
`PIP_CONFIG_FILE`, then `PIP_*` variables. `PIP_CONFIG_FILE=/dev/null` loads no file at all.
Within a file, `[install]` overrides `[global]`."""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PYPI_SIMPLE = "https://pypi.org/simple"
# Every environment variable `index_settings` reads (the result cache records their values).
ENVIRONMENT = (
    "HOME",
    "XDG_CONFIG_DIRS",
    "XDG_CONFIG_HOME",
    "PIP_CONFIG_FILE",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_NO_INDEX",
)


@dataclass(frozen=True)
class IndexSettings:
    index_url: str
    extra_index_urls: tuple[str, ...]
    no_index: bool
    source: str  # where index_url came from, for messages

    @property
    def urls(self) -> tuple[str, ...]:
        if self.no_index:
            return ()
        return tuple(dict.fromkeys((self.index_url, *self.extra_index_urls)))


def config_files(env: Mapping[str, str]) -> list[Path]:
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    xdg_dirs = (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
    user_dir = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    chosen = env.get("PIP_CONFIG_FILE")
    if chosen == os.devnull:
        return []
    files = [Path(d) / "pip" / "pip.conf" for d in xdg_dirs if d] + [Path("/etc/pip.conf")]
    if not (chosen and Path(chosen).exists()):
        files += [home / ".pip" / "pip.conf", user_dir / "pip" / "pip.conf"]
    files.append(Path(sys.prefix) / "pip.conf")
    if chosen:
        files.append(Path(chosen))
    return files


def _read_settings(env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """key -> (value, source) from config files then environment variables."""
    found: dict[str, tuple[str, str]] = {}
    for path in config_files(env):
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue  # pip would stop here; we only lose the file's index settings
        for section in ("global", "install"):
            if parser.has_section(section):
                for key, value in parser.items(section):
                    found[key.replace("_", "-")] = (value, str(path))
    for key in ("index-url", "extra-index-url", "no-index"):
        var = "PIP_" + key.upper().replace("-", "_")
        if env.get(var):
            found[key] = (env[var], var)
    return found


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "yes", "true", "on")


def index_settings(
    *,
    option_url: str | None = None,
    option_source: str = "--index-url",
    file_url: str | None = None,
    file_extra: list[str] | tuple[str, ...] = (),
    file_no_index: bool = False,
    env: Mapping[str, str] | None = None,
) -> IndexSettings:
    """What pip would use, with `option_url` standing for pip's own `--index-url` and
    `file_*` for options inside the requirements file (which override the command line)."""
    env = os.environ if env is None else env
    settings = _read_settings(env)
    url, source = PYPI_SIMPLE, "default"
    if "index-url" in settings:
        url, source = settings["index-url"]
    if option_url:
        url, source = option_url, option_source
    if file_url:
        url, source = file_url, "the requirements file"
    extra = settings.get("extra-index-url", ("", ""))[0].split()
    no_index = file_no_index or _truthy(settings.get("no-index", ("", ""))[0])
    return IndexSettings(
        url.rstrip("/"), tuple(u.rstrip("/") for u in [*extra, *file_extra]), no_index, source
    )
