"""Masking of secrets in anything the tool prints: URL passwords and secret-looking values."""

from __future__ import annotations

import re

# scheme://user:password@host — the password runs to the last `@` before the host, because an
# unescaped `@` inside it is exactly the mistake we report.
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s'\"]*:)(?P<pw>[^\s'\"]*)@"
    # ...up to the last `@` followed by a host: a raw `/` or `@` in the password is masked too.
    r"(?=[A-Za-z0-9.\-_~%\[\]]*(?::[^/?#@\s'\"]*)?(?:[/?#\s'\"]|$))"
)
_ASSIGNMENT = re.compile(
    r"(?P<head>^[ \t]*(?:export[ \t]+)?[\"']?[A-Z0-9_]*"
    r"(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)"
    r"[A-Z0-9_]*[\"']?[ \t]*[=:][ \t]*)(?P<value>\S.*?)(?P<tail>[ \t]*\r?)$",
    re.MULTILINE,
)


def mask(secret: str) -> str:
    """Keep just enough to recognise the value: the first two characters."""
    if not secret:
        return secret
    return secret[:2] + "***" if len(secret) > 6 else "***"


def redact_url(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return m.group("head") + mask(m.group("pw")) + "@"

    return _URL_PASSWORD.sub(repl, text)


def redact(text: str) -> str:
    """Mask URL passwords and the values of SECRET/TOKEN/PASSWORD-like assignments."""
    text = redact_url(text)

    def repl(m: re.Match[str]) -> str:
        value = m.group("value")
        quote = value[0] if value[:1] in "\"'" and value[-1:] == value[:1] else ""
        inner = value[1:-1] if quote else value
        return m.group("head") + quote + mask(inner) + quote + m.group("tail")

    return _ASSIGNMENT.sub(repl, text)
