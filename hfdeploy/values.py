"""The one choke point for every value hfdeploy writes into a generated file.

A generated file is executed by a shell (RUN, shell-form CMD), so a value taken from the
project (a module name, a path, a package name) is placed only when it matches one of these
patterns; anything else is refused with a finding instead of being quoted and hoped for.
Settings read from the project (`[tool.hfdeploy]`) and the command line are checked against the
same patterns when read, so an invalid one is a configuration error (one line, exit 2) instead
of a broken or injected Dockerfile and a fix loop that never settles."""

from __future__ import annotations

import re

from hfdeploy.errors import ConfigError

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATTERNS: dict[str, re.Pattern[str]] = {
    "module": re.compile(rf"{_IDENT}(?:\.{_IDENT})*"),
    "attribute": re.compile(_IDENT),
    # Relative paths inside the build context: no `..`, no leading `-` or `/`, no spaces.
    "path": re.compile(r"(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9_.][A-Za-z0-9_./-]*"),
    # Absolute paths inside the image.
    "abspath": re.compile(r"/(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9_./-]*"),
    # Debian package names (policy §5.6.1), optionally `=version`.
    "apt-package": re.compile(r"[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+~:-]+)?"),
    # A pip requirement without URL or marker: name[extras] and version clauses.
    "pip-requirement": re.compile(
        r"[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[A-Za-z0-9._,-]+\])?"
        r"(?:(?:==|>=|<=|~=|!=|>|<)[A-Za-z0-9.*+!-]+(?:,(?:==|>=|<=|~=|!=|>|<)[A-Za-z0-9.*+!-]+)*)?"
    ),
    "env-name": re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    # ENV values carried into a generated file are written unquoted.
    "env-value": re.compile(r"[A-Za-z0-9_./:,@+%=-]*"),
    "python-version": re.compile(r"3\.[0-9]{1,2}"),
    "image-variant": re.compile(r"(?:slim|slim-[a-z]+|[a-z]+)?"),
    "user": re.compile(r"[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}"),
    "uvicorn-option": re.compile(r"--(?:workers|root-path|log-level|timeout-keep-alive)"),
    "option-value": re.compile(r"[A-Za-z0-9_./-]+"),
    "port": re.compile(r"[1-9][0-9]{0,4}"),
}


class UnsafeValue(ValueError):
    """A value that does not match its pattern; the message says which and why."""

    def __init__(self, kind: str, value: str):
        super().__init__(f"{kind} {value!r} does not match {PATTERNS[kind].pattern!r}")
        self.kind = kind
        self.value = value


def is_valid(kind: str, value: str) -> bool:
    return PATTERNS[kind].fullmatch(value) is not None


def require(kind: str, value: str) -> str:
    """`value` unchanged when it matches the `kind` pattern; UnsafeValue otherwise."""
    if not is_valid(kind, value):
        raise UnsafeValue(kind, value)
    return value


def require_port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise UnsafeValue("port", str(value))
    return value


# An index URL is handed to pip and written into generated files: no whitespace, quotes or shell.
_URL = re.compile(r"(?:https?|file)://[^\s\"'`$\\;|&<>]{1,2000}")


def _refuse(source: str, value: str, expected: str) -> ConfigError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ConfigError(f"{source}: {shown} is not valid: expected {expected}")


def python_version(value: str, source: str) -> str:
    if not PATTERNS["python-version"].fullmatch(value):
        raise _refuse(source, value, "a Python version like 3.11")
    return value


def lock_date(value: str, source: str) -> str:
    """`era` (the default), `today`, or a date `YYYY-MM-DD` the lock is resolved as of."""
    import datetime

    if value in ("era", "today"):
        return value
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise _refuse(source, value, '"era", "today" or a date like 2024-06-30') from None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise _refuse(source, value, '"era", "today" or a date like 2024-06-30')
    return value


def index_url(value: str, source: str) -> str:
    if not _URL.fullmatch(value):
        raise _refuse(source, value, "an http(s) URL")
    return value
