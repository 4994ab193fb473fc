"""Database URL text: where the credentials end, what needs encoding, and that the encoding
round-trips through SQLAlchemy's own parser."""

from __future__ import annotations

import pytest

from hfdeploy.database.urls import encode_credential, parse_url, unescaped_characters


@pytest.mark.parametrize(
    ("url", "user", "password", "host", "port", "database"),
    [
        pytest.param(
            "postgres://taskadmin:p@ss#w0rd@db.example.com:5432/taskboard",
            "taskadmin",
            "p@ss#w0rd",
            "db.example.com",
            "5432",
            "taskboard",
            id="at-and-hash",
        ),
        pytest.param(
            "postgresql://u:p@ss/x@host/db", "u", "p@ss/x", "host", None, "db", id="slash"
        ),
        pytest.param(
            "postgresql://u:pw@h/db?opt=a@b", "u", "pw", "h", None, "db", id="at-in-query"
        ),
        pytest.param(
            "postgresql://user@srv:pw@srv.example.com:443/db",
            "user@srv",
            "pw",
            "srv.example.com",
            "443",
            "db",
            id="azure-user",
        ),
        pytest.param(
            "mysql+pymysql://root@localhost/app",
            "root",
            "",
            "localhost",
            None,
            "app",
            id="no-password",
        ),
        pytest.param("postgresql+asyncpg://[::1]:5433/d", "", "", "[::1]", "5433", "d", id="ipv6"),
        pytest.param("postgresql://u:pw@/db?host=/run/pg", "u", "pw", "", None, "db", id="socket"),
    ],
)
def test_parse_url_splits_at_the_last_at_before_the_host(
    url, user, password, host, port, database
) -> None:
    parts = parse_url(url)
    assert parts is not None
    assert (
        parts.part(parts.user),
        parts.part(parts.password),
        parts.host,
        parts.port,
        parts.database,
    ) == (
        user,
        password,
        host,
        port,
        database,
    )


@pytest.mark.parametrize(
    ("url", "database"),
    [
        ("sqlite:///./test.db", "./test.db"),
        ("sqlite:////home/user/app/data/app.db", "/home/user/app/data/app.db"),
        ("sqlite+aiosqlite:///app.db?mode=ro", "app.db"),
        ("sqlite://", ""),
    ],
)
def test_parse_url_reads_sqlite_paths(url: str, database: str) -> None:
    parts = parse_url(url)
    assert parts is not None and parts.is_sqlite and parts.database == database


@pytest.mark.parametrize(
    ("url", "database"),
    [
        # what tortoise.backends.base.config_generator.expand_db_url gives as `file_path`
        ("sqlite://reading.sqlite3", "reading.sqlite3"),
        ("sqlite:///var/lib/shelf/shelf.sqlite3", "/var/lib/shelf/shelf.sqlite3"),
        ("sqlite://./data/events.sqlite3", "./data/events.sqlite3"),
        ("sqlite:////tmp/app.db", "//tmp/app.db"),
        ("sqlite://db.sqlite3?journal_mode=DELETE", "db.sqlite3"),
    ],
)
def test_parse_url_reads_tortoise_sqlite_paths(url: str, database: str) -> None:
    parts = parse_url(url, tortoise=True)
    assert parts is not None and parts.is_sqlite and parts.database == database
    # SQLAlchemy's reading of the same text drops one more slash
    assert parse_url(url).database == database.removeprefix("/")  # type: ignore[union-attr]


def test_parse_url_ignores_other_schemes() -> None:
    assert parse_url("redis://:pw@cache:6379/0") is None
    assert parse_url("https://example.com") is None


def test_masked_url_never_contains_the_password() -> None:
    parts = parse_url("postgres://taskadmin:p@ss#w0rd@db.example.com:5432/taskboard")
    assert parts is not None
    assert parts.masked() == "postgres://taskadmin:***@db.example.com:5432/taskboard"


@pytest.mark.parametrize(
    ("credential", "found"),
    [
        ("p@ss#w0rd", ["@", "#"]),
        ("p%40ss", []),
        ("50%off", ["%"]),
        ("a b&c", ["&", " "]),
        ("plain", []),
        ("x:y/z?", [":", "/", "?"]),
    ],
)
def test_unescaped_characters(credential: str, found: list[str]) -> None:
    assert sorted(unescaped_characters(credential)) == sorted(found)


@pytest.mark.parametrize("password", ["p@ss#w0rd", "a b+c", "50%off", "x/y:z?&=", "ünï"])
def test_encoded_password_round_trips_through_sqlalchemy(password: str) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    url = sqlalchemy.engine.make_url(
        f"postgresql://app:{encode_credential(password)}@db.example.com:443/app"
    )
    assert (url.password, url.host, url.port) == (password, "db.example.com", 443)


def test_existing_escapes_are_kept_as_they_decode() -> None:
    assert encode_credential("p%40ss@x") == "p%40ss%40x"
