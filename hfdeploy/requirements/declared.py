"""Which file the image installs from, and everything it declares (following `-r`/`-c`).

Shared by every RQ check through `dependency_set(project)`, computed once per snapshot."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.requirements.depfile import DependencySet as DependencySet
from hfdeploy.requirements.depfile import follow, parse_file
from hfdeploy.requirements.model import ParsedFile

if TYPE_CHECKING:
    from hfdeploy.project import Project

REQUIREMENTS = PurePosixPath("requirements.txt")
PYPROJECT = PurePosixPath("pyproject.toml")
# Other tools' files we do not read, with what to do about them.
OTHER_FORMATS = {
    "Pipfile": "Pipfile is not read; export it with `pipenv requirements > requirements.txt` "
    "so the image installs the same set",
    "Pipfile.lock": "Pipfile.lock is not read; export it with `pipenv requirements > requirements.txt`",
    "poetry.lock": "poetry.lock is not read; export the locked set with "
    "`poetry export -f requirements.txt -o requirements.txt`",
    "uv.lock": "uv.lock is not read; export the locked set with `uv export --no-hashes -o requirements.txt`",
}


def dependency_set(project: Project) -> DependencySet:
    return project.memo("rq-dependency-set", lambda: _collect(project))


def _install_file(project: Project) -> PurePosixPath | None:
    """The file the image installs the app's dependencies from, as the image model reads the
    Dockerfile (or the generated one): hfdeploy's own lock is made from it, never the reverse."""
    from hfdeploy.image import image

    return image(project).declared_file()


def _command_line_indexes(project: Project, install_file: PurePosixPath) -> ParsedFile:
    """Index options the Dockerfile gives pip for the install file: on the `pip install -r FILE`
    command itself (`--extra-index-url https://download.pytorch.org/whl/cpu`) or as `PIP_*`
    variables set by ENV/ARG (in any stage: an index too many only leaves a pin unchecked)."""
    from hfdeploy.image import image

    found = ParsedFile(install_file)
    for option, value in image(project).index_options(install_file):
        _apply_index_option(found, option, value)
    return found


def _apply_index_option(found: ParsedFile, option: str, value: str) -> None:
    if option == "--no-index":
        found.no_index = found.no_index or value.lower() not in ("0", "false", "no", "off")
    elif option == "--index-url" and value:
        found.index_url = value
    elif option == "--extra-index-url" and value:
        found.extra_index_urls.append(value)
    elif option == "--find-links" and value:
        found.find_links.append(value)


def _collect(project: Project) -> DependencySet:
    deps = DependencySet(_install_file(project))
    if deps.install_file is not None:
        # The command line's options first: those in the files override them, as in pip.
        given = _command_line_indexes(project, deps.install_file)
        deps.index_url, deps.no_index = given.index_url, given.no_index
        deps.extra_index_urls, deps.find_links = given.extra_index_urls, given.find_links
        seen = follow(project, deps, deps.install_file)
    else:
        seen = set()
    # Other requirement files (dev, test) are read for syntax only: the image does not install them.
    for path in project.files(".txt"):
        if path not in seen and _is_requirements_name(path):
            parsed = parse_file(project, path, False)
            if parsed is not None:
                deps.problems.extend(parsed.problems)
    if deps.install_file != PYPROJECT and project.exists(PYPROJECT):
        parsed = parse_file(project, PYPROJECT, False)
        if parsed is not None:
            deps.problems.extend(p for p in parsed.problems if "TOML" in p.message)
    return deps


def _is_requirements_name(path: PurePosixPath) -> bool:
    parent = path.parent.name
    return (len(path.parts) == 1 and path.name.startswith("requirements")) or (
        len(path.parts) == 2 and parent in ("requirements", "reqs")
    )
