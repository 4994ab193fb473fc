"""Run Alembic's migrations before the server in the root Dockerfile's start command, as the
generated Dockerfile does (`alembic upgrade head && exec uvicorn ...`).

Public API (used by the database domain's DB017 and by `fix --verify`'s schema repair):
  `migrate_at_start(project, ini)` -> the `Edit` of the instruction that starts the container
  (the ENTRYPOINT when there is one, exec or shell form, with or without a CMD; else the CMD),
  or None when there is nothing to edit safely (no start instruction, one that already runs
  Alembic, a broken JSON array).
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
    """`alembic upgrade head`, with `-c` when the configuration is not `alembic.ini` (or, for
    Alembic 1.16+, `pyproject.toml`) at the root."""
    if ini in (PurePosixPath("alembic.ini"), PurePosixPath("pyproject.toml")):
        return "alembic upgrade head"
    return f"alembic -c {shell_quote(str(ini))} upgrade head"


def migrate_at_start(project: Project, ini: PurePosixPath) -> Edit | None:
    """The edit of the instruction that starts the container, so that it runs the migrations
    first and starts the server only when they succeed: the ENTRYPOINT when there is one (a
    CMD after it is only its arguments), else the CMD."""
    rt = runtime(project)
    if rt is None:
        return None
    entry, cmd = rt.last("ENTRYPOINT"), rt.last("CMD")
    step = entry or cmd
    if step is None or any("alembic" in s.ins.args for s in (entry, cmd) if s is not None):
        return None
    ins = step.ins
    words = ins.exec_form()
    values = [w.value for w in words] if words is not None else ins.args.split()
    if entry is not None and cmd is not None and words is not None and len(values) < 2:
        # `ENTRYPOINT ["poetry"]` + `CMD ["run", ...]`: the launcher is split across the two
        values += [w.value for w in (cmd.ins.exec_form() or [])]
    migrate = migration_command(ini)
    if len(values) > 1 and values[0] in LAUNCHERS and values[1] == "run":
        migrate = f"{values[0]} run {migrate}"  # the server's environment is the launcher's
    if words is not None:
        if not words:
            return None
        command = " ".join(shell_quote(w.value) for w in words)
        if entry is not None and cmd is not None:
            # The CMD (or its `/bin/sh -c` form) reaches the ENTRYPOINT as arguments: the
            # wrapper hands them on as "$@" (`sh` fills $0).
            script = f'{migrate} && exec {command} "$@"'
            replacement = json.dumps(["sh", "-c", script, "sh"])
        else:
            replacement = json.dumps(["sh", "-c", f"{migrate} && exec {command}"])
    else:
        # A shell-form ENTRYPOINT or CMD runs as `/bin/sh -c "..."` (and a shell-form
        # ENTRYPOINT ignores any CMD).
        args = ins.args.strip()
        if not args or args.startswith("["):  # a JSON array Docker could not read (DF040)
            return None
        # `cd backend && uvicorn ...` is a list: `exec` applies to one simple command only.
        replacement = f"{migrate} && {args if _SHELL_LIST.search(args) else 'exec ' + args}"
    end = len(ins.text.rstrip())
    span = Span(ins.raw(ins.args_start), ins.raw(end - 1) + 1)
    return Edit(DOCKERFILE, span, replacement)


def shell_quote(word: str) -> str:
    return word if _SAFE_WORD.fullmatch(word) else "'" + word.replace("'", "'\"'\"'") + "'"
