"""DF021: a COPY/ADD names a source the build context does not have."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.dockerfile.stage import DOCKERFILE

if TYPE_CHECKING:
    from hfdeploy.project import Project


class CopySourceMissing(Check):
    """## What it does
    Reports a `COPY` or `ADD` (from the build context, in a stage the Space builds) whose source
    does not exist in the repository, or that `.dockerignore` excludes.

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
    No fix: whether to commit the file, change the path or the `.dockerignore` is a decision.
    """

    code = "DF021"
    name = "copy-source-missing"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.dockerfile.dockerignore import DOCKERIGNORE, rules
        from hfdeploy.image import image

        model = image(project)
        if model.dockerfile is None:
            return
        ignore = rules(project)
        for stage in model.stages:
            for ins in stage.instructions:
                if (
                    ins.keyword not in ("COPY", "ADD")
                    or ins.heredocs
                    or ins.flag("from") is not None
                ):
                    continue
                words = ins.words()
                if len(words) < 2:
                    continue
                for word in words[:-1]:
                    source = word.value
                    if "$" in source or "://" in source or source.startswith("git@"):
                        continue
                    if model.context_matches(source):
                        if not _git_ignored(project, source):
                            continue
                        yield self.diagnostic(
                            f"`{ins.keyword} {source}`: git ignores it, so the repository pushed to the Space "
                            'does not have it; the build fails here with "not found"',
                            path=DOCKERFILE,
                            span=ins.raw_span(word.start, word.end),
                            notes=[
                                "commit the file (or build it in the Dockerfile), or remove this line"
                            ],
                        )
                        continue
                    clean = source.strip("/") or "."
                    exists = bool(model.context_matches_ignoring_dockerignore(source))
                    if exists and ignore is not None:
                        why = "`.dockerignore` excludes it, so the build context does not have it"
                        notes = [
                            f"add `!{clean}` to {DOCKERIGNORE} or remove the entry that matches it"
                        ]
                    else:
                        why = "no such file or directory in the repository (the build context)"
                        notes = [
                            "commit the file, or correct the path (sources are relative to the repository root)"
                        ]
                    yield self.diagnostic(
                        f'`{ins.keyword} {source}`: {why}; the build fails here with "not found"',
                        path=DOCKERFILE,
                        span=ins.raw_span(word.start, word.end),
                        notes=notes,
                    )


def _git_ignored(project: Project, source: str) -> bool:
    """A plain file on disk that git ignores: the Space (built from the pushed repository)
    never sees it."""
    import os

    path = posixpath.normpath(source).strip("/")
    if not project.is_git or any(c in path for c in "*?[") or path in (".", ""):
        return False
    if not os.path.isfile(os.path.join(project.root, path)):
        return False
    return path not in {str(f) for f in project.files()} and not project.is_tracked(path)
