"""EV checks on real trees and real git repositories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hfdeploy.diagnostics import Severity
from hfdeploy.environment.reads import required_variables
from hfdeploy.report import render_text
from tests.support import check_tree, codes, fix_tree, git_init, make_tree, project_for

SECRET = "4cf3d8b8f2d431e6ff81f7d8882c8796"


def git_files(root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files"], capture_output=True, text=True, check=True
    )
    return out.stdout.split()


# -- EV001 -------------------------------------------------------------------------------------
def test_required_variables_listed_once_with_every_read(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.11-slim\nENV DATA_DIR=/home/user/app/data PORT=7860\n",
            "app/config.py": (
                "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
                "from pydantic import Field\n\n"
                "class Settings(BaseSettings):\n"
                "    model_config = SettingsConfigDict(env_prefix='app_')\n"
                "    secret_key: str\n"
                "    debug: bool = False\n"
                "    api_token: str = Field(..., alias='HF_API_TOKEN')\n"
                "    title: str = Field(default='x')\n"
            ),
            "app/main.py": (
                "import os\n"
                "from starlette.config import Config\n"
                "config = Config('.env')\n"
                "ADMIN = config('ADMIN_EMAIL', cast=str)\n"
                "OPTIONAL = config('SENTRY_DSN', default=None)\n"
                "KEY = os.environ['APP_SECRET_KEY']\n"
                "HOST = os.environ['SPACE_HOST']\n"
                "PORT = int(os.environ['PORT'])\n"
                "DATA = os.environ['DATA_DIR']\n"
                "FLAG = os.getenv('FEATURE_FLAG')\n"
                "if FLAG:\n"
                "    print(FLAG)\n"
                "NEEDED = os.getenv('WEBHOOK_URL')\n"
                "if not NEEDED:\n"
                "    raise RuntimeError('set WEBHOOK_URL')\n"
                "print(os.getenv('REGION'))\n"
            ),
            "tests/test_app.py": "import os\nos.environ['TEST_ONLY']\n",
        },
    )
    found = check_tree(tmp_path, "EV001")
    names = [d.message.split("`")[1] for d in found]
    assert sorted(names) == [
        "ADMIN_EMAIL",
        "APP_SECRET_KEY",
        "HF_API_TOKEN",
        "REGION",
        "WEBHOOK_URL",
    ]
    assert all(d.severity is Severity.INFO for d in found)
    key = next(d for d in found if "APP_SECRET_KEY" in d.message)
    assert "Space secret" in key.message
    assert sum("Read at" in n for n in key.notes) == 2  # the settings field and os.environ
    assert any("hf spaces secrets add <space> -s APP_SECRET_KEY=..." in n for n in key.notes)
    region = next(d for d in found if "REGION" in d.message)
    assert "Space variable" in region.message
    assert any("hf spaces variables add <space> -e REGION=..." in n for n in region.notes)
    assert set(required_variables(project_for(tmp_path))) == set(names)


def test_an_empty_default_checked_by_a_raise_is_required(tmp_path: Path) -> None:
    """`X = os.getenv("X", "")` then `if not X: raise`: unset on a Space, the import fails."""
    make_tree(
        tmp_path,
        {
            "auth.py": (
                "import os\n"
                "SECRET = os.getenv('AUTH_SECRET', '')\n"
                "if not SECRET:\n"
                "    raise ValueError('AUTH_SECRET environment variable is required')\n"
                "OPTIONAL = os.getenv('BANNER', '')\n"
                "FLAG = os.environ.get('FEATURE_X', '')\n"
                "if FLAG:\n"
                "    print('feature x')\n"
                "LIMIT = os.getenv('LIMIT', '10')\n"
                "if not LIMIT:\n"
                "    raise ValueError('LIMIT is empty')\n"
            ),
        },
    )
    assert set(required_variables(project_for(tmp_path))) == {"AUTH_SECRET"}


def test_a_repo_that_only_needs_secrets_passes_check(tmp_path: Path) -> None:
    make_tree(tmp_path, {"main.py": "import os\nTOKEN = os.environ['HF_TOKEN']\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "hfdeploy", "check", str(tmp_path), "--select", "EV", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "EV001" in proc.stdout


# -- EV002 -------------------------------------------------------------------------------------
def test_committed_env_untracked_and_ignored_but_kept_on_disk(tmp_path: Path) -> None:
    env = f"DATABASE_URL=postgresql://app:hunter2pass@db.example.com:443/app\nSECRET_KEY={SECRET}\nDEBUG=1\n"
    make_tree(tmp_path, {".env": env, ".gitignore": "__pycache__/", "main.py": "print(1)\n"})
    git_init(tmp_path)
    (found,) = check_tree(tmp_path, "EV002")
    assert found.severity is Severity.ERROR
    assert "`DATABASE_URL`, `SECRET_KEY`" in found.message and "DEBUG" not in found.message
    assert any("Rotate" in n for n in found.notes)
    output = render_text(project_for(tmp_path), [found])
    assert SECRET[:6] not in output and "hunter2" not in output
    fix_tree(tmp_path, "EV002")
    assert ".env" not in git_files(tmp_path)
    assert (tmp_path / ".env").read_text() == env
    assert (
        (tmp_path / ".gitignore")
        .read_text()
        .endswith("__pycache__/\n\n# Local secrets: on a Space they are Space secrets\n.env\n")
    )
    assert check_tree(tmp_path, "EV002") == []
    status = subprocess.run(
        ["git", "-C", str(tmp_path), "status", "--porcelain", "--ignored"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "!! .env" in status  # git now ignores it


def test_already_ignored_committed_env_is_only_untracked(tmp_path: Path) -> None:
    make_tree(tmp_path, {".env.production": f"SECRET_KEY={SECRET}\n", "main.py": "x = 1\n"})
    git_init(tmp_path)
    (tmp_path / ".gitignore").write_text(".env*\n")
    (found,) = check_tree(tmp_path, "EV002")
    assert found.fix is not None and found.fix.edits == ()
    fix_tree(tmp_path, "EV002")
    assert ".env.production" not in git_files(tmp_path) and (tmp_path / ".env.production").exists()


@pytest.mark.parametrize(
    "env", ["DEBUG=1\nPROJECT_NAME=x\n", "SECRET_KEY=\nAPI_KEY=changeme\nTOKEN=<your token>\n"]
)
def test_committed_env_without_real_secrets_is_fine(tmp_path: Path, env: str) -> None:
    make_tree(tmp_path, {".env": env})
    git_init(tmp_path)
    assert check_tree(tmp_path, "EV002") == []


# -- EV003 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("tracked", [False, True])
def test_env_file_loaded_but_not_committed(tmp_path: Path, tracked: bool) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "" if tracked else ".env\n",
            ".env": "A=1\nB=2\n",
            "main.py": "from dotenv import load_dotenv\nload_dotenv()\n",
        },
    )
    git_init(tmp_path)
    found = check_tree(tmp_path, "EV003")
    if tracked:
        assert found == []
    else:
        (diag,) = found
        assert diag.severity is Severity.INFO and diag.notes == ("Its variables: A, B.",)


def test_alias_choices_name_the_variable_without_the_prefix(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "config.py": (
                "from pydantic import AliasChoices, Field\n"
                "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n"
                "class Settings(BaseSettings):\n"
                "    model_config = SettingsConfigDict(env_prefix='APP_')\n"
                "    db_url: str = Field(validation_alias=AliasChoices('DATABASE_URL', 'DB'))\n"
                "    token: str = Field(env=['LEGACY_TOKEN', 'TOKEN'])\n"
            )
        },
    )
    names = [d.message.split("`")[1] for d in check_tree(tmp_path, "EV001")]
    assert sorted(names) == ["DATABASE_URL", "LEGACY_TOKEN"]


# -- EV004 -------------------------------------------------------------------------------------
HF_URL_SHAPES = {
    "environ": 'import os\nURL = os.environ["HF_SPACE_URL"]\n',
    "getenv": 'from os import getenv\nURL = getenv("HF_SPACE_URL")\n',
    "default": 'import os\nURL = os.environ.get("HF_SPACE_URL", "http://localhost:8000")\n',
    "expression": 'import os\nP = 8000\nURL = os.getenv("HF_SPACE_URL", f"http://localhost:{P}")\n',
}
# What the fixed read gives off a Space: what it gave before, except where it used to fail.
HF_URL_LOCAL = {
    "environ": "http://localhost:7860",
    "getenv": "None",
    "default": "http://localhost:8000",
    "expression": "http://localhost:8000",
}


@pytest.mark.parametrize("shape", sorted(HF_URL_SHAPES))
def test_hf_space_url_derived_from_space_host(tmp_path: Path, shape: str) -> None:
    make_tree(tmp_path, {"app.py": HF_URL_SHAPES[shape]})
    assert codes(check_tree(tmp_path, "EV004")) == ["EV004"]
    fix_tree(tmp_path, "EV004")
    assert check_tree(tmp_path, "EV004") == []

    def url(env: dict[str, str]) -> str:
        code = "import app; print(app.URL)"
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env={"PATH": "/usr/bin", **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert url({"SPACE_HOST": "owner-name.hf.space"}) == "https://owner-name.hf.space"
    assert url({}) == HF_URL_LOCAL[shape]
    assert url({"HF_SPACE_URL": "https://custom.example"}) == "https://custom.example"


def test_hf_space_url_settings_field_gets_a_default(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "config.py": (
                "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n"
                "    HF_SPACE_URL: str\n"
            )
        },
    )
    fix_tree(tmp_path, "EV004")
    text = (tmp_path / "config.py").read_text()
    assert text.startswith("import os\n")
    assert (
        '    HF_SPACE_URL: str = ("https://" + os.environ["SPACE_HOST"]) if "SPACE_HOST" in os.environ'
        in text
    )


# -- EV005 -------------------------------------------------------------------------------------
def test_env_example_written_with_names_only(tmp_path: Path) -> None:
    make_tree(tmp_path, {".env": f"SECRET_KEY={SECRET}\nexport DEBUG=1\nSECRET_KEY=again\n"})
    (found,) = check_tree(tmp_path, "EV005")
    assert found.fix is not None
    fix_tree(tmp_path, "EV005")
    example = (tmp_path / ".env.example").read_text()
    assert example.splitlines()[-2:] == ["SECRET_KEY=", "DEBUG="]
    assert SECRET not in example and "1" not in example.split("\n", 2)[2]
    assert check_tree(tmp_path, "EV005") == []


def test_env_example_not_needed_when_a_sample_exists(tmp_path: Path) -> None:
    make_tree(tmp_path, {".env": "A=1\n", ".env.sample": "A=\n"})
    assert check_tree(tmp_path, "EV005") == []
