from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.copies import Copy, PipInstall, copies, pip_installs
from hfdeploy.dockerfile.parse import Instruction
from hfdeploy.dockerfile.shell import Word
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, build_runtime, is_root, runtime
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project


_FLAGS = ("-r", "--requirement")
_SIMPLE_FLAGS = frozenset({"--no-cache-dir", "--user", "-q", "--quiet", "-U", "--upgrade"})


def _lock(project: Project) -> PurePosixPath | None:
    try:
        from hfdeploy.requirements.deps import lock_path
    except ImportError:  # the requirements domain is optional to this one
        return None
    return lock_path(project)


class LockNotInstalled(Check):
    """## What it does
    Reports a Dockerfile that installs `-r requirements.txt` (or another requirements file,
    with `pip` or `uv pip`),
    or the project itself from `pyproject.toml` (`pip install .`) without the lock, or exactly
    the declared dependencies by name (`pip install 'fastapi>=0.115' uvicorn`, as hfdeploy
    installs a pyproject pip cannot build), while the project has `requirements.lock`, the
    fully pinned set hfdeploy resolved for the image (see RQ009). An image that installs the
    project's own `poetry.lock`, `uv.lock` or `pdm.lock` through its tool is not reported.
    In a multi-stage build the install that counts is the one whose packages reach the final
    stage: its own, else that of the stage it copies them from (`COPY --from=deps
    /usr/local/lib/python3.12/site-packages ...`), and that is the step the fix changes.

    ## Why is this bad?
    Only the lock pins the transitive dependencies. Installing the loose file lets them float
    to their newest releases at every build, which is how `fastapi==0.104.1` ends up with a
    pydantic it crashes on at start (`'FieldInfo' object has no attribute 'in_'`).

    ## Example
    ```dockerfile
    COPY --chown=user requirements.txt requirements.txt
    RUN pip install --no-cache-dir --user -r requirements.txt
    ```

    Use instead:
    ```dockerfile
    COPY --chown=user requirements.lock requirements.lock
    RUN pip install --no-cache-dir --user -r requirements.lock
    ```

    ## Fix safety
    The fix points the `pip install -r` and the `COPY` of that file at the lock (adding a
    `COPY` of the lock when the file was not copied in on its own), or adds
    `-r requirements.lock` to a `pip install .` that runs after the lock is copied in (pip then
    installs the project with the locked releases). The lock was resolved from the same
    requirements for the image's Python, so the fix is safe.
    """

    code = "DF018"
    name = "lock-not-installed"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        lock = _lock(project)
        final = runtime(project)
        if lock is None or final is None or not is_valid("path", str(lock)):
            return
        if image(project).tool_lock() is not None:
            return  # the image installs the project's own lock (poetry/uv/pdm/pipenv)
        rt = _installing_view(project, final)
        every = pip_installs(rt, uv=True)
        installs = [p for p in every if p.requirement_files]
        if any(str(lock) in p.requirement_files for p in installs):
            return
        if not installs:
            if project.exists("pyproject.toml"):
                # `pip install .` resolves pyproject.toml's ranges afresh at every build.
                projects = [p for p in every if p.installs_project]
                yield from self._project_installs(rt, projects, lock)
                if not projects:
                    yield from self._declared_by_name(project, every, lock)
            return
        pip = installs[0]
        loose = pip.requirement_files[0]
        if posixpath.isabs(loose) or not project.exists(loose):
            return
        after_flag = [
            w for prev, w in zip(pip.words, pip.words[1:], strict=False) if prev.value in _FLAGS
        ]
        named = [w for w in pip.words if w.value.startswith("--requirement=")]
        edits = list(_renames(pip.step.ins, after_flag + named, loose, str(lock)))
        earlier = [c for c in copies(rt) if rt.steps.index(c.step) < rt.steps.index(pip.step)]
        read_at = posixpath.normpath(posixpath.join(pip.step.workdir, loose))
        renamed = False
        for copy in earlier:
            if edits and copy.sources == (loose,) and copy.dest == read_at:
                both = list(_renames(copy.step.ins, copy.step.ins.words(), loose, str(lock)))
                if len(both) == 2:  # `COPY <file> <file>`: the lock lands where pip reads it
                    edits.extend(both)
                    renamed = True
        if edits and not renamed and not any(c.brings(str(lock)) for c in earlier):
            # The loose file came in some other way (`COPY requirements/ requirements/`, with
            # other files into a directory): copy the lock in before the install reads it.
            edits.append(_copy_lock(project, pip, earlier, loose, str(lock)))
        fix = Fix(f"Install `{lock}`", tuple(edits)) if edits else None
        yield self.diagnostic(
            f"`pip install -r {loose}` ignores `{lock}`: transitive dependencies float to their "
            "newest releases at every build",
            path=DOCKERFILE,
            span=pip.step.ins.span,
            fix=fix,
        )

    def _project_installs(
        self, rt: Runtime, installs: list[PipInstall], lock: PurePosixPath
    ) -> Iterator[Diagnostic]:
        for pip in installs[:1]:
            copied = any(
                c.brings(str(lock)) and rt.steps.index(c.step) < rt.steps.index(pip.step)
                for c in copies(rt)
            )
            word = pip.install
            fix = None
            if copied and word.end - word.start == len(word.value):
                at = pip.step.ins.raw_span(word.start, word.end).end
                fix = Fix(f"Install `{lock}`", (Edit.insert(DOCKERFILE, at, f" -r {lock}"),))
            yield self.diagnostic(
                f"`pip install .` ignores `{lock}`: the dependencies in pyproject.toml float to "
                "their newest releases at every build",
                path=DOCKERFILE,
                span=pip.step.ins.span,
                fix=fix,
            )

    def _declared_by_name(
        self, project: Project, installs: list[PipInstall], lock: PurePosixPath
    ) -> Iterator[Diagnostic]:
        """`pip install 'fastapi>=0.115' uvicorn` naming exactly the declared dependencies (how
        hfdeploy installs a pyproject pip cannot build): the lock made from them pins the rest."""
        try:
            from hfdeploy.requirements.deps import declared_dependencies
        except ImportError:  # the requirements domain is optional to this one
            return
        declared = {r.key for r in declared_dependencies(project)}
        for pip in installs:
            args = pip.words[pip.words.index(pip.install) + 1 :]
            named = [w for w in args if not w.value.startswith("-")]
            if not named or any(
                w.value.startswith("-") and w.value not in _SIMPLE_FLAGS for w in args
            ):
                continue
            keys: set[str] = set()
            for word in named:
                try:
                    keys.add(canonicalize_name(Requirement(word.value).name))
                except InvalidRequirement:
                    keys.add("")
            if keys != declared:
                continue
            ins = pip.step.ins
            span = ins.raw_span(named[0].start, named[-1].end)
            chown = "" if is_root(pip.step.user) else f" --chown={pip.step.user.split(':')[0]}"
            source = project.source(DOCKERFILE)
            newline = source.newline if source is not None else "\n"
            edits = (
                Edit.insert(DOCKERFILE, ins.span.start, f"COPY{chown} {lock} {lock}{newline}"),
                Edit(DOCKERFILE, span, f"-r {lock}"),
            )
            fix = Fix(f"Install `{lock}`", edits) if is_valid("user", chown[9:] or "root") else None
            yield self.diagnostic(
                f"`pip install` names the declared dependencies and ignores `{lock}`: their own "
                "dependencies float to their newest releases at every build",
                path=DOCKERFILE,
                span=ins.span,
                fix=fix,
            )
            return


