"""A dependency file and everything it includes (`-r`/`-c`), parsed as pip reads it: the walk
shared by the dependency set (`declared.py`) and the image model, which asks it for a file the
image installs without depending on the dependency set."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.requirements.model import Declared, Include, ParsedFile, SyntaxProblem
from hfdeploy.requirements.pyproject_deps import parse_pyproject
from hfdeploy.requirements.reqfile import parse_requirements_text

if TYPE_CHECKING:
    from hfdeploy.project import Project


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


def parse_file(project: Project, path: PurePosixPath, constraint: bool) -> ParsedFile | None:
    text = project.text(path)
    if text is None:
        return None
    if path.name == "pyproject.toml":
        return parse_pyproject(path, text)
    return parse_requirements_text(path, text, constraint=constraint)


def follow(project: Project, deps: DependencySet, start: PurePosixPath) -> set[PurePosixPath]:
    """Read `start` and its includes into `deps`, in pip's order; the files visited."""
    seen: set[PurePosixPath] = set()

    def visit(path: PurePosixPath, constraint: bool) -> None:
        seen.add(path)
        parsed = parse_file(project, path, constraint)
        if parsed is None:
            return
        deps.files.append(parsed)
        deps.problems.extend(parsed.problems)
        deps.index_url = parsed.index_url or deps.index_url
        deps.extra_index_urls += [
            u for u in parsed.extra_index_urls if u not in deps.extra_index_urls
        ]
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
                deps.problems.append(
                    SyntaxProblem(
                        path,
                        include.span,
                        f"`{flag} {include.target}` names a file that does not exist; "
                        '`pip install -r` stops with "Could not open requirements file"',
                    )
                )
                continue
            visit(include.target, constraint or include.constraint)

    visit(start, False)
    return seen


def read_file_set(project: Project, path: PurePosixPath) -> DependencySet:
    """`path` and its includes alone, without the index options a Dockerfile adds."""
    deps = DependencySet(path)
    follow(project, deps, path)
    return deps
