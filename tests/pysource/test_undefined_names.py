"""PY003: names used at import time that nothing defines (pyflakes, filtered to import time)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.pysource.import_graph import startup_modules
from hfdeploy.pysource.undefined import undefined_at_import
from tests.support import check_tree, make_tree, project_for

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def undefined(tmp_path: Path, code: str, *, deferred: bool = False) -> list[tuple[str, bool]]:
    make_tree(tmp_path, {"m.py": code})
    found = undefined_at_import(project_for(tmp_path), PurePosixPath("m.py"), deferred)
    return [(u.name, u.certain) for u in found]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("x = y\n", [("y", True)]),
        ("@deco\ndef f(): pass\n", [("deco", True)]),
        ("def f(a=DEFAULT): pass\n", [("DEFAULT", True)]),
        ("def f(a: Thing) -> Other: pass\n", [("Thing", True), ("Other", True)]),
        (
            "class A(Base, metaclass=Meta):\n    x = VALUE\n",
            [("Base", True), ("Meta", True), ("VALUE", True)],
        ),
        ("class A:\n    x: Hint = 1\n", [("Hint", True)]),
        ("values = [transform(v) for v in range(3)]\n", [("transform", True)]),
        ("gen = (transform(v) for v in source)\n", [("source", True)]),
        ("f = lambda a=DEFAULT: body_name\n", [("DEFAULT", True)]),
        ("if FLAG:\n    x = 1\n", [("FLAG", True)]),
        ("import os\nif os.getenv('X'):\n    setup()\n", [("setup", False)]),
        ("for i in range(2):\n    register(i)\n", [("register", False)]),
        ("with open('f') as fh:\n    parse(fh)\n", [("parse", True)]),
        ("print(later)\nlater = 1\n", [("later", True)]),
    ],
)
def test_import_time_uses_are_reported(
    tmp_path: Path, code: str, expected: list[tuple[str, bool]]
) -> None:
    assert undefined(tmp_path, code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "def f():\n    return inside_body\n",
        "class A:\n    def m(self):\n        return inside_method\n",
        "from __future__ import annotations\n\ndef f(a: Thing) -> Other: pass\nclass A:\n    x: Hint = 1\n",
        "from os.path import *\nx = join('a')\ny = anything\n",
        "globals()['made'] = 1\nprint(made)\n",
        "import builtins\nbuiltins.made = 1\nprint(made)\n",
        "try:\n    x = maybe\nexcept NameError:\n    x = None\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import B\n",
        "if __name__ == '__main__':\n    main()\n",
        "def init():\n    global db\n    db = 1\n\ninit()\ndb.close()\n",
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\nprint(json)\n",
        "__all__ = ['not_here']\n",
        "e = ExceptionGroup\nprint(__file__, __name__, __doc__)\n",
        "x = 1\ndel x\n",
    ],
)
def test_safe_names_are_not_reported(tmp_path: Path, code: str) -> None:
    assert undefined(tmp_path, code) == []


def test_annotations_are_lazy_on_python_3_14(tmp_path: Path) -> None:
    assert undefined(tmp_path, "def f(a: Thing) -> None: pass\n", deferred=True) == []


def test_start_modules_follow_module_level_imports_only(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/main.py": "from fastapi import FastAPI\nfrom . import routes\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import typing_only\n\napp = FastAPI()\n\ndef later():\n    from pkg import lazy\n",
            "pkg/routes/__init__.py": "from .items import router\n",
            "pkg/routes/items.py": "import pkg.util\n",
            "pkg/util.py": "",
            "pkg/lazy.py": "",
            "pkg/typing_only.py": "",
            "other.py": "",
        },
    )
    names = [str(p) for p in startup_modules(project_for(tmp_path))]
    assert set(names) == {
        "pkg/__init__.py",
        "pkg/main.py",
        "pkg/routes/__init__.py",
        "pkg/routes/items.py",
        "pkg/util.py",
    }


def test_module_the_app_never_imports_is_not_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {"main.py": APP, "tool.py": "print(undefined_thing)\n"})
    assert check_tree(tmp_path, "PY003") == []


def test_no_app_no_findings(tmp_path: Path) -> None:
    make_tree(tmp_path, {"main.py": "print(undefined_thing)\n"})
    assert check_tree(tmp_path, "PY003") == []


@pytest.mark.parametrize(
    ("code", "name", "statement"),
    [
        ("x = os.getenv('A')\n", "os", "import os"),
        ("x: List[int] = []\n", "List", "from typing import List"),
        (
            "from fastapi import APIRouter\n\ndef f(q=Query(1)): pass\n",
            "Query",
            "from fastapi import Query",
        ),
        ("def f(q=Query(1)): pass\n", "Query", None),  # not a FastAPI module
        ("print(os)\n", "os", None),  # not used as a module
        ("print(later)\nlater = 1\n", "later", None),
        ("x = List\ndef List(): pass\n", "List", None),
        ("x = settings.debug\n", "settings", None),
    ],
)
def test_missing_import_only_when_one_is_meant(code: str, name: str, statement: str | None) -> None:
    import ast

    from hfdeploy.pysource.undefined import missing_import

    assert missing_import(ast.parse(code), name) == statement


def test_fix_adds_the_import_after_the_module_imports(tmp_path: Path) -> None:
    from tests.support import fix_tree

    code = (
        '"""Doc."""\nfrom fastapi import FastAPI\n\napp = FastAPI(debug=bool(os.getenv("DEBUG")))\n'
    )
    make_tree(tmp_path, {"main.py": code})
    fix_tree(tmp_path, "PY003")
    assert (
        (tmp_path / "main.py")
        .read_text()
        .startswith('"""Doc."""\nfrom fastapi import FastAPI\nimport os\n')
    )
    assert check_tree(tmp_path, "PY003") == []


@pytest.mark.parametrize(
    "injector",
    [
        "import builtins\nbuiltins.tr = lambda s: s\n",
        "import builtins\nsetattr(builtins, 'tr', str)\n",
        "import gettext\ngettext.translation('app', fallback=True).install()\n",
    ],
)
def test_names_another_module_puts_in_builtins_are_defined(tmp_path: Path, injector: str) -> None:
    name = "_" if "gettext" in injector else "tr"
    make_tree(
        tmp_path,
        {
            "i18n.py": injector,
            "main.py": f"import i18n\nfrom fastapi import FastAPI\n\nTITLE = {name}('Notes')\napp = FastAPI(title=TITLE)\n",
        },
    )
    assert check_tree(tmp_path, "PY003") == []
