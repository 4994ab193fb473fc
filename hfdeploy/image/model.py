"""One model of the image a Space builds, computed once per project snapshot (`image(project)`).

A Space builds the LAST stage of the root `Dockerfile`; earlier stages only as far as that
stage builds on them (`FROM builder`) or copies from them (`COPY --from=builder`). Where the
repository has no usable Dockerfile, the model is the image `fix` would generate
(templates/Dockerfile.j2): the user `user` (uid 1000) installing with `pip --user` into
`/home/user/.local`, which is on PATH, from the source the generator picks.

Every domain asks it questions instead of re-reading the Dockerfile:
`installs` (each install step, with what it installs and where), `declared_file()`,
`distributions()`, `importable(module)`, `visibility(step)`, `server_visibility()`,
`in_context(path)`, `copied(path)`, `can_write(directory)`, `tool_lock()`."""

from __future__ import annotations

import ast
import fnmatch
import itertools
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hfdeploy.dockerfile.parse import Dockerfile, Instruction, Stage
from hfdeploy.dockerfile.shell import Word, commands, expand, split_words
from hfdeploy.dockerfile.stage import (
    Runtime,
    build_runtime,
    is_root,
    run_commands_env,
    runtime,
    strip_prefix,
)
from hfdeploy.image.installs import InstallStep, StageState, home_of, read_command, venv_on_path
from hfdeploy.space import APP_DIR, DATA_DIR

if TYPE_CHECKING:
    from hfdeploy.project import Project

REQUIREMENTS = PurePosixPath("requirements.txt")
PYPROJECT = PurePosixPath("pyproject.toml")
LOCK = PurePosixPath("requirements.lock")  # hfdeploy's own lock (RQ009)
GENERATED_USER = "user"
GENERATED_HOME = "/home/user"
# pip's environment variables for its index options.
_PIP_VARIABLES = {
    "PIP_INDEX_URL": "--index-url",
    "PIP_EXTRA_INDEX_URL": "--extra-index-url",
    "PIP_FIND_LINKS": "--find-links",
    "PIP_NO_INDEX": "--no-index",
}
# Directories whose requirements are never the app's.
_NOT_THE_APP = frozenset(
    {"docs", "doc", "examples", "example", "tests", "test", "scripts", "requirements"}
)


@dataclass(frozen=True)
class Source:
    """A dependency source the image installs: what to read for its distributions."""

    kind: str  # "requirements", "lock" (requirements.lock), "pyproject", "poetry", "uv", "pdm", "pipenv", "setup"
    path: PurePosixPath | None


@dataclass(frozen=True)
class Visibility:
    """Whether what an install step installed is there for the runtime user of the final stage."""

    importable: bool | None  # None: hfdeploy cannot tell
    on_path: bool | None  # its console scripts (`uvicorn`) are on the runtime user's PATH
    reason: str = ""  # why not, for messages


@dataclass(frozen=True)
class Distributions:
    names: frozenset[str]  # canonical names and `name[extra]` forms
    complete: bool  # every install read, transitive ones included (a lock)
    readable: bool  # False: some install step installs what hfdeploy cannot name


