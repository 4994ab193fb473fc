"""DF001, DF002, DF009, DF010, DF013, DF014: the file itself, the base image, build steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.diagnostics import Applicability, Severity
from tests.dockerfile.helpers import GOOD, findings, fixed, tree
from tests.support import check_tree, fix_tree

PYPROJECT_311 = '[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.11"\n'


# -- DF001 ---------------------------------------------------------------------------------------
def test_df001_catches_and_creates_a_dockerfile(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF001", None, {"docker/Dockerfile": GOOD})
    assert found.fix is not None and found.fix.applicability is Applicability.SAFE
    assert "`docker/Dockerfile` exists, but Spaces build only the root `Dockerfile`" in found.notes
    after = fixed(tmp_path, "DF001", None)
    assert after.startswith("# Dockerfile for a Hugging Face Docker Space")
    assert "FROM python:3.11-slim" in after


def test_df001_without_an_app_explains_the_setting(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF001", None, {"main.py": "print('no app here')\n"})
    assert found.fix is None
    assert any('[tool.hfdeploy] app = "pkg.module:app"' in n for n in found.notes)


def test_df001_with_two_equal_apps_says_so(tmp_path: Path) -> None:
    two = {
        "main.py": None,
        "public_api.py": "from fastapi import FastAPI\napi = FastAPI()\n",
        "internal_api.py": "from fastapi import FastAPI\nweb = FastAPI()\n",
    }
    (found,) = findings(tmp_path, "DF001", None, two)
    assert found.fix is None
    assert any("2 FastAPI apps could be the one to serve (SC011)" in n for n in found.notes)


def test_df001_catches_not(tmp_path: Path) -> None:
    assert findings(tmp_path, "DF001", GOOD) == []


def test_df001_catches_a_dockerfile_without_from(tmp_path: Path) -> None:
    # Only comments: docker refuses it ("file with no instructions"); nothing is lost by a rewrite.
    (found,) = findings(tmp_path, "DF001", "# syntax=docker/dockerfile:1\n# TODO\n")
    assert "has no instructions" in found.message
    assert found.fix is not None and found.fix.applicability is Applicability.SAFE
    after = fixed(tmp_path, "DF001", "# TODO: write me\n")
    assert "FROM python:3.11-slim" in after and "TODO" not in after
    # Instructions but no FROM: the rewrite drops them, so it is offered as unsafe only.
    (draft,) = findings(tmp_path, "DF001", "ARG PY=3.11\nRUN pip install fastapi\n")
    assert "has no `FROM`" in draft.message and draft.span is not None
    assert draft.fix is not None and draft.fix.applicability is Applicability.UNSAFE
    assert fixed(tmp_path, "DF001", "RUN echo hi\n") == "RUN echo hi\n"


# -- DF002 ---------------------------------------------------------------------------------------
def test_df002_catches_and_fixes_only_the_version(tmp_path: Path) -> None:
    dockerfile = GOOD.replace("python:3.11-slim", "python:3.8-slim-bookworm")
    (found,) = findings(tmp_path, "DF002", dockerfile, {"pyproject.toml": PYPROJECT_311})
    assert found.message.startswith(
        "Base image runs Python 3.8, but the project asks for 3.11 "
        "(requires-python `>=3.11` in pyproject.toml); nothing in the image checks it"
    )
    # pip installs requirements.txt only and never reads requires-python: a warning.
    assert found.severity is Severity.WARNING
    after = fixed(tmp_path, "DF002", dockerfile, {"pyproject.toml": PYPROJECT_311})
    assert after == GOOD.replace("python:3.11-slim", "python:3.11-slim-bookworm")


def test_df002_is_an_error_when_the_image_installs_the_project(tmp_path: Path) -> None:
    # `pip install .` refuses a Python outside requires-python: the build fails.
    dockerfile = GOOD.replace("python:3.11-slim", "python:3.8-slim").replace(
        "-r requirements.txt", "."
    )
    (found,) = findings(tmp_path, "DF002", dockerfile, {"pyproject.toml": PYPROJECT_311})
    assert found.severity is Severity.ERROR
    assert found.message == (
        "Base image runs Python 3.8, but the project asks for 3.11 "
        "(requires-python `>=3.11` in pyproject.toml)"
    )


def test_df002_python_option_wins(tmp_path: Path) -> None:
    root = tree(tmp_path, GOOD)
    (found,) = [d for d in check_tree(root, "DF002", python="3.12") if d.code == "DF002"]
    assert "asks for 3.12 (`--python`)" in found.message


def test_df002_version_from_arg_has_no_fix(tmp_path: Path) -> None:
    dockerfile = "ARG PY=3.8\n" + GOOD.replace("python:3.11-slim", "python:${PY}-slim")
    (found,) = findings(tmp_path, "DF002", dockerfile, {"pyproject.toml": PYPROJECT_311})
    assert found.fix is None and found.message.startswith("Base image runs Python 3.8")


@pytest.mark.parametrize(
    ("dockerfile", "pyproject"),
    [
        pytest.param(GOOD, PYPROJECT_311, id="matches"),
        pytest.param(GOOD, None, id="nothing-declared"),
        pytest.param(
            GOOD.replace("python:3.11-slim", "ubuntu:22.04"), PYPROJECT_311, id="not-a-python-image"
        ),
        pytest.param(
            GOOD.replace("python:3.11-slim", "python:3.12"),
            PYPROJECT_311.replace(">=3.11", ">=3.10,<3.13"),
            id="in-range",
        ),
    ],
)
def test_df002_catches_not(tmp_path: Path, dockerfile: str, pyproject: str | None) -> None:
    assert findings(tmp_path, "DF002", dockerfile, {"pyproject.toml": pyproject}) == []


# -- DF009 ---------------------------------------------------------------------------------------
LATE = GOOD.replace(
    "COPY --chown=user requirements.txt requirements.txt\nRUN pip install --no-cache-dir --user -r requirements.txt\n"
    "COPY --chown=user . /home/user/app\n",
    "COPY --chown=user . /home/user/app\nRUN pip install --no-cache-dir --user \\\n    -r requirements.txt\n",
)


def test_df009_catches_and_moves_the_install(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF009", LATE)
    assert "runs after `COPY --chown=user . /home/user/app` (line 7)" in found.message
    after = fixed(tmp_path, "DF009", LATE)
    assert after == GOOD.replace(
        "RUN pip install --no-cache-dir --user -r requirements.txt",
        "RUN pip install --no-cache-dir --user \\\n    -r requirements.txt",
    )


def test_df009_copies_included_files_too(tmp_path: Path) -> None:
    files = {"requirements.txt": "-r base.txt\nuvicorn\n", "base.txt": "fastapi\n"}
    after = fixed(tmp_path, "DF009", LATE, files)
    assert (
        "COPY --chown=user requirements.txt requirements.txt\nCOPY --chown=user base.txt base.txt\nRUN pip"
        in after
    )


def test_df009_does_not_move_past_other_steps(tmp_path: Path) -> None:
    dockerfile = LATE.replace("RUN pip", "RUN python -m compileall .\nRUN pip")
    (found,) = findings(tmp_path, "DF009", dockerfile)
    assert found.fix is None  # and regenerating would drop the compileall step


def test_df009_falls_back_to_a_safe_regeneration(tmp_path: Path) -> None:
    dockerfile = LATE.replace("RUN pip", "ENV APP_MODE=prod\nRUN pip")
    (found,) = findings(tmp_path, "DF009", dockerfile)
    assert found.fix is not None and found.fix.title.startswith("Regenerate")
    after = fixed(tmp_path, "DF009", dockerfile)
    assert after.index("RUN pip install") < after.index("COPY --chown=user . /home/user/app")
    assert "ENV APP_MODE=prod" in after


@pytest.mark.parametrize(
    ("dockerfile", "files"),
    [
        pytest.param(GOOD, {}, id="good"),
        pytest.param(LATE, {"requirements.txt": "-e .\n"}, id="installs-the-project"),
        pytest.param(LATE.replace("-r requirements.txt", "."), {}, id="pip-install-dot"),
    ],
)
def test_df009_catches_not(tmp_path: Path, dockerfile: str, files: dict) -> None:
    assert findings(tmp_path, "DF009", dockerfile, files) == []


# -- DF010 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "RUN pip install -r requirements.txt",
            "RUN pip install --no-cache-dir -r requirements.txt",
            id="pip",
        ),
        pytest.param(
            "RUN python -m pip install --upgrade pip && pip3 install -r requirements.txt",
            "RUN python -m pip install --no-cache-dir --upgrade pip && pip3 install --no-cache-dir -r requirements.txt",
            id="two-in-one-run",
        ),
    ],
)
def test_df010_catches_and_fixes(tmp_path: Path, line: str, expected: str) -> None:
    dockerfile = GOOD.replace("RUN pip install --no-cache-dir --user -r requirements.txt", line)
    assert len(findings(tmp_path, "DF010", dockerfile)) == line.count("install")
    assert expected in fixed(tmp_path, "DF010", dockerfile)


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(GOOD, id="good"),
        pytest.param(
            GOOD.replace("--no-cache-dir ", "").replace("ENV HOME", "ENV PIP_NO_CACHE_DIR=1 HOME"),
            id="env",
        ),
        pytest.param(
            GOOD.replace(
                "RUN pip install --no-cache-dir",
                "RUN --mount=type=cache,target=/root/.cache pip install",
            ),
            id="cache-mount",
        ),
    ],
)
def test_df010_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF010", dockerfile) == []


# -- DF013 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "secret", "shown"),
    [
        pytest.param("ENV SECRET_KEY=9f2c1e7a0b33", "9f2c1e7a0b33", "9f***", id="env"),
        pytest.param(
            'ARG HF_TOKEN="hf_abcdefghijkl"', "hf_abcdefghijkl", "hf***", id="arg-default"
        ),
        pytest.param(
            "ENV DATABASE_URL=postgres://app:s3cretpw@db:5432/app",
            "s3cretpw",
            "s3***",
            id="url-password",
        ),
    ],
)
def test_df013_catches_and_masks(tmp_path: Path, line: str, secret: str, shown: str) -> None:
    (found,) = findings(tmp_path, "DF013", GOOD.replace("USER user\n", f"{line}\nUSER user\n"))
    assert secret not in found.message and shown in found.message


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", id="gpg-key"),
        pytest.param("ARG HF_TOKEN", id="arg-without-value"),
        pytest.param("ENV SECRET_KEY=$SECRET_KEY", id="from-build-arg"),
        pytest.param("ENV TOKEN_URL=https://example.com/token", id="url-setting"),
        pytest.param("ENV DATABASE_URL=sqlite:////home/user/app/data/app.db", id="no-password"),
    ],
)
def test_df013_catches_not(tmp_path: Path, line: str) -> None:
    assert findings(tmp_path, "DF013", GOOD.replace("USER user\n", f"{line}\nUSER user\n")) == []


# -- DF014 ---------------------------------------------------------------------------------------
def test_df014_catches_and_appends_a_cmd(tmp_path: Path) -> None:
    dockerfile = GOOD.rsplit("CMD", 1)[0].rstrip("\n")  # no trailing newline either
    (found,) = findings(tmp_path, "DF014", dockerfile)
    assert found.fix is not None
    after = fixed(tmp_path, "DF014", dockerfile)
    assert (
        after == dockerfile + "\nCMD exec uvicorn main:app --host 0.0.0.0 --port ${PORT:-7860} "
        "--proxy-headers --forwarded-allow-ips='*'\n"
    )


def test_df014_catches_not(tmp_path: Path) -> None:
    assert findings(tmp_path, "DF014", GOOD) == []
    entry = GOOD.replace("CMD [", "ENTRYPOINT [")
    assert findings(tmp_path, "DF014", entry) == []


def test_df014_alembic_failure_stops_the_start(tmp_path: Path) -> None:
    files = {
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/env.py": "# env\n",
    }
    root = tree(tmp_path, GOOD.rsplit("CMD", 1)[0], files)
    fix_tree(root, "DF014")
    last = (root / "Dockerfile").read_text().splitlines()[-1]
    assert last.startswith("CMD alembic upgrade head && exec uvicorn main:app")


# -- DF018 ---------------------------------------------------------------------------------------
LOCK = "# input-hash: sha256:0\nfastapi==0.115.6\nstarlette==0.41.3\nuvicorn==0.32.1\n"


def test_df018_catches_and_points_install_and_copy_at_the_lock(tmp_path: Path) -> None:
    dockerfile = GOOD.replace("RUN pip install", "RUN pip install -c requirements.txt")
    (found,) = findings(tmp_path, "DF018", dockerfile, {"requirements.lock": LOCK})
    assert "`pip install -r requirements.txt` ignores `requirements.lock`" in found.message
    after = fixed(tmp_path, "DF018", dockerfile, {"requirements.lock": LOCK})
    assert "COPY --chown=user requirements.lock requirements.lock\n" in after
    # only the `-r` file changes; a constraint naming the same file is left alone
    assert "pip install -c requirements.txt --no-cache-dir --user -r requirements.lock\n" in after


@pytest.mark.parametrize(
    "copy",
    [
        "COPY --chown=user requirements/ requirements/\n",
        # renaming prod.txt here would land the lock in requirements/, not where pip reads it
        "COPY --chown=user requirements/prod.txt requirements/base.txt ./requirements/\n",
    ],
)
def test_df018_copies_the_lock_in_when_the_loose_file_came_another_way(
    tmp_path: Path, copy: str
) -> None:
    # The copy that brings prod.txt does not bring the root lock where pip reads it: renaming
    # the `-r` alone left an install of a file the image does not have (build failure).
    dockerfile = GOOD.replace(
        "COPY --chown=user requirements.txt requirements.txt\n"
        "RUN pip install --no-cache-dir --user -r requirements.txt\n",
        copy + "RUN pip install --no-cache-dir --user -r requirements/prod.txt\n",
    )
    files = {
        "requirements/prod.txt": "-r base.txt\nuvicorn\n",
        "requirements/base.txt": "fastapi\n",
        "requirements.lock": LOCK,
    }
    after = fixed(tmp_path, "DF018", dockerfile, files)
    assert (
        copy + "COPY --chown=user requirements.lock requirements.lock\n"
        "RUN pip install --no-cache-dir --user -r requirements.lock\n"
    ) in after
    assert findings(tmp_path, "DF018", after, files) == []


PYPROJECT_DEPS = '[project]\nname = "x"\nversion = "0"\ndependencies = ["fastapi>=0.110"]\n'
PROJECT_INSTALL = GOOD.replace(
    "COPY --chown=user requirements.txt requirements.txt\n"
    "RUN pip install --no-cache-dir --user -r requirements.txt\n"
    "COPY --chown=user . /home/user/app\n",
    "COPY --chown=user . /home/user/app\nRUN pip install --no-cache-dir --user .\n",
)


def test_df018_catches_a_project_install_beside_the_lock(tmp_path: Path) -> None:
    # hfdeploy's own Dockerfile for a pyproject project, generated before the lock existed.
    files = {"pyproject.toml": PYPROJECT_DEPS, "requirements.lock": LOCK}
    (found,) = findings(tmp_path, "DF018", PROJECT_INSTALL, files)
    assert "`pip install .` ignores `requirements.lock`" in found.message
    after = fixed(tmp_path, "DF018", PROJECT_INSTALL, files)
    assert "RUN pip install -r requirements.lock --no-cache-dir --user .\n" in after
    assert findings(tmp_path, "DF018", after, files) == []


def test_df018_project_install_before_the_lock_is_copied_has_no_fix(tmp_path: Path) -> None:
    dockerfile = PROJECT_INSTALL.replace(
        "COPY --chown=user . /home/user/app\nRUN pip install --no-cache-dir --user .\n",
        "COPY --chown=user pyproject.toml pyproject.toml\nRUN pip install --no-cache-dir --user .\n"
        "COPY --chown=user . /home/user/app\n",
    )
    files = {"pyproject.toml": PYPROJECT_DEPS, "requirements.lock": LOCK}
    (found,) = findings(tmp_path, "DF018", dockerfile, files)
    assert found.fix is None


@pytest.mark.parametrize(
    ("dockerfile", "files"),
    [
        pytest.param(GOOD, {}, id="no-lock"),
        pytest.param(
            GOOD.replace("requirements.txt", "requirements.lock"),
            {"requirements.lock": LOCK},
            id="installs-the-lock",
        ),
        pytest.param(
            GOOD.replace("-r requirements.txt", "."), {"requirements.lock": LOCK}, id="no-r-file"
        ),
    ],
)
def test_df018_catches_not(tmp_path: Path, dockerfile: str, files: dict) -> None:
    assert findings(tmp_path, "DF018", dockerfile, files) == []
