"""RQ011 on real trees: imports the image does not install, and FastAPI's optional packages."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.diagnostics import Applicability, Severity
from tests.support import check_tree, fix_tree, make_tree, project_for

REQS = "fastapi==0.104.1\nuvicorn==0.24.0\n"


def rq011(root: Path, files: dict[str, str]) -> list:
    make_tree(root, files)
    return check_tree(root, "RQ011")


def test_reports_an_import_no_dependency_installs(tmp_path: Path) -> None:
    diags = rq011(
        tmp_path,
        {
            "requirements.txt": REQS,
            "app/__init__.py": "",
            "app/main.py": "import os\n\nfrom fastapi import FastAPI\nfrom jose import jwt\n\napp = FastAPI()\n",
        },
    )
    assert len(diags) == 1
    diag = diags[0]
    # The served app's own module imports it at load time: the Space fails at start.
    assert diag.severity is Severity.ERROR and str(diag.path) == "app/main.py"
    assert "imports `jose`" in diag.message and "(python-jose)" in diag.message
    assert "No module named 'jose'" in diag.message
    text = (tmp_path / "app/main.py").read_text()
    assert text[diag.span.start : diag.span.end] == "from jose import jwt"
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE


@pytest.mark.parametrize(
    ("code", "feature", "needs"),
    [
        (
            "from fastapi import FastAPI, Form\napp = FastAPI()\n@app.post('/x')\ndef x(name: str = Form(...)):\n    return name\n",
            "Form(...)",
            "python-multipart",
        ),
        (
            (
                "from fastapi import FastAPI\nfrom fastapi.templating import Jinja2Templates\napp = FastAPI()\n"
                "templates = Jinja2Templates(directory='t')\n"
            ),
            "Jinja2Templates",
            "Jinja2",
        ),
        (
            (
                "from starlette.middleware.sessions import SessionMiddleware\nfrom fastapi import FastAPI\n"
                "app = FastAPI()\napp.add_middleware(SessionMiddleware, secret_key='k')\n"
            ),
            "SessionMiddleware",
            "itsdangerous",
        ),
        (
            (
                "from fastapi import FastAPI\nfrom pydantic import BaseModel, EmailStr\napp = FastAPI()\n"
                "class U(BaseModel):\n    email: EmailStr\n"
            ),
            "EmailStr",
            "email-validator",
        ),
    ],
)
def test_reports_fastapi_features_whose_optional_package_is_missing(
    tmp_path: Path, code: str, feature: str, needs: str
) -> None:
    diags = rq011(tmp_path, {"requirements.txt": REQS, "main.py": code})
    assert [(d.severity, needs in d.message, f"`{feature}`" in d.message) for d in diags] == [
        (Severity.ERROR, True, True)
    ]


def test_form_message_quotes_fastapis_error(tmp_path: Path) -> None:
    diags = rq011(
        tmp_path,
        {
            "requirements.txt": REQS,
            "app/routers/auth.py": "from fastapi import APIRouter, Form\nr = APIRouter()\n"
            "@r.post('/login')\ndef login(u: str = Form(...)):\n    return u\n",
        },
    )
    assert diags[0].message.startswith("`Form(...)` in app/routers/auth.py needs python-multipart")
    assert 'Form data requires "python-multipart" to be installed' in diags[0].message


def test_an_imported_but_unused_form_name_is_not_reported(tmp_path: Path) -> None:
    assert (
        rq011(tmp_path, {"requirements.txt": REQS, "main.py": "from fastapi import Form\n"}) == []
    )


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"main.py": "import json, sqlite3\nfrom collections import abc\n"}, id="stdlib"
        ),
        pytest.param(
            {
                "main.py": "import helpers\nfrom core.db import x\n",
                "helpers.py": "",
                "core/__init__.py": "",
                "core/db.py": "x = 1\n",
            },
            id="local-modules",
        ),
        pytest.param(
            {"src/main.py": "import mypkg\n", "src/mypkg/__init__.py": ""}, id="src-layout"
        ),
        pytest.param(
            {"backend/main.py": "import models\n", "backend/models.py": ""}, id="sibling-in-app-dir"
        ),
        pytest.param({"app/main.py": "from . import jose\nfrom .jose import jwt\n"}, id="relative"),
        pytest.param(
            {
                "requirements.txt": REQS + "Python_Jose==3.3.0\n",
                "main.py": "from jose import jwt\n",
            },
            id="declared-with-other-spelling",
        ),
        pytest.param(
            {"requirements.txt": REQS + "Scikit_Learn\n", "main.py": "import sklearn\n"},
            id="mapped-name",
        ),
        pytest.param(
            {
                "requirements.txt": REQS,
                "requirements.lock": "fastapi==0.104.1\nredis==5.0.1 \\\n",
                "main.py": "import redis\n",
            },
            id="provided-by-lock",
        ),
        pytest.param(
            {"main.py": "import starlette\nfrom pydantic import BaseModel\nimport anyio\n"},
            id="transitive-of-fastapi",
        ),
        pytest.param(
            {
                "requirements.txt": "fastapi\nuvicorn[standard]\n",
                "main.py": "import dotenv\nimport yaml\n",
            },
            id="uvicorn-standard-extras",
        ),
        pytest.param(
            {"main.py": "try:\n    import ujson as json\nexcept ImportError:\n    import json\n"},
            id="try-import",
        ),
        pytest.param(
            {"main.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import boto3\n"},
            id="type-checking",
        ),
        pytest.param(
            {
                "tests/test_app.py": "import pytest\nimport httpx\n",
                "conftest.py": "import pytest\n",
                "scripts/seed.py": "import faker\n",
                "setup.py": "import setuptools_scm\n",
            },
            id="not-the-app",
        ),
        pytest.param(
            {"requirements.txt": None, "main.py": "from jose import jwt\n"},
            id="no-requirements-file",
        ),
        pytest.param(
            {"requirements.txt": REQS + "langchain\n", "main.py": "import numpy\n"},
            id="common-module-with-unknown-package-declared",
        ),
        pytest.param(
            {
                "Dockerfile": "FROM python:3.11\nRUN pip install -r requirements.txt && pip install torch\n",
                "main.py": "import torch\n",
            },
            id="installed-by-dockerfile",
        ),
        pytest.param(
            {"Dockerfile": "FROM python:3.11\nRUN poetry install\n", "main.py": "import jose\n"},
            id="other-installer",
        ),
        pytest.param(
            {
                "requirements.txt": REQS,
                "main.py": "from fastapi import FastAPI, Form\n"
                "app = FastAPI()\n@app.post('/')\ndef f(a: str = Form()):\n    return a\n",
                "requirements.lock": "python-multipart==0.0.6\n",
            },
            id="extra-provided-by-lock",
        ),
    ],
)
def test_does_not_report(tmp_path: Path, files: dict[str, str | None]) -> None:
    tree = {"requirements.txt": REQS, **files}
    assert rq011(tmp_path, {k: v for k, v in tree.items() if v is not None}) == []


def test_reports_each_missing_module_once(tmp_path: Path) -> None:
    diags = rq011(
        tmp_path,
        {
            "requirements.txt": REQS,
            "a.py": "import redis\n",
            "b.py": "def f():\n    import redis\n    import jwt\n",
        },
    )
    assert sorted(d.message.split("`")[3] for d in diags) == ["jwt", "redis"]


def test_fix_appends_the_distribution_keeping_crlf_and_second_fix_changes_nothing(
    tmp_path: Path,
) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "fastapi==0.104.1\r\nuvicorn==0.24.0",  # CRLF, no final newline
            "main.py": "from jose import jwt\nfrom fastapi import Form\nx = Form()\n",
        },
    )
    # python-multipart (FastAPI's own error names it) is a safe addition; python-jose is not.
    fix_tree(tmp_path, "RQ011", write=True)
    assert (tmp_path / "requirements.txt").read_bytes() == (
        b"fastapi==0.104.1\r\nuvicorn==0.24.0\r\npython-multipart\r\n"
    )
    fix_tree(tmp_path, "RQ011", unsafe=True)
    after = (tmp_path / "requirements.txt").read_bytes()
    assert after == b"fastapi==0.104.1\r\nuvicorn==0.24.0\r\npython-multipart\r\npython-jose\r\n"
    assert check_tree(tmp_path, "RQ011") == []
    fix_tree(tmp_path, "RQ011", unsafe=True)
    assert (tmp_path / "requirements.txt").read_bytes() == after


def test_no_fix_for_unknown_names_or_pyproject_installs(tmp_path: Path) -> None:
    diags = rq011(tmp_path, {"requirements.txt": REQS, "main.py": "import somethingobscure\n"})
    assert len(diags) == 1 and diags[0].fix is None
    other = tmp_path / "pyproject"
    diags = rq011(
        other,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '1'\ndependencies = ['fastapi']\n",
            "main.py": "from jose import jwt\n",
        },
    )
    assert len(diags) == 1 and diags[0].fix is None


def test_files_importing_only_installed_packages_are_not_parsed(tmp_path: Path) -> None:
    # On a large project this check must stay off the parse cost: a cheap text filter decides.
    from pathlib import PurePosixPath

    from hfdeploy.registry import selected_checks
    from hfdeploy.runner import run_checks
    from tests.support import project_for

    files: dict[str, str | bytes] = {
        f"app/r{i}.py": "import os\nfrom fastapi import APIRouter\n\n\nrouter = APIRouter()\n"
        for i in range(20)
    }
    files["requirements.txt"] = "fastapi==0.115.0\n"
    files["app/auth.py"] = "from jose import jwt\n"
    make_tree(tmp_path, files)
    project = project_for(tmp_path, offline=True)
    found = run_checks(project, selected_checks(("RQ011",), ()))
    assert [d.code for d in found] == ["RQ011"]
    parsed = {key[1] for key in project._memo if key[0] == "ast"}
    assert parsed == {PurePosixPath("app/auth.py")}


def test_only_the_apps_import_graph_makes_an_error(tmp_path: Path) -> None:
    # The app imports app/routes.py (which imports jose); scripts/seed_db.py, never imported,
    # imports faker. Only the first stops the app at start.
    diags = rq011(
        tmp_path,
        {
            "requirements.txt": REQS,
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\nfrom app import routes\napp = FastAPI()\n"
            "app.include_router(routes.router)\n",
            "app/routes.py": "from fastapi import APIRouter\nfrom jose import jwt\nrouter = APIRouter()\n",
            "app/cli.py": "import typer_cli_helper\n",
            "app/lazy.py": "def f():\n    import markdown\n",
        },
    )
    by_module = {d.message.split("`")[3]: d.severity for d in diags if "imports" in d.message}
    assert by_module == {
        "jose": Severity.ERROR,
        "typer_cli_helper": Severity.WARNING,
        "markdown": Severity.WARNING,
    }


def test_only_what_the_image_installs_counts(tmp_path: Path) -> None:
    # backend/requirements.txt declares python-jose, but the Dockerfile installs the root file.
    diags = rq011(
        tmp_path,
        {
            "requirements.txt": REQS,
            "backend/requirements.txt": REQS + "python-jose\n",
            "Dockerfile": "FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
            "COPY . .\nCMD uvicorn main:app --host 0.0.0.0 --port 7860\n",
            "main.py": "from fastapi import FastAPI\nfrom jose import jwt\napp = FastAPI()\n",
        },
    )
    assert [(d.severity, "`jose`" in d.message) for d in diags] == [(Severity.ERROR, True)]


@pytest.mark.parametrize(
    ("dist", "module"),
    [
        ("argon2-cffi", "argon2"),
        ("fastapi-cache2", "fastapi_cache"),
        ("openai-agents", "agents"),
    ],
)
def test_distributions_named_after_their_module_provide_it(
    tmp_path: Path, dist: str, module: str
) -> None:
    diags = rq011(
        tmp_path,
        {
            "requirements.txt": REQS + dist + "\n",
            "main.py": f"from fastapi import FastAPI\nimport {module}\napp = FastAPI()\n",
        },
    )
    assert diags == []


def test_poetry_export_installs_the_poetry_lock_not_requirements_lock(tmp_path: Path) -> None:
    # The image installs poetry.lock through `poetry export`; hfdeploy's requirements.lock
    # (made from pyproject) is not what the image installs and must not decide anything.
    pyproject = (
        '[tool.poetry]\nname = "x"\nversion = "0"\n[tool.poetry.dependencies]\n'
        'python = "^3.11"\nfastapi = "*"\nuvicorn = "*"\nargon2-cffi = "*"\n'
    )
    lock = "".join(
        f'[[package]]\nname = "{n}"\nversion = "1.0"\n\n'
        for n in ("fastapi", "uvicorn", "argon2-cffi", "starlette", "pydantic")
    )
    dockerfile = (
        "FROM python:3.11\nCOPY . .\nRUN pip install poetry poetry-plugin-export && "
        "poetry export -o /tmp/r.txt && pip install -r /tmp/r.txt\n"
        "CMD uvicorn main:app --host 0.0.0.0 --port 7860\n"
    )
    diags = rq011(
        tmp_path,
        {
            "pyproject.toml": pyproject,
            "poetry.lock": lock,
            "Dockerfile": dockerfile,
            "requirements.lock": "fastapi==1\n",
            "main.py": "from fastapi import FastAPI\nimport argon2\napp = FastAPI()\n",
        },
    )
    assert diags == []


EMAIL_APP = (
    "from fastapi import FastAPI\nfrom pydantic import BaseModel, EmailStr\napp = FastAPI()\n"
    "class U(BaseModel):\n    email: EmailStr\n"
)


def test_an_unknown_declared_package_may_bring_it_so_only_a_warning(tmp_path: Path) -> None:
    # fastmcp's own dependencies (unknown without a lock) include pydantic[email].
    diags = rq011(tmp_path, {"requirements.txt": REQS + "fastmcp\n", "main.py": EMAIL_APP})
    assert [d.severity for d in diags] == [Severity.WARNING]
    assert "unless a dependency of the declared packages installs it" in diags[0].message


def test_a_fresh_lock_of_the_installed_file_gives_the_transitive_set(tmp_path: Path) -> None:
    from hfdeploy.requirements.lock import lock_inputs

    make_tree(tmp_path, {"requirements.txt": REQS + "fastmcp\n", "main.py": EMAIL_APP})
    digest = lock_inputs(project_for(tmp_path)).digest
    make_tree(
        tmp_path,
        {
            "requirements.lock": f"# input-hash: sha256:{digest}\nfastapi==0.104.1\n"
            "uvicorn==0.24.0\nfastmcp==2.0.0\nemail-validator==2.2.0\n"
        },
    )
    assert check_tree(tmp_path, "RQ011") == []


def test_the_wheels_file_list_says_which_modules_a_distribution_installs(
    tmp_path: Path, fake_index
) -> None:
    app = "from fastapi import FastAPI\nimport argon2\nimport jwt\napp = FastAPI()\n"
    make_tree(
        tmp_path,
        {"requirements.txt": REQS + "argon2-cffi==23.1.0\njwt-helpers==1.0\n", "main.py": app},
    )
    diags = check_tree(tmp_path, "RQ011", offline=False)
    # argon2 is in argon2-cffi's wheel; jwt-helpers' wheel holds only `jwt_helpers`, so its name
    # no longer silences the missing `jwt` (offline, the name alone would have). A warning:
    # without a lock, what those two depend on is not known.
    assert [(d.severity, "`jwt`" in d.message) for d in diags] == [(Severity.WARNING, True)]
    assert any(path.endswith("/argon2-cffi/") for path, _, _ in fake_index.log if "argon2" in path)
    again = check_tree(tmp_path, "RQ011", offline=True)  # the file lists are cached now
    assert [d.message for d in again] == [d.message for d in diags]


def test_import_lines_finds_what_the_pattern_finds_at_every_line():
    """The pre-filtered search (`_import_lines`: the pattern tried only at the start of lines
    that contain `import`) yields exactly the matches of `_IMPORT_LINE.finditer`."""
    import random

    from hfdeploy.requirements.imports import _IMPORT_LINE, _import_lines

    pieces = [
        "import",
        "from",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "x",
        "a.b",
        ".",
        ",",
        "as",
        "#",
        "important",
        "(",
        ")",
        '"',
    ]
    rng = random.Random(10)
    texts = ["", "import os\n", "from a import b", "  import a as b, c\nx = 'import y'\n"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(20000)]
    for text in texts:
        expected = [(m.span(), m.groupdict()) for m in _IMPORT_LINE.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in _import_lines(text)] == expected, repr(text)