@dataclass
class Image:
    project: Project
    generated: bool
    dockerfile: Dockerfile | None
    runtime: Runtime | None  # the final stage's view (None when generated)
    stages: tuple[Stage, ...]  # the stages that are built, in file order
    installs: tuple[InstallStep, ...]
    user: str
    env: dict[str, str]
    workdir: str
    venvs: frozenset[str] = frozenset()
    generated_source: Source | None = None  # the source `fix` would install (generated image)
    _per_install: dict[int, tuple[frozenset[str], bool]] = field(default_factory=dict)

    # -- stages ---------------------------------------------------------------------------
    @property
    def final_stage(self) -> Stage | None:
        return self.dockerfile.final_stage if self.dockerfile is not None else None

    def in_final_chain(self, install: InstallStep) -> bool:
        if install.stage is None or self.dockerfile is None:
            return True
        return install.stage in self.dockerfile.chain()

    @property
    def home(self) -> str:
        return home_of(self.user, self.env)

    # -- build context --------------------------------------------------------------------
    def in_context(self, path: str, *, is_dir: bool = False) -> bool:
        """Whether `path` (relative to the repository) exists and `.dockerignore` keeps it."""
        from hfdeploy.dockerfile.dockerignore import rules

        path = posixpath.normpath(path).lstrip("/")
        if path in (".", ""):
            return True
        exists = self.project.exists(path) or os.path.isdir(os.path.join(self.project.root, path))
        if not exists:
            return False
        ignore = rules(self.project)
        if ignore is None:
            return True
        directory = is_dir or os.path.isdir(os.path.join(self.project.root, path))
        if not ignore.ignored(path, is_dir=directory):
            return True
        # A directory excluded as a whole may have files re-included by `!pattern`.
        return directory and any(
            str(f).startswith(path + "/") and not ignore.ignored(str(f))
            for f in self.project.files()
        )

    def context_matches(self, source: str) -> list[str]:
        """The context paths a COPY source names (a glob may name several), dockerignored
        ones left out."""
        source = posixpath.normpath(source).lstrip("/")
        if not any(c in source for c in "*?["):
            return [source] if self.in_context(source) else []
        found = {str(f) for f in self.project.files()}
        found |= {e.rstrip("/") for e in self.project.disk_entries()}
        depth = source.count("/")
        matched = []
        for name in sorted(found):
            head = "/".join(name.split("/")[: depth + 1])
            if fnmatch.fnmatchcase(head, source) and head not in matched and self.in_context(head):
                matched.append(head)
        return matched

    def context_matches_ignoring_dockerignore(self, source: str) -> list[str]:
        """The repository paths a COPY source names, `.dockerignore` aside."""
        source = posixpath.normpath(source).lstrip("/")
        if source in (".", ""):
            return ["."]
        root = self.project.root
        if not any(c in source for c in "*?["):
            exists = self.project.exists(source) or os.path.isdir(os.path.join(root, source))
            return [source] if exists else []
        found = {str(f) for f in self.project.files()} | {
            e.rstrip("/") for e in self.project.disk_entries()
        }
        depth = source.count("/")
        return sorted(
            {
                "/".join(n.split("/")[: depth + 1])
                for n in found
                if fnmatch.fnmatchcase("/".join(n.split("/")[: depth + 1]), source)
            }
        )

    def install_reading_copy(self, stage: Stage, ins: Instruction) -> InstallStep | None:
        """The install step that reads, as a requirements file (`pip install -r FILE`), the one
        file the COPY/ADD `ins` of `stage` puts in the image; None when no step does."""
        if self.dockerfile is None:
            return None
        words = [w.value for w in ins.words()]
        if len(words) != 2:
            return None
        source, dest = words
        view = build_runtime(self.dockerfile, stage)
        step = next((s for s in view.steps if s.ins is ins), None)
        if step is None:
            return None
        target = posixpath.normpath(posixpath.join(step.workdir, dest))
        if dest.endswith("/") or dest in (".", "./"):
            target = posixpath.join(target, posixpath.basename(source.rstrip("/")))
        chain = self.dockerfile.chain(stage)
        after = False
        for later in view.steps:
            after = after or later.ins is ins
            if not after:
                continue
            for install in self.installs:
                if install.step is None or install.step.ins is not later.ins:
                    continue
                if install.stage is not None and install.stage not in chain:
                    continue
                for written in install.requirement_files:
                    full = posixpath.normpath(posixpath.join(later.workdir, written))
                    if full == target:
                        return install
        return None

    def copied(self, path: str) -> bool:
        """Whether the repository file `path` ends up in the final stage (a COPY/ADD from the
        build context brings it, and `.dockerignore` does not stop it)."""
        if self.generated:
            return self.in_context(path)
        from hfdeploy.dockerfile.copies import copies

        if self.runtime is None or not self.in_context(path):
            return False
        return any(c.brings(path) for c in copies(self.runtime))

    def container_path(self, path: str) -> str | None:
        """Where the repository file `path` is in the final image: the last COPY/ADD from the
        build context that brings it decides (None when none does)."""
        if self.generated:
            return posixpath.join(APP_DIR, path) if self.in_context(path) else None
        from hfdeploy.dockerfile.copies import copies

        if self.runtime is None or not self.in_context(path):
            return None
        name = posixpath.basename(path)
        for copy in reversed(copies(self.runtime)):
            if not copy.brings(path):
                continue
            for src in copy.sources:
                directory = src.rstrip("/")
                if src == ".":
                    return posixpath.join(copy.dest, path)
                if path.startswith(directory + "/"):
                    return posixpath.join(copy.dest, path[len(directory) + 1 :])
                if path == src and posixpath.basename(copy.dest) == name:
                    return copy.dest  # `COPY alembic.ini /app/alembic.ini`
            return posixpath.join(copy.dest, name)  # a file (or glob) into a directory
        return None

    def can_write(self, directory: str) -> bool | None:
        """Whether the runtime user can create files in `directory` (an absolute path). A Space
        runs the container as uid 1000 whatever `USER` says; who that user can write is the
        Dockerfile domain's answer (`hfdeploy.dockerfile.writable`), asked here."""
        directory = posixpath.normpath(directory)
        if self.generated:
            return directory == APP_DIR or directory.startswith(
                (APP_DIR + "/", GENERATED_HOME + "/")
            )
        if self.runtime is None:
            return None
        from hfdeploy.dockerfile.writable import image_user

        user = image_user(self.project)
        return None if user is None else user.can_write(directory)

    # -- what is installed ----------------------------------------------------------------
    def tool_lock(self) -> str | None:
        """ "poetry", "uv", "pdm" or "pipenv" when the image installs that tool's lock."""
        for install in self.installs:
            if install.lock_tool:
                return install.lock_tool
        return None

    def enforces_requires_python(self) -> bool:
        """Whether some install step checks pyproject's `requires-python` against the image's
        Python (pip building the project, `poetry install`, `uv sync`, `pdm install`); pip
        installing requirement files never does."""
        return any(
            i.tool in ("poetry install", "uv sync", "pdm install", "pdm sync")
            or (i.project is not None and any(s.kind == "pyproject" for s in self.sources(i)))
            for i in self.installs
        )

    def repo_file(self, install: InstallStep, container_path: str) -> PurePosixPath | None:
        """The repository file a path an install step reads most likely came from."""
        if install.step is None:
            candidate = posixpath.normpath(container_path).lstrip("/")
            return PurePosixPath(candidate) if self.project.exists(candidate) else None
        return _repo_path(self.project, self.dockerfile, install, container_path)

    def sources(self, install: InstallStep) -> list[Source]:
        """What one install step reads its packages from."""
        out: list[Source] = []
        if install.lock_tool:
            out.append(Source(install.lock_tool, _tool_lock_path(install.lock_tool)))
        for written in install.requirement_files:
            path = self.repo_file(install, written)
            if path is not None:
                out.append(Source("lock" if path == LOCK else "requirements", path))
        if install.project is not None and not install.lock_tool:
            base = (
                self.repo_file(install, install.project)
                if install.project not in (".", "./")
                else None
            )
            root = (
                base if base is not None and not self.project.exists(base) else PurePosixPath(".")
            )
            if install.project in (".", "./") and install.step is not None:
                root = _project_dir(self.project, self.dockerfile, install)
            pyproject = root / "pyproject.toml"
            if self.project.exists(pyproject):
                out.append(Source("pyproject", pyproject))
            for name in ("setup.py", "setup.cfg"):
                if self.project.exists(root / name):
                    out.append(Source("setup", root / name))
        return out

    def all_sources(self) -> list[Source]:
        seen: list[Source] = []
        for install in self.installs:
            for source in self.sources(install):
                if source not in seen:
                    seen.append(source)
        return seen

    def installs_file(self, path: PurePosixPath | str) -> bool:
        path = PurePosixPath(path)
        return any(s.path == path for s in self.all_sources())

    def declared_file(self) -> PurePosixPath | None:
        """The file that declares the app's dependencies as the image installs them: the
        requirements file a step installs (hfdeploy's lock aside: it is made from this file),
        pyproject.toml when the project itself or a tool lock is installed, else the file the
        generated image would install."""
        for source in self.all_sources():
            if source.kind == "requirements" and source.path is not None:
                return source.path
        if any(s.kind == "lock" for s in self.all_sources()):
            made_from = _lock_made_from(self.project)
            if made_from is not None:
                return made_from
        for source in self.all_sources():
            if source.kind in ("pyproject", "poetry", "uv", "pdm") and self.project.exists(
                PYPROJECT
            ):
                from hfdeploy.requirements.tool_locks import pyproject_facts

                if pyproject_facts(self.project).declares:
                    return PYPROJECT
        return default_declared_file(self.project)

    def index_options(self, path: PurePosixPath) -> list[tuple[str, str]]:
        """pip index options (`--index-url`, `--extra-index-url`, `--find-links`,
        `--no-index`) the image gives the install of `path` (or of hfdeploy's lock made from
        it): `PIP_*` variables set by ENV/ARG in any stage, then the command line's."""
        from hfdeploy.dockerfile.assignments import assignments

        out: list[tuple[str, str]] = []
        if self.dockerfile is None:
            return out
        for ins in self.dockerfile.instructions:
            for pair in assignments(ins) if ins.keyword in ("ENV", "ARG") else ():
                option = _PIP_VARIABLES.get(pair.name)
                for value in (pair.value or "").split() if option else ():
                    out.append((option or "", value))
        for install in self.installs:
            if any(s.path in (path, LOCK) for s in self.sources(install)):
                out.extend(install.index_options)
        return out

    def install_distributions(self, install: InstallStep) -> tuple[frozenset[str], bool]:
        """(canonical names, complete) of what one install step installs."""
        key = id(install)
        if key not in self._per_install:
            self._per_install[key] = self._read_install(install)
        return self._per_install[key]

    def _read_install(self, install: InstallStep) -> tuple[frozenset[str], bool]:
        from hfdeploy.requirements.tool_locks import (
            locked_distributions,
            pipenv_locked_distributions,
        )

        names: set[str] = set()
        complete = install.readable
        for text in install.packages:
            _add(names, text)
        if install.packages:
            complete = False  # their dependencies are not listed
        for source in self.sources(install):
            if source.kind in ("poetry", "uv", "pdm"):
                locked = locked_distributions(self.project, source.kind)
                if locked is not None:
                    names |= locked
                    if self.project.exists(PYPROJECT):  # the extras asked for (`fastapi[standard]`)
                        names |= _read_source(self.project, Source("pyproject", PYPROJECT))[0]
                    continue
                complete = False
                source = Source("pyproject", PYPROJECT)
            if source.kind == "pipenv":
                pinned = pipenv_locked_distributions(self.project)
                if pinned is None:
                    complete = False
                else:
                    names |= pinned  # the whole resolved set, dependencies included
                continue
            if source.path is None:
                complete = False
                continue
            found, full = _read_source(self.project, source)
            names |= found
            if source.kind == "requirements" and self._fresh_lock_of(source.path):
                # hfdeploy's lock, made from this very file for this Python, is what pip
                # resolves it to: its names are the transitive set (not what decides versions).
                names |= _read_source(self.project, Source("lock", LOCK))[0]
                full = True
            complete = complete and full
            if source.kind == "lock":
                # Made from the declared file; a stale lock (RQ009 remakes it) may lag behind.
                declared = _lock_made_from(self.project) or default_declared_file(self.project)
                if declared is not None and declared.suffix == ".txt":
                    names |= _read_source(self.project, Source("requirements", declared))[0]
        if install.requirement_files and not any(self.sources(install)):
            complete = False  # a file from somewhere hfdeploy cannot follow
        return frozenset(names), complete

    def _fresh_lock_of(self, path: PurePosixPath) -> bool:
        if not self.project.exists(LOCK) or path != (
            _lock_made_from(self.project) or default_declared_file(self.project)
        ):
            return False
        from hfdeploy.requirements.depfile import read_file_set
        from hfdeploy.requirements.lock_header import inputs_of, recorded_digest
        from hfdeploy.target import target_python

        declared = read_file_set(self.project, path)
        if not declared.direct:
            return False
        digest = inputs_of(declared.requirements, target_python(self.project).version).digest
        return recorded_digest(self.project.text(LOCK) or "") == digest

    def distributions(self) -> Distributions:
        names: set[str] = set()
        complete = True
        readable = True
        for install in self.installs:
            found, full = self.install_distributions(install)
            names |= found
            complete = complete and full
            readable = readable and install.readable and self._followed(install)
        if not self.installs and not self.generated:
            readable = False  # nothing hfdeploy recognises installs the app's packages (a script?)
        return Distributions(frozenset(names), complete and bool(self.installs), readable)

    def _followed(self, install: InstallStep) -> bool:
        """Every file the step installs from was traced to the repository."""
        if install.lock_tool == "pipenv":
            from hfdeploy.requirements.tool_locks import pipenv_locked_distributions

            return pipenv_locked_distributions(self.project) is not None
        if install.lock_tool is not None:
            lock = _tool_lock_path(install.lock_tool)
            return (lock is not None and self.project.exists(lock)) or self.project.exists(
                PYPROJECT
            )
        return all(self.repo_file(install, f) is not None for f in install.requirement_files)

    def importable(self, module: str) -> bool | None:
        """Whether top-level module `module` is importable in the image: True, False, or None
        when the image installs something hfdeploy cannot name."""
        from hfdeploy.requirements.providers import closure, provided

        dists = self.distributions()
        if provided(module, closure(dists.names)):
            return True
        return None if not dists.readable else False

    # -- where it is installed ------------------------------------------------------------
    def visibility(self, install: InstallStep) -> Visibility:
        """Whether the runtime user of the final stage sees what `install` installed."""
        location = install.location
        if not self.in_final_chain(install):
            copied = self._copied_from(install)
            if copied is None:
                where = (
                    location.split(":", 1)[-1] if ":" in location else "the system site-packages"
                )
                name = (
                    install.stage.name
                    if install.stage and install.stage.name
                    else str(install.stage.index if install.stage else "?")
                )
                return Visibility(
                    False,
                    False,
                    f"it is installed only in stage `{name}` ({where}), "
                    "which the final stage does not copy",
                )
            location = copied
        if (
            install.poetry_user_config
            and install.step is not None
            and is_root(install.step.user)
            and self._launched_through_venv("/nonexistent-poetry-venv")  # `poetry run ...`
        ):
            return Visibility(
                False,
                False,
                "`poetry config virtualenvs.create false` ran as root, so it is root's setting "
                "only: `poetry run` as uid 1000, the user a Space runs, ignores it and tries to "
                "create a virtualenv of its own",
            )
        if (
            location == "other:poetry-cache-venv"
            and install.step is not None
            and is_root(install.step.user)
        ):
            # Poetry keeps that virtualenv under root's cache; a Space runs uid 1000, whose
            # `poetry run` looks in its own cache, finds none and tries to create one.
            return Visibility(
                False,
                False,
                "`poetry install` ran as root and put it in a virtualenv "
                "under root's cache (virtualenvs.create is not false), which uid 1000, "
                "the user a Space runs, cannot use, even through `poetry run`",
            )
        return self._visible_at(location)

    def _visible_at(self, location: str) -> Visibility:
        kind, _, where = location.partition(":")
        path_entries = [
            posixpath.normpath(p) for p in self.env.get("PATH", _DEFAULT_PATH).split(":") if p
        ]
        if kind == "system":
            return Visibility(True, any(p in ("/usr/local/bin", "/usr/bin") for p in path_entries))
        if kind in ("user", "venv") and (
            self.env.get("PYTHONPATH") or self.env.get("PYTHONUSERBASE")
        ):
            return Visibility(None, None)  # the environment points Python elsewhere
        if kind == "user":
            home = self.home
            if where != home:
                readable = where != "/root" or is_root(self.user)
                why = (
                    f"it is installed with `--user` into {where}/.local, but the runtime user "
                    f"`{self.user}` has HOME {home}"
                    + ("" if readable else " and cannot read /root")
                )
                return Visibility(False, False, why)
            return Visibility(True, f"{home}/.local/bin" in path_entries)
        if kind == "venv":
            on_path = f"{where}/bin" in path_entries
            if on_path and venv_on_path(self.env, set(self.venvs) | {where}) == where:
                return Visibility(True, True)
            if self._launched_through_venv(where):
                return Visibility(True, True)
            return Visibility(
                False,
                on_path,
                f"it is installed in the virtualenv {where}, whose bin "
                "directory is not on the runtime PATH",
            )
        if location == "other:poetry-cache-venv":
            if self._launched_through_venv("/nonexistent-poetry-venv"):  # `poetry run ...`
                return Visibility(True, True)
            return Visibility(
                False,
                False,
                "`poetry install` put it in a virtualenv of its own under "
                "the installing user's cache (virtualenvs.create is not false), and the "
                "start command does not go through `poetry run`",
            )
        return Visibility(None, None)

    def _launched_through_venv(self, venv: str) -> bool:
        """The start command names the venv's programs or runs through a launcher."""
        if self.runtime is None:
            return False
        for keyword in ("ENTRYPOINT", "CMD"):
            step = self.runtime.last(keyword)
            if step is None:
                continue
            words = [w.value for w in step.ins.words()]
            # `.venv/bin/python` names the venv relative to the directory the command starts in
            named = [_image_path(posixpath.join(step.workdir, w)) for w in words if "/bin/" in w]
            if any(w.startswith(venv + "/bin/") for w in named):
                return True
            for first, second in itertools.pairwise(words):
                if (
                    posixpath.basename(first) in ("uv", "poetry", "pdm", "pipenv")
                    and second == "run"
                ):
                    return True
        return False

    def _copied_from(self, install: InstallStep) -> str | None:
        """The location in the final stage when a `COPY --from=<stage>` brings the install's
        files over (`/opt/venv`, `/root/.local`, `/usr/local`), else None."""
        if self.runtime is None or install.stage is None:
            return None
        kind, _, where = install.location.partition(":")
        if kind == "system":
            roots = ["/usr/local", "/usr/local/lib"]
        elif kind == "user":
            roots = [f"{where}/.local", where]
        elif kind in ("venv", "other"):
            roots = [where]
        else:
            return None
        names = {str(install.stage.index)} | (
            {install.stage.name.lower()} if install.stage.name else set()
        )
        for step in self.runtime.steps:
            flag = step.ins.flag("from") if step.ins.keyword == "COPY" else None
            if flag is None or (flag.value or "").lower() not in names:
                continue
            words = [w.value for w in step.ins.words()]
            if len(words) < 2:
                continue
            *sources, dest = words
            dest = _image_path(posixpath.join(step.workdir, expand(dest, step.env)))
            for src in sources:
                src = _image_path(expand(src, step.env))
                for root in roots:
                    if (
                        root == src
                        or root.startswith(src.rstrip("/") + "/")
                        or src.startswith(root + "/")
                    ):
                        moved = dest + root[len(src) :] if root.startswith(src) else dest
                        if kind == "user":
                            home = moved.removesuffix("/.local")
                            return f"user:{home}"
                        if kind == "system":
                            return "system"
                        return f"{kind}:{moved}"
        return None

    def server_visibility(
        self, wanted: frozenset[str]
    ) -> tuple[list[InstallStep], Visibility | None]:
        """The install steps that install any of `wanted` (distribution names or `name[extra]`),
        and the best visibility among them for the runtime user (None when none installs it)."""
        steps = [i for i in self.installs if self.install_distributions(i)[0] & wanted]
        best: Visibility | None = None
        for install in steps:
            seen = self.visibility(install)
            if best is None or _rank(seen) > _rank(best):
                best = seen
        return steps, best


