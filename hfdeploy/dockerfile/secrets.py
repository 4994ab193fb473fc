"""Secret-looking ENV/ARG names and values written into a Dockerfile."""

from __future__ import annotations

import re

from hfdeploy.secret_names import looks_secret_name

_URL_PASSWORD = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:(?!\$)[^@\s]+@")


def is_literal_secret(name: str, value: str | None) -> bool:
    """A secret-named variable given a literal value, or any value embedding a URL password."""
    if value is None:
        return False
    value = value.strip()
    if _URL_PASSWORD.match(value):
        return True
    if "://" in value:  # a URL without a password (sqlite:////data/app.db) holds no secret
        return False
    if not value or value.startswith("$") or not looks_secret_name(name):
        return False
    return value.lower() not in ("none", "null", "changeme", "change-me", "false", "true", "0", "1")
