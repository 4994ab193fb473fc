"""DB006: a SQLite database at a path relative to the working directory."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import urls_in_use
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.project import Project
from hfdeploy.space import BUCKET_MOUNT, DATA_DIR, DATA_DIR_ENV


class RelativeSqlitePath(Check):
    """## What it does
    Finds SQLite URLs with a relative path (`sqlite:///./app.db`, `sqlite:///app.db`; for
    Tortoise ORM, which reads everything after `sqlite://` as the path, `sqlite://app.db`) in
    code, `alembic.ini` and committed `.env` files.

    ## Why is this bad?
    A relative path resolves against the process's working directory: in the container, the
    image's `WORKDIR`. The Space runs as uid 1000, which cannot create files in a root-owned
    directory (`sqlite3.OperationalError: unable to open database file`), and whatever the file
    holds is lost on every restart, rebuild and wake-up, because a Space's disk is ephemeral.

    ## Example
    ```python
    SQLALCHEMY_DATABASE_URL = "sqlite:///./sql_app.db"
    ```

    Use instead:
    ```python
    SQLALCHEMY_DATABASE_URL = f"sqlite:///{os.getenv('DATA_DIR', 'data')}/sql_app.db"
    ```
    with the directory created at start (`os.makedirs(..., exist_ok=True)`). The generated
    Dockerfile sets `DATA_DIR` to a directory uid 1000 owns; mount a storage bucket at `/data` and
    set `DATA_DIR=/data` to keep the data.
    """

    code = "DB006"
    name = "relative-sqlite-path"
    severity = Severity.WARNING

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for found in urls_in_use(project):
            path = found.url.database
            if not (found.url.is_sqlite and found.complete and found.deployed and path):
                continue
            if path.startswith(("/", "%(", ":memory:", "file:")):
                continue
            # Tortoise reads everything after `sqlite://` as the path; SQLAlchemy one slash less.
            scheme = "sqlite://" if found.tortoise else "sqlite:///"
            yield self.diagnostic(
                f"SQLite file `{path}` is relative to the working directory: on a Space that is the "
                f"image's WORKDIR, which uid 1000 may not be able to write (`unable to open database "
                f"file`), and its data is lost on every restart",
                path=found.path,
                span=found.written,
                notes=(
                    (
                        f"Put it under ${DATA_DIR_ENV}: `f\"{scheme}{{os.getenv('{DATA_DIR_ENV}', 'data')}}/"
                        f'{path.rsplit("/", 1)[-1]}"` (the generated Dockerfile sets {DATA_DIR_ENV}={DATA_DIR}, '
                        f"owned by uid 1000) and create the directory at start."
                    ),
                    (
                        f"To keep the data, mount a storage bucket at {BUCKET_MOUNT} and set "
                        f"{DATA_DIR_ENV}={BUCKET_MOUNT} as a Space variable."
                    ),
                ),
            )
