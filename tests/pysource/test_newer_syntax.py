"""Modules using syntax newer than the Python running hfdeploy (3.12 `type` statements and
f-strings read by 3.11) are still analysed, with only the newer lines taken out."""

from __future__ import annotations

import ast
import sys
from pathlib import Path, PurePosixPath

from hfdeploy.pyparse import parse_skipping_newer_syntax
from hfdeploy.pysource.app_discovery import discover_app
from tests.support import check_tree, codes, make_tree, project_for

PYPROJECT = '[project]\nname = "svc"\nversion = "1"\nrequires-python = ">=3.12"\n'
FACTORY = (
    "from fastapi import FastAPI\n\n"
    "def create_app() -> FastAPI:\n"
    "    app = FastAPI()\n\n"
    '    @app.get("/")\n'
    "    def index():\n"
    "        type Pair = tuple[int, int]\n"
    '        return {"ok": True}\n\n'
    "    return app\n"
)
DB = (
    "import os\n"
    "from sqlalchemy import create_engine\n\n"
    'engine = create_engine(os.environ["DATABASE_URL"])\n\n'
    "def label(row: dict) -> str:\n"
    '    return f"{row["name"]}: {row["qty"]}"\n'
)


def test_factory_with_a_312_statement_is_found(tmp_path: Path) -> None:
    files = {"pyproject.toml": PYPROJECT, "src/svc/__init__.py": "", "src/svc/app.py": FACTORY}
    make_tree(tmp_path, files)
    target = discover_app(project_for(tmp_path))
    assert target is not None and target.import_string == "svc.app:create_app"
    assert target.factory and target.app_dir == "src"
    assert "SC010" not in codes(check_tree(tmp_path, "SC010,PY002"))


def test_engine_next_to_a_312_fstring_is_still_checked(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pyproject.toml": PYPROJECT, "db.py": DB})
    assert codes(check_tree(tmp_path, "DB003,PY002")) == ["DB003"]


def test_newer_lines_become_pass_or_comments_and_positions_stay() -> None:
    src = (
        "import os\n"
        "def first[T](items: list[T]) -> T:\n"
        "    return items[0]\n\n"
        "def log():\n"
        "    print(\n"
        '        f"{os.environ["HOME"]}",\n'
        "        1,\n"
        "    )\n"
        "x = 1\n"
    )
    tree = parse_skipping_newer_syntax(src)
    assert tree is not None
    if sys.version_info >= (3, 12):  # the running parser reads it all: nothing is taken out
        assert [type(n).__name__ for n in tree.body] == [
            "Import",
            "FunctionDef",
            "FunctionDef",
            "Assign",
        ]
        return
    assert [type(n).__name__ for n in tree.body] == ["Import", "Pass", "FunctionDef", "Assign"]
    assert ast.unparse(tree.body[2]) == "def log():\n    print(1)"
    assert tree.body[3].lineno == 10 and tree.body[3].col_offset == 0


def test_ordinary_syntax_errors_get_no_partial_tree(tmp_path: Path) -> None:
    # A parameter-order error next to a 3.12 f-string: PY001 must still see a broken file.
    src = 'def f(a=1, b):\n    return f"{b["k"]}"\n'
    assert parse_skipping_newer_syntax(src) is None
    assert parse_skipping_newer_syntax("x = (\n") is None
    make_tree(tmp_path, {"m.py": src, "n.py": "x = (\n"})
    project = project_for(tmp_path)
    assert project.syntax_error(PurePosixPath("m.py")) is not None
    assert project.python_ast(PurePosixPath("n.py")) is None
    # The other checks get the module with the PY001 defaults blanked, parameters kept.
    tree = project.python_ast(PurePosixPath("m.py"))
    assert tree is not None and isinstance(tree.body[0], ast.FunctionDef)
    assert [a.arg for a in tree.body[0].args.args] == ["a", "b"]
    assert tree.body[0].args.defaults == []


def test_a_partial_tree_does_not_hide_the_syntax_error(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "type Pair = tuple[int, int]\nx = 1\n"})
    project = project_for(tmp_path, python="3.11")
    path = PurePosixPath("m.py")
    assert project.python_ast(path) is not None
    if sys.version_info < (3, 12):
        assert project.syntax_error(path) is not None
    assert codes(check_tree(tmp_path, "PY002", python="3.11")) == ["PY002"]
