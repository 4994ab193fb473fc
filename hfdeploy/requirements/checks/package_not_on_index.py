"""RQ002: a requirement names a project the index does not have."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.redact import redact_url
from hfdeploy.requirements.imports import app_python_files, imported_tops_in_text, local_names
from hfdeploy.requirements.lookup import IndexView, index_view
from hfdeploy.requirements.model import Declared
from hfdeploy.requirements.providers import DISTRIBUTIONS, candidates

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Names people mean when they mistype a common package; close names are found among these and
# the project's other requirements (the index offers no search endpoint to ask).
WELL_KNOWN = (
    "fastapi",
    "uvicorn",
    "starlette",
    "pydantic",
    "pydantic-settings",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "psycopg2-binary",
    "psycopg",
    "asyncpg",
    "pymysql",
    "aiosqlite",
    "python-dotenv",
    "python-jose",
    "pyjwt",
    "passlib",
    "bcrypt",
    "python-multipart",
    "httpx",
    "requests",
    "jinja2",
    "gunicorn",
    "cryptography",
    "redis",
    "celery",
    "numpy",
    "pandas",
    "scikit-learn",
    "torch",
    "transformers",
    "huggingface-hub",
    "gradio",
    "email-validator",
    "orjson",
    "boto3",
)


class PackageNotOnIndex(Check):
    """## What it does
    Reports a requirement whose project does not exist on the package index pip would use
    (`PIP_INDEX_URL`, pip's configuration, `--index-url`), with close names as hints.

    ## Why is this bad?
    pip fails with "No matching distribution found" and the Space build stops. Typos
    (`fast-api`, `pydantic_setings2`) and internal packages that live on a private index are
    the usual causes. A lookup that fails (network, offline cache miss) is never reported
    here; RQ008 says so instead.

    ## Example
    ```text
    fastapi-users-db-sqlmodl==0.3.0
    ```

    Use instead:
    ```text
    fastapi-users-db-sqlmodel==0.3.0
    ```

    ## Fix safety
    When the code imports a module under the missing name (`import yaml` with a `yaml`
    requirement) and a known distribution provides that module (`PyYAML`), the fix replaces the
    requirement with it, unpinned (the lock pins it). Safe when exactly one distribution provides
    the module; unsafe when several do (`cv2`: `opencv-python-headless`, `opencv-python`, ...).
    """

    code = "RQ002"
    name = "package-not-on-index"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    cacheable = False
    cacheable_offline = True  # reads only the index cache offline (recorded)

    def run(self, project: Project) -> Iterator[Diagnostic]:
        view = index_view(project)
        known = sorted({*WELL_KNOWN, *(r.key for r in view.checked)})
        where = ", ".join(redact_url(u) for u in view.settings.urls)
        for req in view.checked:
            if not view.lookup(req).missing:
                continue
            notes: list[str] = []
            fix = self._provider_fix(project, view, req, notes)
            close = [
                n
                for n in difflib.get_close_matches(req.key, known, n=3, cutoff=0.75)
                if n != req.key
            ]
            hint = (
                f"; did you mean {', '.join(f'`{n}`' for n in close)}?"
                if close and fix is None
                else ""
            )
            yield self.diagnostic(
                f"`{req.name}` is not on the package index ({where}){hint}",
                path=req.path,
                span=req.name_span,
                fix=fix,
                notes=notes,
            )

    @staticmethod
    def _provider_fix(
        project: Project, view: IndexView, req: Declared, notes: list[str]
    ) -> Fix | None:
        """The code imports a module under the missing name (`yaml` for a `yaml` requirement):
        offer the distribution that provides that module (`PyYAML`), safe when it is the only one."""
        declared = {r.key for r in view.checked}
        for module in sorted(_app_imports(project)):
            if req.key not in candidates(module):
                continue
            known = [d for d in DISTRIBUTIONS.get(module, ()) if canonicalize_name(d) != req.key]
            if not known:
                continue
            provider = known[0]
            if canonicalize_name(provider) in declared:
                notes.append(
                    f"`import {module}` is provided by `{provider}`, already declared: remove this line"
                )
                return None
            lookup = project.memo(("rq-alt", provider), partial(view.client.lookup, provider))
            if lookup.page is None:
                return None
            others = ", ".join(f"`{d}`" for d in known[1:])
            notes.append(
                f"the code imports `{module}`, which `{provider}` provides"
                + (f" (so do {others}: the fix is unsafe, pick the one you use)" if others else "")
            )
            marker = f"; {req.marker}" if req.marker is not None else ""
            return Fix(
                f"Replace `{req.name}` with `{provider}`",
                (Edit(req.path, req.span, f"{provider}{marker}"),),
                Applicability.UNSAFE if others else Applicability.SAFE,
            )
        return None


def _app_imports(project: Project) -> set[str]:
    def collect() -> set[str]:
        local = local_names(project)
        tops: set[str] = set()
        for path in app_python_files(project):
            tops |= imported_tops_in_text(project.text(path) or "", local)
        return tops

    return project.memo("rq-app-import-tops", collect)
