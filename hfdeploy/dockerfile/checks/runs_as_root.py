from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, FixAvailability, Severity
from hfdeploy.dockerfile.regenerate import regeneration
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime
from hfdeploy.dockerfile.user_splice import user_splice
from hfdeploy.pysource.writes import file_writes
from hfdeploy.space import APP_DIR, SPACE_UID

if TYPE_CHECKING:
    from hfdeploy.project import Project


class RunsAsRoot(Check):
    """## What it does
    Reports a final stage without a uid-1000 user: no `USER` at all, `USER root` last, or a
    `USER` created with another uid.

    ## Why is this bad?
    Spaces run the container as uid 1000 whatever the Dockerfile says. An image built for root
    leaves every file and directory owned by root, so the app cannot create or change files
    (`sqlite3.OperationalError: unable to open database file`), and with no home directory
    caches fail (`PermissionError: [Errno 13] Permission denied: '/.cache'`).

    The severity follows the evidence. When the app writes files (a SQLite database, uploads,
    log files, `os.makedirs`, or model downloads into `~/.cache` without `HF_HOME` pointing to
    a writable place) it is an error naming where. It is an error too when something needs
    an account for uid 1000 with a home, which such an image does not have (HOME is `/`):
    a start through `uv run` (its cache goes to `$HOME/.cache/uv`: `error: Failed to
    initialize cache at /.cache/uv`) or `pipenv run` (`$HOME/.local`), code that asks for
    the account (`getpass.getuser()`, `pwd.getpwuid(...)`: `KeyError: 'getpwuid(): uid not
    found: 1000'`), and a PostgreSQL URL written in the code that names no user
    (`postgresql+asyncpg:///db`: asyncpg and libpq then ask the system for the user name).
    An image that already has a uid-1000 account, sets `USER`/`LOGNAME` or `PGUSER`, or
    points `UV_CACHE_DIR` somewhere writable, is not reported for these. An app that only
    reads its files runs fine as uid 1000 on root-owned files, so it is then a warning that
    says what would make it fail; so is one that writes only where uid 1000 can (a directory
    the Dockerfile makes world-writable, `RUN chmod 777 /app`, or `/tmp`), and a model download
    told where its files go (`cache_dir=`, `cache_folder=`, `local_dir=`) is not a write into
    `~/.cache`.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    WORKDIR /code
    COPY . .
    RUN pip install -r requirements.txt
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    Use instead:
    ```dockerfile
    FROM python:3.11-slim
    RUN useradd -m -u 1000 user
    ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH
    WORKDIR /home/user/app
    RUN chown user:user /home/user/app
    USER user
    COPY --chown=user requirements.txt requirements.txt
    RUN pip install --no-cache-dir --user -r requirements.txt
    COPY --chown=user . /home/user/app
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    ## Fix safety
    When hfdeploy's template reproduces every instruction of the old file (a single-stage
    `python` image with system packages, plain `ENV` values, extra pip packages and the served
    app) and the app writes no absolute directory outside `/home/user/app` (which the
    template would leave to root), the fix regenerates the whole Dockerfile, a safe fix.
    Otherwise the old file is kept
    and a block is spliced in before the final `CMD`/`ENTRYPOINT`: it creates the uid-1000
    user (`useradd -m -u 1000 user`, unless the file creates one), hands it the final working
    directory (`chown -R 1000:1000`) and the absolute directories of the SQLite files the app
    opens (`mkdir -p` first), sets `HOME=/home/user` when `HOME` is unset and switches
    `USER user`. Every other line, comment and line ending stays as written. The splice is
    safe for a single-stage file on an official Debian-based `python:` image (which has
    `useradd`) that has no `USER` and creates no uid-1000 user, and that starts a Python
    server hfdeploy recognises from the Dockerfile itself; otherwise it is unsafe and the
    finding says why (a multi-stage build, another base, an existing `USER`, a start script
    that may need root). No fix is offered when the working directory is `/`. When nothing
    shows that the app writes files (a warning), either fix is offered as unsafe only.
    """

    code = "DF003"
    name = "runs-as-root"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        user_step = rt.user_step()
        created = next((u for u in rt.users if u.name == rt.user.split(":")[0]), None)
        if rt.runs_as_root:
            where = (
                user_step.ins.span if user_step else rt.dockerfile.chain()[-1].instructions[0].span
            )
            message = (
                "The image runs as root (`USER root` is the last USER)"
                if user_step
                else "The image never switches to a non-root user (no `USER`)"
            )
            message += f"; Spaces run it as uid {SPACE_UID}, which then owns none of its files"
        elif created is not None and created.uid not in (None, str(SPACE_UID)):
            assert user_step is not None
            where = user_step.ins.span
            message = (
                f"User `{created.name}` is created with uid {created.uid}; Spaces run the "
                f"container as uid {SPACE_UID}, which then owns none of its files"
            )
        else:
            return
        evidence = write_evidence(project, rt.env)
        needs = account_evidence(project)
        if evidence:
            shown = ", ".join(evidence[:_SHOWN])
            more = f" and {len(evidence) - _SHOWN} more" if len(evidence) > _SHOWN else ""
            message += f"; the app writes files: {shown}{more}"
            severity = Severity.ERROR
        if needs:
            shown = ", ".join(needs[:_SHOWN])
            more = f" and {len(needs) - _SHOWN} more" if len(needs) > _SHOWN else ""
            message += f"; the app needs an account for uid {SPACE_UID} with a home: {shown}{more}"
            severity = Severity.ERROR
        if not evidence and not needs:
            allowed = _writable_writes(project)
            if any((w.path, w.line) in allowed for w in file_writes(project)):
                message += (
                    "; the code writes only where uid 1000 can (a world-writable directory, "
                    "`/tmp`), so it starts, but any other write (SQLite, uploads, logs, "
                    "`~/.cache`) would fail"
                )
            else:
                message += (
                    "; the code writes no file, so it starts, but any write in its directories "
                    "(SQLite, uploads, logs, `~/.cache`) would fail"
                )
            severity = Severity.WARNING
        regen = regeneration(project)
        notes = list(regen.notes) + ([f"No fix: {regen.problem}"] if regen.problem else [])
        fix = regen.fix
        dirs = write_dirs(project)
        # The template owns only /home/user/app: an absolute directory the app writes
        # (`sqlite:////app/data/x.db`) would stay root's, or not exist, after regenerating.
        outside = [d for d in dirs if d != APP_DIR and not d.startswith(APP_DIR + "/")]
        if fix is None or fix.applicability is not Applicability.SAFE or outside:
            # Regenerating a custom file would drop what it does: add the user to it instead.
            splice = user_splice(project, dirs)
            if splice is not None:
                fix, notes = splice.fix, list(splice.notes)
        if fix is not None and severity is Severity.WARNING:
            # Changing a Dockerfile that may well work is not done unasked.
            fix = replace(fix, applicability=Applicability.UNSAFE)
        yield self.diagnostic(
            message, path=DOCKERFILE, span=where, fix=fix, notes=notes, severity=severity
        )