_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _rank(v: Visibility) -> int:
    return {True: 2, None: 1, False: 0}[v.importable] * 3 + {True: 2, None: 1, False: 0}[v.on_path]


def _add(names: set[str], text: str) -> None:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return
    key = canonicalize_name(req.name)
    names.add(str(key))
    names.update(f"{key}[{canonicalize_name(e)}]" for e in req.extras)


def _lock_made_from(project: Project) -> PurePosixPath | None:
    """The file hfdeploy's lock was resolved from (its header says), when it still exists."""
    from hfdeploy.requirements.lock_header import recorded_source

    made_from = recorded_source(project.text(LOCK) or "")
    return made_from if made_from is not None and project.exists(made_from) else None


def _tool_lock_path(tool: str) -> PurePosixPath | None:
    from hfdeploy.requirements.tool_locks import TOOL_LOCKS

    if tool == "pipenv":
        return PurePosixPath("Pipfile.lock")
    return TOOL_LOCKS.get(tool)


def _read_source(project: Project, source: Source) -> tuple[frozenset[str], bool]:
    """Distributions a requirements file (with its -r/-c includes), pyproject.toml or setup.py
    names; complete only for a fully pinned lock."""
    from hfdeploy.requirements.depfile import read_file_set

    assert source.path is not None
    names: set[str] = set()
    if source.kind == "setup":
        names |= _setup_requires(project, source.path)
        return frozenset(names), False
    for req in read_file_set(project, source.path).direct:
        names.add(str(req.key))
        names.update(f"{req.key}[{canonicalize_name(e)}]" for e in req.extras)
    return frozenset(names), source.kind == "lock"


