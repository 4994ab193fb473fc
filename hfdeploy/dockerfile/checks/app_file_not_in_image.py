from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.checks.write_denied_at_runtime import node_span, where
from hfdeploy.dockerfile.copies import Copy, copies
from hfdeploy.dockerfile.dockerignore import ignores
from hfdeploy.dockerfile.edits import whole_lines
from hfdeploy.dockerfile.stage import DOCKERFILE, Runtime, runtime
from hfdeploy.dockerfile.validate import is_valid
from hfdeploy.dockerfile.writable import (
    ImageUser,
    grant_fix,
    image_user,
    landing,
    source_for,
    start_directory,
)
from hfdeploy.pycode import located
from hfdeploy.pysource.startup import LocalImport, startup

if TYPE_CHECKING:
    from hfdeploy.project import Project


def in_context(project: Project, path: str) -> tuple[bool, bool]:
    """(exists in the repository, kept out by `.dockerignore`) for a file or directory."""
    if project.exists(path):
        return True, ignores(project, path)
    inside = [str(f) for f in project.files() if str(f).startswith(path.rstrip("/") + "/")]
    if not inside:
        return False, False
    return True, ignores(project, path, is_dir=True) or all(ignores(project, f) for f in inside)


class AppFileNotInImage(Check):
    """## What it does
    Reports files and directories the served app needs that the image will not contain: local
    modules it imports, `StaticFiles(directory=...)` and `Jinja2Templates(directory=...)`
    directories, and model or data files it opens at start (`open`, `joblib.load`,
    `torch.load`, `pd.read_csv`), when no `COPY` brings them in, `.dockerignore` keeps them
    out, or they are not in the repository at all (git keeps no empty directory); and
    directories the app writes files or logs into (`open("logs/app.log", "w")`,
    `logging.FileHandler`) that neither the image nor the code creates.

    ## Why is this bad?
    The app fails where it first needs the file: `ModuleNotFoundError` at import,
    `RuntimeError: Directory 'static' does not exist` when `StaticFiles` is created,
    `FileNotFoundError` for a model file, all at start, so the Space never runs. A missing
    template directory fails each page that renders one (`TemplateNotFound`).

    ## Example
    ```dockerfile
    COPY --chown=user main.py .
    ```
    ```python
    app.mount("/static", StaticFiles(directory="static"), name="static")
    ```

    Use instead:
    ```dockerfile
    COPY --chown=user main.py .
    COPY --chown=user static ./static
    ```

    ## Fix safety
    Safe when the file or directory is in the repository and `.dockerignore` lets it through:
    the fix adds `COPY` of it, with the same `--chown` as the step that copies the app, right
    after that step, to the place the app looks for it. It only adds files to the image.
    A directory the app writes into gets `RUN mkdir -p <dir> && chown <user> <dir>` before
    `USER`. A path kept out by `.dockerignore` (a line may be meant) or missing from the
    repository gets no fix: the finding says what to change.
    """

    code = "DF036"
    name = "app-file-not-in-image"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        iu = image_user(project)
        if rt is None or iu is None or not copies(rt):
            return
        st = startup(project)
        if not st.modules or landing(project, str(st.modules[0].path)) is None:
            return  # the app itself is not copied: another finding
        app_path = st.modules[0].path
        app_copy = next((c for c in reversed(copies(rt)) if c.brings(str(app_path))), None)
        if any(c.step.ins.flag("from") is not None for c in copies(rt)):
            return  # files built in another stage: not followed
        seen: set[str] = set()
        for imp in st.local_imports:
            if str(imp.file) in seen or imp.guarded:
                continue
            seen.add(str(imp.file))
            present, ignored = in_context(project, str(imp.file))
            if landing(project, str(imp.file)) is not None and not ignored:
                continue
            why = "`.dockerignore` keeps it out" if ignored else "no `COPY` brings it in"
            top = imp.name.split(".")[0]
            dest = None
            lands = landing(project, str(imp.path))
            if lands is not None:
                rel = posixpath.relpath(str(imp.file), str(imp.path.parent))
                dest = posixpath.normpath(posixpath.join(posixpath.dirname(lands), rel))
            fix = None if ignored or dest is None else _copy_fix(rt, app_copy, str(imp.file), dest)
            yield self.diagnostic(
                f"`{imp.path}` imports `{imp.name}` ({imp.file}), but {why}: "
                f"`ModuleNotFoundError: No module named '{top}'`"
                + (" at start" if imp.at_start else " when that code runs"),
                path=imp.path,
                span=import_span(project, imp),
                severity=Severity.ERROR if imp.at_start else Severity.WARNING,
                fix=fix,
                notes=(f"Copy `{imp.file}` into the image next to `{app_path}`",),
            )
        builds = " ".join(s.ins.text for s in rt.of("RUN"))
        created = {u.target for u in st.writes if u.target is not None}
        for use in st.reads:
            assert use.target is not None
            module_dir = posixpath.dirname(landing(project, str(use.path)) or "") or None
            target = use.target.in_image(module_dir, start_directory(rt), rt.env)
            if target is None or target in seen or use.target in created:
                continue
            is_dir = use.kind in ("StaticFiles", "Jinja2Templates")
            source = source_for(project, target)
            repo = use.target.in_repo(use.path) if use.target.base == "module" else use.target.value
            if source is not None:
                present, ignored = in_context(project, source)
            else:
                present, ignored = in_context(project, repo) if repo else (False, False)
            if source is not None and present and not ignored:
                continue
            if target in iu.owned or posixpath.basename(target) in builds:
                continue  # made by a build step
            if not present and not is_dir:
                continue  # a file the build or the app may produce: not known
            seen.add(target)
            if ignored:
                why = "`.dockerignore` keeps it out of the build context"
            elif not present:
                why = "it is not in the repository (git keeps no empty directory)"
            else:
                why = "no `COPY` brings it in"
            error = use.certain_at_start and use.kind != "Jinja2Templates"
            symptom = {
                "StaticFiles": f"`RuntimeError: Directory '{use.target.value}' does not exist`",
                "Jinja2Templates": "`TemplateNotFound` on every page",
            }.get(
                use.kind,
                f"`FileNotFoundError: [Errno 2] No such file or directory: '{use.target.value}'`",
            )
            yield self.diagnostic(
                f"`{use.kind}` needs `{target}` in the image, but {why}: {symptom}"
                + (" at start" if error else ""),
                path=use.path,
                span=node_span(project, use),
                severity=Severity.ERROR if error else Severity.WARNING,
                fix=_copy_fix(rt, app_copy, repo, target)
                if present and not ignored and repo
                else None,
                notes=(_advice(repo, target, present, ignored),),
            )
        yield from self._missing_output_dirs(project, rt, iu, seen)

    def _missing_output_dirs(
        self, project: Project, rt: Runtime, iu: ImageUser, seen: set[str]
    ) -> Iterator[Diagnostic]:
        """Files opened for writing (or logged to) in a directory below the working directory
        that neither the image nor the code creates: `FileNotFoundError`."""
        st = startup(project)
        workdir = start_directory(rt)
        made = [
            u.target.in_image(None, workdir, rt.env)
            for u in st.writes
            if u.kind in ("makedirs", "mkdir")
            and u.target is not None
            and u.target.base != "module"
        ]
        for use in st.writes:
            if use.kind in ("makedirs", "mkdir") or use.target is None or use.target.base != "cwd":
                continue
            target = use.target.in_image(None, workdir, rt.env)
            if target is None or target in seen or not target.startswith(workdir.rstrip("/") + "/"):
                continue
            if any(m is not None and (m == target or m.startswith(target + "/")) for m in made):
                continue  # the code creates it
            source = source_for(project, target)
            if source is not None and in_context(project, source) == (True, False):
                continue  # copied from the repository
            if iu.created_as(target) == target or posixpath.basename(target) in " ".join(
                s.ins.text for s in rt.of("RUN")
            ):
                continue  # made by a build step
            seen.add(target)
            yield self.diagnostic(
                f"`{use.kind}` {where(use)} "
                f"writes in `{target}`, which neither the image nor the code creates: "
                "`FileNotFoundError: [Errno 2] No such file or directory`",
                path=use.path,
                span=node_span(project, use),
                severity=Severity.ERROR if use.certain_at_start else Severity.WARNING,
                fix=grant_fix(iu, target),
                notes=(
                    "Create it at start (`os.makedirs(..., exist_ok=True)`) or in the Dockerfile",
                ),
            )


