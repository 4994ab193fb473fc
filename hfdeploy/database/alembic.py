"""Alembic's pieces: the ini file's `script_location`, its `env.py`, and whether that `env.py`
migrates the URL written in the ini file or one the code supplies."""

from __future__ import annotations

import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.database.sources import FoundUrl, alembic_ini_files, database_urls

if TYPE_CHECKING:
    from hfdeploy.project import Project

_OPTION = re.compile(
    r"^[ \t]*(?P<key>[A-Za-z_.]+)[ \t]*[=:][ \t]*(?P<value>.*?)[ \t]*\r?$", re.MULTILINE
)
_READS_INI_URL = re.compile(
    r"get_main_option\(\s*['\"]sqlalchemy\.url['\"]|engine_from_config\(|get_section\("
)
_OVERRIDES_URL = re.compile(r"set_main_option\(\s*['\"]sqlalchemy\.url['\"]")


@dataclass(frozen=True)
class AlembicSetup:
    # The configuration `alembic -c` names: an ini file, or a `pyproject.toml` whose
    # `[tool.alembic]` table is the whole configuration (Alembic 1.16+).
    ini: PurePosixPath
    env: PurePosixPath | None  # None when script_location names no env.py we can find
    sys_path: tuple[str, ...]  # `prepend_sys_path` entries (relative to where alembic runs)
    # The directories of the revision scripts: `version_locations`, else `versions/` beside
    # env.py.
    versions: tuple[PurePosixPath, ...] = ()


def _options(text: str) -> dict[str, str]:
    section = text.split("[alembic]", 1)[1] if "[alembic]" in text else ""
    section = re.split(r"^\[", section, maxsplit=1, flags=re.MULTILINE)[0]
    return {m.group("key"): m.group("value") for m in _OPTION.finditer(section)}


def _toml_options(project: Project, path: PurePosixPath) -> dict[str, object]:
    """`[tool.alembic]` of a pyproject.toml (Alembic 1.16+): read after the ini file's own
    options, as Alembic does."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    text = project.text(path)
    if text is None or "alembic" not in text:
        return {}
    try:
        tool = tomllib.loads(text).get("tool", {})
    except (tomllib.TOMLDecodeError, ValueError):
        return {}
    table = tool.get("alembic") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else {}


# Alembic's `path_separator` (or the older `version_path_separator`) values.
_SEPARATORS = {"space": " ", "newline": "\n", "os": ":", ":": ":", ";": ";"}


def _paths(value: object, separator: str | None, legacy: str) -> list[str]:
    """A path list option: a TOML list, or ini text split as Alembic splits it (on the
    configured separator; without one, the legacy split on `legacy`)."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    if not isinstance(value, str):
        return []
    if separator in _SEPARATORS:
        return [v.strip() for v in value.split(_SEPARATORS[separator]) if v.strip()]
    return [v for v in re.split(legacy, value) if v]


def _in_repo(base: PurePosixPath, value: str) -> PurePosixPath | None:
    """`%(here)s/migrations` or `migrations`, from the configuration's directory; None for an
    absolute path or a package resource (`myapp:migrations`)."""
    value = value.replace("%(here)s", ".").strip()
    if not value or value.startswith("/") or ":" in value or "%(" in value:
        return None
    joined = posixpath.normpath(str(base / value))
    return None if joined.startswith("..") else PurePosixPath(joined)


def alembic_setups(project: Project) -> list[AlembicSetup]:
    def collect() -> list[AlembicSetup]:
        configs: list[tuple[PurePosixPath, dict[str, object]]] = []
        for ini in alembic_ini_files(project):
            toml = _toml_options(project, ini.parent / "pyproject.toml")
            configs.append((ini, {**toml, **_options(project.text(ini) or "")}))
        with_ini = {ini.parent for ini, _ in configs}
        for path in project.files(".toml"):
            if path.name == "pyproject.toml" and path.parent not in with_ini:
                toml = _toml_options(project, path)
                if "script_location" in toml:
                    configs.append((path, toml))
        setups = []
        for ini, options in configs:
            base = ini.parent
            location = options.get("script_location", "alembic")
            script_dir = _in_repo(base, location) if isinstance(location, str) else None
            env = script_dir / "env.py" if script_dir is not None else None
            separator = options.get("path_separator", options.get("version_path_separator"))
            separator = separator if isinstance(separator, str) else None
            sys_path = tuple(_paths(options.get("prepend_sys_path", ""), separator, r", *| +|:"))
            located = [
                found
                for v in _paths(options.get("version_locations"), separator, r", *| +")
                if (found := _in_repo(base, v)) is not None
            ]
            if options.get("version_locations") is None and script_dir is not None:
                located = [script_dir / "versions"]
            env = env if env is not None and project.exists(env) else None
            setups.append(AlembicSetup(ini, env, sys_path, tuple(located)))
        return setups

    return project.memo("db-alembic-setups", collect)


def reads_ini_url(project: Project, setup: AlembicSetup) -> bool:
    """True when migrations connect to the ini file's `sqlalchemy.url` (no env.py found counts)."""
    if setup.env is None:
        return True
    text = project.text(setup.env) or ""
    return bool(_READS_INI_URL.search(text)) and not _OVERRIDES_URL.search(text)


def ini_url_in_use(project: Project, ini: PurePosixPath) -> bool:
    return any(reads_ini_url(project, s) for s in alembic_setups(project) if s.ini == ini)


def urls_in_use(project: Project) -> list[FoundUrl]:
    """Database URLs that something reads: placeholders (`.env.example`) and ini URLs that
    env.py replaces are left out, and so are URLs written in a standalone script the Space never
    runs (see `standalone_script`)."""
    return [
        u
        for u in database_urls(project)
        if not u.placeholder
        and (u.origin != "ini" or ini_url_in_use(project, u.path))
        and not (u.origin == "python" and standalone_script(project, u.path))
    ]


_SCRIPT_DIRS = frozenset({"scripts", "script", "tools", "bin", "utils_scripts"})


def standalone_script(project: Project, path: PurePosixPath) -> bool:
    """A Python file someone runs by hand (`python scripts/migrate.py`): it sits in a scripts
    directory or has an `if __name__ == "__main__":` block, the app (found) may never load it,
    no Alembic setup runs it, and the image's start command does not name it. A database URL
    written there cannot stop the Space."""
    from hfdeploy.pysource.import_graph import loadable_modules

    if path.name == "__init__.py":
        return False
    text = project.text(path) or ""
    if not (_SCRIPT_DIRS & {part.lower() for part in path.parts[:-1]}) and not _MAIN_BLOCK.search(
        text
    ):
        return False
    loadable = loadable_modules(project)
    if not loadable or path in loadable:
        return False  # no app found: hfdeploy cannot tell what loads it
    for setup in alembic_setups(project):
        if setup.env is not None and path.is_relative_to(setup.env.parent):
            return False
    from hfdeploy.database.start import image_start

    start = image_start(project)
    if start is not None and (str(path) in start.text or path.stem in start.command):
        return False
    return True


_MAIN_BLOCK = re.compile(r"""^if\s+__name__\s*==\s*["']__main__["']\s*:""", re.MULTILINE)


def revision_files(project: Project, setup: AlembicSetup) -> list[PurePosixPath]:
    """The revision scripts in the setup's version directories (`version_locations`, else
    `versions/` next to its `env.py`)."""
    if setup.env is None or not setup.versions:
        return []
    return [
        p
        for p in project.files(".py")
        if any(p.parent.is_relative_to(v) for v in setup.versions) and p.name != "__init__.py"
    ]
