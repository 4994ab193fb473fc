"""The schema the repaired app starts with: Alembic's env.py importable by the `alembic` console
script (DB011), checked with real Alembic and SQLAlchemy. The tables created at start (DB012)
are checked in a real container: tests/database/test_schema_docker.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import check_tree, codes, fix_tree, make_tree

CASES = Path(__file__).parent.parent / "cases"
ALEMBIC = Path(sys.executable).parent / "alembic"
VERSION = (
    "from alembic import op\nimport sqlalchemy as sa\n\n"
    "revision = '0001'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
    "def upgrade():\n    op.create_table('notes', sa.Column('id', sa.Integer, primary_key=True),\n"
    "                    sa.Column('body', sa.String))\n\n\n"
    "def downgrade():\n    op.drop_table('notes')\n"
)


def _upgrade(root: Path) -> subprocess.CompletedProcess[str]:
    """`alembic upgrade head` as the image runs it: the console script, from the project root,
    with no PYTHONPATH."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL")}
    return subprocess.run(
        [str(ALEMBIC), "upgrade", "head"],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("case", ["no_prepend_sys_path", "src_layout_other_entry"])
def test_db011_fix_makes_the_real_alembic_console_script_import_the_app(
    tmp_path: Path, case: str
) -> None:
    if not ALEMBIC.exists():
        pytest.fail(f"alembic console script missing at {ALEMBIC}")
    root = tmp_path / "repo"
    shutil.copytree(CASES / "DB011" / case / "before", root)
    make_tree(root, {"migrations/versions/0001_notes.py": VERSION, "migrations/script.py.mako": ""})
    before = _upgrade(root)
    assert before.returncode != 0
    assert "No module named 'app'" in before.stderr
    assert codes(check_tree(root, "DB011")) == ["DB011"]

    fix_tree(root, "DB011")
    after = _upgrade(root)
    assert after.returncode == 0, after.stderr
    assert (root / "notes.db").exists()
    assert codes(check_tree(root, "DB011")) == []


def test_db011_silent_when_the_image_sets_pythonpath_or_env_py_extends_sys_path(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(CASES / "DB011" / "no_prepend_sys_path" / "before", root)
    start = "CMD alembic upgrade head && uvicorn app.main:app\n"
    make_tree(root, {"Dockerfile": "FROM python:3.12-slim\nENV PYTHONPATH=/app\n" + start})
    assert codes(check_tree(root, "DB011")) == []
    make_tree(root, {"Dockerfile": "FROM python:3.12-slim\n" + start})
    assert codes(check_tree(root, "DB011")) == ["DB011"]
    # an image whose start never runs Alembic: not this rule's business (DB012 says so)
    make_tree(root, {"Dockerfile": "FROM python:3.12-slim\nCMD uvicorn app.main:app\n"})
    assert codes(check_tree(root, "DB011")) == []
    (root / "Dockerfile").unlink()
    env = root / "migrations" / "env.py"
    env.write_text("import sys\nsys.path.insert(0, '.')\n" + env.read_text())
    assert codes(check_tree(root, "DB011")) == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        (
            "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"
            'CMD ["sh", "-c", "python -m alembic upgrade head && uvicorn app.main:app"]\n'
        ),
        (
            "FROM python:3.12-slim\nCOPY . .\nRUN pip install poetry && poetry install\n"
            "CMD alembic upgrade head && uvicorn app.main:app\n"
        ),
    ],
)
def test_db011_silent_when_the_image_makes_the_app_importable_otherwise(
    tmp_path: Path, dockerfile: str
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(CASES / "DB011" / "no_prepend_sys_path" / "before", root)
    make_tree(root, {"Dockerfile": dockerfile})
    assert codes(check_tree(root, "DB011")) == []
    make_tree(
        root,
        {
            "Dockerfile": dockerfile.replace("python -m alembic", "alembic").replace(
                "poetry install", "poetry install --no-root"
            )
        },
    )
    assert codes(check_tree(root, "DB011")) == ["DB011"]
