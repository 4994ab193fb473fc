"""The start command edit shared by DB017 and `fix --verify` (dockerfile/start_migration.py):
the migration goes before the server, through the same launcher, and nothing is edited where
the edit would not run (an ENTRYPOINT, a CMD that migrates already, an unreadable array)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.dockerfile.start_migration import migrate_at_start
from tests.support import make_tree, project_for

INI = PurePosixPath("alembic.ini")


def edited(tmp_path: Path, dockerfile: str, ini: PurePosixPath = INI) -> str | None:
    project = project_for(make_tree(tmp_path, {"Dockerfile": dockerfile}))
    edit = migrate_at_start(project, ini)
    if edit is None:
        return None
    return dockerfile[: edit.span.start] + edit.replacement + dockerfile[edit.span.end :]


@pytest.mark.parametrize(
    ("cmd", "ini", "expected"),
    [
        (
            'CMD ["uvicorn", "main:app", "--port", "7860"]',
            INI,
            'CMD ["sh", "-c", "alembic upgrade head && exec uvicorn main:app --port 7860"]',
        ),
        (
            "CMD uvicorn main:app --port ${PORT:-7860}",
            PurePosixPath("backend/alembic.ini"),
            "CMD alembic -c backend/alembic.ini upgrade head && exec uvicorn main:app --port ${PORT:-7860}",
        ),
        (
            "CMD cd backend && uvicorn main:app",
            INI,
            "CMD alembic upgrade head && cd backend && uvicorn main:app",  # `exec cd` would fail
        ),
        (
            'CMD ["uv", "run", "uvicorn", "main:app"]',
            INI,
            'CMD ["sh", "-c", "uv run alembic upgrade head && exec uv run uvicorn main:app"]',
        ),
        (
            'CMD ["uvicorn", "main:app", "--forwarded-allow-ips", "*"]',
            INI,
            'CMD ["sh", "-c", "alembic upgrade head && exec uvicorn main:app --forwarded-allow-ips \'*\'"]',
        ),
    ],
)
def test_the_migration_runs_before_the_server(
    tmp_path: Path, cmd: str, ini: PurePosixPath, expected: str
) -> None:
    assert edited(tmp_path, f"FROM python:3.12-slim\r\n{cmd}\r\n", ini) == (
        f"FROM python:3.12-slim\r\n{expected}\r\n"
    )


@pytest.mark.parametrize(
    "tail",
    [
        'ENTRYPOINT ["./entrypoint.sh"]\nCMD ["uvicorn", "main:app"]\n',
        'CMD ["sh", "-c", "alembic upgrade head && exec uvicorn main:app"]\n',
        "CMD ['uvicorn', 'main:app']\n",
        "RUN echo no start command\n",
    ],
)
def test_no_edit_where_it_would_not_run(tmp_path: Path, tail: str) -> None:
    assert edited(tmp_path, "FROM python:3.12-slim\n" + tail) is None
