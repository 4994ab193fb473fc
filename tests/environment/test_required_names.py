"""EV001's names: env_prefix wherever pydantic-settings takes it, helper functions that wrap
os.getenv / os.environ, and names the container or the Space own."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.environment.reads import required_variables, variables_needing_a_default
from tests.support import make_tree, project_for

SETTINGS = "from typing import ClassVar\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\nP = 'K_'\n\n"


def required(tmp_path: Path, code: str) -> set[str]:
    make_tree(tmp_path, {"app.py": code})
    return set(required_variables(project_for(tmp_path)))


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (
            "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='A_')\n    key: str\n",
            "A_KEY",
        ),
        (
            "class S(BaseSettings):\n    model_config: ClassVar[SettingsConfigDict] = SettingsConfigDict(env_prefix='A_')\n    key: str\n",
            "A_KEY",
        ),
        (
            "class S(BaseSettings):\n    model_config = {'env_prefix': 'A_'}\n    key: str\n",
            "A_KEY",
        ),
        (
            "class S(BaseSettings):\n    key: str\n\n    class Config:\n        env_prefix = 'A_'\n",
            "A_KEY",
        ),
        (
            "class S(BaseSettings):\n    key: str\n\n    class Config:\n        env_prefix: str = 'A_'\n",
            "A_KEY",
        ),
        ("class S(BaseSettings, env_prefix='A_'):\n    key: str\n", "A_KEY"),
        (
            "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix=P)\n    key: str\n",
            "K_KEY",
        ),
        (
            "class B(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='A_')\n\n\nclass S(B):\n    key: str\n",
            "A_KEY",
        ),
        (
            "class B(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='A_')\n\n\nclass S(B):\n    model_config = SettingsConfigDict(env_prefix='C_')\n    key: str\n",
            "C_KEY",
        ),
    ],
)
def test_env_prefix_forms(tmp_path: Path, body: str, name: str) -> None:
    assert required(tmp_path, SETTINGS + body) == {name}


LOADER = "import os\n\n\ndef env(name, default=None):\n    return os.environ.get(name, default)\n\n\ndef need(name):\n    return os.environ[name]\n\n\n"


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        ("A = env('TOKEN')\n", {"TOKEN"}),
        ("A = env('TOKEN', 'x')\n", set()),
        ("A = env('TOKEN', default='x')\n", set()),
        ("A = env('TOKEN') or 'x'\n", set()),
        ("A = need('TOKEN')\n", {"TOKEN"}),
        ("A = env(NAME)\n", set()),
    ],
)
def test_helper_functions_reading_the_environment(
    tmp_path: Path, use: str, expected: set[str]
) -> None:
    assert required(tmp_path, LOADER + use) == expected


def test_function_of_the_same_name_elsewhere_is_not_a_loader(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {"a.py": LOADER, "b.py": "def env(x):\n    return x\n\nA = env('NOT_A_VARIABLE')\n"},
    )
    assert "NOT_A_VARIABLE" not in required_variables(project_for(tmp_path))


def test_names_the_container_or_space_own_are_never_settings(tmp_path: Path) -> None:
    code = "import os\nA = os.environ['HOME']\nB = os.environ['PATH']\nC = os.environ['PORT']\nD = os.environ['HOST']\nE = os.environ['USER']\n"
    assert required(tmp_path, code) == set()
    assert set(variables_needing_a_default(project_for(tmp_path))) == {"PORT", "HOST", "USER"}


def test_port_set_by_the_dockerfile_needs_nothing(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "app.py": "import os\nP = os.environ['PORT']\n",
            "Dockerfile": "FROM python:3.11\nENV PORT=7860\n",
        },
    )
    assert variables_needing_a_default(project_for(tmp_path)) == {}


BASE_WITH_DEFAULTING_SUBCLASSES = (
    "from pydantic_settings import BaseSettings\n\n"
    "class Shared(BaseSettings):\n    MODE: str\n    TOKEN: str\n\n"
    "class Local(Shared):\n    MODE: str = 'local'\n\n"
    "class Hosted(Shared):\n    MODE: str = 'hosted'\n\n"
    "def pick(name):\n    return Hosted() if name == 'hosted' else Local()\n\n"
    "settings = pick('local')\n"
)


def test_a_base_only_its_subclasses_fill_is_not_required(tmp_path: Path) -> None:
    # MODE: every subclass gives it a default and nothing builds Shared itself; TOKEN has none.
    assert required(tmp_path, BASE_WITH_DEFAULTING_SUBCLASSES) == {"TOKEN"}


@pytest.mark.parametrize(
    "extra",
    [
        "fallback = Shared()\n",  # the base is built itself
        "kind = Shared\n",  # the base is passed around: it may be built elsewhere
        "class Bare(Shared):\n    pass\n",  # a subclass that leaves MODE without a default
    ],
)
def test_a_base_field_stays_required_when_the_base_may_be_built_bare(
    tmp_path: Path, extra: str
) -> None:
    assert required(tmp_path, BASE_WITH_DEFAULTING_SUBCLASSES + extra) == {"MODE", "TOKEN"}


def test_an_env_that_expands_to_nothing_sets_nothing(tmp_path: Path) -> None:
    """`ENV DB_PORT=${DB_PORT}` with no such ARG gives the image an empty DB_PORT: the app's
    `int(os.environ["DB_PORT"])` fails unless the Space sets it, so it stays required (and
    verify gives it a value); an ENV of a real value, in the final stage, needs nothing."""
    make_tree(
        tmp_path,
        {
            "app.py": (
                "import os\nPORT = int(os.environ['DB_PORT'])\nNAME = os.environ['DB_NAME']\n"
                "USER = os.environ['DB_LOGIN']\nOTHER = os.environ['BUILD_ONLY']\n"
            ),
            "Dockerfile": (
                "FROM python:3.11 AS build\nENV BUILD_ONLY=1\n"
                "FROM python:3.11-slim\nARG DB_NAME=shop\n"
                "ENV DB_PORT=${DB_PORT} DB_NAME=${DB_NAME}\nENV DB_LOGIN=\n"
            ),
        },
    )
    assert set(required_variables(project_for(tmp_path))) == {"DB_PORT", "DB_LOGIN", "BUILD_ONLY"}
