"""Pieces shared by the commands: option declarations, project loading, the error handler."""

from __future__ import annotations

import enum
import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from hfdeploy.check import Check
from hfdeploy.config import KNOWN_KEYS, load_config
from hfdeploy.errors import ConfigError, UsageError
from hfdeploy.project import Project, RunOptions
from hfdeploy.registry import Selection

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


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


def err(message: str) -> None:
    print(message, file=sys.stderr)


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


def load_project(
    path: Path,
    *,
    offline: bool = False,
    python: str | None = None,
    index_url: str | None = None,
    lock_date: str | None = None,
) -> Project:
    if not path.exists():
        raise UsageError(f"{path}: no such directory")
    if not path.is_dir():
        raise UsageError(f"{path}: not a directory (pass the repository root)")
    config = load_config(path)
    if config.unknown_keys:
        known = ", ".join(sorted(KNOWN_KEYS))
        err(
            f"hfdeploy: warning: pyproject.toml [tool.hfdeploy]: unknown setting "
            f"{', '.join(config.unknown_keys)} ignored (known: {known})"
        )
    if python is not None and not _valid_python(python):
        raise UsageError(f"--python {python!r}: expected a version like 3.11")
    if lock_date is not None:
        from hfdeploy.errors import ConfigError
        from hfdeploy.values import lock_date as valid_lock_date

        try:
            valid_lock_date(lock_date, "--lock-date")
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    options = RunOptions(
        offline=offline, index_url=index_url or config.index_url, python=python, lock_date=lock_date
    )
    return Project(path, config, options)


def _valid_python(value: str) -> bool:
    from hfdeploy.values import PATTERNS

    return PATTERNS["python-version"].fullmatch(value) is not None


def choose_selection(project: Project, select: list[str], ignore: list[str]) -> Selection:
    config = project.config
    return Selection(tuple(select), tuple(ignore), tuple(config.select), tuple(config.ignore))


def choose_checks(project: Project, select: list[str], ignore: list[str]) -> list[Check]:
    return choose_selection(project, select, ignore).checks()
