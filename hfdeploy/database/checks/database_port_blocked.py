"""DB007: a database server on a port a Space cannot reach."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import urls_in_use
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.space import OUTBOUND_PORTS


class DatabasePortBlocked(Check):
    """## What it does
    Finds database URLs that name a remote server on a port a Space cannot reach.

    Only 80, 443 and 8080 are open; a URL without a port means the default one: 5432 for
    PostgreSQL, 3306 for MySQL. URLs in code, `alembic.ini` and committed `.env` files count.

    ## Why is this bad?
    A Space may only open outgoing connections to ports 80, 443 and 8080. A connection to
    `db.example.com:5432` hangs until it times out, so the app fails at start or on its first
    query. Local hosts (`localhost`, docker-compose names such as `db`) are not reported.

    ## Example
    ```
    DATABASE_URL=postgresql://app:secret@db.example.com:5432/app
    ```

    Use instead: a provider that serves the database on port 443 (or over HTTPS), or SQLite
    under `$DATA_DIR` with a storage bucket mounted at `/data`.
    """

    code = "DB007"
    name = "database-port-blocked"
    severity = Severity.WARNING

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for found in urls_in_use(project):
            url = found.url
            port = url.port_number
            if url.is_sqlite or not found.complete or not found.deployed or url.is_local_host:
                continue
            if port is None or port in OUTBOUND_PORTS:
                continue
            how = f"port {port}" if url.port else f"its default port {port}"
            yield self.diagnostic(
                f"`{url.masked()}` connects to `{url.host}` on {how}, but a Space can only open "
                f"outgoing connections to ports {', '.join(map(str, sorted(OUTBOUND_PORTS)))}: the "
                "connection times out",
                path=found.path,
                span=found.written,
                notes=(
                    (
                        "Use a database served on port 443, or SQLite under $DATA_DIR "
                        "(a storage bucket at /data keeps it across restarts)."
                    ),
                ),
            )
