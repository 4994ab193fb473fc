"""`.env` parsing as python-dotenv does it, with exact value positions, and the secret-name guess."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from hfdeploy.environment.dotenv import EnvFile, is_placeholder_file, parse_env, secret_entries
from hfdeploy.secret_names import looks_secret_name


def test_values_keep_their_positions() -> None:
    text = (
        'export A="x\\"y" # c\nB=\'q\' \nC = v # comment\r\nD="multi\nline"\nE=p@ss#w0rd\n# F=1\n'
    )
    entries = {e.key: e for e in parse_env(text)}
    assert {k: e.value for k, e in entries.items()} == {
        "A": 'x"y',
        "B": "q",
        "C": "v",
        "D": "multi\nline",
        "E": "p@ss#w0rd",
    }
    for key in ("B", "C", "D", "E"):
        span = entries[key].value_span
        assert text[span.start : span.end] == entries[key].value
    assert [text[p] for p in entries["A"].positions] == [
        "x",
        "\\",
        "y",
    ]  # `\"` maps to its backslash


def test_matches_python_dotenv() -> None:
    dotenv = pytest.importorskip("dotenv")
    import io

    text = (
        "A=plain # comment\nB=\"quoted # not a comment\"\nC='single'\nexport D=4\nE=url://u:p#x@h\n"
    )
    assert {e.key: e.value for e in parse_env(text)} == dict(
        dotenv.dotenv_values(stream=io.StringIO(text))
    )


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("SECRET_KEY", True),
        ("HF_TOKEN", True),
        ("DB_PASSWORD", True),
        ("OPENAI_API_KEY", True),
        ("DATABASE_URL", True),
        ("REDIS_URL", True),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", False),
        ("JWT_ALGORITHM", False),
        ("KEY_FILE", False),
        ("TOKEN_URL", False),
        ("PROJECT_NAME", False),
        ("DEBUG", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert looks_secret_name(name) is secret


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        (".env.example", True),
        ("example.env", True),
        (".env.sample", True),
        (".env.template", True),
        (".env", False),
        (".env.local", False),
        (".env.production", False),
    ],
)
def test_placeholder_files(name: str, placeholder: bool) -> None:
    assert is_placeholder_file(PurePosixPath(name)) is placeholder


def test_database_url_without_credentials_is_no_secret() -> None:
    text = (
        "DATABASE_URL=sqlite:///./prod.db\n"
        "CACHE_URL=redis://cache:6379/0\n"
        "REPLICA_URL=postgresql://app:s3cret@db/app\n"
        "ANALYTICS_DB_URL=postgresql://db/app?password=s3cret\n"
        "SECRET_KEY=9f8e7d6c5b4a3928\n"
    )
    env = EnvFile(PurePosixPath(".env.production"), tuple(parse_env(text)))
    found = [e.key for e in secret_entries(env)]
    assert found == ["REPLICA_URL", "ANALYTICS_DB_URL", "SECRET_KEY"]
