"""RQ005: the release pip would install has no wheel for the image's Python and platform."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.requirements.build_packages import apt_edit, apt_installed, build_packages_for
from hfdeploy.requirements.conflicts import replacement_fits
from hfdeploy.requirements.lookup import IndexView, index_view
from hfdeploy.requirements.model import Declared
from hfdeploy.requirements.releases import (
    BINARY_ALTERNATIVES,
    OPTIONAL_EXTENSIONS,
    SAME_IMPORT,
    chosen_release,
    pure_python_wheel,
    releases,
)

if TYPE_CHECKING:
    from hfdeploy.project import Project


def _full_python_image(project: Project) -> str | None:
    """`python:3.12` (or `-bookworm`): the full image built on buildpack-deps, with compilers."""
    try:
        from hfdeploy.dockerfile.base_image import python_base
        from hfdeploy.dockerfile.stage import runtime
    except ImportError:  # the dockerfile domain is optional to this one
        return None
    rt = runtime(project)
    base = python_base(rt) if rt is not None else None
    if base is None or "slim" in base.variant or "alpine" in base.variant:
        return None
    return f"python:{base.version}" + (f"-{base.variant}" if base.variant else "")


class NoWheelForTarget(Check):
    """## What it does
    Reports a requirement whose release (the pinned one, or the newest the specifier allows)
    has no wheel for the image: CPython of the target version on linux x86_64 (manylinux up to
    glibc 2.36), so pip would build it from its source distribution. Names the package that
    ships the same code as wheels when there is one (`psycopg2` → `psycopg2-binary`).

    ## Why is this bad?
    Building from source needs a compiler and C headers (`gcc`, `libpq-dev`, ...) that the
    `python:3.X-slim` image lacks, so the build fails (`pg_config executable not found`). A
    pure-Python sdist builds anyway, hence a warning when no compiled wheel exists anywhere; so
    does a package whose C extension is optional (a pure-Python wheel of another release, or a
    project known to fall back to pure Python: SQLAlchemy, MarkupSafe, PyYAML, msgpack,
    simplejson, websockets), hence a warning for those too, and so is any source build on the
    full `python:3.X` image (built on buildpack-deps: gcc and the common C headers are there).

    ## Example
    ```text
    psycopg2==2.9.9
    ```

    Use instead:
    ```text
    psycopg2-binary==2.9.9
    ```

    ## Fix safety
    Only the package name is replaced, keeping the version. Safe when the alternative keeps
    the import name (`psycopg2-binary` installs `psycopg2`), has a wheel for the target and
    agrees with the other pins. `mysqlclient` becomes `PyMySQL` (pure Python, unpinned: the lock
    pins it), and the same fix rewrites every `mysql://`/`mysql+mysqldb://` URL the project
    writes to `mysql+pymysql://`; safe only when the code never imports `MySQLdb` itself and no
    engine URL comes from a variable that may be set outside the repository (a Space secret
    would need the new scheme too). Otherwise, for a package of the maintained mapping
    (`mysqlclient` → `default-libmysqlclient-dev build-essential pkg-config`, `psycopg2` →
    `libpq-dev gcc`, `python-ldap`), the safe fix installs those system packages in the
    Dockerfile before `pip install` (as root), and the Dockerfile `fix` generates includes them;
    an image that already installs them is not reported.
    """

    code = "RQ005"
    name = "no-wheel-for-target"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        view = index_view(project)
        for req in view.checked:
            release = view.chosen(req)
            if (
                release is None
                or release.requires_python(view.python)
                or release.target_wheel(view.python)
            ):
                continue
            compiled = bool(release.wheels()) or req.key in BINARY_ALTERNATIVES
            build = build_packages_for(req.key)
            if build and set(build) <= apt_installed(project):
                continue  # the image installs what the source build needs
            notes: list[str] = []
            full_image = _full_python_image(project)
            optional = self._optional_extension(view, req)
            if compiled and optional is not None and req.key not in BINARY_ALTERNATIVES:
                compiled = False
                notes.append(optional)
            where = f"Python {view.python} on linux x86_64"
            if not release.has_sdist():
                message = f"`{req.name}` {release.version} has no file that installs on {where}"
            else:
                message = (
                    f"`{req.name}` {release.version} has no wheel for {where}; pip would build it "
                    "from source, "
                    + (
                        "which needs a compiler and headers the slim image lacks"
                        if compiled
                        else "which works only if it is pure Python"
                    )
                )
            fix = self._alternative(project, view, req, notes)
            if build and (fix is None or fix.applicability is Applicability.UNSAFE):
                fix = self._build_packages_fix(project, req, build, notes) or fix
            if compiled and full_image and release.has_sdist():
                compiled = False
                notes.append(
                    f"the image is `{full_image}`, the full Python image, which carries gcc and "
                    "the common C headers: the build from source usually succeeds there"
                )
            yield self.diagnostic(
                message,
                path=req.path,
                span=req.span,
                fix=fix,
                notes=notes,
                severity=Severity.ERROR
                if compiled or not release.has_sdist()
                else Severity.WARNING,
            )

    @staticmethod
    def _build_packages_fix(
        project: Project, req: Declared, build: tuple[str, ...], notes: list[str]
    ) -> Fix | None:
        edit = apt_edit(project, list(build))
        if edit is None:
            notes.append(
                f"its source build needs {', '.join(f'`{p}`' for p in build)}; the Dockerfile "
                "`hfdeploy fix` generates installs them"
            )
            return None
        return Fix(
            f"Install {' '.join(build)} in the Dockerfile before `pip install` (to build "
            f"`{req.name}`)",
            (edit,),
            Applicability.SAFE,
        )

    @staticmethod
    def _optional_extension(view: IndexView, req: Declared) -> str | None:
        """Why the package installs without a compiler, if it does: its C extension is optional."""
        if req.key in OPTIONAL_EXTENSIONS:
            return (
                f"`{req.name}`'s C extension is optional: its source build falls back to pure "
                "Python without a compiler (slower, same behaviour)"
            )
        found = view.found(req)
        wheel = pure_python_wheel(found) if found is not None else None
        if wheel is not None:
            return (
                f"`{wheel.filename}` is a pure-Python wheel of `{req.name}`: its C extension is "
                "optional, and the source build works without a compiler unless it insists on it"
            )
        return None

    def _alternative(
        self, project: Project, view: IndexView, req: Declared, notes: list[str]
    ) -> Fix | None:
        alternative = BINARY_ALTERNATIVES.get(req.key)
        if alternative is None:
            return None
        notes.append(
            f"`{alternative}` ships wheels for the same code"
            if req.key in SAME_IMPORT
            else f"`{alternative}` is a pure-Python driver with the same DB-API"
        )
        lookup = project.memo(("rq-alt", alternative), lambda: view.client.lookup(alternative))
        if lookup.page is None:
            return None
        if req.key not in SAME_IMPORT:
            return self._driver_swap(project, req, alternative, notes)
        renamed = dataclasses.replace(req, name=alternative)
        release = chosen_release(renamed, releases(lookup.page), view.python)
        if release is None:
            notes.append(f"`{alternative}` has no release matching `{req.specifier}`")
            return None
        reason = replacement_fits(project, req, alternative, release)
        if reason:
            notes.append(f"the fix is unsafe: {reason}")
        return Fix(
            f"Replace `{req.name}` with `{alternative}`",
            (Edit(req.path, req.name_span, alternative),),
            Applicability.UNSAFE if reason else Applicability.SAFE,
        )

    @staticmethod
    def _driver_swap(
        project: Project, req: Declared, alternative: str, notes: list[str]
    ) -> Fix | None:
        """`mysqlclient` -> `PyMySQL`: another import name, so every MySQL URL the project writes
        is rewritten to name the new driver (`mysql+pymysql://`) in the same fix."""
        try:
            from hfdeploy.database.driver_swap import mysqldb_to_pymysql
        except ImportError:  # the database domain is optional to this one
            return None
        if req.key != "mysqlclient":
            return None
        swap = mysqldb_to_pymysql(project)
        if swap.rewritten == 0:
            notes.append("no `mysql://` URL is written in the project to point at the new driver")
            return None
        marker = f"; {req.marker}" if req.marker is not None else ""
        notes.append(
            f"the fix also rewrites {swap.rewritten} MySQL URL(s) to `mysql+pymysql://`, so "
            "SQLAlchemy loads PyMySQL instead of MySQLdb"
        )
        notes += [f"the fix is unsafe: {reason}" for reason in swap.unsafe]
        return Fix(
            f"Replace `{req.name}` with `{alternative}` and name it in the MySQL URLs",
            (Edit(req.path, req.span, f"{alternative}{marker}"), *swap.edits),
            Applicability.UNSAFE if swap.unsafe else Applicability.SAFE,
        )