def _copy_fix(rt: Runtime, after: Copy | None, source: str, dest: str) -> Fix | None:
    """`COPY [--chown=...] <source> <dest>` right after the step that copies the app."""
    if after is None or not is_valid("path", source) or not is_valid("abspath", dest):
        return None
    chown = after.step.ins.flag("chown")
    if chown is not None and not is_valid("user", (chown.value or "").split(":")[0]):
        return None
    flag = f"--chown={chown.value} " if chown is not None and chown.value else ""
    text = rt.dockerfile.text
    at = whole_lines(text, after.step.ins.span).end
    nl = "\r\n" if "\r\n" in text else "\n"
    lead = "" if text[:at].endswith("\n") else nl
    line = f"{lead}COPY {flag}{source} {dest}{nl}"
    return Fix(f"Copy `{source}` into the image", (Edit.insert(DOCKERFILE, at, line),))


def import_span(project: Project, imp: LocalImport) -> Span | None:
    module = located(project, imp.path)
    return module.span(imp.node) if module is not None else None


def _advice(repo: str | None, target: str, present: bool, ignored: bool) -> str:
    if ignored:
        return f"Remove the `.dockerignore` line that matches `{repo}`"
    if not present:
        return f"Commit `{repo}` with a file in it (e.g. `.gitkeep`), or create `{target}` in the Dockerfile"
    return f"Add `COPY --chown=user {repo} {target}` to the Dockerfile"
