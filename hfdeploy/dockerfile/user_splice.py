"""DF003's minimal repair of a custom Dockerfile: lines spliced in before the final
`CMD`/`ENTRYPOINT` that create the uid-1000 user (unless the file creates one), hand it the
final working directory and the directories the app writes, set `HOME` and switch `USER`.
Every other line is kept as written. Used when regenerating the whole file is not safe.

Public API: `user_splice(project, write_dirs) -> Splice | None`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Applicability, Edit, Fix, Span
from hfdeploy.dockerfile.base_image import python_base
from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.stage import DOCKERFILE
from hfdeploy.dockerfile.validate import is_valid
from hfdeploy.space import SPACE_UID

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Instructions that change the file system or who runs: the block goes after the last of them.
_BUILDING = frozenset({"RUN", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "ONBUILD"})
_START = frozenset({"CMD", "ENTRYPOINT"})
# Debian-based official python variants (`useradd` exists); alpine and windows ones do not.
_NOT_DEBIAN = ("alpine", "windows", "nanoserver")
_SERVERS = frozenset(
    {"uvicorn", "gunicorn", "hypercorn", "fastapi run", "fastapi dev", "uvicorn.run"}
)
_USER = "user"


@dataclass(frozen=True)
class Splice:
    fix: Fix
    notes: tuple[str, ...] = ()  # why the fix is unsafe


def user_splice(project: Project, write_dirs: list[str]) -> Splice | None:
    """The spliced-in block as a Fix, or None when no block can be written (no Dockerfile,
    a working directory of `/`, nowhere to put it)."""
    from hfdeploy.image import image

    img = image(project)
    rt = img.runtime
    source = project.source(DOCKERFILE)
    if rt is None or img.generated or source is None or not rt.steps:
        return None
    workdir = posixpath.normpath(img.workdir or "/")
    if workdir == "/" or not is_valid("abspath", workdir):
        return None  # `chown -R /` is no repair
    dirs = [
        d
        for d in dict.fromkeys(posixpath.normpath(d) for d in write_dirs)
        if d != workdir and not d.startswith(workdir + "/") and is_valid("abspath", d)
    ]
    unsafe: list[str] = []
    chain = rt.dockerfile.chain()
    if len(chain) > 1 or len(rt.dockerfile.stages) > 1:
        unsafe.append(
            "it is a multi-stage build: files copied from other stages may need other owners"
        )
    base = python_base(rt)
    if base is None or base.variant.startswith(_NOT_DEBIAN):
        unsafe.append(
            "the base is not an official Debian-based `python:` image, which may lack `useradd`"
        )
    user_steps = rt.of("USER")
    if user_steps:
        unsafe.append(
            "the file already switches users (`USER`), so later steps may rely on who runs them"
        )
    existing = next((u for u in rt.users if u.uid == str(SPACE_UID)), None)
    if existing is not None:
        unsafe.append(
            f"it already creates uid {SPACE_UID} (`{existing.name}`), whose home and groups "
            "hfdeploy does not check"
        )
    # The block goes after the last instruction that builds, before the CMD/ENTRYPOINT that follows.
    steps = rt.steps
    last_build = max((i for i, s in enumerate(steps) if s.ins.keyword in _BUILDING), default=-1)
    at = next(
        (i for i in range(last_build + 1, len(steps)) if steps[i].ins.keyword in _START), None
    )
    server = find_server(project)
    if server is None or server.tool not in _SERVERS or server.path != DOCKERFILE:
        unsafe.append(
            "hfdeploy cannot tell what the start command runs; if it needs root "
            "(installs, writes under `/etc`, starts services), it fails as uid 1000"
        )
    text, newline = source.text, source.newline
    if at is not None:
        offset = steps[at].ins.span.start
        offset = text.rfind("\n", 0, offset) + 1  # start of the keyword's line
        while offset > 0:  # above the comment lines that describe the start command
            above = text.rfind("\n", 0, offset - 1) + 1
            if not text[above:offset].lstrip().startswith("#"):
                break
            offset = above
        lead = ""
    else:
        offset = len(text)
        lead = "" if not text or text.endswith("\n") else newline
    name = existing.name if existing is not None else _USER
    owner = f"{SPACE_UID}:{SPACE_UID}"
    parts = []
    if existing is None:
        parts.append(f"useradd -m -u {SPACE_UID} {_USER}")
    if dirs:
        parts.append("mkdir -p " + " ".join(dirs))
    parts.append(f"chown -R {owner} " + " ".join([workdir, *dirs]))
    lines = [
        f"# Spaces run the container as uid {SPACE_UID}: it must own the directories the app writes",
        "RUN " + " && ".join(parts),
    ]
    if "HOME" not in rt.env:
        lines.append(f"ENV HOME=/home/{name}")
    lines.append(f"USER {name}")
    block = lead + newline.join(lines) + newline
    fix = Fix(
        f"Switch to a uid-{SPACE_UID} user owning {workdir}"
        + (" and " + ", ".join(dirs) if dirs else ""),
        (Edit(DOCKERFILE, Span(offset, offset), block),),
        Applicability.UNSAFE if unsafe else Applicability.SAFE,
    )
    notes = tuple(f"The added user is an unsafe fix: {reason}" for reason in unsafe)
    return Splice(fix, notes)
