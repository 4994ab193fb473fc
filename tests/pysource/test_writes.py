"""Where the app's code writes files (the evidence DF003's severity follows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.pysource.writes import file_writes
from tests.support import make_tree, project_for


def writes(tmp_path: Path, code: str, name: str = "app/main.py") -> list[tuple[str, str]]:
    make_tree(tmp_path, {name: code})
    return [(w.what, w.kind) for w in file_writes(project_for(tmp_path))]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("open('out.txt', 'w')", [("open(..., 'w')", "file")]),
        ("open(p, mode='ab')", [("open(..., 'ab')", "file")]),
        ("import aiofiles\naiofiles.open(p, 'wb')", [("aiofiles.open(..., 'wb')", "file")]),
        ("Path('x').write_text('1')", [(".write_text()", "file")]),
        ("Path('uploads').mkdir(parents=True)", [(".mkdir()", "file")]),
        ("os.makedirs('data', exist_ok=True)", [("os.makedirs()", "file")]),
        ("logging.FileHandler('app.log')", [("logging.FileHandler()", "file")]),
        ("logging.basicConfig(filename='a.log')", [("logging.basicConfig(filename=...)", "file")]),
        ("shutil.copyfileobj(src, dst)", []),
        ("shutil.copy(src, 'uploads/')", [("shutil.copy()", "file")]),
        ("sqlite3.connect('app.db')", [("sqlite3.connect()", "file")]),
        ("sqlite3.connect(':memory:')", []),
        ("aiosqlite.connect('app.db')", [("aiosqlite.connect()", "file")]),
        ("db = SqliteDatabase('shop.db')", [("SqliteDatabase()", "file")]),
        ("db = peewee.SqliteDatabase(':memory:')", []),
        (
            "AutoModel.from_pretrained('bert-base-uncased')",
            [("AutoModel.from_pretrained()", "cache")],
        ),
        ("pipeline('sentiment-analysis')", [("pipeline()", "cache")]),
    ],
)
def test_writes_are_found(tmp_path: Path, code: str, expected: list[tuple[str, str]]) -> None:
    assert writes(tmp_path, code + "\n") == expected


@pytest.mark.parametrize(
    "code",
    [
        "open('data.json')",
        "open('data.json', 'rb')",
        "open(p, mode)",
        "open('/tmp/x', 'w')",
        "open(os.path.join(tempfile.gettempdir(), 'x'), 'w')",
        "tempfile.NamedTemporaryFile('w')",
        "Path('/tmp/cache').mkdir()",
        "sqlite3.connect(':memory:')",
        "AutoModel.from_pretrained('m', cache_dir='/tmp/hf')",
        "redis.pipeline()",
        "Path('a').read_text()",
    ],
)
def test_reads_and_temporary_files_are_no_writes(tmp_path: Path, code: str) -> None:
    assert writes(tmp_path, code + "\n") == []


@pytest.mark.parametrize(
    "name", ["tests/test_x.py", "scripts/seed.py", "app/test_x.py", "conftest.py"]
)
def test_tests_and_scripts_do_not_count(tmp_path: Path, name: str) -> None:
    assert writes(tmp_path, "open('out.txt', 'w')\n", name) == []


def test_only_modules_the_app_imports_count(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "main.py": "from fastapi import FastAPI\nimport routes\n\napp = FastAPI()\n",
            "routes.py": "def save(data):\n    open('out.json', 'w').write(data)\n",
            "backup.py": "open('backup.tar', 'wb')\n",
        },
    )
    assert [str(w.path) for w in file_writes(project_for(tmp_path))] == ["routes.py"]


def test_sqlite_files_opened_by_path_are_writes_of_the_start_or_of_a_request(
    tmp_path: Path,
) -> None:
    """`sqlite3.connect` at module level opens the file at start; peewee's database opens it
    at its first query, so it is a write of whichever request makes one."""
    from hfdeploy.pysource.startup import startup

    make_tree(
        tmp_path,
        {
            "main.py": (
                "import sqlite3\n\nfrom fastapi import FastAPI\nfrom peewee import SqliteDatabase\n\n"
                "app = FastAPI()\nnotes = sqlite3.connect('data/notes.db')\n"
                "shop = SqliteDatabase(database='shop.db')\n"
                "memory = sqlite3.connect(':memory:')\n"
                "uri = sqlite3.connect('file:cache?mode=memory', uri=True)\n"
            )
        },
    )
    found = [
        (use.kind, use.at_start, use.target.value if use.target else None)
        for use in startup(project_for(tmp_path)).writes
    ]
    assert found == [
        ("sqlite3.connect", True, "data"),
        ("SqliteDatabase", False, "."),
    ]
