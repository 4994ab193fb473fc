"""The image model: which stages are built, what each install step installs and where, and
the questions other domains ask of it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.image import image
from tests.support import make_tree, project_for

APP = "from fastapi import FastAPI\napp = FastAPI()\n"


def model(root: Path, files: dict[str, str]):
    make_tree(root, {"main.py": APP, **files})
    return image(project_for(root))


def test_computed_once_per_snapshot(tmp_path: Path) -> None:
    make_tree(tmp_path, {"main.py": APP, "requirements.txt": "fastapi\n"})
    project = project_for(tmp_path)
    assert image(project) is image(project)


def test_the_last_stage_is_built_and_earlier_ones_only_when_it_copies_from_them(
    tmp_path: Path,
) -> None:
    m = model(
        tmp_path,
        {
            "requirements.txt": "fastapi\nuvicorn\n",
            "requirements-dev.txt": "pytest\n",
            "Dockerfile": (
                "FROM python:3.11 AS builder\nRUN python -m venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n"
                "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"
                "FROM python:3.11 AS tests\nCOPY requirements-dev.txt .\nRUN pip install -r requirements-dev.txt\n"
                "FROM python:3.11-slim\nCOPY --from=builder /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n"
                "CMD uvicorn main:app\n"
            ),
        },
    )
    assert [s.name for s in m.stages] == ["builder", None]
    assert [str(s.path) for s in m.all_sources()] == ["requirements.txt"]
    assert m.importable("uvicorn") is True and m.importable("pytest") is False
    (install,) = m.installs
    assert install.location == "venv:/opt/venv"
    assert m.visibility(install).importable and m.visibility(install).on_path


def test_a_stage_built_on_is_part_of_the_final_chain(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            "requirements.txt": "fastapi\n",
            "Dockerfile": "FROM python:3.11 AS base\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
            "FROM base\nCMD uvicorn main:app\n",
        },
    )
    (install,) = m.installs
    assert m.in_final_chain(install) and install.location == "system"
    assert m.visibility(install).importable is True


@pytest.mark.parametrize(
    ("run", "tool", "lock"),
    [
        ("poetry install --no-root --only main", "poetry install", "poetry"),
        ("uv sync --frozen --no-dev", "uv sync", "uv"),
        ("pdm install --prod", "pdm install", "pdm"),
        ("poetry export -o req.txt && pip install -r req.txt", "pip", "poetry"),
        ("uv export --no-hashes > /tmp/r.txt && pip install -r /tmp/r.txt", "pip", "uv"),
    ],
)
def test_tool_installs_read_the_tools_lock(tmp_path: Path, run: str, tool: str, lock: str) -> None:
    lock_file = {"poetry": "poetry.lock", "uv": "uv.lock", "pdm": "pdm.lock"}[lock]
    m = model(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastapi"]\n',
            lock_file: '[[package]]\nname = "fastapi"\nversion = "1"\n\n[[package]]\nname = "Starlette"\nversion = "1"\n',
            "requirements.lock": "flask==3.0.0\n",  # hfdeploy's lock: not what this image installs
            "Dockerfile": f"FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN {run}\nCMD uvicorn main:app\n",
        },
    )
    assert [i.tool for i in m.installs] == [tool]
    assert m.tool_lock() == lock
    names = m.distributions().names
    assert {"fastapi", "starlette"} <= names and "flask" not in names


def test_requirement_files_follow_includes_and_copies(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            "backend/requirements.txt": "-r base.txt\nuvicorn\n",
            "backend/base.txt": "fastapi\n",
            "requirements.txt": "django\n",  # beside it, never installed
            "Dockerfile": "FROM python:3.11\nWORKDIR /srv\nCOPY backend/requirements.txt backend/base.txt ./\n"
            "RUN pip install -r requirements.txt\nCOPY backend .\nCMD uvicorn main:app\n",
        },
    )
    assert m.declared_file() == PurePosixPath("backend/requirements.txt")
    assert m.distributions().names == {"fastapi", "uvicorn"}
    assert m.importable("django") is False


def test_pip_install_dot_reads_pyproject_and_setup(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastapi", "httpx"]\n'
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
            "Dockerfile": "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -e .\nCMD uvicorn main:app\n",
        },
    )
    assert [s.kind for s in m.all_sources()] == ["pyproject"]
    assert {"fastapi", "httpx"} <= m.distributions().names
    other = model(
        tmp_path / "setup",
        {
            "setup.py": "from setuptools import setup\nsetup(name='x', install_requires=['fastapi', 'jinja2'])\n",
            "Dockerfile": "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD uvicorn main:app\n",
        },
    )
    assert [s.kind for s in other.all_sources()] == ["setup"]
    assert {"fastapi", "jinja2"} <= other.distributions().names


@pytest.mark.parametrize(
    ("dockerfile", "location", "importable"),
    [
        ("FROM python:3.11\nRUN pip install uvicorn\nCMD uvicorn main:app\n", "system", True),
        (
            (
                "FROM python:3.11\nRUN useradd -m -u 1000 user\nUSER user\nRUN pip install uvicorn\n"
                "CMD uvicorn main:app\n"
            ),
            "user:/home/user",
            True,
        ),
        (
            (
                "FROM python:3.11\nRUN useradd -m -u 1000 user\nRUN pip install --user uvicorn\nUSER user\n"
                "CMD uvicorn main:app\n"
            ),
            "user:/root",
            False,
        ),
        (
            "FROM python:3.11\nRUN python -m venv /venv && /venv/bin/pip install uvicorn\nCMD uvicorn main:app\n",
            "venv:/venv",
            False,
        ),
        (
            'FROM python:3.11\nRUN python -m venv /venv && /venv/bin/pip install uvicorn\nCMD ["/venv/bin/uvicorn"]\n',
            "venv:/venv",
            True,
        ),
    ],
)
def test_where_an_install_lands_and_whether_the_runtime_user_sees_it(
    tmp_path: Path, dockerfile: str, location: str, importable: bool
) -> None:
    m = model(tmp_path, {"Dockerfile": dockerfile})
    install = next(i for i in m.installs if "uvicorn" in i.packages)
    assert install.location == location
    assert m.visibility(install).importable is importable
    steps, seen = m.server_visibility(frozenset({"uvicorn"}))
    assert steps == [install] and seen is not None and seen.importable is importable


def test_opaque_installers_make_the_set_unreadable(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {"Dockerfile": "FROM python:3.11\nRUN conda install numpy\nCMD uvicorn main:app\n"},
    )
    assert m.distributions().readable is False and m.importable("numpy") is None


def test_build_context_after_dockerignore(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            ".dockerignore": "*.txt\n!requirements.txt\ndata/\n",
            "requirements.txt": "fastapi\n",
            "notes.txt": "x\n",
            "data/seed.csv": "a\n",
            "Dockerfile": "FROM python:3.11\nCOPY requirements.txt main.py ./\nCMD uvicorn main:app\n",
        },
    )
    assert m.in_context("requirements.txt") and not m.in_context("notes.txt")
    assert not m.in_context("data", is_dir=True) and not m.in_context("missing.py")
    assert m.copied("main.py") and not m.copied("notes.txt")
    assert m.context_matches("*.txt") == ["requirements.txt"]


def test_writable_directories(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.11\nRUN useradd -m -u 1000 user\nRUN mkdir /data && chown user /data\n"
            "WORKDIR /srv\nUSER user\nCMD uvicorn main:app\n",
        },
    )
    assert m.user == "user" and m.home == "/home/user"
    assert m.can_write("/home/user") and m.can_write("/data") and m.can_write("/tmp")
    assert m.can_write("/srv") is False


def test_a_root_image_is_still_run_as_uid_1000(tmp_path: Path) -> None:
    # No USER: the Dockerfile's user is root, but a Space runs the container as uid 1000, which
    # cannot write the root-owned WORKDIR (the model used to answer True for any root image).
    m = model(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.11\nRUN useradd -m -u 1000 user\nWORKDIR /app\n"
            "COPY . .\nCMD uvicorn main:app\n",
        },
    )
    assert m.can_write("/app") is False and m.can_write("/app/data") is False
    assert m.can_write("/home/user") and m.can_write("/tmp/x")


def test_without_a_dockerfile_the_model_is_the_generated_image(tmp_path: Path) -> None:
    m = model(tmp_path, {"requirements.txt": "fastapi\nuvicorn\n"})
    assert m.generated and m.user == "user" and m.workdir == "/home/user/app"
    (install,) = m.installs
    assert install.location == "user:/home/user" and m.visibility(install).on_path
    assert m.importable("uvicorn") is True and m.can_write("/home/user/app/data")
    uv = model(
        tmp_path / "uv",
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastapi"]\n',
            "uv.lock": '[[package]]\nname = "fastapi"\nversion = "1"\n',
        },
    )
    assert uv.generated and uv.tool_lock() == "uv" and uv.importable("fastapi") is True


def test_pip_index_options_for_the_install_file(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            "requirements.txt": "torch\n",
            "Dockerfile": "FROM python:3.11\nENV PIP_EXTRA_INDEX_URL=https://a.example/simple\nCOPY . .\n"
            "RUN pip install --index-url https://b.example/simple -r requirements.txt\n",
        },
    )
    assert m.index_options(PurePosixPath("requirements.txt")) == [
        ("--extra-index-url", "https://a.example/simple"),
        ("--index-url", "https://b.example/simple"),
    ]


def test_a_server_started_by_its_path_in_the_uv_venv(tmp_path: Path) -> None:
    # `uv sync` fills /app/.venv; the CMD names /app/.venv/bin/fastapi, so no PATH is needed.
    from tests.support import check_tree

    make_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": APP,
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastapi[standard]"]\n',
            "uv.lock": "".join(
                f'[[package]]\nname = "{n}"\nversion = "1"\n\n'
                for n in ("fastapi", "fastapi-cli", "uvicorn")
            ),
            "Dockerfile": "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/uv\n"
            "COPY . /app\nWORKDIR /app\nRUN uv sync --frozen --no-cache\n"
            'CMD ["/app/.venv/bin/fastapi", "run", "app/main.py", "--port", "7860"]\n',
        },
    )
    m = image(project_for(tmp_path))
    (install,) = m.installs
    assert install.location == "venv:/app/.venv" and m.visibility(install).importable
    found = [d.code for d in check_tree(tmp_path, "DF,HF")]
    assert not {"HF000", "DF017", "DF019", "DF021", "DF022"} & set(found), found


def test_an_image_installing_hfdeploys_lock_declares_the_file_the_lock_was_made_from(
    tmp_path: Path,
) -> None:
    # A uv project that also keeps requirements.txt, whose Dockerfile installs the lock made
    # from requirements.txt: the declared file stays requirements.txt (not pyproject.toml), so
    # the next `fix` does not remake the lock from another file.
    m = model(
        tmp_path,
        {
            "requirements.txt": "fastapi\ncachetools\n",
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastapi"]\n',
            "uv.lock": '[[package]]\nname = "fastapi"\nversion = "1"\n',
            "requirements.lock": "# This file was generated by hfdeploy.\n# Every package the Space image installs, "
            "resolved from requirements.txt by uv 0.9\nfastapi==1\ncachetools==5\n",
            "Dockerfile": "FROM python:3.11\nCOPY requirements.lock .\nRUN pip install -r requirements.lock\n",
        },
    )
    assert m.declared_file() == PurePosixPath("requirements.txt")
    assert m.importable("cachetools") is True


def test_df021_a_committed_file_named_with_dot_slash_is_in_the_context(tmp_path: Path) -> None:
    from tests.support import check_tree, git_init

    make_tree(
        tmp_path,
        {
            "requirements.txt": "fastapi\n",
            ".gitignore": "*.log\n",
            "debug.log": "x\n",
            "Dockerfile": "FROM python:3.11\nCOPY ./requirements.txt .\nCOPY debug.log .\n",
        },
    )
    git_init(tmp_path)
    found = check_tree(tmp_path, "DF021")
    assert [(d.code, "debug.log" in d.message, "git ignores it" in d.message) for d in found] == [
        ("DF021", True, True)
    ]


def test_installs_inside_bash_c_and_if_branches_are_read(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry]\nname = "x"\nversion = "0"\npackage-mode = false\n'
            '[tool.poetry.dependencies]\npython = "^3.12"\nfastapi = "*"\n',
            "poetry.lock": '[[package]]\nname = "fastapi"\nversion = "1"\n',
            "Dockerfile": "FROM python:3.12\nRUN pip install poetry && poetry config virtualenvs.create false\n"
            "COPY . .\nRUN bash -c \"if [ $DEV == 'true' ] ; then poetry install --no-root ; "
            'else poetry install --no-root --only main ; fi"\n',
        },
    )
    assert [(i.tool, i.location) for i in m.installs if i.lock_tool] == [
        ("poetry install", "system")
    ] * 2
    assert m.importable("fastapi") is True


def test_an_image_with_no_install_step_hfdeploy_recognises_is_not_read(tmp_path: Path) -> None:
    m = model(
        tmp_path,
        {
            "requirements.txt": "fastapi\n",
            "Dockerfile": "FROM python:3.12\nCOPY . .\nRUN ./install-deps.sh\n",
        },
    )
    assert m.distributions().readable is False and m.importable("fastapi") is None


@pytest.mark.parametrize(
    ("copies", "expected"),
    [
        ("WORKDIR /app\nCOPY . .\n", "/app/backend/alembic.ini"),
        ("WORKDIR /app\nCOPY backend/ /srv/api/\n", "/srv/api/alembic.ini"),
        ("COPY backend/alembic.ini /etc/app/\n", "/etc/app/alembic.ini"),
        ("COPY backend/alembic.ini /etc/app/alembic.ini\n", "/etc/app/alembic.ini"),
        ("WORKDIR /app\nCOPY . .\nCOPY backend /opt/backend\n", "/opt/backend/alembic.ini"),
        ("WORKDIR /app\nCOPY main.py .\n", None),
    ],
)
def test_where_a_repository_file_is_in_the_image(
    tmp_path: Path, copies: str, expected: str | None
) -> None:
    m = model(
        tmp_path,
        {"Dockerfile": "FROM python:3.12-slim\n" + copies, "backend/alembic.ini": "[alembic]\n"},
    )
    assert m.container_path("backend/alembic.ini") == expected


def test_where_a_file_is_in_the_generated_image(tmp_path: Path) -> None:
    m = model(tmp_path, {"alembic.ini": "[alembic]\n"})
    assert m.generated and m.container_path("alembic.ini") == "/home/user/app/alembic.ini"