_SHOWN = 3
_WRITABLE_PREFIXES = ("/tmp", "/data", "/dev/shm")


def _writable_writes(project: Project) -> set[tuple[Any, int]]:
    """(file, line) of the app's writes whose directory in the image uid 1000 can write even
    though the image runs as root (`RUN chmod 777 /app`, `/tmp`): no evidence of a failure."""
    from hfdeploy.dockerfile.writable import image_user, landing, start_directory
    from hfdeploy.pysource.startup import startup

    rt = runtime(project)
    iu = image_user(project)
    if rt is None or iu is None:
        return set()
    workdir = start_directory(rt)
    out: set[tuple[Any, int]] = set()
    for use in startup(project).writes:
        if use.target is None:
            continue
        module_dir = None
        if use.target.base == "module":
            lands = landing(project, str(use.path))
            module_dir = posixpath.dirname(lands) if lands else None
        target = use.target.in_image(module_dir, workdir, rt.env)
        if target is not None and iu.can_write(target):
            out.add((use.path, use.line))
    return out


def write_evidence(project: Project, env: dict[str, str]) -> list[str]:
    """Where the app writes files a uid-1000 user cannot write in a root-built image."""
    found: list[str] = []
    for url in sqlite_urls(project):
        found.append(f"SQLite {url}")
    cache_home = env.get("HF_HOME") or env.get("XDG_CACHE_HOME") or ""
    cache_ok = cache_home.startswith(_WRITABLE_PREFIXES)
    allowed = _writable_writes(project)
    for write in file_writes(project):
        if write.kind == "cache" and cache_ok:
            continue
        if (write.path, write.line) in allowed:
            continue
        label = "a model download into `~/.cache`" if write.kind == "cache" else write.what
        found.append(f"{label} at {write.where}")
    return list(dict.fromkeys(found))


