"""Which file the image installs from, and everything it declares (following `-r`/`-c`).

Shared by every RQ check through `dependency_set(project)`, computed once per snapshot."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.requirements.model import Declared, Include, ParsedFile, SyntaxProblem
from hfdeploy.requirements.pyproject_deps import parse_pyproject
from hfdeploy.requirements.reqfile import parse_requirements_text

if TYPE_CHECKING:
    from hfdeploy.project import Project

REQUIREMENTS = PurePosixPath("requirements.txt")
PYPROJECT = PurePosixPath("pyproject.toml")
# `pip install ... -r FILE` in a Dockerfile RUN line names the file the image installs.
_DOCKER_REQ = re.compile(r"pip3?\s+install\b[^\n]*?\s(?:-r\s*|--requirement[=\s]+)([^\s&;|]+)")
# One `pip install` command of a Dockerfile (continuation lines joined first).
_DOCKER_PIP = re.compile(r"pip3?\s+install\b[^\n&;|]*")
# Index options of pip's command line, as they may follow `pip install ... -r FILE`.
_COMMAND_LINE_INDEX = {"-i": "--index-url", "--index-url": "--index-url", "--extra-index-url": "--extra-index-url",
                       "-f": "--find-links", "--find-links": "--find-links", "--no-index": "--no-index"}
# pip's environment variables for the same options.
_PIP_VARIABLES = {"PIP_INDEX_URL": "--index-url", "PIP_EXTRA_INDEX_URL": "--extra-index-url",
                  "PIP_FIND_LINKS": "--find-links", "PIP_NO_INDEX": "--no-index"}
# Directories whose requirements are never the app's.
_NOT_THE_APP = frozenset({"docs", "doc", "examples", "example", "tests", "test", "scripts", "requirements"})
# Other tools' files we do not read, with what to do about them.
OTHER_FORMATS = {
    "Pipfile": "Pipfile is not read; export it with `pipenv requirements > requirements.txt` "
    "so the image installs the same set",
    "Pipfile.lock": "Pipfile.lock is not read; export it with `pipenv requirements > requirements.txt`",
    "poetry.lock": "poetry.lock is not read; export the locked set with "
    "`poetry export -f requirements.txt -o requirements.txt`",
    "uv.lock": "uv.lock is not read; export the locked set with `uv export --no-hashes -o requirements.txt`",
}


@dataclass
class DependencySet:
    install_file: PurePosixPath | None  # None: the project declares no dependencies
    files: list[ParsedFile] = field(default_factory=list)  # install file first, then includes
    requirements: list[Declared] = field(default_factory=list)  # install set, constraints too
    problems: list[SyntaxProblem] = field(default_factory=list)  # in every requirement file
    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)
    no_index: bool = False
    find_links: list[str] = field(default_factory=list)

    @property
    def direct(self) -> list[Declared]:
        return [r for r in self.requirements if not r.constraint]


def dependency_set(project: Project) -> DependencySet:
    return project.memo("rq-dependency-set", lambda: _collect(project))


def _install_file(project: Project) -> PurePosixPath | None:
    from hfdeploy.requirements.model import LOCK_FILE

    for name in ("Dockerfile", "dockerfile"):
        for m in _DOCKER_REQ.finditer(project.text(name) or ""):
            target = PurePosixPath(m.group(1).strip("'\"").removeprefix("./"))
            # The lock is made from the requirements, never the other way round: an image that
            # installs our lock still declares its dependencies in the file the lock came from.
            if target != LOCK_FILE and project.exists(target):
                return target
    if project.exists(REQUIREMENTS):
        return REQUIREMENTS
    if project.exists(PYPROJECT) and re.search(
        r"^\s*(dependencies\s*=|\[tool\.poetry\.dependencies\])", project.text(PYPROJECT) or "", re.MULTILINE
    ):
        return PYPROJECT
    # A backend in a sub-directory (`backend/requirements.txt` next to `frontend/`): the one
    # such file one level down, when there is exactly one.
    nested = [
        p for p in project.files(".txt")
        if len(p.parts) == 2 and p.name == REQUIREMENTS.name and p.parts[0] not in _NOT_THE_APP
    ]
    return nested[0] if len(nested) == 1 else None


def _command_line_indexes(project: Project, install_file: PurePosixPath) -> ParsedFile:
    """Index options the Dockerfile gives pip for the install file: on the `pip install -r FILE`
    command itself (`--extra-index-url https://download.pytorch.org/whl/cpu`) or as `PIP_*`
    variables set by ENV/ARG (in any stage: an index too many only leaves a pin unchecked)."""
    from hfdeploy.dockerfile.assignments import assignments
    from hfdeploy.dockerfile.parse import parse_dockerfile
    from hfdeploy.requirements.model import LOCK_FILE

    found = ParsedFile(install_file)
    for name in ("Dockerfile", "dockerfile"):
        raw = project.text(name) or ""
        for ins in parse_dockerfile(PurePosixPath(name), raw).instructions if raw else ():
            for pair in assignments(ins) if ins.keyword in ("ENV", "ARG") else ():
                option = _PIP_VARIABLES.get(pair.name)
                for value in (pair.value or "").split() if option else ():
                    _apply_index_option(found, option or "", value)
        text = re.sub(r"\\\r?\n", " ", raw)
        for command in _DOCKER_PIP.finditer(text):
            target = _DOCKER_REQ.search(command.group(0) + " ")
            installs = target and PurePosixPath(target.group(1).strip("'\"").removeprefix("./"))
            if installs not in (install_file, LOCK_FILE):  # the lock is made with the same indexes
                continue
            words = [w.strip("'\"") for w in command.group(0).split()]
            for i, word in enumerate(words):
                option, eq, value = word.partition("=")
                option = _COMMAND_LINE_INDEX.get(option, "")
                if option and option != "--no-index" and not eq:
                    value = words[i + 1] if i + 1 < len(words) else ""
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


def _parse(project: Project, path: PurePosixPath, constraint: bool) -> ParsedFile | None:
    text = project.text(path)
    if text is None:
        return None
    if path.name == "pyproject.toml":
        return parse_pyproject(path, text)
    return parse_requirements_text(path, text, constraint=constraint)


def _collect(project: Project) -> DependencySet:
    deps = DependencySet(_install_file(project))
    seen: set[PurePosixPath] = set()

    def visit(path: PurePosixPath, constraint: bool) -> None:
        seen.add(path)
        parsed = _parse(project, path, constraint)
        if parsed is None:
            return
        deps.files.append(parsed)
        deps.problems.extend(parsed.problems)
        deps.index_url = parsed.index_url or deps.index_url
        deps.extra_index_urls += [u for u in parsed.extra_index_urls if u not in deps.extra_index_urls]
        deps.no_index = deps.no_index or parsed.no_index
        deps.find_links += [u for u in parsed.find_links if u not in deps.find_links]
        # Line order, as pip reads it: an include's requirements come where its line is.
        ordered: list[Declared | Include] = sorted(
            [*parsed.requirements, *parsed.includes], key=lambda item: item.span.start
        )
        for include in ordered:
            if isinstance(include, Declared):
                deps.requirements.append(include)
                continue
            if include.target in seen:
                continue
            if not project.exists(include.target):
                flag = "-c" if include.constraint else "-r"
                deps.problems.append(SyntaxProblem(
                    path, include.span,
                    f"`{flag} {include.target}` names a file that does not exist; "
                    "`pip install -r` stops with \"Could not open requirements file\"",
                ))
                continue
            visit(include.target, constraint or include.constraint)

    if deps.install_file is not None:
        # The command line's options first: those in the files override them, as in pip.
        given = _command_line_indexes(project, deps.install_file)
        deps.index_url, deps.no_index = given.index_url, given.no_index
        deps.extra_index_urls, deps.find_links = given.extra_index_urls, given.find_links
        visit(deps.install_file, False)
    # Other requirement files (dev, test) are read for syntax only: the image does not install them.
    for path in project.files(".txt"):
        if path not in seen and _is_requirements_name(path):
            parsed = _parse(project, path, False)
            if parsed is not None:
                deps.problems.extend(parsed.problems)
    if deps.install_file != PYPROJECT and project.exists(PYPROJECT):
        parsed = _parse(project, PYPROJECT, False)
        if parsed is not None:
            deps.problems.extend(p for p in parsed.problems if "TOML" in p.message)
    return deps


def _is_requirements_name(path: PurePosixPath) -> bool:
    parent = path.parent.name
    return (len(path.parts) == 1 and path.name.startswith("requirements")) or (
        len(path.parts) == 2 and parent in ("requirements", "reqs")
    )
