"""Which variable names hold secrets: shared by the checks of `.env` files, of the variables the
app reads, and of ENV/ARG lines in a Dockerfile, so they all agree."""

from __future__ import annotations

import re

# Name parts that mark a secret, and parts that say the variable only configures one.
_SECRET_PARTS = frozenset(
    {
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "PASS",
        "KEY",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "DSN",
        "PRIVATE",
        "SALT",
        "PEPPER",
        "SIGNING",
        "AUTH",
        "WEBHOOK",
    }
)
_CONFIG_PARTS = frozenset(
    {
        "EXPIRE",
        "EXPIRES",
        "EXPIRY",
        "TTL",
        "LIFETIME",
        "MINUTES",
        "SECONDS",
        "HOURS",
        "DAYS",
        "LENGTH",
        "ALGORITHM",
        "ALG",
        "TYPE",
        "FILE",
        "PATH",
        "NAME",
        "ID",
        "HEADER",
        "PREFIX",
        "ENABLED",
        "LOCATION",
        "MIN",
        "MAX",
        "ENDPOINT",
        "HOST",
        "PUBLIC",
        "PORT",
    }
)
_DATABASE_PARTS = frozenset(
    {
        "DATABASE",
        "DB",
        "POSTGRES",
        "POSTGRESQL",
        "PG",
        "MYSQL",
        "REDIS",
        "MONGO",
        "MONGODB",
        "AMQP",
        "RABBITMQ",
        "SQLALCHEMY",
        "BROKER",
    }
)
# Well-known names that hold no secret although a part says otherwise (the official python
# images set GPG_KEY, for instance).
_NOT_SECRET = frozenset({"GPG_KEY", "KEY_ID", "TOKEN_URL", "AUTH_URL"})


def looks_secret_name(name: str) -> bool:
    """SECRET_KEY, HF_TOKEN, DB_PASSWORD, OPENAI_API_KEY, DATABASE_URL: yes;
    ACCESS_TOKEN_EXPIRE_MINUTES, JWT_ALGORITHM, KEY_FILE: no."""
    if name.upper() in _NOT_SECRET:
        return False
    parts = [p for p in re.split(r"[_\-.]+", name.upper()) if p]
    if parts and parts[-1] in ("URL", "URI"):  # connection URLs of databases carry passwords
        return any(p in _DATABASE_PARTS for p in parts)
    if any(p in _CONFIG_PARTS for p in parts):
        return False
    return any(
        p in _SECRET_PARTS or p.endswith(("SECRET", "TOKEN", "PASSWORD", "APIKEY")) for p in parts
    )
