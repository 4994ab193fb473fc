"""Settings read from the project (`[tool.hfdeploy]`) that reach a generated file are checked
when read, against the same patterns `dockerfile/validate.py` applies to every value it writes,
so an invalid one is a configuration error (one line, exit 2) instead of a broken or injected
Dockerfile and a fix loop that never settles."""

from __future__ import annotations

import re

from hfdeploy.dockerfile.validate import PATTERNS
from hfdeploy.errors import ConfigError

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


def index_url(value: str, source: str) -> str:
    if not _URL.fullmatch(value):
        raise _refuse(source, value, "an http(s) URL")
    return value