def setup_reads(project: Project, setup: PurePosixPath) -> list[tuple[str, int]]:
    """Files `setup.py` opens at build time (`open("requirements.txt")`), with their line."""
    tree = project.python_ast(setup)
    if tree is None:
        return []
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else ""
        )
        if name not in (
            "open",
            "Path",
            "read_text",
            "parse_requirements",
            "read",
            "load_requirements",
        ):
            continue
        for arg in node.args:
            if (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and "." in arg.value
                and not arg.value.endswith(".py")
                and "/" not in arg.value.strip("./")
            ):
                found.append((arg.value.removeprefix("./"), node.lineno))
    return found


def _setup_requires(project: Project, setup: PurePosixPath) -> set[str]:
    names: set[str] = set()
    if setup.name == "setup.py":
        tree = project.python_ast(setup)
        for node in ast.walk(tree) if tree is not None else ():
            if (
                isinstance(node, ast.keyword)
                and node.arg == "install_requires"
                and isinstance(node.value, (ast.List, ast.Tuple))
            ):
                for item in node.value.elts:
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        _add(names, item.value)
        for read, _line in setup_reads(project, setup):
            if read.endswith((".txt", ".in")):
                found, _ = _read_source(project, Source("requirements", setup.parent / read))
                names |= found
    return names


