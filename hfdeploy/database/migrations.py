"""Whether anything applies the project's Alembic migrations when the container starts: the
one answer DB017 and `verify`'s throwaway-database migration (verify/migrate.py) share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hfdeploy.database.alembic import AlembicSetup, alembic_setups, revision_files
from hfdeploy.database.schema import creates_schema
from hfdeploy.database.start import image_start

if TYPE_CHECKING:
    from hfdeploy.project import Project


def unrun_migrations(project: Project) -> AlembicSetup | None:
    """The Alembic setup whose revisions nothing applies when the container starts: the root
    Dockerfile's start command (and every script it runs) never runs `alembic`, and no code
    that runs applies the migrations or creates tables. None without a root Dockerfile (the
    generated start runs `alembic upgrade head`) or without revision scripts."""

    def collect() -> AlembicSetup | None:
        setups = [s for s in alembic_setups(project) if revision_files(project, s)]
        start = image_start(project)
        if not setups or start is None or not start.command or start.runs_alembic:
            return None
        if creates_schema(project):
            return None
        return setups[0]

    return project.memo("db-unrun-migrations", collect)
