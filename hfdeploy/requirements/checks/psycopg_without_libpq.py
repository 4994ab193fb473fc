"""RQ015: psycopg (3) installed without its binary or C implementation, in an image without
libpq."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.requirements.build_packages import apt_installed
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.imports import app_python_files, unconditional_imports

if TYPE_CHECKING:
    from hfdeploy.project import Project
    from hfdeploy.requirements.model import Declared

# Distributions (and extras) that bring a libpq of their own: psycopg's wheels bundle it.
_IMPLEMENTATIONS = frozenset({"psycopg-binary", "psycopg[binary]", "psycopg-c", "psycopg[c]"})
# Debian packages that install libpq (libpq5, or a package depending on it).
_LIBPQ = re.compile(r"^(?:libpq5|libpq-dev|postgresql(?:-client)?(?:-\d+)?)(?:[=:].*)?$")
_DRIVERS = frozenset({"psycopg", "psycopg_async"})
# `psycopg = "^3.1"` in a Poetry table: not a requirement string the fix can extend.
_TABLE_ENTRY = re.compile(r"""\s*=\s*["'{]""")


class PsycopgWithoutLibpq(Check):
    """## What it does
    Reports `psycopg` (version 3) installed without `psycopg[binary]`, `psycopg-binary` or
    `psycopg-c`, when the app imports it (`import psycopg`, or SQLAlchemy with a
    `postgresql+psycopg://` URL written in the code) and the image has no libpq: a `slim` or
    `alpine` `python` image (the Dockerfile `fix` generates is `slim`) with no `apt-get
    install` of `libpq5`, `libpq-dev` or `postgresql-client`. The full `python:3.X` images,
    built on buildpack-deps, have libpq and are not reported; nor is an import inside `try:
    ... except ImportError:`.

    ## Why is this bad?
    The `psycopg` package alone is pure Python: it loads the system's libpq at import, and
    fails without one: `ImportError: no pq wrapper available` (`couldn't import psycopg
    'python' implementation: libpq library not found`). The app exits before it serves.

    ## Example
    ```text
    fastapi==0.115.6
    psycopg==3.2.3
    ```

    Use instead:
    ```text
    fastapi==0.115.6
    psycopg[binary]==3.2.3
    ```

    ## Fix safety
    The fix adds the `binary` extra to the requirement the image installs, keeping its version
    (`psycopg[binary]` pins `psycopg-binary` to the same release, a wheel that bundles libpq);
    safe. It is not offered when the image installs a tool's lock (`uv.lock`, `poetry.lock`,
    `pdm.lock`: add the extra with the tool, which re-locks), when psycopg comes in through
    another package, or when the requirement is written as a Poetry table entry.
    """

    code = "RQ015"
    name = "psycopg-without-libpq"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        from hfdeploy.image import image

        img = image(project)
        dists = img.distributions()
        if "psycopg" not in dists.names or dists.names & _IMPLEMENTATIONS or not dists.readable:
            return
        base = _base_without_libpq(project)
        if base is None:
            return
        uses = _uses(project)
        if not uses:
            return
        req = next(
            (r for r in dependency_set(project).direct if r.key == "psycopg" and not r.url), None
        )
        shown = ", ".join(uses[:2]) + (f" and {len(uses) - 2} more" if len(uses) > 2 else "")
        message = (
            "`psycopg` is installed without `psycopg[binary]` (or `psycopg-c`) and the image "
            f"({base}) has no libpq, so {shown} fails at start: "
            "`ImportError: no pq wrapper available`"
        )
        fix, notes = _fix(project, req, img.tool_lock())
        if req is not None:
            yield self.diagnostic(message, path=req.path, span=req.span, fix=fix, notes=notes)
        else:
            yield self.diagnostic(message, notes=notes)


def _base_without_libpq(project: Project) -> str | None:
    """The base image, for messages, when the image has no libpq; None when it has one or
    hfdeploy cannot tell (a base other than the official `python` images)."""
    from hfdeploy.dockerfile.base_image import python_base
    from hfdeploy.image import image

    img = image(project)
    if img.generated:
        return "`python:3.X-slim`, the base of the Dockerfile `fix` generates"
    if img.runtime is None:
        return None
    base = python_base(img.runtime)
    if base is None or not base.variant.startswith(("slim", "alpine")):
        return None  # the full image has libpq (buildpack-deps); another base: unknown
    if any(_LIBPQ.match(p) for p in apt_installed(project)):
        return None
    return f"`python:{base.version}-{base.variant}`"


def _uses(project: Project) -> list[str]:
    """Where the app imports psycopg unguarded, or names it as a SQLAlchemy driver in a URL
    written in the code."""
    from hfdeploy.database.sources import database_urls

    found: list[str] = []
    for path in app_python_files(project):
        text = project.text(path) or ""
        if "psycopg" not in text:
            continue
        tree = project.python_ast(path)
        for node in unconditional_imports(tree) if tree is not None else []:
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if not node.level else []
            else:
                names = [a.name for a in node.names]
            if any(n.split(".")[0] == "psycopg" for n in names):
                found.append(f"`{ast.unparse(node)}` at {path}:{node.lineno}")
    for url in database_urls(project):
        if (
            url.origin == "python"
            and url.deployed
            and not url.overridable
            and url.url.driver in _DRIVERS
            and PurePosixPath(url.path) in set(app_python_files(project))
        ):
            source = project.source(url.path)
            line = source.line_col(url.written.start)[0] if source is not None else 0
            found.append(f"the `{url.url.dialect}+{url.url.driver}` URL at {url.path}:{line}")
    return found


def _fix(project: Project, req: Declared | None, tool: str | None) -> tuple[Fix | None, list[str]]:
    if tool is not None:
        return None, [
            f"The image installs `{tool}`'s lock: add the extra with the tool "
            f"(`{tool} add 'psycopg[binary]'`), which locks `psycopg-binary` too"
        ]
    if req is None:
        return None, [
            "psycopg comes in through another package: declare `psycopg[binary]` at the "
            "version the image installs"
        ]
    text = project.text(req.path) or ""
    if _TABLE_ENTRY.match(text, req.name_span.end):
        return None, ['Add `extras = ["binary"]` to the `psycopg` entry']
    if req.extras:
        bracket = text.find("[", req.name_span.end)
        if bracket != req.name_span.end:
            return None, ["Add `binary` to the extras of the `psycopg` requirement"]
        edit = Edit.insert(req.path, bracket + 1, "binary,")
    else:
        edit = Edit.insert(req.path, req.name_span.end, "[binary]")
    fix = Fix(
        "Install `psycopg[binary]` (a wheel that bundles libpq) at the same version",
        (edit,),
        Applicability.SAFE,
    )
    return fix, []
