from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.database.sources import sqlite_files
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.stage import DOCKERFILE, is_root, runtime
from hfdeploy.dockerfile.validate import is_valid
from hfdeploy.dockerfile.writable import (
    ImageUser,
    grant_fix,
    image_user,
    landing,
    start_directory,
)
from hfdeploy.pycode import located
from hfdeploy.pysource.startup import Use, startup
from hfdeploy.pysource.writes import SQLITE_CONNECTS, SQLITE_DATABASES

if TYPE_CHECKING:
    from hfdeploy.project import Project

DATA = "/data"


class WriteDeniedAtRuntime(Check):
    """## What it does
    Reports places the served app writes that the Space's runtime user (uid 1000) cannot write
    in the image: the Hugging Face model cache of `from_pretrained`, `pipeline(`,
    `hf_hub_download`, `snapshot_download` and `SentenceTransformer` (and `nltk.download`'s data
    directory) when `HOME`/`HF_HOME` is unset or points at a root-owned directory; directories
    the code creates (`os.makedirs("uploads")`, `Path(...).mkdir()`) or files it opens for
    writing, relative to a root-owned working directory; the directory of a SQLite database
    file the app opens, by URL (`sqlite:///./app.db` resolves against the image's `WORKDIR`;
    so does Tortoise ORM's `sqlite://app.db`) or by path (`sqlite3.connect("app.db")`,
    `aiosqlite.connect(...)`, peewee's `SqliteDatabase("app.db")`, which opens it at its first
    query); and
    `/data`, which exists only when a storage bucket is mounted there.

    It follows the Dockerfile's final stage: who owns each directory (`useradd -m`, `mkdir`
    run as the user, `chown`, `chmod`, `WORKDIR`, `COPY --chown`) and the `ENV` in effect.

    ## Why is this bad?
    A Space runs the container as uid 1000 whatever the Dockerfile says. Writing anywhere that
    user does not own fails: `PermissionError: [Errno 13] Permission denied: '/.cache'` (no
    `HOME`, so caches go under `/`), `'/home/user/.cache/huggingface'` (a cache created by root
    during the build), `'uploads'` (a root-owned `WORKDIR`), `'/data/...'` (no bucket mounted:
    `/data` never exists during the build and exists at run time only with a bucket).
    It is an error when the code writes there at start (import, startup handler, lifespan): the
    Space never starts. In a route it is a warning: that request fails. A SQLite file needs its
    directory writable (SQLite creates the file and its journal there: `sqlite3.OperationalError:
    unable to open database file`): an error when the URL is written in the code, a warning when
    it is only a default the Space's variable of that name replaces. (An image that never
    switches to a non-root user is DF003's.)

    ## Example
    ```dockerfile
    RUN useradd -m -u 1000 user
    USER user
    WORKDIR /app
    ```
    ```python
    model = AutoModel.from_pretrained("bert-base-uncased")   # cache under $HOME: unset -> /
    ```

    Use instead:
    ```dockerfile
    RUN useradd -m -u 1000 user
    RUN mkdir -p /app/uploads && chown user /app/uploads
    USER user
    ENV HOME=/home/user
    ```

    ## Fix safety
    Safe, for errors and warnings alike: the fix only adds a directory owned by uid 1000 to the
    image, which can change nothing but a `Permission denied` into a success. A warning's
    condition (a fallback that runs only when a variable is unset, a URL the Space's secret
    replaces) decides whether the app uses the directory, not whether it may exist, so the
    image then works in both configurations; a bucket mounted at `/data` still replaces the
    directory the image has there. The fix is `ENV HOME=/home/<user>` after `USER` when the
    image creates the uid-1000 account and `HOME` is unset (caches follow `HOME`); otherwise
    `RUN mkdir -p <dir> && chown <user> <dir>` (`-R` for a cache directory, offered only when
    the image creates the uid-1000 account), where `<user>` is the uid-1000 account, else
    `1000` (a Space runs uid 1000 whatever `USER` names, so an account with another uid is not
    chown'd to). The `RUN` is inserted as a new line in the
    final stage, in the file's line endings, where it runs as root: before the `USER` that
    switches to the runtime user (else before `CMD`), and after any `WORKDIR`, `COPY` or `ADD`
    that creates the directory, an ancestor or something inside it (a later one would create
    it root-owned first or replace it); when such a step comes after `USER`, the line goes
    right after it between `USER root` and the `USER` in effect. Once it is there the
    directory is the user's, so a second `fix` changes nothing.
    """

    code = "DF031"
    name = "write-denied-at-runtime"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for _directory, diagnostic in self.findings(project):
            yield diagnostic

    def findings(self, project: Project) -> list[tuple[str, Diagnostic]]:
        """(the directory uid 1000 cannot write, the finding), computed once per snapshot."""
        return project.memo("df031-findings", lambda: list(self._findings(project)))

    def _findings(self, project: Project) -> Iterator[tuple[str, Diagnostic]]:
        iu = image_user(project)
        rt = runtime(project)
        if iu is None or rt is None:
            return
        st = startup(project)
        if not st.modules:
            return
        reported: set[str] = set()
        for use in sorted(st.hub_loads, key=lambda u: (not u.at_start, str(u.path), u.line)):
            if use.local or use.names_cache:
                continue  # no download, or not into the default cache
            cache = iu.nltk_home() if use.kind == "nltk.download" else iu.hf_home()
            if cache in reported or iu.can_write(cache):
                continue
            reported.add(cache)
            yield cache, self._cache(project, iu, use, cache)
        workdir = start_directory(rt)
        for use in sorted(st.writes, key=lambda u: (not u.at_start, str(u.path), u.line)):
            assert use.target is not None
            module_dir = None
            if use.target.base == "module":
                lands = landing(project, str(use.path))
                module_dir = posixpath.dirname(lands) if lands else None
            target = use.target.in_image(module_dir, workdir, rt.env)
            if target is None or target in reported:
                continue
            is_data = target == DATA or target.startswith(DATA + "/")
            if is_data:
                if iu.can_write(DATA) or DATA in reported:
                    continue
                reported.add(DATA)
                yield DATA, self._data(project, iu, use, target)
                continue
            if iu.can_write(target):
                continue
            reported.add(target)
            yield target, self._dir(project, iu, use, target)
        if not is_root(rt.user):
            yield from self._sqlite(project, iu, workdir, reported)

    def _sqlite(
        self, project: Project, iu: ImageUser, workdir: str, reported: set[str]
    ) -> Iterator[tuple[str, Diagnostic]]:
        """The directory of each SQLite file the app opens (the database domain owns the URLs),
        resolved against the directory the server starts in."""
        for found, url in sqlite_files(project):
            if found.name is not None and found.name in iu.rt.env:
                continue  # the image sets the variable: this URL is not the one used
            database = url.database
            if not database or database.startswith(("%(", "file:", "$")) or "{" in database:
                continue
            path = posixpath.normpath(posixpath.join(workdir, database))
            directory = posixpath.dirname(path)
            if directory in reported or iu.can_write(directory):
                continue
            if directory == DATA or directory.startswith(DATA + "/"):
                continue  # a bucket mounted at /data is writable: the storage rules say the rest
            reported.add(directory)
            owner = iu.created_as(directory) or "/"
            fix = grant_fix(iu, directory)
            certain = not found.overridable and found.origin != "env"
            unless = (
                f" (the default of `{found.name}`, unless the Space sets it)"
                if not certain and found.name
                else ""
            )
            yield (
                directory,
                self.diagnostic(
                    f"SQLite database `{url.text}`{unless} is the file `{path}`, but `{owner}` "
                    f"belongs to root in the image and the Space runs as uid 1000: "
                    f"`sqlite3.OperationalError: unable to open database file`",
                    path=found.path,
                    span=found.written,
                    fix=fix,
                    notes=(
                        (
                            f"Or put the file under a directory uid 1000 owns ($DATA_DIR, /tmp; "
                            f"a storage bucket mounted at {DATA} keeps it across restarts)"
                        ),
                    ),
                    severity=Severity.ERROR if certain else Severity.WARNING,
                ),
            )

    def _where(self, use: Use) -> str:
        return where(use)

    def _cache(self, project: Project, iu: ImageUser, use: Use, cache: str) -> Diagnostic:
        label = "`nltk.download`" if use.kind == "nltk.download" else f"`{use.kind}`"
        if use.kind == "nltk.download":
            setting = "NLTK_DATA" if iu.env("NLTK_DATA") else None
        else:
            setting = iu.hf_home_setting()
        why = (
            f"`{setting}` points there"
            if setting
            else ("`HOME` is unset, so it is `/`" if iu.home == "/" else f"`HOME` is `{iu.home}`")
        )
        fix = None
        if iu.name is not None and not setting and iu.home == "/" and is_valid("user", iu.name):
            fix = self._home_fix(iu)
        elif iu.name is not None:
            fix = grant_fix(iu, cache, recursive=True)
        return self.diagnostic(
            f"{label} {self._where(use)} writes its cache to `{cache}` ({why}), which uid 1000 "
            f"cannot write: `PermissionError: [Errno 13] Permission denied: '{cache}'`",
            path=use.path,
            span=node_span(project, use),
            fix=fix,
            notes=(
                (
                    "Set `ENV HOME=/home/<user>` (or `HF_HOME` to a directory the user owns) "
                    "and create that directory before `USER`, owned by the user"
                ),
            ),
            severity=Severity.ERROR if use.certain_at_start else Severity.WARNING,
        )

    def _dir(self, project: Project, iu: ImageUser, use: Use, target: str) -> Diagnostic:
        owner = iu.created_as(target) or "/"
        fix = grant_fix(iu, target)
        verb = "creates" if use.kind in ("makedirs", "mkdir") else "writes in"
        error = "`PermissionError: [Errno 13] Permission denied`"
        if use.kind in SQLITE_CONNECTS or use.kind in SQLITE_DATABASES:
            verb = "opens a SQLite file in"  # and creates it, with its -journal/-wal files
            error = "`sqlite3.OperationalError: unable to open database file`"
        return self.diagnostic(
            f"`{use.kind}` {self._where(use)} {verb} `{target}`, but `{owner}` belongs to root "
            f"in the image and the Space runs as uid 1000: {error}",
            path=use.path,
            span=node_span(project, use),
            fix=fix,
            severity=Severity.ERROR if use.certain_at_start else Severity.WARNING,
        )

    def _data(self, project: Project, iu: ImageUser, use: Use, target: str) -> Diagnostic:
        fix = grant_fix(iu, DATA)
        return self.diagnostic(
            f"`{use.kind}` {self._where(use)} writes under `{target}`: `/data` exists only when a "
            "storage bucket is mounted there (never during the build), so without one this "
            "fails with `FileNotFoundError`/`PermissionError`",
            path=use.path,
            span=node_span(project, use),
            fix=fix,
            notes=(
                (
                    "Mount a bucket at /data (Space settings, `hf spaces volumes set`), or "
                    "create `/data` owned by the user in the Dockerfile (lost on restart)"
                ),
            ),
            severity=Severity.WARNING,
        )

    def _home_fix(self, iu: ImageUser) -> Fix | None:
        rt = iu.rt
        home = f"/home/{iu.name}"
        user_step = rt.user_step()
        account = next((u for u in rt.users if u.name == iu.name), None)
        if account is None or not account.creates_home:
            return None
        anchor = user_step if user_step is not None and not is_root(rt.user) else account.step
        at = anchor.ins.span.end
        text = rt.dockerfile.text
        nl = "\r\n" if "\r\n" in text else "\n"
        if at < len(text) and text.startswith(nl, at):
            at += len(nl)
            line = f"ENV HOME={home}{nl}"
        else:
            line = f"{nl}ENV HOME={home}"
        return Fix(f"Set `HOME={home}` for the runtime user", (Edit.insert(DOCKERFILE, at, line),))


def where(use: Use) -> str:
    if use.certain_at_start:
        return "at start"
    return "at start when its condition holds" if use.at_start else "when a request reaches it"


def node_span(project: Project, use: Use) -> Span | None:
    module = located(project, use.path)
    return module.span(use.node) if module is not None else None


def denied_directories(project: Project) -> set[str]:
    """The directories DF031 reports (DF004 leaves a `WORKDIR` among them to DF031: one finding
    per fact)."""
    return {directory for directory, _ in WriteDeniedAtRuntime().findings(project)}
