"""The runtime user's view of the image: who runs (Spaces always run uid 1000), its HOME, the
directories it can write, where a Hub cache lands, and where copied context files land.

Ownership is followed through the final stage: `useradd -m` gives the user its home, `mkdir`
run as the user, `chown`/`chmod` of a directory, `WORKDIR` and `COPY --chown` creating a
directory. Anything else the build creates is root's. `/tmp` is writable; `/data` exists only
when a storage bucket is mounted there (never during the build).

This module is the one owner of "can uid 1000 write here" (`ImageUser.can_write`, and
`workdir_ownership` for the final `WORKDIR`) and of the edit that makes a directory writable
(`grant_edit`/`grant_fix`: `RUN mkdir -p <dir> && chown <user> <dir>` placed where it runs as
root and no later `WORKDIR`/`COPY` re-creates the directory). DF004, DF031 and the runtime repair
of `fix --verify` all ask it.
Shared by the writable-path, build-download and missing-file checks (DF031-DF037)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Edit, Fix
from hfdeploy.dockerfile.copies import Copy, copies
from hfdeploy.dockerfile.shell import Word, commands, expand, split_words
from hfdeploy.dockerfile.stage import (
    DOCKERFILE,
    CreatedUser,
    Runtime,
    Step,
    is_root,
    run_commands,
    runtime,
    strip_prefix,
)
from hfdeploy.dockerfile.validate import is_valid

if TYPE_CHECKING:
    from hfdeploy.project import Project

RUNTIME_UID = "1000"
_WRITABLE_MODE = re.compile(r"^(?:[0-7]?[0-7][0-7][2367]|[ugoa]*\+[rx]*w[rx]*)$")


@dataclass
class ImageUser:
    rt: Runtime
    name: str | None  # the uid-1000 account's name, None when the image creates none
    home: str  # HOME at run time: ENV HOME, the account's home, or "/"
    home_exists: bool
    owned: dict[str, bool] = field(default_factory=dict)  # directory -> uid 1000 can write
    # directories uid 1000 owns only because a `WORKDIR` after `USER` created them: BuildKit
    # (the Space's builder) gives them to the user, Docker's legacy builder leaves them root's
    builder_dependent: set[str] = field(default_factory=set)

    @property
    def owner(self) -> str:
        """What to write after `chown`: the account name, or the uid."""
        return self.name or RUNTIME_UID

    def can_write(self, path: str) -> bool:
        """Whether uid 1000 can create `path` (a directory or file) or files in it."""
        path = posixpath.normpath(path)
        current = path
        while True:
            if current == "/tmp" or current.startswith("/tmp/"):
                return True
            if current in self.owned:
                return self.owned[current]
            if current == "/":
                return False
            current = posixpath.dirname(current)

    def created_as(self, path: str) -> str | None:
        """The nearest directory decided by the build, with who can write it (for messages)."""
        current = posixpath.normpath(path)
        while current != "/":
            if current in self.owned:
                return current
            current = posixpath.dirname(current)
        return None

    def env(self, name: str) -> str | None:
        return self.rt.env.get(name)

    def cache_home(self) -> str:
        """`$XDG_CACHE_HOME`, else `$HOME/.cache`."""
        return self.env("XDG_CACHE_HOME") or posixpath.join(self.home, ".cache")

    def hf_home(self, env: dict[str, str] | None = None) -> str:
        """Where huggingface_hub, transformers and sentence-transformers keep models (with
        `env`: as a build step with that environment would see it, as the same user)."""
        env = self.rt.env if env is None else env
        explicit = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE")
        if explicit:
            return explicit
        home = env.get("HOME") or self.home
        cache = env.get("XDG_CACHE_HOME") or posixpath.join(home, ".cache")
        return env.get("HF_HOME") or posixpath.join(cache, "huggingface")

    def hf_home_setting(self) -> str | None:
        """The ENV name that decides `hf_home()`, or None when HOME does."""
        for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
            if self.env(name):
                return name
        return None

    def nltk_home(self) -> str:
        return self.env("NLTK_DATA") or posixpath.join(self.home, "nltk_data")


def image_user(project: Project) -> ImageUser | None:
    rt = runtime(project)
    if rt is None:
        return None
    return project.memo("dockerfile-image-user", lambda: _build(project, rt))


def _uid(user: CreatedUser) -> str | None:
    """The account's uid, None when the Dockerfile leaves it to the system (the first account
    of a Debian image gets 1000) or it cannot be read."""
    if user.uid is None:
        return None
    uid = expand(user.uid, user.step.env).strip("\"'")
    return uid if uid.isdigit() else None


def _build(project: Project, rt: Runtime) -> ImageUser:
    user = rt.user.split(":")[0]
    account = next((u for u in rt.users if _uid(u) == RUNTIME_UID), None)
    if account is None and not is_root(user):
        # The USER's account is uid 1000's only when the Dockerfile does not give it another
        # uid (`--uid 10001`): a Space runs uid 1000 whatever USER says.
        account = next(
            (u for u in rt.users if u.name == user and _uid(u) in (None, RUNTIME_UID)), None
        )
    name = account.name if account is not None else None
    owned: dict[str, bool] = {}
    builder_dependent: set[str] = set()
    account_home = f"/home/{name}" if name else None
    for step in rt.steps:
        keyword = step.ins.keyword
        as_user = not is_root(step.user)
        if keyword == "WORKDIR":
            after = _after(rt, step)
            if after not in owned and as_user:
                builder_dependent.add(after)
            owned.setdefault(after, as_user)
        elif keyword in ("COPY", "ADD"):
            continue
        elif keyword == "RUN":
            if (
                account is not None
                and account.step is step
                and account.creates_home
                and account_home is not None
            ):
                owned.setdefault(account_home, True)  # `useradd -m`: the home is the user's
            for cmd in run_commands(step.ins):
                args = [expand(w.value, step.env) for w in cmd]
                if not args:
                    continue
                _event(args, step, as_user, name, owned, builder_dependent)
    for copy in copies(rt):
        chown = copy.step.ins.flag("chown")
        mine = chown is not None and (chown.value or "").split(":")[0] in (name, RUNTIME_UID)
        # a directory COPY creates for its files, or for a context directory's content
        if (
            copy.dest not in owned
            and not any(s in (".", "*") for s in copy.sources)
            and (
                copy.dest.endswith("/")
                or len(copy.sources) > 1
                or (copy.from_context and _context_dir(project, copy.sources[0]))
            )
        ):
            owned.setdefault(copy.dest, mine or not is_root(copy.step.user))
    # Directories a `COPY --chown=<user>` creates for the context's subdirectories.
    for copy in copies(rt):
        chown = copy.step.ins.flag("chown")
        if chown is None or (chown.value or "").split(":")[0] not in (name, RUNTIME_UID):
            continue
        for file in project.files():
            parent = str(file.parent)
            if parent == "." or not copy.brings(str(file)):
                continue
            lands = landing(project, parent, is_dir=True)
            while lands and lands not in owned and lands != copy.dest and lands != "/":
                owned[lands] = True
                lands = posixpath.dirname(lands)
    if account is not None and account.creates_home and account_home is not None:
        owned.setdefault(account_home, True)
    home = rt.env.get("HOME") or (account_home if account_home is not None else "/")
    home_exists = (
        home == "/"
        or home in owned
        or (account is not None and account.creates_home and home == account_home)
    )
    return ImageUser(rt, name, home, home_exists, owned, builder_dependent)


def _context_dir(project: Project, source: str) -> bool:
    """Whether the COPY source `source` is a directory of the build context."""
    prefix = source.rstrip("/") + "/"
    return any(str(f).startswith(prefix) for f in project.files())


def _after(rt: Runtime, step: Step) -> str:
    index = rt.steps.index(step)
    following = rt.steps[index + 1] if index + 1 < len(rt.steps) else None
    return following.workdir if following is not None else rt.workdir


def _event(
    args: list[str],
    step: Step,
    as_user: bool,
    name: str | None,
    owned: dict[str, bool],
    builder_dependent: set[str],
) -> None:
    program = posixpath.basename(args[0])
    options = [a for a in args[1:] if a.startswith("-")]
    operands = [a for a in args[1:] if not a.startswith("-")]
    recursive = any(o == "--recursive" or (not o.startswith("--") and "R" in o) for o in options)

    def absolute(p: str) -> str:
        return posixpath.normpath(posixpath.join(step.workdir, p))

    if program == "useradd" or program == "adduser":
        return
    if program == "mkdir":
        for p in operands:
            if "$" not in p:
                owned.setdefault(absolute(p), as_user)
        return
    grant = False
    paths = operands[1:]
    if program == "chown" and operands:
        grant = operands[0].split(":")[0] in ({name, RUNTIME_UID} if name else {RUNTIME_UID})
    elif program == "chmod" and operands:
        grant = bool(_WRITABLE_MODE.match(operands[0]))
    else:
        return
    for p in paths:
        if "$" in p:
            continue
        target = absolute(p)
        owned[target] = grant or owned.get(target, False)
        if grant:
            builder_dependent.discard(target)
        if recursive:
            for known in list(owned):
                if known.startswith(target.rstrip("/") + "/"):
                    owned[known] = grant or owned[known]
                    if grant:
                        builder_dependent.discard(known)


def _dest_is_dir(copy: Copy) -> bool:
    """Whether a COPY's destination is a directory the sources go into (as Docker decides)."""
    raw_dest = copy.step.ins.words()[-1].value
    return (
        raw_dest.endswith("/")
        or raw_dest == "."
        or len(copy.sources) > 1
        or copy.dest == copy.step.workdir
    )