_USER_VARIABLES = ("LOGNAME", "USER", "LNAME", "USERNAME")  # read by getpass.getuser() first
_LAUNCHER_HOMES = {
    # launcher -> what it writes under HOME as uid 1000 before the server starts
    "uv run": "creates its cache in `$HOME/.cache/uv`",
    "pipenv run": "creates `$HOME/.local/share/virtualenvs`",
}


def account_evidence(project: Project) -> list[str]:
    """What makes the start fail as uid 1000 when the image has no passwd entry or no writable
    home for it: a launcher that writes under HOME (`uv run`), code that looks the account up
    (`getpass.getuser()`), a PostgreSQL URL with no user (the driver looks the OS user name
    up). Empty when the image already gives uid 1000 what each needs."""
    from hfdeploy.database.os_user import urls_without_user
    from hfdeploy.dockerfile.server import find_server
    from hfdeploy.dockerfile.writable import image_user
    from hfdeploy.pysource.accounts import account_lookups

    rt = runtime(project)
    user = image_user(project)
    if rt is None or user is None:
        return []
    env = rt.env
    # A user added without `-u` is the first account of the image: uid 1000 on Debian.
    has_account = any(u.uid in (None, str(SPACE_UID)) for u in rt.users)
    found: list[str] = []
    server = find_server(project)
    what = _LAUNCHER_HOMES.get(server.launcher or "") if server is not None else None
    if server is not None and what is not None:
        if server.launcher == "uv run":
            writable = bool(env.get("UV_NO_CACHE")) or user.can_write(
                env.get("UV_CACHE_DIR") or posixpath.join(user.cache_home(), "uv")
            )
        else:
            writable = user.can_write(user.home)
        if not writable:
            found.append(
                f"`{server.launcher}` ({server.origin}) {what}, and HOME is `{user.home}`, "
                f"which uid {SPACE_UID} cannot write"
            )
    if not has_account and not any(env.get(v) for v in _USER_VARIABLES):
        for lookup in account_lookups(project):
            found.append(
                f"{lookup.what} at {lookup.where} (`KeyError: 'getpwuid(): uid not found'`)"
            )
    if not has_account and not env.get("PGUSER"):
        for url in urls_without_user(project):
            source = project.source(url.path)
            line = source.line_col(url.written.start)[0] if source is not None else None
            where = f"{url.path}:{line}" if line else str(url.path)
            found.append(
                f"`{url.url.masked()}`{'...' if not url.complete else ''} at {where} names no "
                "database user, so the driver asks the system for the user name"
            )
    return list(dict.fromkeys(found))


def write_dirs(project: Project) -> list[str]:
    """Absolute directories the app's SQLite files live in (relative ones are under the
    working directory, which the repair hands over as a whole)."""
    found = []
    for _, url in _sqlite_files(project):
        if url.database.startswith("/"):
            found.append(posixpath.dirname(posixpath.normpath(url.database)))
    return [
        d
        for d in dict.fromkeys(found)
        if d not in ("/", "") and not d.startswith(_WRITABLE_PREFIXES[:1])
    ]


def _sqlite_files(project: Project) -> list[tuple[Any, Any]]:
    """(found, url) for each SQLite file the app opens on the Space (not in memory)."""
    from hfdeploy.database.sources import sqlite_files

    return sqlite_files(project)


def sqlite_urls(project: Project) -> list[str]:
    """SQLite files the app opens on the Space (the database domain owns the URLs)."""
    out = []
    for found, url in _sqlite_files(project):
        source = project.source(found.path)
        line = source.line_col(found.written.start)[0] if source is not None else None
        where = f"{found.path}:{line}" if line else str(found.path)
        role = f" (`{found.name}`, unless the Space sets it)" if found.name else ""
        out.append(f"`{url.text}`{role} at {where}")
    return out
