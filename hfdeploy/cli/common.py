"""Pieces shared by the commands: option declarations, project loading, the error handler."""

from __future__ import annotations

import enum
import functools
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from hfdeploy.check import Check
from hfdeploy.cli.base import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    choose_selection,
    err,
    load_project,
)
from hfdeploy.errors import ConfigError, UsageError
from hfdeploy.project import Project

F = TypeVar("F", bound=Callable[..., Any])

# Re-exported for the commands (they live in the typer-free hfdeploy.cli.base).
__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "choose_selection",
    "err",
    "load_project",
]


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


PATH_ARG = typer.Argument(
    Path("."), help="The repository to scan (its root: where README.md and Dockerfile live)."
)
SELECT_OPT = typer.Option(
    [],
    "--select",
    help="Only these rule codes or prefixes (comma-separated or repeated), e.g. PY,DF001.",
)
IGNORE_OPT = typer.Option(
    [], "--ignore", help="Skip these rule codes or prefixes (comma-separated or repeated)."
)
OFFLINE_OPT = typer.Option(
    False, "--offline", help="Do not contact the package index; answer from the cache alone."
)
PYTHON_OPT = typer.Option(
    None,
    "--python",
    help="Target Python of the image, e.g. 3.11 (default: from the Dockerfile, "
    ".python-version, runtime.txt or requires-python).",
)
INDEX_OPT = typer.Option(
    None, "--index-url", help="Package index to check pins against (default: pip's configuration)."
)

LOCK_DATE_OPT = typer.Option(
    None,
    "--lock-date",
    help="Resolve requirements.lock as of: era (default: the newest pin's release, else the "
    "last commit of the dependency file), today, or a date YYYY-MM-DD.",
)


def guarded(func: F) -> F:
    """Turn our own failures into one line and exit 2, anything else into exit 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (UsageError, ConfigError) as exc:
            err(f"hfdeploy: error: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            err("hfdeploy: interrupted")
            raise typer.Exit(130) from None
        except Exception:
            err(
                "hfdeploy: internal error — please report this with the output below at "
                "https://github.com/hfdeploy/hfdeploy/issues"
            )
            err(traceback.format_exc().rstrip())
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def choose_checks(project: Project, select: list[str], ignore: list[str]) -> list[Check]:
    return choose_selection(project, select, ignore).checks()
