"""RQ002: a requirement names a project the index does not have."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.redact import redact_url
from hfdeploy.requirements.lookup import index_view

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Names people mean when they mistype a common package; close names are found among these and
# the project's other requirements (the index offers no search endpoint to ask).
WELL_KNOWN = (
    "fastapi", "uvicorn", "starlette", "pydantic", "pydantic-settings", "sqlalchemy", "sqlmodel",
    "alembic", "psycopg2-binary", "psycopg", "asyncpg", "pymysql", "aiosqlite", "python-dotenv",
    "python-jose", "pyjwt", "passlib", "bcrypt", "python-multipart", "httpx", "requests",
    "jinja2", "gunicorn", "cryptography", "redis", "celery", "numpy", "pandas", "scikit-learn",
    "torch", "transformers", "huggingface-hub", "gradio", "email-validator", "orjson", "boto3",
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
    """

    code = "RQ002"
    name = "package-not-on-index"
    severity = Severity.ERROR
    cacheable = False

    def run(self, project: Project) -> Iterator[Diagnostic]:
        view = index_view(project)
        known = sorted({*WELL_KNOWN, *(r.key for r in view.checked)})
        where = ", ".join(redact_url(u) for u in view.settings.urls)
        for req in view.checked:
            if not view.lookup(req).missing:
                continue
            close = [n for n in difflib.get_close_matches(req.key, known, n=3, cutoff=0.75) if n != req.key]
            hint = f"; did you mean {', '.join(f'`{n}`' for n in close)}?" if close else ""
            yield self.diagnostic(
                f"`{req.name}` is not on the package index ({where}){hint}",
                path=req.path, span=req.name_span,
            )
