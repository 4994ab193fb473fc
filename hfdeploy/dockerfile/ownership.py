"""Who owns the final working directory: the app's user, or root (so the app cannot create
files there). Shared by DF004 and by the database domain (relative SQLite paths)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hfdeploy.dockerfile.shell import expand
from hfdeploy.dockerfile.stage import Runtime, Step, is_root, run_commands, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

_WRITABLE_MODE = re.compile(r"^(?:[0-7]?[0-7][0-7][2367]|[ugoa]*\+[rx]*w[rx]*)$")


@dataclass(frozen=True)
class WorkdirOwnership:
    path: str  # the final WORKDIR inside the image
    writable: bool  # uid 1000 can create files in it, on every builder
    created_by: Step | None  # the WORKDIR instruction that creates it
    after_user: bool  # created after `USER`: owned by the user with BuildKit, root with legacy


def workdir_ownership(project: Project) -> WorkdirOwnership | None:
    """None when there is no Dockerfile, it runs as root, or the directory is not its own."""
    rt = runtime(project)
    if rt is None or rt.runs_as_root or rt.workdir == "/":
        return None
    return project.memo("dockerfile-workdir-ownership", lambda: _ownership(rt))


def _ownership(rt: Runtime) -> WorkdirOwnership | None:
    wd = rt.workdir
    user = rt.user.split(":")[0]
    if any(u.creates_home and u.name == user and wd == f"/home/{u.name}" for u in rt.users):
        return WorkdirOwnership(wd, True, None, False)  # useradd -m made it the user's
    created = next(
        (s for s in rt.steps if s.ins.keyword == "WORKDIR" and _workdir_after(s, rt) == wd), None
    )
    if created is None:
        return None
    start = rt.steps.index(created)
    granted = any(_grants(step, wd, user, after=i > start) for i, step in enumerate(rt.steps))
    return WorkdirOwnership(wd, granted, created, not is_root(created.user))


def _workdir_after(step: Step, rt: Runtime) -> str:
    index = rt.steps.index(step)
    following = rt.steps[index + 1] if index + 1 < len(rt.steps) else None
    return following.workdir if following is not None else rt.workdir


def _grants(step: Step, wd: str, user: str, *, after: bool) -> bool:
    """A RUN that makes `wd` owned by (or writable for) `user`; a recursive change of a parent
    counts only `after` the directory exists."""
    if step.ins.keyword != "RUN" or not is_root(step.user):
        return False
    for cmd in run_commands(step.ins):
        args = [expand(w.value, step.env) for w in cmd]
        if not args:
            continue
        program = posixpath.basename(args[0])
        options = [a for a in args[1:] if a.startswith("-")]
        operands = [a for a in args[1:] if not a.startswith("-")]
        recursive = any(
            o == "--recursive" or (not o.startswith("--") and "R" in o) for o in options
        )
        paths = {posixpath.normpath(posixpath.join(step.workdir, p)) for p in operands[1:]}
        covers = wd in paths or (
            after and recursive and any(wd.startswith(p.rstrip("/") + "/") for p in paths)
        )
        if (
            program == "chown"
            and operands
            and operands[0].split(":")[0] in (user, "1000")
            and covers
        ):
            return True
        if program == "chmod" and operands and _WRITABLE_MODE.match(operands[0]) and covers:
            return True
    return False
