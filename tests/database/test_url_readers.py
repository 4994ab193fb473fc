"""Which library reads a SQLite URL decides which file it is: Tortoise ORM reads everything after
`sqlite://` as the path, SQLAlchemy (and `databases`, ormar, peewee's `db_url`) one slash less."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.database.sources import sqlite_files
from tests.support import make_tree, project_for

TORTOISE_APP = (
    "from fastapi import FastAPI\nfrom tortoise.contrib.fastapi import register_tortoise\n\n"
    "from config import DB_URL\n\napp = FastAPI()\n"
    "register_tortoise(app, db_url=DB_URL, modules={'models': ['models']})\n"
)


def files(tmp_path: Path, tree: dict[str, str]) -> list[tuple[str, str, bool]]:
    make_tree(tmp_path, tree)
    return [
        (str(found.path), url.database or "", found.tortoise)
        for found, url in sqlite_files(project_for(tmp_path))
    ]


def test_a_settings_module_of_a_tortoise_app_holds_tortoise_urls(tmp_path: Path) -> None:
    assert files(
        tmp_path,
        {"main.py": TORTOISE_APP, "config.py": "DB_URL = 'sqlite:///srv/data/app.sqlite3'\n"},
    ) == [("config.py", "/srv/data/app.sqlite3", True)]


def test_env_files_of_a_tortoise_app_hold_tortoise_urls(tmp_path: Path) -> None:
    assert files(
        tmp_path,
        {
            "main.py": TORTOISE_APP,
            "config.py": "import os\n\nDB_URL = os.environ['DB_URL']\n",
            ".env": "DB_URL=sqlite://app.sqlite3\n",
        },
    ) == [(".env", "app.sqlite3", True)]


@pytest.mark.parametrize("other", ["sqlalchemy", "sqlmodel", "databases", "peewee"])
def test_a_project_that_also_uses_a_sqlalchemy_style_library_keeps_its_reading(
    tmp_path: Path, other: str
) -> None:
    # The settings module imports no ORM: with two libraries in the app, SQLAlchemy's reading
    # (the one most projects use) stays; the module that imports Tortoise is still Tortoise's.
    assert files(
        tmp_path,
        {
            "main.py": TORTOISE_APP,
            "config.py": "DB_URL = 'sqlite:///data/app.db'\n",
            "legacy.py": f"import {other}\n\nLEGACY = 'sqlite:///data/legacy.db'\n",
            "events.py": "from tortoise import Tortoise\n\nURL = 'sqlite:///data/events.db'\n",
        },
    ) == [
        ("config.py", "data/app.db", False),
        ("events.py", "/data/events.db", True),
        ("legacy.py", "data/legacy.db", False),
    ]