def _project_dir(
    project: Project, dockerfile: Dockerfile | None, install: InstallStep
) -> PurePosixPath:
    """The repository directory `pip install .` (or `uv sync`) builds: the directory copied to
    the step's working directory, the root by default."""
    found = _repo_path(project, dockerfile, install, "pyproject.toml") or _repo_path(
        project, dockerfile, install, "setup.py"
    )
    return found.parent if found is not None else PurePosixPath(".")


def _repo_path(
    project: Project, dockerfile: Dockerfile | None, install: InstallStep, container_path: str
) -> PurePosixPath | None:
    step = install.step
    if step is None or dockerfile is None or install.stage is None:
        return None
    full = posixpath.normpath(posixpath.join(step.workdir, container_path))
    candidates: list[str] = []
    rt = build_runtime(dockerfile, install.stage)
    for earlier in rt.steps:
        if earlier.ins is step.ins:
            break
        if earlier.ins.keyword not in ("COPY", "ADD") or earlier.ins.flag("from") is not None:
            continue
        words = [w.value for w in earlier.ins.words()]
        if len(words) < 2:
            continue
        *sources, dest = words
        dest_full = posixpath.normpath(posixpath.join(earlier.workdir, dest))
        for src in sources:
            src = posixpath.normpath(src).lstrip("/") or "."
            if dest_full == full and src != ".":
                candidates.append(src)
            elif full.startswith(dest_full.rstrip("/") + "/"):
                rel = full[len(dest_full.rstrip("/")) + 1 :]
                if src == ".":
                    candidates.append(rel)
                elif posixpath.basename(src) == rel:
                    candidates.append(src)
                else:
                    candidates.append(f"{src}/{rel}")
    candidates.reverse()  # the latest COPY wins
    if full.startswith(step.workdir.rstrip("/") + "/"):
        candidates.append(full[len(step.workdir.rstrip("/")) + 1 :])
    candidates.append(full.lstrip("/"))
    for candidate in candidates:
        if candidate and not candidate.startswith("..") and project.exists(candidate):
            return PurePosixPath(candidate)
    return None


