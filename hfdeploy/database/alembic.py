"""Alembic's pieces: the ini file's `script_location`, its `env.py`, and whether that `env.py`
migrates the URL written in the ini file or one the code supplies."""

from __future__ import annotations

import re
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
    ini: PurePosixPath
    env: PurePosixPath | None  # None when script_location names no env.py we can find
    sys_path: tuple[str, ...]  # `prepend_sys_path` entries (relative to where alembic runs)


def _options(text: str) -> dict[str, str]:
    section = text.split("[alembic]", 1)[1] if "[alembic]" in text else ""
    section = re.split(r"^\[", section, maxsplit=1, flags=re.MULTILINE)[0]
    return {m.group("key"): m.group("value") for m in _OPTION.finditer(section)}


def alembic_setups(project: Project) -> list[AlembicSetup]:
    def collect() -> list[AlembicSetup]:
        setups = []
        for ini in alembic_ini_files(project):
            options = _options(project.text(ini) or "")
            location = options.get("script_location", "alembic").replace("%(here)s/", "")
            env = ini.parent / location / "env.py"
            sys_path = tuple(
                p for p in re.split(r"[\s:;]+", options.get("prepend_sys_path", "")) if p
            )
            setups.append(AlembicSetup(ini, env if project.exists(env) else None, sys_path))
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
    """The revision scripts in the setup's `versions` directory (next to its `env.py`)."""
    if setup.env is None:
        return []
    versions = setup.env.parent / "versions"
    return [
        p
        for p in project.files(".py")
        if p.parent.is_relative_to(versions) and p.name != "__init__.py"
    ]
