"""Run Alembic's migrations before the server in the root Dockerfile's start command, as the
generated Dockerfile does (`alembic upgrade head && exec uvicorn ...`).

Public API (used by the database domain's DB017 and by `fix --verify`'s schema repair):
  `migrate_at_start(project, ini)` -> the `Edit` of the final CMD, or None when there is no
  CMD to edit safely (none, an ENTRYPOINT that receives it as arguments, one that already
  runs Alembic, a broken JSON array).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Edit, Span
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Tools whose `run` starts the server inside the environment they manage (a virtualenv the
# image's PATH may not hold): the migration runs through the same one.
LAUNCHERS = frozenset({"poetry", "uv", "pdm", "pipenv"})
_SAFE_WORD = re.compile(r"[\w@%+=:,./-]+")
_SHELL_LIST = re.compile(r"&&|\|\||;|\|")


def migration_command(ini: PurePosixPath) -> str:
    """`alembic upgrade head`, with `-c` when the ini file is not `alembic.ini` at the root."""
    if ini == PurePosixPath("alembic.ini"):
        return "alembic upgrade head"
    return f"alembic -c {shell_quote(str(ini))} upgrade head"


def migrate_at_start(project: Project, ini: PurePosixPath) -> Edit | None:
    rt = runtime(project)
    step = rt.last("CMD") if rt is not None else None
    if rt is None or step is None or rt.last("ENTRYPOINT") is not None:
        return None
    cmd = step.ins
    if "alembic" in cmd.args:
        return None
    migrate = migration_command(ini)
    words = cmd.exec_form()
    values = [w.value for w in words] if words is not None else cmd.args.split()
    if len(values) > 1 and values[0] in LAUNCHERS and values[1] == "run":
        migrate = f"{values[0]} run {migrate}"  # the server's environment is the launcher's
    if words is not None:
        if not words:
            return None
        command = " ".join(shell_quote(w.value) for w in words)
        replacement = json.dumps(["sh", "-c", f"{migrate} && exec {command}"])
    else:
        args = cmd.args.strip()
        if not args or args.startswith("["):  # a JSON array Docker could not read (DF040)
            return None
        # `cd backend && uvicorn ...` is a list: `exec` applies to one simple command only.
        replacement = f"{migrate} && {args if _SHELL_LIST.search(args) else 'exec ' + args}"
    end = len(cmd.text.rstrip())
    span = Span(cmd.raw(cmd.args_start), cmd.raw(end - 1) + 1)
    return Edit(DOCKERFILE, span, replacement)


def shell_quote(word: str) -> str:
    return word if _SAFE_WORD.fullmatch(word) else "'" + word.replace("'", "'\"'\"'") + "'"