def built_stages(dockerfile: Dockerfile) -> list[Stage]:
    """The final stage, the stages it builds on, and those any of them copies from."""
    by_name = {s.name.lower(): s for s in dockerfile.stages if s.name}
    wanted: list[Stage] = []
    pending = list(dockerfile.chain())
    while pending:
        stage = pending.pop()
        if stage in wanted:
            continue
        wanted.append(stage)
        pending.extend(dockerfile.chain(stage))
        for ins in stage.instructions:
            flag = ins.flag("from") if ins.keyword in ("COPY", "ADD") else None
            if flag is None or not flag.value:
                continue
            value = flag.value.lower()
            other = by_name.get(value) or (
                dockerfile.stages[int(value)]
                if value.isdigit() and int(value) < len(dockerfile.stages)
                else None
            )
            if other is not None:
                pending.append(other)
    return sorted(wanted, key=lambda s: s.index)


def default_declared_file(project: Project) -> PurePosixPath | None:
    """The file the generated image would install from: `requirements.txt`, else a
    `pyproject.toml` that declares dependencies, else the one `<dir>/requirements.txt`."""
    from hfdeploy.requirements.tool_locks import project_tool, pyproject_facts

    facts = pyproject_facts(project)
    if project_tool(project) in ("poetry", "uv", "pdm") and facts.declares:
        return PYPROJECT
    if project.exists(REQUIREMENTS):
        return REQUIREMENTS
    if facts.declares:
        return PYPROJECT
    nested = [
        p
        for p in project.files(".txt")
        if len(p.parts) == 2 and p.name == REQUIREMENTS.name and p.parts[0] not in _NOT_THE_APP
    ]
    return nested[0] if len(nested) == 1 else None


