"""Masking of secrets in anything the tool prints: URL passwords and secret-looking values."""

from __future__ import annotations

import re

from hfdeploy.secret_names import TOKEN_SHAPE

# scheme://user:password@host — the password runs to the last `@` before the host, because an
# unescaped `@` inside it is exactly the mistake we report.
_URL_PASSWORD = re.compile(
    # A password may hold single spaces (`p@ss word`, which DB002 reports), but then no `/` and
    # no leading port number, so `http://host:8000 ... admin@example.com` in prose is left alone.
    r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s'\"]*:)"
    r"(?P<pw>(?!\d+ )[^\s'\"/]+(?: [^\s'\"/]+)+|[^\s'\"]*)@"
    # ...up to the last `@` followed by a host: a raw `/` or `@` in the password is masked too.
    # The host may be a template: `%(db_host)s` (ini), `{host}` (f-string), `${HOST}`, `$HOST`.
    r"(?=(?:[A-Za-z0-9.\-_~%\[\]]|%\([^)\s]*\)s|\$?\{[^}\s]*\}|\$[A-Za-z_]\w*)*"
    # ...and ends the URL, also where a message quotes it (`...@host`) or a sentence goes on.
    r"(?::[^/?#@\s'\"]*)?(?:[/?#\s'\"`),;>]|$))"
)
_TEMPLATE = re.compile(r"%\([^)]*\)s|\$?\{[^}]*\}|\$[A-Za-z_]\w*")
_SECRET_NAME = (
    r"[A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)"
    r"[A-Z0-9_]*"
)
_ASSIGNMENT = re.compile(
    r"(?P<head>^[ \t]*(?:(?:(?:export|ENV|ARG)[ \t]+)?[\"']?" + _SECRET_NAME + r"[\"']?[ \t]*[=:]"
    # Dockerfile's legacy `ENV NAME value` form, without `=`
    r"|ENV[ \t]+" + _SECRET_NAME + r"(?=[ \t]))[ \t]*)(?P<value>\S.*?)(?P<tail>[ \t]*\r?)$",
    re.MULTILINE,
)

# Tokens recognisable by their shape wherever they appear (`RUN huggingface-cli login --token
# hf_...`): one definition, shared with the checks that judge secret values.
_TOKEN = TOKEN_SHAPE


def mask(secret: str) -> str:
    """Keep just enough to recognise the value: the first two characters."""
    if not secret:
        return secret
    return secret[:2] + "***" if len(secret) > 6 else "***"


def redact_url(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        if _TEMPLATE.fullmatch(m.group("pw")):
            return m.group()  # `{password}`, `%(pw)s`, `${DB_PASSWORD}`: a name, not a secret
        return m.group("head") + mask(m.group("pw")) + "@"

    return _URL_PASSWORD.sub(repl, text)


# `SECRET_KEY: str = "..."` in a settings class: the annotation is no secret, only the default is.
_STRING = re.compile(r"([\"'])(.*?)\1")
_ANNOTATION = re.compile(
    r"(?P<type>(?:Optional|Union|Annotated|SecretStr|SecretBytes|str|bytes|int|float|bool|Any"
    r"|AnyUrl|HttpUrl|PostgresDsn)\b[^=]*?)(?:(?P<eq>[ \t]*=[ \t]*)(?P<default>.+))?$"
)


# `os.getenv("JWT_SECRET", "...")`, `environ.get(...)`, starlette `config(..., default="...")`:
# the default given to a secret-named variable, wherever the line assigns it.
_READ_DEFAULT = re.compile(
    r"(?P<head>\b(?:getenv|get|config)\(\s*[\"']" + _SECRET_NAME + r"[\"']\s*,\s*"
    r"(?:default\s*=\s*)?(?P<q>[\"']))(?P<value>[^\"'\n]+)(?P=q)"
)


# The value of `NAME = ...` is an environment read, not a literal: `os.getenv("X", "d")`,
# `os.environ.get("X")`, `os.environ["X"]`, starlette's `config("X", default="d")`.
_ENV_READ = re.compile(
    r"""^(?:[A-Za-z_]\w*\.)*(?:getenv|get|config)\(\s*(["'])[A-Za-z_]\w*\1\s*[,)]"""
    r"""|^(?:[A-Za-z_]\w*\.)*environ\[\s*(["'])[A-Za-z_]\w*\2\s*\]"""
)


def _mask_quoted(found: re.Match[str]) -> str:
    if found.group(2).endswith("***"):  # masked already (a secret read's default)
        return found.group()
    return found.group(1) + mask(found.group(2)) + found.group(1)


def redact(text: str) -> str:
    """Mask URL passwords, well-known token shapes and the values of SECRET/TOKEN/PASSWORD-like
    assignments."""
    text = redact_url(text)

    def repl(m: re.Match[str]) -> str:
        value = m.group("value")
        annotated = _ANNOTATION.match(value) if m.group("head").rstrip().endswith(":") else None
        if annotated is not None:
            default = annotated.group("default")
            if default is None:
                return m.group()
            head = m.group("head") + annotated.group("type") + annotated.group("eq")
            masked = _STRING.sub(lambda s: s.group(1) + mask(s.group(2)) + s.group(1), default)
            return head + masked + m.group("tail")
        if _ENV_READ.match(value):
            # `SECRET_KEY = os.getenv("SECRET_KEY", "...")`: the code and the variable's name
            # stay readable, every other string in it (the default) is masked.
            strings = list(_STRING.finditer(value))
            out, last = [], 0
            for number, found in enumerate(strings):
                out.append(value[last : found.start()])
                keep = number == 0
                out.append(found.group() if keep else _mask_quoted(found))
                last = found.end()
            out.append(value[last:])
            return m.group("head") + "".join(out) + m.group("tail")
        quote = value[0] if value[:1] in "\"'" and value[-1:] == value[:1] else ""
        inner = value[1:-1] if quote else value
        return m.group("head") + quote + mask(inner) + quote + m.group("tail")

    text = _READ_DEFAULT.sub(
        lambda m: m.group("head") + mask(m.group("value")) + m.group("q"), text
    )
    return _TOKEN.sub(lambda m: mask(m.group()), _ASSIGNMENT.sub(repl, text))
