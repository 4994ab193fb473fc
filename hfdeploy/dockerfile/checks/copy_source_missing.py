"""DF021: a COPY/ADD names a source the build context does not have."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Severity,
    Span,
)
from hfdeploy.dockerfile.edits import whole_lines
from hfdeploy.dockerfile.stage import DOCKERFILE

if TYPE_CHECKING:
    from hfdeploy.dockerfile.parse import Instruction, Stage
    from hfdeploy.dockerfile.shell import Word
    from hfdeploy.image import Image
    from hfdeploy.project import Project

_GLOB = ("*", "?", "[")
# Directories whose files are never the app's own (a same-named file there is no candidate).
_NOT_THE_APP = frozenset(
    {"tests", "test", "docs", "doc", "examples", "example", "node_modules", "frontend", ".git"}
)


class CopySourceMissing(Check):
    """## What it does
    Reports a `COPY` or `ADD` (from the build context, in a stage the Space builds) whose source
    does not exist in the repository, or that `.dockerignore` excludes, or that git ignores (the
    Space repository never has it).

    A wildcard that matches nothing is a warning, not an error: BuildKit, which Spaces build
    with, copies nothing and goes on, while Docker's legacy builder (`DOCKER_BUILDKIT=0`)
    stops with `no source files were specified` when no source of the instruction matches
    anything. A source with a variable (`$DIR`), a URL, or `--from=<stage>` is not judged.

    ## Why is this bad?
    The build stops at that line: `COPY failed: file not found in build context or excluded by
    .dockerignore` (legacy builder) or `failed to compute cache key: "/x": not found` (BuildKit).
    A file present on the developer's machine but never committed (`.env`, a model file kept out
    of git), a path written relative to the wrong directory, or a `.dockerignore` entry that
    catches a file the Dockerfile needs all end the same way: "Build error" on the Space.

    ## Example
    ```text
    # .dockerignore
    *.txt
    # Dockerfile
    COPY requirements.txt .
    ```

    Use instead: keep the file in the context (`!requirements.txt` in `.dockerignore`), commit
    it, or correct the path.

    ## Fix safety
    Each repair makes the failing line build; none changes an image that built before:
    - a `.env` file (`.env`, `.env.production`; not `.env.example`) that is not in the Space
      repository: the source is dropped from the instruction (the whole instruction when it is
      the only source). Safe: the Space never had the file; the app reads the same names from
      the environment, where the Space's variables and secrets put them (EV001 lists them).
      What changes: a local build no longer bakes your `.env` into the image, so a local
      `docker run` needs `--env-file .env`.
    - a file `.dockerignore` excludes: a `!path` exception is added right after the line that
      excludes it, so every other entry keeps working. Safe. Not offered when the exception
      would also let a `.env` file in.
    - a path whose leading folders are the repository's own folder (and its parents): the
      Dockerfile was written for a monorepo's root as build context (`COPY backend/app /app`)
      while the Space's repository is the `backend/` folder itself. When the path without
      them exists (`app`), the source is rewritten to it. Safe: it is the same file.
    - a path that exists, under exactly one other directory of the repository, with the same
      tail (`requirements.txt` copied from the root while it lives in `backend/`): the source is
      rewritten to that path. Safe when that directory holds the served app; unsafe otherwise
      (the file may belong to another part of the repository).
    - a requirements file that a later `pip install -r` installs, in a project that declares
      no dependency anywhere: the file is written from the app's third-party imports (the
      distribution each import comes from, as RQ011 knows it) plus the server the command
      starts and FastAPI, unpinned (the lock step, RQ009, pins them). Safe when every import
      maps to a known distribution; unsafe when some import does not (it is named in a note and
      left out, never guessed).
    A file git ignores (other than `.env`) and a path with no candidate get no fix: commit the
    file, or correct the path.
    """

    code = "DF021"
    name = "copy-source-missing"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        model = image(project)
        if model.dockerfile is None:
            return
        for stage in model.stages:
            for ins in stage.instructions:
                if (
                    ins.keyword not in ("COPY", "ADD")
                    or ins.heredocs
                    or ins.flag("from") is not None
                ):
                    continue
                yield from self._instruction(project, model, stage, ins)

    def _instruction(
        self, project: Project, model: Image, stage: Stage, ins: Instruction
    ) -> Iterator[Diagnostic]:
        from hfdeploy.dockerfile.dockerignore import DOCKERIGNORE, is_dotenv, rules

        words = ins.words()
        if len(words) < 2:
            return
        sources = words[:-1]
        empty_globs: list[Word] = []
        found_any = False
        for word in sources:
            source = word.value
            if "$" in source or "://" in source or source.startswith("git@"):
                found_any = True  # not judged: it may well exist
                continue
            clean = posixpath.normpath(source).strip("/") or "."
            if any(c in source for c in _GLOB):
                if model.context_matches(source):
                    found_any = True
                else:
                    empty_globs.append(word)
                continue
            if model.context_matches(source):
                if _git_ignored(project, source):
                    how = "git ignores it"
                elif is_dotenv(clean) and project.is_git and not project.is_tracked(clean):
                    # Its values belong in Space secrets; `fix` takes it out of git (EV002).
                    how = "git does not track it"
                else:
                    found_any = True
                    continue
                yield self.diagnostic(
                    f"`{ins.keyword} {source}`: {how}, so the repository pushed to the Space "
                    'does not have it; the build fails here with "not found"',
                    path=DOCKERFILE,
                    span=ins.raw_span(word.start, word.end),
                    fix=_repair(project, model, stage, ins, word, clean, "git-ignored"),
                    notes=_git_notes(clean),
                )
                continue
            exists = bool(model.context_matches_ignoring_dockerignore(source))
            if exists and rules(project) is not None:
                why = "`.dockerignore` excludes it, so the build context does not have it"
                notes = [f"add `!{clean}` to {DOCKERIGNORE} or remove the entry that matches it"]
                kind = "dockerignored"
            else:
                why = "no such file or directory in the repository (the build context)"
                notes = [
                    "commit the file, or correct the path (sources are relative to the repository root)"
                ]
                kind = "absent"
            fix = _repair(project, model, stage, ins, word, clean, kind)
            if is_dotenv(clean):
                notes = _git_notes(clean)
            elif fix is None and kind == "absent":
                several = same_tail_paths(project, model, clean, skip=clean)
                if len(several) > 1:
                    notes.append(f"{_listing(several)} have that name: copy the one the app needs")
            yield self.diagnostic(
                f'`{ins.keyword} {source}`: {why}; the build fails here with "not found"',
                path=DOCKERFILE,
                span=ins.raw_span(word.start, word.end),
                fix=fix,
                notes=_fix_notes(project, fix, clean) or notes,
            )
        if empty_globs and not found_any and len(empty_globs) == len(sources):
            first = empty_globs[0]
            listed = ", ".join(f"`{w.value}`" for w in empty_globs)
            yield self.diagnostic(
                f"`{ins.keyword}` {listed}: nothing in the build context matches; BuildKit (what "
                "Spaces build with) copies nothing and goes on, but Docker's legacy builder "
                '(`DOCKER_BUILDKIT=0`) fails here with "no source files were specified"',
                path=DOCKERFILE,
                span=ins.raw_span(first.start, empty_globs[-1].end),
                severity=Severity.WARNING,
                notes=["commit the files it should copy, or remove the instruction"],
            )


def _listing(paths: list[str]) -> str:
    shown = [f"`{p}`" for p in paths[:3]]
    more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" + more if len(shown) > 1 else shown[0]


def _git_notes(clean: str) -> list[str]:
    from hfdeploy.dockerfile.dockerignore import is_dotenv

    if is_dotenv(clean):
        return [
            "a Space reads its settings from its variables and secrets (the environment), "
            "never from `.env`"
        ]
    return ["commit the file (or build it in the Dockerfile), or remove this line"]


def _fix_notes(project: Project, fix: Fix | None, clean: str) -> list[str]:
    """What the repair does, when it is more than the plain edit (a rewritten path, a file
    written from the imports and the names it leaves out)."""
    if fix is None or fix.title.startswith(("Add ", "Drop ", "Remove ")):
        return []
    if not fix.title.startswith("Write "):
        return [fix.title]
    from hfdeploy.requirements.from_imports import requirements_from_imports

    notes = [
        f"the repository declares no dependency anywhere: the fix writes {clean} from the "
        "app's imports, with the server and FastAPI (`hfdeploy fix --write` then locks it)"
    ]
    left = requirements_from_imports(project).unresolved
    if left:
        notes.append(
            f"no known distribution provides {', '.join(f'`{m}`' for m in left)}: add them "
            f"to {clean} by hand (that is why the fix is unsafe)"
        )
    return notes


def _repair(
    project: Project,
    model: Image,
    stage: Stage,
    ins: Instruction,
    word: Word,
    clean: str,
    kind: str,
) -> Fix | None:
    from hfdeploy.dockerfile.dockerignore import is_dotenv

    if is_dotenv(clean):
        return _drop_source(project, ins, word)
    if kind == "dockerignored":
        return _exception_line(project, clean)
    inner = _below_root(project, model, clean)
    if inner is not None:
        return _strip_root_folders(project, ins, word, clean, inner)
    candidate = _same_tail(project, model, clean, skip=clean)
    if candidate is not None:
        return _rewrite_source(project, ins, word, clean, candidate)
    if kind == "absent":
        return _written_requirements(project, model, stage, ins, clean)
    return None


def _drop_source(project: Project, ins: Instruction, word: Word) -> Fix | None:
    """Remove one source from a COPY (the whole instruction when it is the only one)."""
    source = project.source(DOCKERFILE)
    if source is None:
        return None
    text = source.text
    words = ins.words()
    sources, dest = words[:-1], words[-1]
    if len(sources) == 1:
        lines = whole_lines(text, ins.span)
        start = lines.start if not text[lines.start : ins.span.start].strip() else ins.span.start
        end = lines.end
        if start == lines.start and text[:start].endswith(("\n\n", "\n\r\n")):
            # A blank line on each side: keep one.
            for blank in ("\n", "\r\n"):
                if text.startswith(blank, end):
                    end += len(blank)
                    break
        cut = Span(start, end)
        edits: tuple[Edit, ...] = (Edit(DOCKERFILE, cut, ""),)
        title = f"Remove `{ins.keyword} {word.value}`: the Space repository has no such file"
    else:
        index = sources.index(word)
        following = words[index + 1]
        edit_list = [Edit(DOCKERFILE, Span(ins.raw(word.start), ins.raw(following.start)), "")]
        if len(sources) == 2 and not dest.value.endswith("/"):
            # Several sources made the destination a directory; keep it one.
            end = ins.raw(dest.positions[-1]) + 1
            edit_list.append(Edit.insert(DOCKERFILE, end, "/"))
        edits = tuple(edit_list)
        title = (
            f"Drop `{word.value}` from the `{ins.keyword}`: the Space repository has no such file"
        )
    return Fix(title, edits, Applicability.SAFE)


def _exception_line(project: Project, clean: str) -> Fix | None:
    """`!path` right after the last `.dockerignore` line that excludes `path`."""
    from hfdeploy.dockerfile.dockerignore import DOCKERIGNORE, is_dotenv
    from hfdeploy.ignore import IgnoreRules, compile_pattern

    source = project.source(DOCKERIGNORE)
    if source is None or any(c in clean for c in _GLOB) or clean == ".":
        return None
    is_dir = os.path.isdir(os.path.join(project.root, clean))
    text = source.text
    lines = text.splitlines(keepends=True)
    last: int | None = None  # the line that decides: the last one whose pattern matches
    for i, line in enumerate(lines):
        pattern = compile_pattern(line, anchored_always=True)
        if pattern is None:
            continue
        bare = line.strip()[1:] if pattern.negated else line
        if IgnoreRules([bare], dockerignore=True).ignored(clean, is_dir=is_dir):
            last = i
    if last is None:
        return None
    offset = sum(len(line) for line in lines[: last + 1])
    nl = source.newline
    ends = lines[last].endswith(("\n", "\r"))
    insertion = f"!{clean}{nl}" if ends else f"{nl}!{clean}"
    new_text = text[:offset] + insertion + text[offset:]
    before = IgnoreRules(text.splitlines(), dockerignore=True)
    after = IgnoreRules(new_text.splitlines(), dockerignore=True)
    if after.ignored(clean, is_dir=is_dir):
        return None  # another mechanism keeps it out: no line fixes that exactly
    let_in = [
        str(f)
        for f in project.files()
        if (str(f) == clean or str(f).startswith(clean + "/"))
        and before.ignored(str(f))
        and not after.ignored(str(f))
    ]
    if any(is_dotenv(f) for f in let_in):
        return None
    return Fix(
        f"Add `!{clean}` to {DOCKERIGNORE} so the build context keeps it",
        (Edit.insert(DOCKERIGNORE, offset, insertion),),
        Applicability.SAFE,
    )


def _below_root(project: Project, model: Image, clean: str) -> str | None:
    """`clean` without its leading folders when they are the repository's own folder and its
    parents (`backend/app` in a repository that is the `backend/` folder of a monorepo: the
    Dockerfile was written for the monorepo's root as build context), and what is left exists."""
    if any(c in clean for c in _GLOB) or clean.startswith(("..", "/")):
        return None
    parts = clean.split("/")
    root = PurePosixPath(os.path.realpath(str(project.root))).parts[1:]
    for k in range(1, min(len(parts), len(root)) + 1):
        if tuple(parts[:k]) != root[len(root) - k :]:
            continue
        rest = "/".join(parts[k:]) or "."
        if model.context_matches(rest):
            return rest
    return None


def _strip_root_folders(
    project: Project, ins: Instruction, word: Word, clean: str, inner: str
) -> Fix | None:
    if not all(c.isalnum() or c in "._-/+@" for c in inner):
        return None  # needs quoting: leave the choice to a person
    slash = "/" if word.value.endswith("/") and inner != "." else ""
    new = ("./" if word.value.startswith("./") and inner != "." else "") + inner + slash
    replacement = f'"{new}"' if ins.exec_form() is not None else new
    folder = clean[: len(clean) - len(inner)].rstrip("/") if inner != "." else clean
    return Fix(
        f"Copy `{new}`: `{folder}/` is this repository's own folder, the build context of a Space",
        (Edit(DOCKERFILE, ins.raw_span(word.start, word.end), replacement),),
        Applicability.SAFE,
    )


def _same_tail(project: Project, model: Image, clean: str, *, skip: str) -> str | None:
    """The one path of the build context, in another directory, that ends with `clean`."""
    found = same_tail_paths(project, model, clean, skip=skip)
    return found[0] if len(found) == 1 else None


def same_tail_paths(project: Project, model: Image, clean: str, *, skip: str) -> list[str]:
    """The paths of the build context, in other directories, that end with `clean`."""
    if any(c in clean for c in _GLOB) or clean in (".", ""):
        return []
    tail = "/" + clean
    found: set[str] = set()
    for f in project.files():
        parts = str(f).split("/")
        for k in range(1, len(parts) + 1):
            prefix = "/".join(parts[:k])
            if ("/" + prefix).endswith(tail):
                found.add(prefix)
    candidates = sorted(
        c
        for c in found
        if c != skip
        and not (set(c.split("/")[:-1]) & _NOT_THE_APP)
        and not any(part.startswith(".") for part in c.split("/")[:-1])
        and model.in_context(c)
    )
    return candidates


def _rewrite_source(
    project: Project, ins: Instruction, word: Word, clean: str, candidate: str
) -> Fix | None:
    from hfdeploy.dockerfile.inputs import app_target

    if not all(c.isalnum() or c in "._-/+@" for c in candidate):
        return None  # needs quoting: leave the choice to a person
    new = candidate + ("/" if word.value.endswith("/") else "")
    quoted = ins.exec_form() is not None
    span = ins.raw_span(word.start, word.end)
    replacement = f'"{new}"' if quoted else new
    target = app_target(project)
    app_top = None
    if target is not None:
        app_top = (target.app_dir or "").split("/")[0] or (
            target.module.split(".")[0] if "." in target.module else None
        )
    safe = app_top is not None and candidate.split("/")[0] == app_top
    return Fix(
        f"Copy `{candidate}` instead: the repository's only `{clean}`",
        (Edit(DOCKERFILE, span, replacement),),
        Applicability.SAFE if safe else Applicability.UNSAFE,
    )


def _written_requirements(
    project: Project, model: Image, stage: Stage, ins: Instruction, clean: str
) -> Fix | None:
    """Write the requirements file a later `pip install -r` installs, from the app's imports,
    when the project declares no dependency anywhere."""
    from hfdeploy.dockerfile.installed import SERVER_DISTRIBUTIONS
    from hfdeploy.dockerfile.server import find_server
    from hfdeploy.image.model import default_declared_file
    from hfdeploy.requirements.from_imports import requirements_from_imports, requirements_text

    path = PurePosixPath(clean)
    if path.suffix not in (".txt", ".in") or ".." in path.parts:
        return None
    if model.install_reading_copy(stage, ins) is None:
        return None
    if default_declared_file(project) is not None or any(
        _declares(f.name) for f in project.files()
    ):
        return None  # the project declares its dependencies somewhere: point the COPY there
    first = ["fastapi"]
    server = find_server(project)
    if server is not None and server.tool in SERVER_DISTRIBUTIONS:
        wanted = SERVER_DISTRIBUTIONS[server.tool]
        first = [wanted] if wanted.startswith("fastapi[") else [*first, wanted]
    found = requirements_from_imports(project, tuple(first))
    safety = Applicability.UNSAFE if found.unresolved else Applicability.SAFE
    return Fix(
        f"Write {clean} from the app's imports ({len(found.distributions)} distributions)",
        (Edit.create(path, requirements_text(found)),),
        safety,
    )


def _declares(name: str) -> bool:
    """A file that declares dependencies (in any directory)."""
    return (
        name in ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile", "environment.yml")
        or name.endswith(".lock")
        or (name.startswith("requirements") and name.endswith((".txt", ".in")))
    )


def _git_ignored(project: Project, source: str) -> bool:
    """A plain file on disk that git ignores: the Space (built from the pushed repository)
    never sees it."""
    path = posixpath.normpath(source).strip("/")
    if not project.is_git or any(c in path for c in _GLOB) or path in (".", ""):
        return False
    if not os.path.isfile(os.path.join(project.root, path)):
        return False
    return path not in {str(f) for f in project.files()} and not project.is_tracked(path)