def generated_source(project: Project) -> Source | None:
    """What the Dockerfile `fix` generates installs: the project's tool lock (uv, Poetry, PDM),
    else hfdeploy's `requirements.lock`, else the declared file."""
    from hfdeploy.requirements.tool_locks import TOOL_LOCKS, project_tool

    tool = project_tool(project)
    if tool in ("poetry", "uv", "pdm"):
        return Source(tool, TOOL_LOCKS[tool])
    if project.exists(LOCK):
        return Source("lock", LOCK)
    declared = default_declared_file(project)
    if declared is None:
        return None
    return Source("pyproject" if declared.name == "pyproject.toml" else "requirements", declared)


def image(project: Project) -> Image:
    """The image model of this snapshot (computed once)."""
    return project.memo("image-model", lambda: _build(project))


def _build(project: Project) -> Image:
    rt = runtime(project)
    if rt is None:
        return _generated(project)
    dockerfile = rt.dockerfile
    stages = built_stages(dockerfile)
    installs: list[InstallStep] = []
    venvs: set[str] = set()
    for stage in stages:
        view = rt if stage is dockerfile.final_stage else build_runtime(dockerfile, stage)
        state = StageState(set(), {})
        for step in view.steps:
            if step.ins.keyword != "RUN":
                continue
            in_this_stage = step.ins.stage == stage.index
            for words, env in run_commands_env(step.ins, step.env):
                for values in _simple_commands([words]):
                    found = read_command(
                        values, step, dockerfile.stages[step.ins.stage], state, env=env
                    )
                    if found is not None and in_this_stage:
                        installs.append(found)
        venvs |= state.venvs
    unique: list[InstallStep] = []
    for install in installs:  # a stage built on another repeats its steps
        if not any(
            u.step is not None
            and install.step is not None
            and u.step.ins is install.step.ins
            and u.words == install.words
            for u in unique
        ):
            unique.append(install)
    return Image(
        project,
        False,
        dockerfile,
        rt,
        tuple(stages),
        tuple(unique),
        rt.user,
        dict(rt.env),
        rt.workdir,
        frozenset(venvs),
    )


