"""The dependency facts other domains use."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hfdeploy.requirements.deps import declared_dependencies, install_file, is_declared, lock_path
from tests.support import make_tree, project_for


def test_declared_dependencies_follow_includes_and_skip_constraints(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "-r requirements/base.txt\n-c constraints.txt\nasyncpg==0.29.0\n",
            "requirements/base.txt": "FastAPI[all]>=0.100\n",
            "constraints.txt": "psycopg2==2.9.9\n",
        },
    )
    project = project_for(tmp_path)
    deps = declared_dependencies(project)
    assert [(d.name, str(d.path), d.line, sorted(d.extras)) for d in deps] == [
        ("FastAPI", "requirements/base.txt", 1, ["all"]),
        ("asyncpg", "requirements.txt", 3, []),
    ]
    assert is_declared(project, "fastapi") and is_declared(project, "AsyncPG")
    assert not is_declared(project, "psycopg2")


def test_install_file_prefers_the_lock_then_requirements_then_pyproject(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi"]\n'})
    assert install_file(project_for(tmp_path)) == PurePosixPath(".")
    make_tree(tmp_path, {"requirements.txt": "fastapi\n"})
    assert install_file(project_for(tmp_path)) == PurePosixPath("requirements.txt")
    assert lock_path(project_for(tmp_path)) is None
    make_tree(tmp_path, {"requirements.lock": "fastapi==0.104.1\n"})
    assert (
        install_file(project_for(tmp_path))
        == lock_path(project_for(tmp_path))
        == PurePosixPath("requirements.lock")
    )


def test_the_dockerfile_names_the_installed_file(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "pytest\n",
            "requirements/prod.txt": "fastapi\n",
            "Dockerfile": "FROM python:3.11-slim\nRUN pip install --no-cache-dir -r requirements/prod.txt\n",
        },
    )
    assert [d.name for d in declared_dependencies(project_for(tmp_path))] == ["fastapi"]


def test_nothing_declared(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app.py": "print(1)\n"})
    assert (
        declared_dependencies(project_for(tmp_path)) == []
        and install_file(project_for(tmp_path)) is None
    )


def test_a_backend_directory_with_the_only_requirements_file(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "backend/requirements.txt": "fastapi\npydantic-settings\n",
            "backend/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "docs/requirements.txt": "mkdocs\n",  # never the app's
            "frontend/package.json": "{}\n",
        },
    )
    assert install_file(project_for(tmp_path)) == PurePosixPath("backend/requirements.txt")
    assert [d.name for d in declared_dependencies(project_for(tmp_path))] == [
        "fastapi",
        "pydantic-settings",
    ]
    # Two candidates: no guess.
    make_tree(tmp_path, {"worker/requirements.txt": "celery\n"})
    assert install_file(project_for(tmp_path)) is None
