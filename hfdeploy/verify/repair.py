"""Runtime-guided repair (`hfdeploy fix --write --verify`): read what the failed container said,
map it to a known repair, and express that repair as text edits for the normal fixer.

Each repair names the static rule that predicts the same failure without Docker (when one does),
so the report can say which failures `check` should already have caught.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity, Span
from hfdeploy.project import Project
from hfdeploy.space import SPACE_UID
from hfdeploy.verify.docker_client import DockerClient, DockerFailure
from hfdeploy.verify.report import VerifyReport

if TYPE_CHECKING:
    from hfdeploy.dockerfile.parse import Instruction

DOCKERFILE = PurePosixPath("Dockerfile")
SERVERS = ("uvicorn", "gunicorn", "hypercorn", "granian", "fastapi")
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '(?P<module>[\w.]+)'")
_NOT_ON_PATH = re.compile(
    r"""exec: "?(?P<exe>[\w.-]+)"?: executable file not found in \$PATH"""
    r"""|(?:^|/bin/sh: \d+: |: )(?P<exe2>[\w.-]+): (?:command )?not found""",
    re.MULTILINE,
)
_PERMISSION = re.compile(r"Permission denied: '(?P<path>/[^']*)'")
_NO_SUCH_TABLE = re.compile(
    r"no such table: (?P<table>[\w.]+)|relation \"(?P<rel>[\w.]+)\" does not exist"
)
_CANNOT_IMPORT = re.compile(
    r"ImportError: cannot import name '(?P<name>\w+)' from '(?P<module>[\w.]+)'"
    r"|AttributeError: module '(?P<module2>[\w.]+)' has no attribute '(?P<name2>\w+)'"
    r"|AttributeError: '\w+' object has no attribute '\w+'"
    r"|TypeError: \w+\(\) got an unexpected keyword argument '\w+'"
)
_MIGRATION_FRAME = re.compile(r'File "[^"]*(?:alembic|migrations?)/env\.py"')
_SITE_FRAME = re.compile(r'File "[^"]*/(?:site|dist)-packages/(?P<top>[\w]+)')


@dataclass(frozen=True)
class Repair:
    failure: str  # what the container showed, one line
    title: str  # what the repair does
    edits: tuple[Edit, ...]
    static_rule: str | None  # the rule that predicts this failure without Docker, if any

    @property
    def files(self) -> list[str]:
        return sorted({str(e.path) for e in self.edits})

    def as_diagnostic(self) -> Diagnostic:
        """The repair as a finding with a safe fix, so the normal fixer applies it."""
        return Diagnostic(
            code="RT021",
            severity=Severity.ERROR,
            message=self.failure,
            fix=Fix(self.title, self.edits, Applicability.SAFE),
        )


Finder = Callable[[Project, VerifyReport, DockerClient | None, str], "Repair | None"]


def failure_text(report: VerifyReport) -> str:
    """Everything the failed run said: the container log, the engine's start error, and the
    log excerpts of start and route failures."""
    notes = [n for f in report.findings if f.code in ("RT002", "RT003", "RT005") for n in f.notes]
    messages = [f.message for f in report.findings if f.code in ("RT002", "RT003", "RT005")]
    return "\n".join([report.log, report.start_error, *messages, *notes])


def find_repair(
    project: Project, report: VerifyReport, client: DockerClient | None = None
) -> Repair | None:
    """The first known repair for what the failed run shows, or None."""
    text = failure_text(report)
    for finder in FINDERS:
        repair = finder(project, report, client, text)
        if repair is not None and repair.edits:
            return repair
    return None


# -- a module that is not installed, or a migration that cannot import the app -----------------
def _missing_module(
    project: Project, report: VerifyReport, client: DockerClient | None, text: str
) -> Repair | None:
    from hfdeploy.requirements.deps import add_requirement_edit
    from hfdeploy.requirements.imports import local_names
    from hfdeploy.requirements.providers import distribution_for_module, requirement_to_add

    match = _MISSING_MODULE.search(text)
    if match is None:
        return None
    module = match["module"]
    top = module.split(".")[0]
    failure = f"ModuleNotFoundError: No module named '{module}'"
    if top in local_names(project):
        if _MIGRATION_FRAME.search(text):
            return _alembic_sys_path(project, failure)
        return None  # the app's own module: a COPY or working-directory problem, not a package
    found = distribution_for_module(top)
    dist = requirement_to_add(found) if found else None
    edit = add_requirement_edit(project, dist) if dist else None
    if edit is None:
        return None
    return Repair(failure, f"Add `{dist}` to what the image installs", (edit,), "RQ011")


def _alembic_sys_path(project: Project, failure: str) -> Repair | None:
    from hfdeploy.database.alembic import alembic_setups

    for setup in alembic_setups(project):
        if "." in setup.sys_path:
            continue
        text = project.text(setup.ini) or ""
        at = text.find("[alembic]")
        if at < 0:
            continue
        end = text.find("\n", at)
        newline = "\r\n" if "\r\n" in text else "\n"
        offset = len(text) if end < 0 else end + 1
        line = f"prepend_sys_path = .{newline}"
        if end < 0:
            line = newline + line
        return Repair(
            f"The migration cannot import the app: {failure}",
            f"Let Alembic import the app: `prepend_sys_path = .` in {setup.ini}",
            (Edit.insert(setup.ini, offset, line),),
            None,
        )
    return None


# -- a server that is not on PATH ------------------------------------------------------------
def _server_not_on_path(
    project: Project, report: VerifyReport, client: DockerClient | None, text: str
) -> Repair | None:
    from hfdeploy.image import installed
    from hfdeploy.requirements.deps import add_requirement_edit

    match = _NOT_ON_PATH.search(text)
    exe = (match["exe"] or match["exe2"]) if match else None
    if exe not in SERVERS:
        return None
    failure = f"`{exe}`: executable file not found in $PATH"
    if exe not in installed(project).distributions:
        edit = add_requirement_edit(project, exe)
        if edit is not None:
            return Repair(failure, f"Add `{exe}` to what the image installs", (edit,), "DF019")
    # Installed, but its script is not on PATH (`pip install --user` for another user, a
    # virtualenv not activated): run the module with the interpreter instead.
    cmd = _final_instruction(project, "CMD")
    if cmd is None:
        return None
    words = cmd.exec_form()
    if words is not None:
        first = next((w for w in words if w.value == exe), None)
        if first is None:
            return None
        span = Span(cmd.raw(first.start), cmd.raw(first.end - 1) + 1)
        replacement = f'"python", "-m", "{exe}"'
    else:
        found = re.search(rf"(?<![\w/.-]){re.escape(exe)}(?![\w.-])", cmd.args)
        if found is None:
            return None
        begin = cmd.args_start + found.start()
        span = Span(cmd.raw(begin), cmd.raw(begin + len(exe) - 1) + 1)
        replacement = f"python -m {exe}"
    return Repair(
        failure,
        f"Start the server with `python -m {exe}`",
        (Edit(DOCKERFILE, span, replacement),),
        "DF017",
    )


# -- an unwritable directory -----------------------------------------------------------------
def _unwritable_directory(
    project: Project, report: VerifyReport, client: DockerClient | None, text: str
) -> Repair | None:
    # The app's own PermissionError names what stopped it; the write test's directories come
    # second (whether the test ran before the app crashed depends on timing).
    directories = []
    for match in _PERMISSION.finditer(text):
        path = match["path"].rstrip("/") or "/"
        leaf = posixpath.basename(path)
        directories.append(
            path if "." not in leaf or leaf.startswith(".") else posixpath.dirname(path)
        )
    directories.extend(report.unwritable)
    if not directories:
        return None
    directory = directories[0]
    failure = f"uid {SPACE_UID} cannot write in {directory}"
    from hfdeploy.dockerfile.writable import grant_edit, image_user

    iu = image_user(project)
    if iu is None:
        return None
    if directory in ("/", "/.cache") or directory.startswith("/.cache/"):
        # HOME is `/` for a uid without a home: give it one, and caches follow it there.
        home = f"/home/{iu.name}" if iu.name else "/home/user"
        edit = grant_edit(iu, home, recursive=True, then=f"ENV HOME={home}")
        title = f"Give uid {SPACE_UID} a home it owns (`ENV HOME={home}`)"
        rule = "DF016"
    else:
        edit = grant_edit(iu, directory, recursive=True)
        title = f"Create {directory} owned by uid {SPACE_UID} (`{iu.owner}`)"
        rule = "DF004" if directory == iu.rt.workdir else "DF031"
    if edit is None:
        return None
    return Repair(failure, title, (edit,), rule)


# -- a redirect to http:// behind the Space's HTTPS proxy ----------------------------------------
_PROXY_FLAGS = {
    "uvicorn": ("--proxy-headers", "--forwarded-allow-ips", "*"),
    "gunicorn": ("--forwarded-allow-ips", "*"),
}


def _redirect_to_http(
    project: Project, report: VerifyReport, client: DockerClient | None, text: str
) -> Repair | None:
    """The server does not trust the proxy's X-Forwarded-Proto: pass the flags that make it."""
    redirect = next((f for f in report.findings if f.code == "RT015"), None)
    cmd = _final_instruction(project, "CMD")
    if redirect is None or cmd is None:
        return None
    words = cmd.exec_form()
    values = [w.value for w in words] if words is not None else cmd.args.split()
    server = next((v for v in values if v in _PROXY_FLAGS), None)
    if server is None or "--forwarded-allow-ips" in " ".join(values):
        return None
    flags = [f for f in _PROXY_FLAGS[server] if f not in values or f == "*"]
    if words is not None:
        offset = cmd.raw(words[-1].end - 1) + 1
        addition = "".join(f", {json.dumps(f)}" for f in flags)
    else:
        segment = re.split(r"&&|;|\|\|", cmd.args)[-1]
        if server not in segment.split():
            return None
        offset = cmd.raw(len(cmd.text) - 1) + 1
        addition = "".join(" " + ("'*'" if f == "*" else f) for f in flags)
    return Repair(
        redirect.message.split(": the browser")[0] + " (X-Forwarded-Proto not trusted)",
        f"Let {server} trust the Space's proxy (`{' '.join(_PROXY_FLAGS[server])}`)",
        (Edit.insert(DOCKERFILE, offset, addition),),
        None,
    )


