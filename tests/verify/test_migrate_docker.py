"""verify migrates its throwaway database (hfdeploy/verify/migrate.py) on the real engine: an app
whose schema comes from Alembic revisions that its start command (uvicorn only) never runs
serves once verify has run `alembic upgrade head` against the throwaway `postgres:16`; a broken
revision is reported (RT027, with Alembic's output) and the app is started anyway. And
`fix --write --verify` repairs an app whose lifespan creates the tables but is never given to
the app (DB018's fix)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.cli import main
from tests.verify.test_services_docker import exists, postgres_image, service_name
from tests.verify.test_verify_docker import Verify, copy_repo, finding

pytestmark = pytest.mark.docker
__all__ = ["postgres_image"]  # the fixture, used by name

BROKEN_REVISION = '''"""a revision whose SQL the server refuses"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute("CREATE TABLE tags (id SERIAL PRIMARY KEY, note_id INTEGER REFERENCES nowhere(id))")


def downgrade():
    op.execute("DROP TABLE tags")
'''


@pytest.fixture
def verify(capsys: pytest.CaptureFixture[str]) -> Verify:
    def run(root: Path, *args: str, format: str = "json") -> tuple[int, Any, str]:
        code = main(["verify", str(root), "--format", format, "--timeout", "90", *args])
        out = capsys.readouterr()
        return code, (json.loads(out.out) if format == "json" else out.out), out.err

    return run


@pytest.mark.usefixtures("postgres_image")
def test_the_throwaway_database_gets_the_migrations_the_start_command_skips(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, _app_port, _ = copy_repo(tmp_path, "pg_migrations")
    code, report, _err = verify(root, "--env", "DB_NAME=notes")
    assert code == 0, report["findings"]
    root_probe = next(p for p in report["probes"] if p["path"] == "/")
    assert root_probe["status"] == 200  # `SELECT COUNT(*) FROM notes`: the table exists
    started = finding(report, "RT022")
    notes = " ".join(started["notes"])
    assert "migrated with `alembic upgrade head` (in /home/user/app)" in notes
    assert "see DB017" in notes
    assert "RT027" not in {f["code"] for f in report["findings"]}
    assert not exists(docker_client, service_name(notes))


@pytest.mark.usefixtures("postgres_image")
def test_a_migration_that_fails_is_reported_and_the_app_still_starts(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, _app_port, _ = copy_repo(tmp_path, "pg_migrations")
    (root / "migrations" / "versions" / "0002_tags.py").write_text(BROKEN_REVISION)
    code, report, _err = verify(root, "--env", "DB_NAME=notes")
    assert code == 1
    failed = finding(report, "RT027")
    assert failed["severity"] == "warning"
    assert "`alembic upgrade head` against the throwaway PostgreSQL failed" in failed["message"]
    assert "exited with code 1" in failed["message"]
    output = "\n".join(failed["notes"])
    assert 'relation "nowhere" does not exist' in output  # Alembic's own error, from its log
    # The app was started anyway: its route fails on the table the rolled-back migration
    # would have created, and the report shows that too.
    served = finding(report, "RT005")
    assert "notes" in served["message"] + " ".join(served["notes"])
    started = finding(report, "RT022")
    assert "migrated with" not in " ".join(started["notes"])
    assert not exists(docker_client, service_name(" ".join(started["notes"])))


@pytest.mark.usefixtures("postgres_image")
def test_fix_verify_gives_the_app_the_lifespan_that_creates_its_tables(tmp_path: Path) -> None:
    from hfdeploy.cli.common import load_project
    from hfdeploy.verify.runtime_fix import fix_until_serving
    from hfdeploy.verify.settings import VerifyOptions
    from tests.verify.test_verify_space_fidelity import _client

    root, _app_port, _ = copy_repo(tmp_path, "pg_unused_lifespan")
    options = VerifyOptions(timeout=90, env=("DB_NAME=notes",))
    result = fix_until_serving(lambda: load_project(root), options, _client())
    assert result.served, [f.message for f in result.report.findings]  # type: ignore[union-attr]
    first = result.rounds[0]
    assert first.failure is not None and first.failure.startswith("no such table: notes")
    assert first.static_rule == "DB018" and first.files == ("main.py",)
    assert "app.router.lifespan_context = lifespan" in (root / "main.py").read_text()
