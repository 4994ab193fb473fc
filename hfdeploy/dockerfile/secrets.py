"""Secret-looking ENV/ARG names and values written into a Dockerfile."""

from __future__ import annotations

import re

# Name parts that mark a secret: SECRET_KEY, HF_TOKEN, DB_PASSWORD, OPENAI_API_KEY, ...
_SECRET_PARTS = frozenset(
    {
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "KEY",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "PRIVATE",
        "AUTH",
    }
)
# Names that contain such a part but hold no secret.
_NOT_SECRET = frozenset(
    {"GPG_KEY", "KEY_ID", "PUBLIC_KEY", "TOKEN_URL", "AUTH_URL", "TOKEN_EXPIRE_MINUTES"}
)
_NOT_SECRET_SUFFIXES = (
    "_URL",
    "_URI",
    "_ALGORITHM",
    "_EXPIRE_MINUTES",
    "_EXPIRES",
    "_TTL",
    "_FILE",
    "_PATH",
    "_HEADER",
    "_NAME",
    "_ID",
    "_LENGTH",
)
_URL_PASSWORD = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:(?!\$)[^@\s]+@")


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    if upper in _NOT_SECRET or upper.endswith(_NOT_SECRET_SUFFIXES):
        return False
    parts = set(re.split(r"[_\-.]+", upper))
    return bool(parts & _SECRET_PARTS)


def is_literal_secret(name: str, value: str | None) -> bool:
    """A secret-named variable given a literal value, or any value embedding a URL password."""
    if value is None:
        return False
    value = value.strip()
    if _URL_PASSWORD.match(value):
        return True
    if not value or value.startswith("$") or not is_secret_name(name):
        return False
    return value.lower() not in ("none", "null", "changeme", "change-me", "false", "true", "0", "1")
