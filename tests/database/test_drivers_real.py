"""The driver facts DB004 relies on, asked of the real SQLAlchemy in the venv (2.1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hfdeploy.diagnostics import Severity
from tests.support import check_tree, codes, fix_tree

CASES = Path(__file__).parent.parent / "cases" / "DB004"
sqlalchemy = pytest.importorskip("sqlalchemy")


def test_sqlalchemy_21_defaults_postgresql_to_psycopg_and_names_the_missing_module() -> None:
    if not sqlalchemy.__version__.startswith("2.1"):
        pytest.fail(f"the venv should carry SQLAlchemy 2.1, has {sqlalchemy.__version__}")
    url = sqlalchemy.engine.make_url("postgresql://u:pw@pg.example.com:443/db")
    assert url.get_dialect().driver == "psycopg"
    assert (
        sqlalchemy.engine.make_url("postgresql+psycopg2://u@h/db").get_dialect().driver
        == "psycopg2"
    )


def test_db004_21_fix_adds_the_driver_sqlalchemy_21_imports(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(CASES / "sqlalchemy_21_default_is_psycopg" / "before", root)
    assert codes(check_tree(root, "DB004")) == ["DB004"]
    fix_tree(root, "DB004")
    assert "psycopg[binary]" in (root / "requirements.txt").read_text().splitlines()
    assert codes(check_tree(root, "DB004")) == []


def test_db004_21_is_a_warning_when_another_requirement_may_cap_sqlalchemy(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(CASES / "sqlalchemy_21_default_is_psycopg" / "before", root)
    with (root / "requirements.txt").open("a") as f:
        f.write("sqlmodel\n")
    (found,) = check_tree(root, "DB004")
    assert found.severity is Severity.WARNING
    assert "`sqlmodel` may cap SQLAlchemy below 2.1" in " ".join(found.notes)


def test_db004_21_silent_when_sqlalchemy_is_pinned_to_20(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(CASES / "sqlalchemy_21_default_is_psycopg" / "before", root)
    text = (
        (root / "requirements.txt").read_text().replace("sqlalchemy>=2.0", "sqlalchemy>=2.0,<2.1")
    )
    (root / "requirements.txt").write_text(text)
    assert codes(check_tree(root, "DB004")) == []


def test_db004_21_silent_when_a_fresh_lock_pins_sqlalchemy_20(tmp_path: Path) -> None:
    from hfdeploy.requirements.lock import lock_inputs
    from tests.support import project_for

    root = tmp_path / "repo"
    shutil.copytree(CASES / "sqlalchemy_21_default_is_psycopg" / "before", root)
    digest = lock_inputs(project_for(root)).digest
    lock = f"# input-hash: sha256:{digest}\nsqlalchemy==2.0.36\npsycopg2-binary==2.9.10\n"
    (root / "requirements.lock").write_text(lock)
    assert codes(check_tree(root, "DB004")) == []
    (root / "requirements.lock").write_text(lock.replace("2.0.36", "2.1.9"))
    assert codes(check_tree(root, "DB004")) == ["DB004"]


def test_db004_21_a_poetry_lock_the_image_does_not_install_holds_nothing_back(
    tmp_path: Path,
) -> None:
    """The image installs requirements.txt: a poetry.lock beside it pinning SQLAlchemy 2.0 does
    not reach the image, which gets 2.1 (one model of the image decides, not the files)."""
    root = tmp_path / "repo"
    shutil.copytree(CASES / "sqlalchemy_21_default_is_psycopg" / "before", root)
    (root / "poetry.lock").write_text(
        '[[package]]\nname = "SQLAlchemy"\nversion = "2.0.41"\n\n'
        '[[package]]\nname = "psycopg2-binary"\nversion = "2.9.10"\n'
    )
    (found,) = check_tree(root, "DB004")
    assert found.severity is Severity.ERROR
    assert "poetry.lock" not in " ".join(found.notes)
