"""DF003, DF004, DF015, DF016, DF017: who the container runs as and what it can write."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.diagnostics import Applicability, Severity
from tests.dockerfile.helpers import GOOD, findings, fixed

ROOT_IMAGE = """\
FROM python:3.11-slim
WORKDIR /code
COPY . .
RUN pip install -r requirements.txt
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
"""


# -- DF003 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dockerfile", "fragment"),
    [
        pytest.param(ROOT_IMAGE, "no `USER`", id="no-user"),
        pytest.param(
            GOOD.replace("USER user\n", "USER user\nUSER root\n"),
            "`USER root` is the last",
            id="root-last",
        ),
        pytest.param(GOOD.replace("-u 1000 user", "-u 1001 user"), "uid 1001", id="other-uid"),
    ],
)
def test_df003_catches(tmp_path: Path, dockerfile: str, fragment: str) -> None:
    (found,) = findings(tmp_path, "DF003", dockerfile)
    assert fragment in found.message


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(GOOD, id="good"),
        pytest.param(GOOD.replace("USER user", "USER 1000"), id="numeric-uid"),
        pytest.param(GOOD.replace("-u 1000 ", ""), id="useradd-default-uid"),
    ],
)
def test_df003_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF003", dockerfile) == []


# An app that writes a file: DF003 is then an error whose regeneration is a safe fix.
WRITES = {"main.py": "from fastapi import FastAPI\n\napp = FastAPI()\nLOG = open('app.log', 'a')\n"}


def test_df003_regenerates_a_plain_file_safely(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF003", ROOT_IMAGE, WRITES)
    assert found.fix is not None and found.fix.applicability is Applicability.SAFE
    after = fixed(tmp_path, "DF003", ROOT_IMAGE, WRITES)
    assert "USER user" in after and "useradd -m -u 1000 user" in after
    assert after.index("chown -R user:user /home/user/app") < after.index("USER user")
    assert "CMD exec uvicorn main:app --host 0.0.0.0 --port ${PORT:-7860}" in after


def test_df003_keeps_system_packages_and_plain_env(tmp_path: Path) -> None:
    dockerfile = ROOT_IMAGE.replace(
        "WORKDIR /code\n",
        "ENV APP_MODE=production\nRUN apt-get update && apt-get install -y --no-install-recommends "
        "libpq5 curl && rm -rf /var/lib/apt/lists/*\nWORKDIR /code\n",
    )
    after = fixed(tmp_path, "DF003", dockerfile, WRITES)
    assert "libpq5 curl" in after and "ENV APP_MODE=production" in after
    assert after.index("apt-get install") < after.index("USER user")


def test_df003_custom_file_gets_the_user_spliced_in(tmp_path: Path) -> None:
    # The template cannot reproduce the RUN: the file is kept and the user block added before CMD.
    dockerfile = ROOT_IMAGE.replace("CMD", "RUN python -m nltk.downloader punkt\n# serve\nCMD")
    (found,) = findings(tmp_path, "DF003", dockerfile, WRITES)
    assert found.fix is not None and found.fix.applicability is Applicability.SAFE
    assert found.notes == ()
    after = fixed(tmp_path, "DF003", dockerfile, WRITES)
    block = (
        "# Spaces run the container as uid 1000: it must own the directories the app writes\n"
        "RUN useradd -m -u 1000 user && chown -R 1000:1000 /code\n"
        "ENV HOME=/home/user\nUSER user\n"
    )
    assert after == dockerfile.replace("# serve\n", block + "# serve\n")


def test_df003_spliced_user_is_unsafe_when_nothing_shows_a_write(tmp_path: Path) -> None:
    dockerfile = ROOT_IMAGE.replace("CMD", "RUN python -m nltk.downloader punkt\nCMD")
    (found,) = findings(tmp_path, "DF003", dockerfile)
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    assert fixed(tmp_path, "DF003", dockerfile) == dockerfile  # not without --unsafe-fixes
    assert "USER user" in fixed(tmp_path, "DF003", dockerfile, unsafe=True)


@pytest.mark.parametrize(
    ("dockerfile", "reason"),
    [
        pytest.param(
            ROOT_IMAGE.replace("CMD", "USER root\nRUN true\nCMD"), "`USER`", id="user-root"
        ),
        pytest.param(
            ROOT_IMAGE.replace("3.11-slim", "3.11-alpine").replace("CMD", "RUN true\nCMD"),
            "Debian-based",
            id="alpine",
        ),
        pytest.param(
            ROOT_IMAGE.replace("CMD", "RUN useradd -u 1000 app\nCMD"), "uid 1000", id="uid-1000"
        ),
        pytest.param(
            ROOT_IMAGE.replace("RUN pip", "RUN apt-get install -y nginx && pip").replace(
                'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]',
                'CMD ["nginx"]',
            ),
            "start command",
            id="unknown-start",
        ),
    ],
)
def test_df003_spliced_user_is_unsafe_and_says_why(
    tmp_path: Path, dockerfile: str, reason: str
) -> None:
    dockerfile = dockerfile.replace("CMD [", "HEALTHCHECK CMD true\nCMD [")  # not regenerated
    (found,) = findings(tmp_path, "DF003", dockerfile, WRITES)
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    assert "Switch to a uid-1000 user" in found.fix.title
    assert any(reason in note for note in found.notes), found.notes


def test_df003_spliced_user_owns_the_sqlite_directory_and_keeps_home(tmp_path: Path) -> None:
    files = {
        "main.py": "import sqlite3\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
        "DB = sqlite3.connect('x.db')\n"
        "from sqlalchemy import create_engine\nengine = create_engine('sqlite:////srv/db/app.db')\n",
        "requirements.txt": "fastapi\nuvicorn\nsqlalchemy\n",
    }
    dockerfile = ROOT_IMAGE.replace("WORKDIR", "ENV HOME=/srv/home\nWORKDIR").replace(
        "CMD", "HEALTHCHECK CMD true\nCMD"
    )
    after = fixed(tmp_path, "DF003", dockerfile, files)
    assert "mkdir -p /srv/db && chown -R 1000:1000 /code /srv/db\n" in after
    assert "ENV HOME=/home/user" not in after and after.index("USER user") < after.index("CMD [")


def test_df003_dropped_lines_are_listed_without_their_secrets(tmp_path: Path) -> None:
    # No WORKDIR: nothing to hand over, so only the (unsafe) regeneration is offered.
    token = "hf_" + "a1b2c3d4e5" * 4
    lines = f"ENV SECRET_KEY=9f8e7d6c5b4a39281706 MODE=prod\nRUN hf auth login --token {token}\n"
    dockerfile = ROOT_IMAGE.replace("WORKDIR /code\n", "").replace("CMD", lines + "CMD")
    (found,) = findings(tmp_path, "DF003", dockerfile)
    assert "`ENV SECRET_KEY=9f***`" in found.notes[0] and "--token hf***" in found.notes[0]
    assert "9f8e7d6c5b4a" not in found.notes[0] and token not in found.notes[0]


def test_df003_multi_stage_is_never_regenerated(tmp_path: Path) -> None:
    dockerfile = "FROM node:20 AS web\nRUN npm ci\n" + ROOT_IMAGE.replace(
        "COPY . .", "COPY . .\nCOPY --from=web /dist ./static"
    )
    (found,) = findings(tmp_path, "DF003", dockerfile, WRITES)
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    assert "Regenerate" not in found.fix.title and "multi-stage" in found.notes[0]
    after = fixed(tmp_path, "DF003", dockerfile, WRITES, unsafe=True)
    assert after.startswith(dockerfile.split("CMD")[0]) and "USER user\nCMD" in after


# -- DF004 ---------------------------------------------------------------------------------------
# The Spaces docs' pattern: fine with BuildKit, root-owned WORKDIR with the legacy builder.
AFTER_USER = """\
FROM python:3.11-slim
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH
WORKDIR $HOME/app
COPY --chown=user requirements.txt requirements.txt
RUN pip install --no-cache-dir --user -r requirements.txt
COPY --chown=user . $HOME/app
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
"""
BEFORE_USER = """\
FROM python:3.11-slim
RUN useradd -m -u 1000 user
WORKDIR /app
USER user
ENV PATH=/home/user/.local/bin:$PATH
COPY --chown=user . /app
RUN pip install --no-cache-dir --user -r requirements.txt
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
"""


def test_df004_catches_and_fixes(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF004", BEFORE_USER)
    assert "before `USER`" in found.message and found.severity is Severity.WARNING
    after = fixed(tmp_path, "DF004", BEFORE_USER)
    assert "WORKDIR /app\nRUN mkdir -p /app && chown user /app\nUSER user" in after


def test_df004_only_notes_the_docs_pattern(tmp_path: Path) -> None:
    # BuildKit, which the Hub builds with, gives a WORKDIR made after USER to that user: the
    # Spaces docs' Dockerfile works there, so it is not changed; only legacy builds differ.
    (found,) = findings(tmp_path, "DF004", AFTER_USER)
    assert "legacy builder" in found.message
    assert found.severity is Severity.INFO and found.fix is None
    assert fixed(tmp_path, "DF004", AFTER_USER) == AFTER_USER


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(GOOD, id="chown-before-user"),
        pytest.param(
            AFTER_USER.replace("WORKDIR $HOME/app", "WORKDIR $HOME"), id="home-from-useradd-m"
        ),
        pytest.param(
            BEFORE_USER.replace("USER user", "RUN chmod 777 /app\nUSER user"), id="chmod-777"
        ),
        pytest.param(
            BEFORE_USER.replace(
                "USER user", "RUN mkdir -p /app/data && chown -R user:user /app\nUSER user"
            ),
            id="recursive-after",
        ),
        pytest.param(BEFORE_USER.replace("USER user\n", ""), id="root-is-DF003"),
    ],
)
def test_df004_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF004", dockerfile) == []


def test_df004_recursive_chown_before_the_workdir_exists_does_not_count(tmp_path: Path) -> None:
    dockerfile = AFTER_USER.replace("USER user", "RUN chown -R user /home/user\nUSER user")
    assert len(findings(tmp_path, "DF004", dockerfile)) == 1


# -- DF015 ---------------------------------------------------------------------------------------
def test_df015_catches_and_fixes(tmp_path: Path) -> None:
    dockerfile = GOOD.replace("COPY --chown=user . /home/user/app", "COPY . /home/user/app")
    (found,) = findings(tmp_path, "DF015", dockerfile)
    assert "`COPY` after `USER user` without `--chown`" in found.message
    assert "COPY --chown=user . /home/user/app" in fixed(tmp_path, "DF015", dockerfile)


def test_df015_catches_not(tmp_path: Path) -> None:
    assert findings(tmp_path, "DF015", GOOD) == []
    assert findings(tmp_path, "DF015", ROOT_IMAGE) == []  # before any USER: DF003's business


# -- DF016 ---------------------------------------------------------------------------------------
NO_HOME = GOOD.replace("useradd -m -u 1000 user", "useradd -u 1000 user").replace(
    "HOME=/home/user ", ""
)


def test_df016_catches_and_fixes_useradd_without_m(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF016", NO_HOME)
    assert "without a home directory" in found.message
    assert "RUN useradd -m -u 1000 user" in fixed(tmp_path, "DF016", NO_HOME)


def test_df016_user_not_created_has_no_fix(tmp_path: Path) -> None:
    dockerfile = NO_HOME.replace("RUN useradd -u 1000 user\n", "").replace("USER user", "USER 1000")
    (found,) = findings(tmp_path, "DF016", dockerfile)
    assert found.fix is None


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(GOOD, id="good"),
        pytest.param(NO_HOME.replace("ENV PATH", "ENV HOME=/tmp PATH"), id="env-home"),
    ],
)
def test_df016_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF016", dockerfile) == []


# -- DF017 ---------------------------------------------------------------------------------------
NO_PATH = GOOD.replace(" PATH=/home/user/.local/bin:$PATH", "")


def test_df017_catches_and_fixes(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF017", NO_PATH)
    assert "`uvicorn: not found`" in found.message
    after = fixed(tmp_path, "DF017", NO_PATH)
    assert "ENV PATH=/home/user/.local/bin:$PATH\nRUN pip install" in after


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(GOOD, id="good"),
        pytest.param(NO_PATH.replace('["uvicorn",', '["python", "-m", "uvicorn",'), id="python-m"),
        pytest.param(
            NO_PATH.replace(
                "RUN pip install --no-cache-dir --user -r requirements.txt\n", ""
            ).replace(
                "USER user\n", "RUN pip install --no-cache-dir -r requirements.txt\nUSER user\n"
            ),
            id="root-install",
        ),
    ],
)
def test_df017_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF017", dockerfile) == []


def test_df003_without_write_evidence_regenerates_only_as_an_unsafe_fix(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF003", ROOT_IMAGE)
    assert found.severity is Severity.WARNING
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    assert fixed(tmp_path, "DF003", ROOT_IMAGE) == ROOT_IMAGE