# -- a missing schema ------------------------------------------------------------------------
def _missing_schema(
    project: Project, report: VerifyReport, client: DockerClient | None, text: str
) -> Repair | None:
    from hfdeploy.database.alembic import alembic_setups

    match = _NO_SUCH_TABLE.search(text)
    if match is None:
        return None
    failure = f"no such table: {match['table'] or match['rel']} (the schema was never created)"
    setups = alembic_setups(project)
    if not setups:
        return _unused_lifespan(project, failure) or _create_all(project, failure)
    from hfdeploy.dockerfile.start_migration import migrate_at_start

    edit = migrate_at_start(project, setups[0].ini)
    if edit is None:
        return None
    return Repair(
        failure,
        "Run the migrations before the server starts (`alembic upgrade head`)",
        (edit,),
        "DB017" if match["rel"] else "DB012",  # a server's relation, or a SQLite table
    )


def _unused_lifespan(project: Project, failure: str) -> Repair | None:
    """The app's own lifespan creates the tables but the app is never given it (DB018)."""
    from hfdeploy.database.checks.schema_created_in_unused_code import unused_lifespan_fix

    fix = unused_lifespan_fix(project)
    if fix is None:
        return None
    return Repair(failure, fix.title, fix.edits, "DB018")


def _create_all(project: Project, failure: str) -> Repair | None:
    """No migrations: create the tables the models declare when the app module is imported
    (after its own imports, so every model it uses is registered)."""
    from hfdeploy.database.engines import engine_calls, model_bases
    from hfdeploy.pysource.app_discovery import discover_app

    app = discover_app(project)
    bases = model_bases(project)
    engines = [c for c in engine_calls(project) if c.engine_name and not c.is_async]
    if app is None or len(bases) != 1 or len(engines) != 1:
        return None  # none, or several to choose from: not a safe guess
    base, engine = bases[0], engines[0]

    def module_of(path: PurePosixPath) -> str | None:
        root = PurePosixPath(app.app_dir) if app.app_dir else PurePosixPath()
        try:
            relative = path.relative_to(root) if app.app_dir else path
        except ValueError:
            return None
        parts = list(relative.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) or None

    base_module = base.imported_from or module_of(base.module.path)
    engine_module = module_of(engine.module.path)
    text = project.text(app.path)
    if base_module is None or engine_module is None or text is None:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [
        "",
        "",
        "# Create the tables the models declare when they do not exist (a Space starts with an",
        "# empty database; added by `hfdeploy fix --verify`).",
        f"from {base_module} import {base.name} as _hfdeploy_base  # noqa: E402",
        f"from {engine_module} import {engine.engine_name} as _hfdeploy_engine  # noqa: E402",
        "",
        "_hfdeploy_base.metadata.create_all(bind=_hfdeploy_engine)",
        "",
    ]
    prefix = "" if text.endswith(("\n", "\r")) or not text else newline
    return Repair(
        failure,
        f"Create the tables at start: `{base.name}.metadata.create_all(bind={engine.engine_name})` in {app.path}",
        (Edit.insert(app.path, len(text), prefix + newline.join(lines[1:] if prefix else lines)),),
        None,
    )