def _image_path(path: str) -> str:
    """A normalised absolute path: `/${EMPTY}/.venv` and `//.venv` are `/.venv` (normpath keeps
    two leading slashes, the image does not)."""
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/") if path.startswith("//") else path


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
# Shell words that may lead a simple command inside `if`/`for`/`case` (`then poetry install`).
_SHELL_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "do", "while", "until", "{", "(", "!", "time"}
)


def _simple_commands(cmds: list[list[Word]], depth: int = 0) -> list[list[str]]:
    """Command word lists, looking inside `bash -c "..."` strings and past `then`/`else`."""
    out: list[list[str]] = []
    for cmd in cmds:
        values = [w.value for w in cmd]
        while values and values[0] in _SHELL_KEYWORDS:
            values = values[1:]
        if (
            values
            and posixpath.basename(values[0]) in _SHELLS
            and "-c" in values[1:3]
            and depth < 3
        ):
            script = (
                values[values.index("-c", 1) + 1] if values.index("-c", 1) + 1 < len(values) else ""
            )
            inner = [strip_prefix(c) for c in commands(split_words(script))]
            out += _simple_commands(inner, depth + 1)
        elif values:
            out.append(values)
    return out


def _generated(project: Project) -> Image:
    env = {
        "HOME": GENERATED_HOME,
        "PATH": f"{GENERATED_HOME}/.local/bin:{_DEFAULT_PATH}",
        "DATA_DIR": project.config.data_dir or DATA_DIR,
    }
    source = generated_source(project)
    installs: list[InstallStep] = []
    location = f"user:{GENERATED_HOME}"
    if source is None:
        installs.append(
            InstallStep(
                None,
                None,
                "pip",
                ("pip", "install", "fastapi", "uvicorn"),
                packages=("fastapi", "uvicorn"),
                location=location,
            )
        )
    elif source.kind in ("poetry", "uv", "pdm"):
        installs.append(
            InstallStep(
                None, None, f"{source.kind} export", (), lock_tool=source.kind, location=location
            )
        )
    elif source.kind == "pyproject":
        installs.append(
            InstallStep(None, None, "pip", ("pip", "install", "."), project=".", location=location)
        )
    else:
        assert source.path is not None
        installs.append(
            InstallStep(
                None,
                None,
                "pip",
                ("pip", "install", "-r", str(source.path)),
                requirement_files=(str(source.path),),
                location=location,
            )
        )
    return Image(
        project,
        True,
        None,
        None,
        (),
        tuple(installs),
        GENERATED_USER,
        env,
        APP_DIR,
        generated_source=source,
    )


@dataclass(frozen=True)
class Installed:
    distributions: frozenset[str]  # canonical names, transitive ones included when known
    complete: bool  # from a lock, or every declared package's dependencies are known


def installed(project: Project) -> Installed:
    """What the image installs (only the sources the image really installs: a
    `backend/requirements.txt` beside the root one does not count), closed over the
    requirements domain's known dependency table."""
    from hfdeploy.requirements.providers import LEAVES, REQUIRES, closure

    def build() -> Installed:
        found = image(project).distributions()
        names = set(found.names)
        unknown = any(n not in REQUIRES and n not in LEAVES and "[" not in n for n in names)
        return Installed(
            closure(frozenset(names)), found.complete or (found.readable and not unknown)
        )

    return project.memo("rq-installed-distributions", build)
