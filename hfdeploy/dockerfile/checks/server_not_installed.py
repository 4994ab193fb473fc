"""DF019: the image never installs the server its CMD starts, or FastAPI itself."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.base_image import python_base
from hfdeploy.dockerfile.copies import pip_installs
from hfdeploy.dockerfile.installed import PROVIDERS, SERVER_DISTRIBUTIONS, installed_names
from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.stage import Runtime, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project
    from hfdeploy.requirements.model import Declared


class ServerNotInstalled(Check):
    """## What it does
    Reports a server the container starts (uvicorn, gunicorn, hypercorn, `fastapi run`, or
    `uvicorn.run()` in the Python file the CMD runs) that no dependency installs, and a FastAPI
    app whose dependencies lack `fastapi`.

    It reads the requirements the image installs, `pyproject.toml`, `requirements.lock` and
    the `pip install` lines of the Dockerfile; frameworks known to bring uvicorn and FastAPI
    (Gradio, Chainlit, ...) count. Installs it cannot read (poetry, conda, wheels) silence it.

    ## Why is this bad?
    The image builds, then the container stops at once with `uvicorn: not found` (exit 127),
    `ModuleNotFoundError: No module named 'fastapi'`, or, for `fastapi run` with plain
    `fastapi`, "To use the fastapi command, please install fastapi[standard]". Uvicorn is not a
    dependency of FastAPI; a local virtualenv often has it from an earlier `pip install`.

    ## Example
    ```text
    # requirements.txt
    fastapi
    # Dockerfile
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    Use instead:
    ```text
    # requirements.txt
    fastapi
    uvicorn
    ```

    ## Fix safety
    The fix adds the missing names to the requirements file the image installs (`fastapi`
    becomes `fastapi[standard]` for `fastapi run`, or `fastapi-cli` is added when `fastapi` is
    held below 0.112, which has no `standard` extra). It only adds what the CMD already needs, so
    it is safe. There is no fix when the dependencies live in `pyproject.toml`.
    """

    code = "DF019"
    name = "server-not-installed"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        server = find_server(project)
        if (
            rt is None
            or server is None
            or server.tool not in SERVER_DISTRIBUTIONS
            or python_base(rt) is None
        ):
            return
        names = installed_names(project, rt)
        if names is None:
            return
        wanted = [SERVER_DISTRIBUTIONS[server.tool]]
        if server.tool == "gunicorn" and any("uvicorn.workers" in o for o in server.options):
            wanted.append("uvicorn")
        if _serves_fastapi(project):
            wanted.append("fastapi")
        missing = [w for w in wanted if not (PROVIDERS[w] & names)]
        if "fastapi[standard]" in missing and "fastapi" in missing:
            missing.remove("fastapi")  # `fastapi[standard]` brings both
        if not missing:
            return
        listed = " and ".join(f"`{m}`" for m in missing)
        program = server.tool.split()[0].split(".")[0]
        text = project.text(server.path) or ""
        start = server.start + (text[server.start : server.start + 1] in ('"', "'"))  # exec form
        yield self.diagnostic(
            f"The image never installs {listed}, which {server.origin} needs: the container "
            f"stops at start ({_symptom(missing[0], program)})",
            path=server.path,
            span=Span(start, start + len(program)),
            fix=_fix(project, rt, missing),
            notes=_notes(project),
        )


def _serves_fastapi(project: Project) -> bool:
    try:
        from hfdeploy.pysource.app_discovery import find_app
    except ImportError:  # the pysource domain is optional to this one
        return False
    found = find_app(project)
    return bool(found.target or found.ambiguous or found.unusable)


def _symptom(missing: str, program: str) -> str:
    if missing == "fastapi":
        return "`ModuleNotFoundError: No module named 'fastapi'`"
    if missing == "fastapi[standard]":
        return "`fastapi run` asks for `fastapi[standard]`"
    if program == "uvicorn" and missing == "uvicorn":
        return "`uvicorn: not found`, or `No module named 'uvicorn'`"
    return f"`{program}: not found`" if program == missing else f"`No module named '{missing}'`"


def _notes(project: Project) -> list[str]:
    from hfdeploy.requirements.lock import LOCK_FILE

    if project.exists(LOCK_FILE):
        return [f"Then remake {LOCK_FILE} (`hfdeploy fix --write` does it)."]
    return []


def _older_than_standard_extra(req: Declared) -> bool:
    """True when `req` keeps FastAPI below 0.112, which has no `standard` extra (pip only warns
    and installs no `fastapi` command)."""
    first = Version("0.112.0")
    for clause in req.specifier:
        try:
            bound = Version(clause.version.removesuffix(".*"))
        except InvalidVersion:
            continue
        if clause.operator == "<" and bound <= first:
            return True
        if clause.operator in ("==", "===", "<=") and bound < first:
            return True
        if clause.operator == "~=" and len(bound.release) > 2 and bound < first:
            return True
    return False


def _fix(project: Project, rt: Runtime, missing: list[str]) -> Fix | None:
    """Add the names to the requirements file; `fastapi` gains `[standard]` in place."""
    from hfdeploy.requirements.declared import dependency_set
    from hfdeploy.requirements.lock import LOCK_FILE

    deps = dependency_set(project)
    path = deps.install_file
    source = project.source(path) if path is not None else None
    if path is None or source is None or path.name == "pyproject.toml":
        return None
    # Only a file the image installs (or the lock made from it) gets the fix.
    installed = {posixpath.basename(f) for p in pip_installs(rt) for f in p.requirement_files}
    if not installed & {path.name, LOCK_FILE.name}:
        return None
    edits: list[Edit] = []
    lines: list[str] = []
    for name in missing:
        plain = next(
            (r for r in deps.direct if r.key == "fastapi" and not r.extras and r.path == path),
            None,
        )
        if name == "fastapi[standard]" and plain is not None and _older_than_standard_extra(plain):
            lines.append("fastapi-cli")  # what `fastapi[standard]` adds for `fastapi run`
        elif name == "fastapi[standard]" and plain is not None:
            edits.append(Edit.insert(path, plain.name_span.end, "[standard]"))
        else:
            lines.append(name)
    if lines:
        nl = source.newline
        lead = "" if not source.text or source.text.endswith(("\n", "\r")) else nl
        edits.append(Edit.insert(path, len(source.text), lead + nl.join(lines) + nl))
    added = [
        "fastapi-cli" if m == "fastapi[standard]" and "fastapi-cli" in lines else m for m in missing
    ]
    return Fix(f"Add {', '.join(f'`{m}`' for m in added)} to {path}", tuple(edits))
