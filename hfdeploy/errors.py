"""The tool's own failures: each renders as one line and maps to exit code 2."""

from __future__ import annotations


class UsageError(Exception):
    """Bad command-line input (unknown code, missing path, conflicting options)."""


class ConfigError(Exception):
    """Bad `[tool.hfdeploy]` settings in the scanned project's pyproject.toml."""
