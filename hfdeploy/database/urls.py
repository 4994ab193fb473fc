"""SQLAlchemy database URLs as text: dialect, driver, credentials, host, port, database — with the
index of each part, so a fix rewrites only the characters it must.

Credentials end at the LAST `@` that is followed by a host: `p@ss#w0rd@db.example.com` is a
password with an unescaped `@` (what the author meant), where SQLAlchemy would split at the first
`@` and silently connect to host `ss#w0rd@db.example.com` (spaces.md §7.2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

# Dialects whose URLs we read, with the port a server listens on when the URL names none.
DEFAULT_PORTS: dict[str, int | None] = {
    "postgres": 5432,
    "postgresql": 5432,
    "cockroachdb": 26257,
    "mysql": 3306,
    "mariadb": 3306,
    "mssql": 1433,
    "oracle": 1521,
    "sqlite": None,
}
_SCHEME = re.compile(
    r"(?P<dialect>" + "|".join(sorted(DEFAULT_PORTS, key=len, reverse=True)) + r")"
    r"(?:\+(?P<driver>[A-Za-z0-9_]+))?://"
)
# A whole string that is a URL; spaces only inside the credentials (an unescaped password).
URL_TEXT = re.compile(_SCHEME.pattern + r"(?:[^\n/]*@)?\S*")
# What may follow the `@` that ends the credentials: a host (or IPv6 literal), an optional port,
# then the path, the query or the end.
_HOST = re.compile(r"(?P<host>\[[^\]/]*\]|[A-Za-z0-9._\-%~]*)(?::(?P<port>[^/?#@]*))?(?=[/?]|$)")
_RESERVED = "@:/#?& "
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
LOCAL_HOSTS = frozenset(
    {"", "localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "host.docker.internal"}
)


@dataclass(frozen=True)
class UrlParts:
    text: str
    dialect: str
    driver: str | None
    scheme_end: int  # index of "://"
    user: tuple[int, int] | None  # [start, end) indices into `text`
    password: tuple[int, int] | None
    host: str | None
    port: str | None  # as written
    database: str | None  # sqlite: the file path; servers: the database name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def part(self, span: tuple[int, int] | None) -> str:
        return "" if span is None else self.text[span[0] : span[1]]

    @property
    def port_number(self) -> int | None:
        if self.port:
            return int(self.port) if self.port.isdigit() else None
        return DEFAULT_PORTS.get(self.dialect)

    @property
    def is_local_host(self) -> bool:
        """localhost, or a name without a dot (a docker-compose service such as `db`)."""
        host = (self.host or "").lower()
        return (
            host in LOCAL_HOSTS or ("." not in host and ":" not in host) or host.startswith("127.")
        )

    def masked(self) -> str:
        """The URL with its password as `***`: safe to print."""
        if self.password is None or self.password[0] == self.password[1]:
            return self.text
        return self.text[: self.password[0]] + "***" + self.text[self.password[1] :]


def parse_url(text: str, tortoise: bool = False) -> UrlParts | None:
    """`tortoise`: the URL is Tortoise ORM's, whose SQLite file is everything after `sqlite://`
    (`sqlite://app.db` is `app.db`, `sqlite:///data/app.db` is `/data/app.db`), where SQLAlchemy,
    `databases`, ormar and peewee's `db_url` drop one more slash (`sqlite:///app.db` is `app.db`,
    `sqlite:////data/app.db` is `/data/app.db`)."""
    match = _SCHEME.match(text)
    if match is None:
        return None
    dialect, driver = match.group("dialect"), match.group("driver")
    rest_at = match.end()
    if dialect == "sqlite":
        path = text[rest_at:].split("?", 1)[0]
        if not tortoise:
            path = path.removeprefix("/")
        return UrlParts(text, dialect, driver, match.end() - 3, None, None, None, None, path)
    rest = text[rest_at:]
    at = _credentials_end(rest)
    user = password = None
    host_at = 0
    if at is not None:
        colon = rest.find(":", 0, at)
        if colon == -1:
            user = (rest_at, rest_at + at)
        else:
            user, password = (rest_at, rest_at + colon), (rest_at + colon + 1, rest_at + at)
        host_at = at + 1
    host_match = _HOST.match(rest, host_at)
    host: str | None = None
    port: str | None = None
    tail = rest[host_at:]
    if host_match is not None:
        host, port, tail = (
            host_match.group("host"),
            host_match.group("port"),
            rest[host_match.end() :],
        )
    database = tail[1:].split("?", 1)[0] if tail.startswith("/") else None
    return UrlParts(text, dialect, driver, match.end() - 3, user, password, host, port, database)


def _credentials_end(rest: str) -> int | None:
    """Index in `rest` of the `@` ending the credentials: the last one followed by a host,
    unless it sits in the query of an earlier candidate (`...@h/db?opt=a@b`)."""
    last = None
    host_ends: list[int] = []
    for i, char in enumerate(rest):
        if char != "@":
            continue
        host = _HOST.match(rest, i + 1)
        if host is None:
            continue
        if any(rest.startswith("/", end) and "?" in rest[end:i] for end in host_ends):
            break
        host_ends.append(host.end())
        last = i
    return last


def unescaped_characters(credential: str) -> list[str]:
    """Reserved characters written raw; `%` counts only when it starts no `%XX` escape."""
    found = [c for c in _RESERVED if c in credential]
    if "%" in _ESCAPE.sub("", credential):
        found.append("%")
    return found


def encode_credential(credential: str) -> str:
    """Percent-encode what the author meant: existing `%XX` escapes are kept as they decode.
    `quote(..., safe="")` rather than `quote_plus`: SQLAlchemy decodes `+` literally (§7.2)."""
    return quote(unquote(credential), safe="")


def describe(chars: list[str]) -> str:
    return ", ".join("space" if c == " " else f"`{c}`" for c in chars)
