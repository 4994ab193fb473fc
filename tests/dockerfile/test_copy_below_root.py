"""DF021: a Dockerfile written for a monorepo's root as build context (`COPY backend/app /app`)
in a repository that is the `backend/` folder itself (what the Space builds): the source
without the repository's own folder is offered, safely, when it exists."""

from __future__ import annotations

from pathlib import Path

from hfdeploy.diagnostics import Applicability
from tests.support import check_tree, fix_tree, make_tree

CMD = 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "7860"]\n'


def backend(tmp_path: Path, dockerfile: str) -> Path:
    return make_tree(
        tmp_path / "mono" / "backend",
        {
            "Dockerfile": dockerfile,
            "requirements.txt": "fastapi\nuvicorn\n",
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )


def test_the_repository_folder_is_stripped_from_each_source(tmp_path: Path) -> None:
    root = backend(
        tmp_path,
        "FROM python:3.11-slim\nWORKDIR /srv\nCOPY backend/requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY ./backend/app /srv/app\n" + CMD,
    )
    found = check_tree(root, "DF021")
    assert [d.code for d in found] == ["DF021", "DF021"]
    assert all(d.fix is not None and d.fix.applicability is Applicability.SAFE for d in found)
    fix_tree(root, "DF021")
    text = (root / "Dockerfile").read_text()
    assert "COPY requirements.txt .\n" in text and "COPY ./app /srv/app\n" in text
    assert check_tree(root, "DF021") == []


def test_parent_folders_too_and_the_whole_folder(tmp_path: Path) -> None:
    root = backend(
        tmp_path,
        "FROM python:3.11-slim\nWORKDIR /srv\nCOPY mono/backend/ .\n"
        "RUN pip install -r requirements.txt\n" + CMD,
    )
    fix_tree(root, "DF021")
    assert "COPY . .\n" in (root / "Dockerfile").read_text()


def test_no_repair_when_the_stripped_path_does_not_exist_or_the_folder_differs(
    tmp_path: Path,
) -> None:
    root = backend(
        tmp_path,
        "FROM python:3.11-slim\nWORKDIR /srv\nCOPY backend/src /srv/src\n"
        "COPY frontend/app /srv/app\n" + CMD,
    )
    found = check_tree(root, "DF021")
    assert [d.code for d in found] == ["DF021", "DF021"]
    assert all(d.fix is None for d in found), [d.fix for d in found]
