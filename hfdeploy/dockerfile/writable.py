"""The runtime user's view of the image: who runs (Spaces always run uid 1000), its HOME, the
directories it can write, where a Hub cache lands, and where copied context files land.

Ownership is followed through the final stage: `useradd -m` gives the user its home, `mkdir`
run as the user, `chown`/`chmod` of a directory, `WORKDIR` and `COPY --chown` creating a
directory. Anything else the build creates is root's. `/tmp` is writable; `/data` exists only
when a storage bucket is mounted there (never during the build).
Shared by the writable-path, build-download and missing-file checks (DF031-DF037)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hfdeploy.dockerfile.copies import Copy, copies
from hfdeploy.dockerfile.shell import Word, commands, expand, split_words
from hfdeploy.dockerfile.stage import Runtime, Step, is_root, run_commands, runtime, strip_prefix

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


def _build(project: Project, rt: Runtime) -> ImageUser:
    user = rt.user.split(":")[0]
    account = next((u for u in rt.users if u.uid == RUNTIME_UID), None)
    if account is None and not is_root(user):
        account = next((u for u in rt.users if u.name == user), None)
    name = account.name if account is not None else None
    owned: dict[str, bool] = {}
    account_home = f"/home/{name}" if name else None
    for step in rt.steps:
        keyword = step.ins.keyword
        as_user = not is_root(step.user)
        if keyword == "WORKDIR":
            after = _after(rt, step)
            owned.setdefault(after, as_user)
        elif keyword in ("COPY", "ADD"):
            continue
        elif keyword == "RUN":
            for cmd in run_commands(step.ins):
                args = [expand(w.value, step.env) for w in cmd]
                if not args:
                    continue
                _event(args, step, as_user, name, owned)
    for copy in copies(rt):
        chown = copy.step.ins.flag("chown")
        mine = chown is not None and (chown.value or "").split(":")[0] in (name, RUNTIME_UID)
        # a directory COPY creates for its files
        if (
            copy.dest not in owned
            and not any(s in (".", "*") for s in copy.sources)
            and (copy.dest.endswith("/") or len(copy.sources) > 1)
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
    return ImageUser(rt, name, home, home_exists, owned)


def _after(rt: Runtime, step: Step) -> str:
    index = rt.steps.index(step)
    following = rt.steps[index + 1] if index + 1 < len(rt.steps) else None
    return following.workdir if following is not None else rt.workdir


def _event(
    args: list[str], step: Step, as_user: bool, name: str | None, owned: dict[str, bool]
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
        grant = (
            operands[0].split(":")[0] in (name, RUNTIME_UID)
            if name
            else operands[0].startswith(RUNTIME_UID)
        )
    elif program == "chmod" and operands:
        grant = bool(_WRITABLE_MODE.match(operands[0]))
    else:
        return
    for p in paths:
        if "$" in p:
            continue
        target = absolute(p)
        owned[target] = grant or owned.get(target, False)
        if recursive:
            for known in list(owned):
                if known.startswith(target.rstrip("/") + "/"):
                    owned[known] = grant or owned[known]


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