def landing(project: Project, context_path: str, *, is_dir: bool = False) -> str | None:
    """Where the context file or directory `context_path` lands in the image (the last COPY
    that brings it), or None when no COPY brings it in."""
    rt = runtime(project)
    if rt is None:
        return None
    found = None
    for copy in copies(rt):
        if not copy.from_context:
            continue
        dest_is_dir = _dest_is_dir(copy)
        for src in copy.sources:
            if src in (".", "*"):
                found = posixpath.normpath(posixpath.join(copy.dest, context_path))
            elif context_path == src:
                if is_dir or not dest_is_dir:
                    found = copy.dest  # a directory's content, or a file copied to a name
                else:
                    found = posixpath.join(copy.dest, posixpath.basename(src))
            elif context_path.startswith(src + "/"):
                found = posixpath.join(copy.dest, context_path[len(src) + 1 :])
            else:
                continue
            break
    return found


def source_for(project: Project, image_path: str) -> str | None:
    """The context path a COPY puts at `image_path` (the inverse of `landing`), or None."""
    rt = runtime(project)
    if rt is None:
        return None
    image_path = posixpath.normpath(image_path)
    found = None
    for copy in copies(rt):
        if not copy.from_context:
            continue
        dest_is_dir = _dest_is_dir(copy)
        for src in copy.sources:
            if src in (".", "*"):
                if image_path == copy.dest or image_path.startswith(copy.dest.rstrip("/") + "/"):
                    found = posixpath.relpath(image_path, copy.dest)
                continue
            if project.exists(src):  # a file
                lands = (
                    posixpath.join(copy.dest, posixpath.basename(src)) if dest_is_dir else copy.dest
                )
                if image_path == lands:
                    found = src
            elif image_path == copy.dest or image_path.startswith(copy.dest.rstrip("/") + "/"):
                found = posixpath.normpath(
                    posixpath.join(src, posixpath.relpath(image_path, copy.dest))
                )
    return found