# -- a crash caused by a transitive version --------------------------------------------------
_REQUIRES_SCRIPT = r"""
import importlib.metadata as m, json, re, sys
found = {}
for requirement in m.requires(sys.argv[1]) or []:
    if "extra ==" in requirement:
        continue
    name = re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0]
    try:
        found[name] = m.version(name)
    except m.PackageNotFoundError:
        pass
print(json.dumps(found))
"""


def _transitive_version(
    project: Project, report: VerifyReport, client: DockerClient | None, text: str
) -> Repair | None:
    """A library crashes inside itself (`ImportError: cannot import name`, `AttributeError`):
    hold the module it names, or the undeclared dependencies of the declared library whose
    code failed, to the era of the project's pins (their newest releases before the cutoff)."""
    from hfdeploy.requirements.declared import dependency_set
    from hfdeploy.requirements.lock import era_hold
    from hfdeploy.requirements.providers import distribution_for_module

    match = _CANNOT_IMPORT.search(text)
    if match is None or client is None:
        return None
    declared = {r.key for r in dependency_set(project).direct}
    named = match["module"] or match["module2"]
    holds: list[str] = []
    if named:
        dist = distribution_for_module(named.split(".")[0]) or named.split(".")[0]
        version = _installed_versions(client, report, dist, own=True).get(dist)
        if dist.lower() not in declared and version:
            hold = era_hold(project, dist, version)
            holds = [hold] if hold else []
    if not holds:
        frames = [m["top"] for m in _SITE_FRAME.finditer(text)]
        failing = next(
            (
                d
                for d in (distribution_for_module(t) or t for t in reversed(frames))
                if d.lower().replace("_", "-") in declared
            ),
            None,
        )
        if failing is None:
            return None
        for dep, version in sorted(_installed_versions(client, report, failing).items()):
            if dep.lower().replace("_", "-") in declared:
                continue
            hold = era_hold(project, dep, version, fallback=False)
            if hold:
                holds.append(hold)
    if not holds:
        return None
    edit = _add_requirements(project, holds)
    if edit is None:
        return None
    return Repair(
        f"{match.group(0)} (a transitive dependency newer than the project's pins)",
        f"Hold {', '.join(f'`{h}`' for h in holds)} (the era of the project's pins)",
        (edit,),
        "RQ009",
    )


