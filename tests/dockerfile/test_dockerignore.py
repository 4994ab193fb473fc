"""DF011 and DF012: what reaches the build context, and the `.dockerignore` that stops it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.diagnostics import Applicability
from hfdeploy.ignore import IgnoreRules
from tests.dockerfile.helpers import GOOD, findings, tree
from tests.support import fix_tree

ENV = "SECRET_KEY=abc\n"


def ignore_rules(root: Path) -> IgnoreRules:
    return IgnoreRules((root / ".dockerignore").read_text().splitlines(), dockerignore=True)


# -- DF011 ---------------------------------------------------------------------------------------
def test_df011_whole_copy_without_dockerignore(tmp_path: Path) -> None:
    files = {".env": ENV, ".dockerignore": None}
    (found,) = findings(tmp_path, "DF011", GOOD, files)
    assert "copies `.env` into the image" in found.message
    root = tree(tmp_path, GOOD, files)
    fix_tree(root, "DF011")
    rules = ignore_rules(root)
    assert (
        rules.ignored(".env")
        and rules.ignored("app/.env.local")
        and not rules.ignored(".env.example")
    )


def test_df011_extends_an_existing_dockerignore_byte_for_byte(tmp_path: Path) -> None:
    existing = "# mine\r\nnode_modules\r\n*.log"
    root = tree(tmp_path, GOOD, {".env.production": ENV, ".dockerignore": existing})
    fix_tree(root, "DF011")
    text = (root / ".dockerignore").read_bytes().decode()
    assert text.startswith(existing + "\r\n\r\n# Added by hfdeploy")
    assert "\n**/.env\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert ignore_rules(root).ignored(".env.production")


def test_df011_explicit_copy_is_an_unsafe_removal(tmp_path: Path) -> None:
    dockerfile = GOOD.replace("USER user\n", "USER user\nCOPY .env .env\n")
    (found,) = findings(tmp_path, "DF011", dockerfile, {".env": ENV})
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    root = tree(tmp_path, dockerfile, {".env": ENV})
    fix_tree(root, "DF011", unsafe=True)
    assert (root / "Dockerfile").read_text() == GOOD


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({".env": ENV}, id="ignored"),
        pytest.param({}, id="no-env-file"),
        pytest.param({".env.example": "SECRET_KEY=\n", ".dockerignore": None}, id="only-example"),
    ],
)
def test_df011_catches_not(tmp_path: Path, files: dict) -> None:
    assert findings(tmp_path, "DF011", GOOD, files) == []


# -- DF012 ---------------------------------------------------------------------------------------
def test_df012_creates_the_file(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        GOOD,
        {".dockerignore": None, ".venv/pyvenv.cfg": "home = /usr\n", "env/pyvenv.cfg": "x\n"},
    )
    fix_tree(root, "DF012")
    rules = ignore_rules(root)
    for path in (
        ".git",
        ".venv",
        "env",
        "app/__pycache__",
        "data/app.db",
        "x.sqlite3",
        "web/node_modules",
    ):
        assert rules.ignored(path, is_dir=True), path
    assert not rules.ignored("main.py") and not rules.ignored("requirements.txt")


def test_df012_reports_only_what_exists(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF012", GOOD, {".dockerignore": "**/.env\n", "app.db": "x"})
    assert (
        found.message
        == "`.dockerignore` does not exclude local databases, which exist in the project"
    )


@pytest.mark.parametrize(
    ("dockerfile", "files"),
    [
        pytest.param(GOOD, {}, id="complete-for-what-exists"),
        pytest.param(
            GOOD.replace("COPY --chown=user . /home/user/app", "COPY --chown=user main.py ."),
            {".dockerignore": None},
            id="no-whole-copy",
        ),
    ],
)
def test_df012_catches_not(tmp_path: Path, dockerfile: str, files: dict) -> None:
    assert findings(tmp_path, "DF012", dockerfile, files) == []