def root_step_offset(rt: Runtime) -> int | None:
    """Where a new root `RUN` goes: before the `USER` that switches to the runtime user, else
    before the `CMD`/`ENTRYPOINT`, else at the end of the file."""
    user_step = rt.user_step()
    if user_step is not None and not is_root(rt.user) and is_root(user_step.user):
        return user_step.ins.span.start
    last = next((s for s in reversed(rt.steps) if s.ins.keyword in ("CMD", "ENTRYPOINT")), None)
    if last is not None and is_root(last.user):
        first = next(s for s in rt.steps if s.ins.keyword in ("CMD", "ENTRYPOINT"))
        return first.ins.span.start
    return len(rt.dockerfile.text) if is_root(rt.user) else None


def line_text(rt: Runtime, line: str, at: int) -> str:
    """`line` with the file's newline, with one in front when inserted after a last line that
    has none."""
    text = rt.dockerfile.text
    nl = "\r\n" if "\r\n" in text else "\n"
    lead = nl if at == len(text) and text and not text.endswith("\n") else ""
    return lead + line + nl


def start_directory(rt: Runtime) -> str:
    """The working directory of the started app: the final `WORKDIR`, changed by a `cd X &&`
    in front of the server in `CMD`/`ENTRYPOINT`."""
    step = rt.last("CMD") or rt.last("ENTRYPOINT")
    workdir = rt.workdir
    if step is None:
        return workdir
    exec_words = step.ins.exec_form()
    if exec_words is not None:
        if len(exec_words) >= 3 and exec_words[1].value == "-c":
            words = split_words(exec_words[2].value)
        else:
            return workdir
    else:
        words = step.ins.shell_words()
    return _cd(words, workdir, rt.env, 0)


def _cd(words: list[Word], workdir: str, env: dict[str, str], depth: int) -> str:
    for cmd in commands(words):
        cmd = strip_prefix(cmd)
        program = posixpath.basename(cmd[0].value) if cmd else ""
        if program in ("sh", "bash", "dash") and len(cmd) >= 3 and cmd[1].value == "-c":
            return _cd(split_words(cmd[2].value), workdir, env, depth + 1) if depth < 3 else workdir
        if len(cmd) >= 2 and program == "cd":
            target = expand(cmd[1].value, env)
            if "$" in target:
                return workdir
            workdir = posixpath.normpath(posixpath.join(workdir, target))
    return workdir


