"""DF019: the server the CMD starts, and FastAPI itself, must be among what the image installs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.diagnostics import Applicability
from tests.dockerfile.helpers import GOOD, findings, replace_cmd, tree
from tests.support import check_tree, fix_tree

UVICORN_CMD = 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]'
FASTAPI_RUN = 'CMD ["fastapi", "run", "main.py", "--port", "7860"]'


def test_df019_catches_and_adds_uvicorn(tmp_path: Path) -> None:
    root = tree(tmp_path, GOOD, {"requirements.txt": "fastapi==0.110.0"})  # no final newline
    (found,) = [d for d in check_tree(root, "DF019") if d.code == "DF019"]
    assert "never installs `uvicorn`" in found.message and "uvicorn: not found" in found.message
    text = (root / "Dockerfile").read_text()
    assert found.span is not None and text[found.span.start : found.span.end] == "uvicorn"
    assert found.fix is not None and found.fix.applicability is Applicability.SAFE
    fix_tree(root, "DF019")
    assert (root / "requirements.txt").read_text() == "fastapi==0.110.0\nuvicorn\n"
    assert check_tree(root, "DF019") == []


def test_df019_fastapi_run_gets_the_standard_extra_in_place(tmp_path: Path) -> None:
    root = tree(
        tmp_path, replace_cmd(FASTAPI_RUN), {"requirements.txt": "fastapi==0.115.0\nhttpx\n"}
    )
    (found,) = check_tree(root, "DF019")
    assert "`fastapi[standard]`" in found.message
    fix_tree(root, "DF019")
    assert (root / "requirements.txt").read_text() == "fastapi[standard]==0.115.0\nhttpx\n"
    assert check_tree(root, "DF019") == []


@pytest.mark.parametrize("spec", ["==0.110.0", ">=0.100,<0.112", "~=0.111.0"])
def test_df019_fastapi_held_below_0_112_gets_fastapi_cli(tmp_path: Path, spec: str) -> None:
    # FastAPI < 0.112 has no `standard` extra: `fastapi[standard]==0.110.0` installs no
    # `fastapi` command (pip only warns), so the CLI is added as its own requirement.
    root = tree(tmp_path, replace_cmd(FASTAPI_RUN), {"requirements.txt": f"fastapi{spec}\n"})
    (found,) = check_tree(root, "DF019")
    assert found.fix is not None and "`fastapi-cli`" in found.fix.title
    fix_tree(root, "DF019")
    assert (root / "requirements.txt").read_text() == f"fastapi{spec}\nfastapi-cli\n"
    assert check_tree(root, "DF019") == []


def test_df019_empty_requirements_need_fastapi_too(tmp_path: Path) -> None:
    root = tree(tmp_path, GOOD, {"requirements.txt": ""})
    (found,) = check_tree(root, "DF019")
    assert "`uvicorn` and `fastapi`" in found.message
    fix_tree(root, "DF019")
    assert (root / "requirements.txt").read_text() == "uvicorn\nfastapi\n"


def test_df019_gunicorn_with_uvicorn_workers_needs_both(tmp_path: Path) -> None:
    cmd = "CMD gunicorn -k uvicorn.workers.UvicornWorker -b 0.0.0.0:7860 main:app"
    root = tree(tmp_path, replace_cmd(cmd), {"requirements.txt": "fastapi\ngunicorn\n"})
    (found,) = check_tree(root, "DF019")
    assert "never installs `uvicorn`" in found.message


def test_df019_the_generated_dockerfile_ends_up_with_its_server(tmp_path: Path) -> None:
    # The generated CMD runs uvicorn: a project declaring only FastAPI must gain it.
    root = tree(tmp_path, None, {"requirements.txt": "fastapi\n"})
    fix_tree(root, "DF001,DF019")
    assert "exec uvicorn main:app" in (root / "Dockerfile").read_text()
    assert (root / "requirements.txt").read_text() == "fastapi\nuvicorn\n"


def test_df019_a_lock_the_image_does_not_install_does_not_count(tmp_path: Path) -> None:
    # The image model answers "what does the image install": requirements.txt, not the lock
    # beside it (DF018 says so separately), so uvicorn is missing at start.
    files = {"requirements.txt": "fastapi\n", "requirements.lock": "fastapi==1\nuvicorn==1\n"}
    root = tree(tmp_path, GOOD, files)
    (found,) = check_tree(root, "DF019")
    assert "never installs `uvicorn`" in found.message


def test_df019_no_fix_in_a_file_the_image_does_not_install(tmp_path: Path) -> None:
    dockerfile = GOOD.replace("-r requirements.txt", "fastapi")
    root = tree(tmp_path, dockerfile, {"requirements.txt": "fastapi\n"})
    (found,) = check_tree(root, "DF019")
    assert found.fix is None


def test_df019_pyproject_dependencies_have_no_fix(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastapi"]\n'
    dockerfile = GOOD.replace("-r requirements.txt", ".")
    root = tree(tmp_path, dockerfile, {"requirements.txt": None, "pyproject.toml": pyproject})
    (found,) = check_tree(root, "DF019")
    assert found.fix is None


@pytest.mark.parametrize(
    ("dockerfile", "files"),
    [
        (GOOD, {"requirements.txt": "fastapi\nuvicorn[standard]>=0.29\n"}),
        (GOOD, {"requirements.txt": "fastapi[standard]\n"}),
        (GOOD, {"requirements.txt": "gradio==4.44.0\n"}),  # brings FastAPI and uvicorn
        (
            GOOD.replace("-r requirements.txt", "-r requirements.lock"),
            {"requirements.txt": "fastapi\n", "requirements.lock": "fastapi==1\nuvicorn==1\n"},
        ),
        (GOOD.replace("-r requirements.txt", "-r requirements.txt 'uvicorn>=0.29'"), {}),
        (GOOD.replace("pip install", "uv pip install"), {"requirements.txt": "fastapi\nuvicorn\n"}),
        (replace_cmd(FASTAPI_RUN), {"requirements.txt": "fastapi-cli\nfastapi\n"}),
        # Installers or inputs hfdeploy does not read: no guess.
        (
            GOOD.replace("pip install --no-cache-dir --user -r requirements.txt", "poetry install"),
            {},
        ),
        (GOOD.replace("-r requirements.txt", "/wheels/*.whl"), {}),
        (
            GOOD.replace(
                "FROM python:3.11-slim", "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11"
            ),
            {},
        ),
    ],
)
def test_df019_catches_not(tmp_path: Path, dockerfile: str, files: dict) -> None:
    base = {"requirements.txt": "fastapi\n"}
    assert findings(tmp_path, "DF019", dockerfile, {**base, **files}) == []
