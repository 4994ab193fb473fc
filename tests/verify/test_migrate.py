"""verify's migration of its throwaway database (hfdeploy/verify/migrate.py) through the fake
engine: when it runs and with what, how a success and a failure are reported, and that the app
is started either way. tests/verify/test_migrate_docker.py runs it on the real engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hfdeploy.diagnostics import Severity
from hfdeploy.verify.docker_client import DockerFailure, ExecResult
from tests.verify.test_services import PARTS_APP, FakeWithPostgres, run

MIGRATIONS = {
    "alembic.ini": "[alembic]\nscript_location = migrations\nprepend_sys_path = .\n",
    "migrations/env.py": "from alembic import context\n",
    "migrations/versions/0001_notes.py": (
        'revision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n'
    ),
}
APP = {
    **PARTS_APP,
    **MIGRATIONS,
    "Dockerfile": PARTS_APP["Dockerfile"].replace("\nCOPY . .", "\nWORKDIR /srv/shop\nCOPY . ."),
}


@pytest.fixture(autouse=True)
def local_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///fake.sock")


def migrations(fake: FakeWithPostgres) -> list[dict[str, Any]]:
    return [c for kind, c in fake.calls if kind == "run_once_options" and "alembic" in c["argv"][2]]


def codes(report: Any) -> list[str]:
    return [f.code for f in report.findings]


def test_the_migrations_run_once_against_the_service_before_the_app(tmp_path: Path) -> None:
    fake = FakeWithPostgres()
    report = run(tmp_path, fake, APP, env=("DB_NAME=shop",))
    assert report.exit_code == 0, report.findings
    [migration] = migrations(fake)
    assert migration["argv"][-2:] == ["upgrade", "head"]
    assert migration["workdir"] == "/srv/shop"  # where `COPY . .` put alembic.ini
    port = next(iter(fake.services.values()))["command"][-1]
    assert migration["env"]["DB_PORT"] == port and migration["env"]["DB_NAME"] == "shop"
    assert migration["env"]["SPACE_ID"] == report.space_env["SPACE_ID"]
    assert migration["timeout"] > 0
    order = [kind for kind, _ in fake.calls]
    assert order.index("run_once_options") < order.index("start")  # before the app starts
    started = report.findings[codes(report).index("RT022")]
    assert any("migrated with `alembic upgrade head`" in n and "DB017" in n for n in started.notes)
    assert "RT027" not in codes(report)


def test_a_failed_migration_is_reported_and_the_app_still_starts(tmp_path: Path) -> None:
    log = "".join(f"line {i}\n" for i in range(30)) + "psycopg.errors.SyntaxError: nope\n"
    fake = FakeWithPostgres(run_once_result=ExecResult(1, log))
    report = run(tmp_path, fake, APP, env=("DB_NAME=shop",))
    failed = report.findings[codes(report).index("RT027")]
    assert failed.severity is Severity.WARNING
    assert "exited with code 1" in failed.message
    assert failed.notes[-2].strip() == "psycopg.errors.SyntaxError: nope"
    assert not any("line 5" == n.strip() for n in failed.notes)  # the tail only
    assert any(kind == "start" for kind, _ in fake.calls)  # the app was started anyway
    assert report.exit_code == 0  # a warning: the app served
    started = report.findings[codes(report).index("RT022")]
    assert not any("migrated with" in n for n in started.notes)


def test_a_migration_that_hangs_or_an_engine_failure_is_reported(tmp_path: Path) -> None:
    fake = FakeWithPostgres(run_once_result=ExecResult(-1, "waiting\n", timed_out=True))
    report = run(tmp_path / "a", fake, APP, env=("DB_NAME=shop",))
    assert "did not finish within" in report.findings[codes(report).index("RT027")].message
    fake = FakeWithPostgres(run_once_result=DockerFailure("no such image"))  # type: ignore[arg-type]
    report = run(tmp_path / "b", fake, APP, env=("DB_NAME=shop",))
    assert (
        "the engine failed: no such image" in report.findings[codes(report).index("RT027")].message
    )


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(PARTS_APP, id="no-alembic"),
        pytest.param(
            {
                **APP,
                "Dockerfile": APP["Dockerfile"].replace(
                    "CMD uvicorn", "CMD alembic upgrade head && exec uvicorn"
                ),
            },
            id="start-migrates",
        ),
        pytest.param({k: v for k, v in APP.items() if "versions" not in k}, id="no-revisions"),
    ],
)
def test_no_migration_when_there_is_nothing_to_run(tmp_path: Path, files: dict[str, str]) -> None:
    fake = FakeWithPostgres()
    report = run(tmp_path, fake, files, env=("DB_NAME=shop",))
    assert "RT022" in codes(report)
    assert migrations(fake) == []


def test_the_migration_runs_where_the_image_holds_alembic_ini(tmp_path: Path) -> None:
    files = {f"backend/{name}": text for name, text in APP.items() if name != "Dockerfile"}
    files["Dockerfile"] = (
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY backend/ /srv/api/\n"
        "CMD uvicorn main:app --app-dir /srv/api --host 0.0.0.0 --port 7860\n"
    )
    fake = FakeWithPostgres()
    run(tmp_path, fake, files, env=("DB_NAME=shop",))
    [migration] = migrations(fake)
    assert migration["workdir"] == "/srv/api"


def test_no_migration_without_a_ready_service(tmp_path: Path) -> None:
    fake = FakeWithPostgres(service_exits=True)
    report = run(tmp_path, fake, APP, env=("DB_NAME=shop",))
    assert "RT023" in codes(report)
    assert migrations(fake) == []
    fake = FakeWithPostgres()
    run(tmp_path / "none", fake, APP, env=("DB_NAME=shop",), services="none")
    assert migrations(fake) == []