# -- "can uid 1000 write the WORKDIR" and "make this directory writable" ----------------------
@dataclass(frozen=True)
class WorkdirOwnership:
    path: str  # the final WORKDIR inside the image
    writable: bool  # uid 1000 can create files in it, on every builder
    created_by: Step  # the WORKDIR instruction that creates it
    after_user: bool  # created after `USER`: the user's with BuildKit, root's with legacy


def workdir_ownership(project: Project) -> WorkdirOwnership | None:
    """The final WORKDIR as uid 1000 sees it; None when there is no Dockerfile, the image runs as
    root, or no `WORKDIR` creates the directory."""
    iu = image_user(project)
    if iu is None or iu.rt.runs_as_root or iu.rt.workdir == "/":
        return None
    rt = iu.rt
    wd = rt.workdir
    created = next(
        (s for s in rt.steps if s.ins.keyword == "WORKDIR" and _after(rt, s) == wd), None
    )
    if created is None:
        return None
    writable = iu.can_write(wd) and wd not in iu.builder_dependent
    return WorkdirOwnership(wd, writable, created, not is_root(created.user))


def grant_fix(iu: ImageUser, directory: str, *, recursive: bool = False) -> Fix | None:
    """The safe fix that makes `directory` uid 1000's (see `grant_edit`)."""
    edit = grant_edit(iu, directory, recursive=recursive)
    if edit is None:
        return None
    return Fix(f"Create `{posixpath.normpath(directory)}` owned by `{iu.owner}`", (edit,))


def grant_edit(
    iu: ImageUser, directory: str, *, recursive: bool = False, then: str | None = None
) -> Edit | None:
    """`RUN mkdir -p <dir> && chown [-R] <user> <dir>`, inserted in the final stage where it runs
    as root (before the `USER` that switches to the runtime user, else before `CMD`) and after
    every `WORKDIR`/`COPY`/`ADD` that creates the directory, an ancestor of it or something in it
    (a later one would create it root-owned first, or replace it; a `COPY --chown=<user>` only
    makes it the user's). When such a step comes after the switch to the runtime user, the
    `RUN` goes right after it between `USER root` and the `USER` that was in effect. It only adds a directory and an owner: nothing else changes.
    `then`: one more instruction written right after the `RUN` (`ENV HOME=...`).
    None when the directory or the owner cannot be written safely in a Dockerfile."""
    rt = iu.rt
    directory = posixpath.normpath(directory)
    owner = iu.owner
    if not is_valid("abspath", directory) or not is_valid("user", owner):
        return None
    flag = "-R " if recursive else ""
    text = rt.dockerfile.text
    nl = "\r\n" if "\r\n" in text else "\n"
    run = f"RUN mkdir -p {directory} && chown {flag}{owner} {directory}"
    if then is not None:
        run += nl + then
    last = _last_creator(iu, directory)
    base = root_step_offset(rt)
    if last is not None and (base is None or last.ins.span.end > base):
        index = rt.steps.index(last)
        newline = text.find("\n", last.ins.span.end)
        at = len(text) if newline < 0 else newline + 1
        user = rt.steps[index + 1].user if index + 1 < len(rt.steps) else rt.user
        if not is_root(user):
            if not is_valid("user", user):
                return None
            run = f"USER root{nl}{run}{nl}USER {user}"
        return Edit.insert(DOCKERFILE, at, line_text(rt, run, at))
    if base is None:
        return None
    return Edit.insert(DOCKERFILE, base, line_text(rt, run, base))


def _last_creator(iu: ImageUser, directory: str) -> Step | None:
    """The last final-stage step the new `RUN` must follow: a `WORKDIR`, `COPY` or `ADD` whose
    destination is `directory`, an ancestor or a descendant of it (a `COPY --chown=<user>` can
    only make it the user's: not counted), or the `RUN` that creates the account named in the
    `chown`."""
    rt = iu.rt

    def related(path: str) -> bool:
        path = posixpath.normpath(path)
        return (
            path == directory
            or directory.startswith(path.rstrip("/") + "/")
            or path.startswith(directory.rstrip("/") + "/")
        )

    found: list[Step] = [
        s for s in rt.steps if s.ins.keyword == "WORKDIR" and related(_after(rt, s))
    ]
    owners = {iu.owner, RUNTIME_UID}
    for copy in copies(rt):
        chown = copy.step.ins.flag("chown")
        if chown is not None and (chown.value or "").split(":")[0] in owners:
            continue  # it can only make the directory the user's
        if related(copy.dest):
            found.append(copy.step)
    account = next((u for u in rt.users if u.name == iu.name), None) if iu.name else None
    if account is not None:
        found.append(account.step)
    return max(found, key=rt.steps.index) if found else None
