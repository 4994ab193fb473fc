"""The start command edit shared by DB017 and `fix --verify` (dockerfile/start_migration.py):
the migration goes before the server, through the same launcher, in the ENTRYPOINT when there
is one (its CMD arguments handed on), and nothing is edited where the edit would not run (a CMD
that migrates already, an unreadable array, no start instruction)."""

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
        'ENTRYPOINT ["./entrypoint.sh"]\nCMD ["sh", "-c", "alembic upgrade head"]\n',
        'CMD ["sh", "-c", "alembic upgrade head && exec uvicorn main:app"]\n',
        "CMD ['uvicorn', 'main:app']\n",
        "RUN echo no start command\n",
    ],
)
def test_no_edit_where_it_would_not_run(tmp_path: Path, tail: str) -> None:
    assert edited(tmp_path, "FROM python:3.12-slim\n" + tail) is None


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        # exec-form ENTRYPOINT and a CMD: the CMD words reach the wrapper as "$@"
        (
            'ENTRYPOINT ["./entrypoint.sh"]\nCMD ["uvicorn", "main:app"]\n',
            'ENTRYPOINT ["sh", "-c", "alembic upgrade head && exec ./entrypoint.sh \\"$@\\"", "sh"]\n'
            'CMD ["uvicorn", "main:app"]\n',
        ),
        # exec-form ENTRYPOINT alone
        (
            'ENTRYPOINT ["uvicorn", "main:app", "--port", "7860"]\n',
            'ENTRYPOINT ["sh", "-c", "alembic upgrade head && exec uvicorn main:app --port 7860"]\n',
        ),
        # the launcher split across ENTRYPOINT and CMD
        (
            'ENTRYPOINT ["poetry"]\nCMD ["run", "uvicorn", "main:app"]\n',
            'ENTRYPOINT ["sh", "-c", "poetry run alembic upgrade head && exec poetry \\"$@\\"", "sh"]\n'
            'CMD ["run", "uvicorn", "main:app"]\n',
        ),
        # shell-form ENTRYPOINT: Docker ignores the CMD
        (
            'ENTRYPOINT uvicorn main:app --port 7860\nCMD ["--reload"]\n',
            "ENTRYPOINT alembic upgrade head && exec uvicorn main:app --port 7860\n"
            'CMD ["--reload"]\n',
        ),
    ],
)
def test_the_entrypoint_runs_the_migration(tmp_path: Path, tail: str, expected: str) -> None:
    assert edited(tmp_path, "FROM python:3.12-slim\n" + tail) == (
        "FROM python:3.12-slim\n" + expected
    )


def test_pyproject_configuration_at_the_root_needs_no_option(tmp_path: Path) -> None:
    dockerfile = 'FROM python:3.12-slim\nCMD ["uvicorn", "main:app"]\n'
    assert edited(tmp_path, dockerfile, PurePosixPath("pyproject.toml")) == (
        'FROM python:3.12-slim\nCMD ["sh", "-c", "alembic upgrade head && exec uvicorn main:app"]\n'
    )