# -- the lock tool crashes inside itself at build time -----------------------------------------
_TOOL_ERROR = re.compile(
    r"^\s*\[(?P<bracket>\w*Error)\]: .+$"  # PDM's own error line
    r"|site-packages/(?P<frame>pdm|poetry)/"
    r"|^\s*(?:ImportError|AttributeError|ModuleNotFoundError)\b.*$",
    re.MULTILINE,
)


def _lock_tool_broken(
    project: Project, report: VerifyReport, client: DockerClient | None, text: str
) -> Repair | None:
    """A build step that runs Poetry or PDM fails inside the tool (an import or attribute error
    of its own code or its dependencies'): the tool, installed at today's release, no longer
    works with today's releases of what it needs. Hold it, and them, to the lock's era."""
    from hfdeploy.requirements.checks.lock_tool_floats import floating_tools, tool_hold_fix

    if not any(f.code == "RT002" for f in report.findings) and "does not build" not in text:
        return None
    for floating in floating_tools(project):
        step = re.search(rf"does not build at step [^\n]*\bRUN\b[^\n]*\b{floating.tool}\b", text)
        crash = _TOOL_ERROR.search(text)
        if step is None or crash is None:
            continue
        notes: list[str] = []
        fix = tool_hold_fix(project, floating, notes)
        if fix is None:
            continue
        return Repair(
            f"{crash.group(0).strip()} (`{floating.tool}` fails inside itself at build time)",
            fix.title + (f" ({notes[-1]})" if notes else ""),
            fix.edits,
            "RQ018",
        )
    return None


def _add_requirements(project: Project, names: list[str]) -> Edit | None:
    from hfdeploy.requirements.deps import add_requirement_edit

    edit = add_requirement_edit(project, names[0])
    if edit is None or len(names) == 1:
        return edit
    newline = edit.replacement[len(edit.replacement.rstrip("\r\n")) :]
    return Edit(edit.path, edit.span, edit.replacement + newline.join(names[1:]) + newline)


def _installed_versions(
    client: DockerClient, report: VerifyReport, dist: str, own: bool = False
) -> dict[str, str]:
    """The image's installed versions: of `dist` itself (`own`), or of what `dist` requires."""
    if own:
        script = "import importlib.metadata as m, json, sys; print(json.dumps({sys.argv[1]: m.version(sys.argv[1])}))"
    else:
        script = _REQUIRES_SCRIPT
    result = client.run_once(
        report.image, ["python", "-c", script, dist], user=None, network=report.network
    )
    if isinstance(result, DockerFailure) or result.exit_code != 0:
        return {}
    try:
        found = json.loads(result.output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _final_instruction(project: Project, keyword: str) -> Instruction | None:
    from hfdeploy.dockerfile.parse import parse_dockerfile

    text = project.text(DOCKERFILE)
    if text is None:
        return None
    stage = parse_dockerfile(DOCKERFILE, text).final_stage
    found = [i for i in (stage.instructions if stage else []) if i.keyword == keyword]
    return found[-1] if found else None


FINDERS: tuple[Finder, ...] = (
    _server_not_on_path,
    _missing_module,
    _unwritable_directory,
    _missing_schema,
    _lock_tool_broken,
    _transitive_version,
    _redirect_to_http,
)
