"""Which variable names hold secrets: shared by the checks of `.env` files, of the variables the
app reads, and of ENV/ARG lines in a Dockerfile, so they all agree."""

from __future__ import annotations

import itertools
import math
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


# -- values: does a literal look like a real secret? ------------------------------------------
# Credentials recognisable by their shape wherever they appear: Hugging Face, OpenAI/Anthropic
# (`sk-`), GitHub, Slack, AWS access key ids, Stripe live keys, and private key blocks.
TOKEN_SHAPE = re.compile(
    r"\b(?:hf_[A-Za-z0-9]{30,}|sk-[A-Za-z0-9_\-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_\w{30,}|xox[abpr]-[A-Za-z0-9\-]{10,}|AKIA[0-9A-Z]{16}"
    r"|[rs]k_live_[A-Za-z0-9]{20,})\b"
    r"|-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"
)
# Every text TOKEN_SHAPE matches holds one of these literals: a test of a whole file that
# costs a few substring searches instead of a pass of the pattern over the text.
_TOKEN_MARKERS = (
    "hf_",
    "sk-",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "AKIA",
    "k_live_",
    "-----BEGIN ",
)


def search_token_shape(text: str) -> re.Match[str] | None:
    """`TOKEN_SHAPE.search(text)`, cheaper on the long texts (whole files) that hold none."""
    if not any(marker in text for marker in _TOKEN_MARKERS):
        return None
    return TOKEN_SHAPE.search(text)


# Words that make a value a placeholder or a readable passphrase, not a generated key.
_PLACEHOLDER_WORDS = (
    "change",
    "replace",
    "your",
    "example",
    "dummy",
    "placeholder",
    "insecure",
    "unsafe",
    "fake",
    "sample",
    "secret",
    "password",
    "passwd",
    "default",
    "todo",
    "xxx",
    "test",
    "token",
    "dev",
    "local",
    "demo",
)
_NOT_A_VALUE = frozenset({"none", "null", "false", "true", "undefined", "nil"})
_REFERENCE = re.compile(r"^\$\{?\w+\}?$|^\{\w*\}$|^%\(\w+\)s$|^<[^<>]*>$")


def _entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def secret_value_kind(value: str) -> str | None:
    """How much a literal given to a secret looks like a real one:

    - "token": a credential of a known service by its shape (`hf_...`, `sk-...`, `ghp_...`,
      `AKIA...`, a private key block): leaked wherever it is published;
    - "random": a long random-looking string (16+ characters, mixed character classes, high
      entropy, no placeholder word): a generated key;
    - "literal": anything else non-empty (`changeme`, `my-jwt-secret`, `admin123`): a
      placeholder or a readable passphrase;
    - None: no value (empty, `None`, a number, a boolean, a reference such as `$VAR`, `<...>`).
    """
    value = value.strip()
    if not value or value.lower() in _NOT_A_VALUE or value.isdigit() or _REFERENCE.match(value):
        return None
    lowered = value.lower()
    if "..." in value or "\u2026" in value:  # `"eyJhbGciOi..."`, `sk-...`: an elided example
        return "literal"
    token = TOKEN_SHAPE.search(value)
    if token is not None:
        body = token.group()
        if body.startswith("-----"):
            return "token"
        # `hf_xxxxxxxx...`, `sk-or-v1-your-api-key-here`: the shape of a token, the content
        # of a placeholder
        if _entropy(body) < 3.0 or any(w in body.lower() for w in _TOKEN_PLACEHOLDERS):
            return "literal"
        return "token"
    if any(word in lowered for word in _PLACEHOLDER_WORDS):
        return "literal"
    if len(value) >= 16 and " " not in value and _looks_generated(value):
        return "random"
    return "literal"


_TOKEN_PLACEHOLDERS = (
    "your",
    "here",
    "example",
    "xxxx",
    "replace",
    "dummy",
    "fake",
    "placeholder",
    "change",
    "insert",
    "sample",
    "test",
)


def _char_class(char: str) -> int:
    return 0 if char.islower() else 1 if char.isupper() else 2 if char.isdigit() else 3


def _looks_generated(value: str) -> bool:
    """Mixed character classes that change often (`4e1f0c9b...`, `Zq9xW7pL...`), high entropy,
    no long run of letters: a generated key, not words joined (`conversation-user-456`)."""
    classes = {_char_class(c) for c in value if _char_class(c) != 3}
    if len(classes) < 2 or _entropy(value) < 3.3:
        return False
    changes = sum(_char_class(a) != _char_class(b) for a, b in itertools.pairwise(value))
    longest = max((len(run) for run in re.split(r"[^A-Za-z]+", value)), default=0)
    return changes * 5 >= len(value) and longest <= 10