def _installing_view(project: Project, final: Runtime) -> Runtime:
    """The view of the stage whose `pip install` the image uses: the final stage's own, else
    (a multi-stage build) the built stage whose installed packages the final stage copies
    (`COPY --from=deps /usr/local/lib/python3.12/site-packages ...`), as the image model says."""
    from hfdeploy.image import image

    if any(p.requirement_files or p.installs_project for p in pip_installs(final, uv=True)):
        return final
    model = image(project)
    for install in model.installs:
        if (
            install.tool not in ("pip", "uv pip")
            or install.step is None
            or install.stage is None
            or model.in_final_chain(install)
            or not (install.requirement_files or install.project)
            or model.visibility(install).importable is False
        ):
            continue
        return build_runtime(final.dockerfile, install.stage)
    return final


def _copy_lock(
    project: Project, pip: PipInstall, earlier: list[Copy], loose: str, lock: str
) -> Edit:
    """An edit inserting `COPY [--chown=<as the loose file's>] <lock> <lock>` before `pip`."""
    chown = next((c.step.ins.flag("chown") for c in earlier if c.brings(loose)), None)
    flag = (
        f" --chown={chown.value}"
        if chown and chown.value and is_valid("user", chown.value.split(":")[0])
        else ""
    )
    source = project.source(DOCKERFILE)
    newline = source.newline if source is not None else "\n"
    return Edit.insert(DOCKERFILE, pip.step.ins.span.start, f"COPY{flag} {lock} {lock}{newline}")


def _renames(ins: Instruction, words: list[Word], old: str, new: str) -> Iterator[Edit]:
    """Edits renaming every word that is exactly `old` (or ends in `=old`), written unquoted."""
    for word in words:
        begin = len(word.value) - len(old)
        if begin < 0 or word.value[begin:] != old or (begin and word.value[begin - 1] != "="):
            continue
        if word.end - word.start != len(word.value):
            continue  # quoted or escaped: not spliced
        yield Edit(DOCKERFILE, ins.raw_span(*word.span_of(begin, len(word.value))), new)
