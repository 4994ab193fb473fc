"""RQ013: names a Dockerfile `pip install`s without a version, pinned with the lock's resolver
(uv against the fake index) as of the Dockerfile's last commit."""

from __future__ import annotations

from pathlib import Path

from tests.requirements.conftest import FakeIndex
from tests.requirements.test_lock import commit_at
from tests.support import check_tree, fix_tree, make_tree

DOCKERFILE = (
    "FROM python:3.11-slim\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    'RUN pip install --no-cache-dir "webframe" \\\n'
    "    oldfw==1.0 pip\n"
    'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]\n'
)


def fix(root: Path, **options: object):
    return fix_tree(root, "RQ013", **{"offline": False, "python": "3.11", **options})


def test_names_are_pinned_as_of_the_dockerfiles_last_commit(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"Dockerfile": DOCKERFILE, "main.py": "app = 1\n"})
    commit_at(tmp_path, "2023-11-10T10:00:00Z")
    [diag] = check_tree(tmp_path, "RQ013", offline=False, python="3.11")
    assert diag.message.startswith("`webframe` installed by name with no version")
    assert "Python 3.11" in diag.message and diag.fix is not None
    assert any("cutoff: 2023-11-10" in n for n in diag.notes)
    fix(tmp_path)
    # quotes, continuation and the other words kept; the pinned and tooling names untouched
    assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE.replace(
        '"webframe"', '"webframe==0.104.1"'
    )
    assert fix(tmp_path).changes == {}  # idempotent
    assert check_tree(tmp_path, "RQ013", offline=False, python="3.11") == []


def test_a_chosen_lock_date_picks_the_releases_of_that_date(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path,
        {"Dockerfile": "FROM python:3.11-slim\nRUN pip install datamodel\nCMD uvicorn main:app\n"},
    )
    commit_at(tmp_path, "2023-11-10T10:00:00Z")
    fix(tmp_path, lock_date="2023-06-01")
    assert "pip install datamodel==1.0\n" in (tmp_path / "Dockerfile").read_text()


def test_requirement_files_paths_and_declared_names_are_not_reported(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "webframe==0.104.1\n",
            "Dockerfile": "FROM python:3.11-slim\nCOPY . .\n"
            "RUN pip install -r requirements.txt webframe . ./wheels/x.whl pip setuptools\n"
            "CMD uvicorn main:app\n",
        },
    )
    assert check_tree(tmp_path, "RQ013") == []


def test_a_stage_the_final_stage_does_not_copy_is_not_reported(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.11-slim AS docs\nRUN pip install mkdocs\n"
            "FROM python:3.11-slim\nRUN pip install fastapi==0.110.0\nCMD uvicorn main:app\n",
        },
    )
    assert check_tree(tmp_path, "RQ013") == []


def test_a_name_inside_bash_c_is_reported_without_a_fix(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.11-slim\nRUN bash -c 'pip install fastapi'\nCMD uvicorn main:app\n"
        },
    )
    [diag] = check_tree(tmp_path, "RQ013", offline=False, python="3.11")
    assert diag.fix is None and "pin it by hand" in diag.notes[0]
