"""The generator: template lookup, strict rendering, value validation, and the invariant that
a generated Dockerfile passes every DF check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from hfdeploy.dockerfile.inputs import AlembicSetup, AppTarget
from hfdeploy.dockerfile.regenerate import regeneration, render_dockerfile, server_command
from hfdeploy.dockerfile.validate import UnsafeValue
from hfdeploy.generate import environment, render, templates_dir
from tests.dockerfile.helpers import findings, tree
from tests.support import check_tree, fix_tree, project_for

REPO = Path(__file__).resolve().parents[2]


def test_templates_found_in_the_source_tree() -> None:
    assert Path(str(templates_dir())) == REPO / "templates"


def test_templates_found_inside_an_installed_package(tmp_path: Path) -> None:
    """The wheel layout: `hfdeploy/templates/` inside the package, no sibling directory."""
    site = tmp_path / "site"
    shutil.copytree(
        REPO / "hfdeploy", site / "hfdeploy", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "templates", site / "hfdeploy" / "templates")
    code = "from hfdeploy.generate import templates_dir, render; print(templates_dir()); print(render('dockerignore.j2', entries=[], extra=[], keep='x')[:11])"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == [str(site / "hfdeploy" / "templates"), "# Generated"]


def test_missing_template_value_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("Dockerfile.j2", port=7860)
    assert environment().keep_trailing_newline


@pytest.mark.parametrize(
    "target",
    [
        AppTarget("main;rm -rf /", "app"),
        AppTarget("main", "app$(id)"),
        AppTarget("main", "app", app_dir="src; curl x"),
        AppTarget("main", "app", app_dir="../outside"),
    ],
)
def test_shell_metacharacters_are_refused(target: AppTarget) -> None:
    with pytest.raises(UnsafeValue):
        server_command(target, 7860)


def test_port_must_be_a_port() -> None:
    with pytest.raises(UnsafeValue):
        server_command(AppTarget("main", "app"), "7860; id")  # type: ignore[arg-type]


def test_server_command_shapes() -> None:
    assert server_command(
        AppTarget("pkg.app", "create_app", factory=True, app_dir="src"), 8000
    ) == (
        "exec uvicorn pkg.app:create_app --factory --app-dir src --host 0.0.0.0 --port ${PORT:-8000} "
        "--proxy-headers --forwarded-allow-ips='*'"
    )
    with_alembic = server_command(
        AppTarget("main", "app"), 7860, AlembicSetup(Path("db/alembic.ini"))
    )  # type: ignore[arg-type]
    assert with_alembic.startswith("alembic -c db/alembic.ini upgrade head && exec uvicorn")


def test_unsafe_data_dir_setting_is_refused_with_a_finding(tmp_path: Path) -> None:
    pyproject = '[tool.hfdeploy]\ndata-dir = "/data; rm -rf /"\n'
    (found,) = findings(tmp_path, "DF001", None, {"pyproject.toml": pyproject})
    assert found.fix is None
    assert "No fix: refused to write abspath '/data; rm -rf /' into the Dockerfile" in found.notes


def test_unsafe_values_in_an_old_file_are_not_carried_over(tmp_path: Path) -> None:
    old = (
        "FROM python:3.11-slim\nENV GREETING=\"hi; rm -rf /\"\nRUN apt-get install -y 'curl;id'\n"
        'COPY . .\nRUN pip install -r requirements.txt\nCMD ["uvicorn", "main:app"]\n'
    )
    regen = regeneration(project_for(tree(tmp_path, old)))
    assert regen.fix is not None and regen.fix.applicability.value == "unsafe"
    text = regen.fix.edits[0].replacement
    assert "GREETING" not in text and "curl" not in text
    assert "`GREETING` is not carried over" in regen.notes[0]


SHAPES = {
    "plain": {},
    "src-factory": {
        "main.py": None,
        "pyproject.toml": '[tool.hfdeploy]\napp = "shop.app:create_app"\n',
        "src/shop/__init__.py": "",
        "src/shop/app.py": "from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n",
    },
    "alembic": {
        "alembic.ini": "[alembic]\nscript_location = %(here)s/alembic\n",
        "alembic/env.py": "# env\n",
    },
    "pyproject-install": {
        "requirements.txt": None,
        "pyproject.toml": '[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.12,<3.13"\ndependencies = ["fastapi", "uvicorn"]\n',
    },
    "includes": {
        "requirements.txt": "-r requirements/base.txt\n",
        "requirements/base.txt": "fastapi\nuvicorn\n",
    },
    "readme-port": {"README.md": "---\ntitle: t\nsdk: docker\napp_port: 8080\n---\n"},
    # a backend run from its own directory (`cd backend && uvicorn app.main:app`), whose
    # `StaticFiles(directory="static")` means backend/static
    "nested-backend": {
        "main.py": None,
        "requirements.txt": None,
        "backend/requirements.txt": "fastapi\nuvicorn\n",
        "backend/app/__init__.py": "",
        "backend/app/main.py": "from fastapi import FastAPI\nfrom fastapi.staticfiles import StaticFiles\n\n"
        'app = FastAPI()\napp.mount("/static", StaticFiles(directory="static"))\n',
        "backend/static/site.css": "body {}\n",
        "frontend/package.json": "{}\n",
    },
}


@pytest.mark.parametrize("shape", SHAPES)
def test_generated_dockerfile_passes_every_df_check(tmp_path: Path, shape: str) -> None:
    root = tree(tmp_path, None, {".dockerignore": None, **SHAPES[shape]})
    fix_tree(root, "DF")
    assert (root / "Dockerfile").is_file() and (root / ".dockerignore").is_file()
    assert [d.code for d in check_tree(root, "DF")] == []
    project = project_for(root)
    assert render_dockerfile(project) == (root / "Dockerfile").read_text()  # a fixpoint
    assert regeneration(project).fix is None


def test_generated_shapes_say_what_they_install(tmp_path: Path) -> None:
    def generated(shape: str) -> str:
        root = tree(tmp_path, None, SHAPES[shape])
        return render_dockerfile(project_for(root))

    assert "uvicorn shop.app:create_app --factory --app-dir src" in generated("src-factory")
    assert "FROM python:3.12-slim" in generated("pyproject-install")
    assert (
        "COPY --chown=user . /home/user/app\nRUN pip install --no-cache-dir --user .\n"
        in generated("pyproject-install")
    )
    assert "COPY --chown=user requirements/base.txt requirements/base.txt\n" in generated(
        "includes"
    )
    assert "EXPOSE 8080\n" in generated("readme-port") and "${PORT:-8080}" in generated(
        "readme-port"
    )
    assert "alembic upgrade head && exec uvicorn" in generated("alembic")
    assert "CMD cd backend && exec uvicorn app.main:app --host" in generated("nested-backend")


def test_crlf_file_is_regenerated_with_crlf(tmp_path: Path) -> None:
    old = 'FROM python:3.11-slim\r\nCOPY . .\r\nRUN pip install -r requirements.txt\r\nCMD ["uvicorn", "main:app"]\r\n'
    regen = regeneration(project_for(tree(tmp_path, old)))
    assert regen.fix is not None
    text = regen.fix.edits[0].replacement
    assert text.count("\r\n") == text.count("\n")
