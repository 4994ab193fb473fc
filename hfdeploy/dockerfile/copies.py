"""COPY/ADD instructions of the final stage: what they bring in from the build context, and
`pip install -r` steps. Shared by the layer-order, `.env` and `.dockerignore` checks."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass

from hfdeploy.dockerfile.shell import Word, commands
from hfdeploy.dockerfile.stage import Runtime, Step, strip_prefix

_PYTHON = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_PIP = re.compile(r"^pip(?:3(?:\.\d+)?)?$")


@dataclass(frozen=True)
class Copy:
    step: Step
    sources: tuple[str, ...]  # as written, normalised (".", "app", "requirements.txt")
    dest: str  # absolute path inside the image

    @property
    def from_context(self) -> bool:
        return self.step.ins.flag("from") is None

    @property
    def whole_context(self) -> bool:
        return self.from_context and any(s in (".", "*") for s in self.sources)

    def brings(self, path: str) -> bool:
        """Whether this copies the context file `path` (relative, posix) into the image."""
        if not self.from_context:
            return False
        for src in self.sources:
            if src == "." or path == src or path.startswith(src.rstrip("/") + "/"):
                return True
            if fnmatch.fnmatchcase(path, src) or fnmatch.fnmatchcase(path.split("/")[0], src):
                return True
        return False


def copies(rt: Runtime) -> list[Copy]:
    out = []
    for step in rt.steps:
        if step.ins.keyword not in ("COPY", "ADD") or step.ins.heredocs:
            continue
        words = [w.value for w in step.ins.words()]
        if len(words) < 2:
            continue
        *sources, dest = words
        clean = tuple(
            posixpath.normpath(s.lstrip("/")) if s not in ("/",) else "." for s in sources
        )
        out.append(Copy(step, clean, posixpath.normpath(posixpath.join(step.workdir, dest))))
    return out


@dataclass(frozen=True)
class PipInstall:
    step: Step
    words: list[Word]  # the command, from `pip`; logical positions in step.ins.text
    install: Word  # the `install` word
    requirement_files: tuple[str, ...]
    installs_project: bool  # `.` or `-e .`

    def has(self, option: str) -> bool:
        return any(w.value == option or w.value.startswith(option + "=") for w in self.words)


def pip_installs(rt: Runtime, *, uv: bool = False) -> list[PipInstall]:
    """`pip install` commands in shell-form RUN lines of the final stage (with `uv`, also
    `uv pip install`, which takes the same `-r FILE`)."""
    out = []
    for step in rt.steps:
        if step.ins.keyword != "RUN" or step.ins.exec_form() is not None:
            continue
        for cmd in commands(step.ins.shell_words()):
            cmd = strip_prefix(cmd)
            values = [w.value for w in cmd]
            if (
                values[:1]
                and _PYTHON.match(posixpath.basename(values[0]))
                and values[1:3] == ["-m", "pip"]
            ):
                sub = 3
            elif values[:1] and _PIP.match(posixpath.basename(values[0])):
                sub = 1
            elif (
                uv
                and values[:1]
                and posixpath.basename(values[0]) == "uv"
                and values[1:2] == ["pip"]
            ):
                sub = 2
            else:
                continue
            if len(cmd) <= sub or values[sub] != "install":
                continue
            args = values[sub + 1 :]
            files, project = [], False
            for i, arg in enumerate(args):
                if arg in ("-r", "--requirement") and i + 1 < len(args):
                    files.append(posixpath.normpath(args[i + 1]))
                elif arg.startswith("--requirement="):
                    files.append(posixpath.normpath(arg.split("=", 1)[1]))
                elif arg in (".", "./") and (i == 0 or args[i - 1] not in ("-r", "--requirement")):
                    project = True
            out.append(PipInstall(step, cmd, cmd[sub], tuple(files), project))
    return out
