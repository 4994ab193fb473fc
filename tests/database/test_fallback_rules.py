"""The SQLite fallback (DB003/DB010) and the app's own rules for the URL: a settings validator
that checks or builds the URL makes the fix unsafe, or leaves no fix when it would reject SQLite."""

from __future__ import annotations

from pathlib import Path

from hfdeploy.diagnostics import Applicability
from tests.support import check_tree, make_tree

DATABASE = "from sqlalchemy import create_engine\n\nfrom config import settings\n\nengine = create_engine(settings.DATABASE_URL)\n"
REQUIREMENTS = "fastapi\nsqlalchemy==2.0.36\npydantic-settings\n"


def test_model_validator_that_builds_the_url_makes_the_fallback_unsafe(tmp_path: Path) -> None:
    config = (
        "from pydantic import model_validator\n"
        "from pydantic_settings import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        '    DB_HOST: str = "pg.example.com"\n'
        "    DATABASE_URL: str | None = None\n\n"
        '    @model_validator(mode="after")\n'
        "    def build_url(self):\n"
        "        if not self.DATABASE_URL:\n"
        '            self.DATABASE_URL = f"postgresql://app@{self.DB_HOST}/app"\n'
        "        return self\n\n\n"
        "settings = Settings()\n"
    )
    make_tree(tmp_path, {"config.py": config, "db.py": DATABASE, "requirements.txt": REQUIREMENTS})
    [diag] = check_tree(tmp_path, "DB003")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any("`build_url`" in note and "review" in note for note in diag.notes)


def test_validator_that_rejects_other_schemes_leaves_no_fix(tmp_path: Path) -> None:
    config = (
        "from pydantic import validator\n"
        "from pydantic import BaseSettings\n\n\n"
        "class Settings(BaseSettings):\n"
        "    DATABASE_URL: str\n\n"
        '    @validator("DATABASE_URL")\n'
        "    def postgres_only(cls, v):\n"
        '        assert v.startswith(("postgresql://", "postgresql+psycopg2://"))\n'
        "        return v\n\n\n"
        "settings = Settings()\n"
    )
    make_tree(tmp_path, {"config.py": config, "db.py": DATABASE, "requirements.txt": REQUIREMENTS})
    [diag] = check_tree(tmp_path, "DB003")
    assert diag.fix is None
    assert any("`postgresql://` or `postgresql+psycopg2://`" in note for note in diag.notes)


def test_engine_in_a_test_file_is_never_edited(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "conftest.py": 'import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.getenv("TEST_DB"))\n',
            "tests/helpers.py": 'import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.environ["TEST_DB"])\n',
            "test_models.py": 'import os\nfrom sqlalchemy import create_engine\nengine = create_engine(os.getenv("X", "postgresql://u@localhost/t"))\n',
            "requirements.txt": REQUIREMENTS,
        },
    )
    assert check_tree(tmp_path, "DB003,DB010") == []
