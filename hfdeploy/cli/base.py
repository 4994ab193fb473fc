"""The typer-free core of the commands: exit codes, project loading, the error handler as a
function, and `check` itself, which the console entry runs directly for the command lines it
reads (typer and pydantic cost ~0.1 s to import; an unchanged re-run costs less than that)."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hfdeploy.config import KNOWN_KEYS, load_config
from hfdeploy.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from hfdeploy.diagnostics import Diagnostic
    from hfdeploy.project import Project
    from hfdeploy.registry import Selection

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("text", "json", "github", "sarif")


def err(message: str) -> None:
    print(message, file=sys.stderr)


def guard(func: Callable[[], int]) -> int:
    """`func()`'s exit code; our own failures as one line and 2, anything else as 3 (what
    `common.guarded` does for the typer commands)."""
    try:
        return func()
    except (UsageError, ConfigError) as exc:
        err(f"hfdeploy: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err("hfdeploy: interrupted")
        return 130
    except Exception:
        err(
            "hfdeploy: internal error — please report this with the output below at "
            "https://github.com/hfdeploy/hfdeploy/issues"
        )
        err(traceback.format_exc().rstrip())
        return EXIT_INTERNAL


def load_project(
    path: Path,
    *,
    offline: bool = False,
    python: str | None = None,
    index_url: str | None = None,
    lock_date: str | None = None,
) -> Project:
    from hfdeploy.project import Project, RunOptions

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
    from hfdeploy.registry import Selection

    config = project.config
    return Selection(tuple(select), tuple(ignore), tuple(config.select), tuple(config.ignore))


def collect(
    project: Project, select: list[str], ignore: list[str], *, use_cache: bool = True
) -> list[Diagnostic]:
    from hfdeploy.runner import run_checks

    return run_checks(project, choose_selection(project, select, ignore), use_cache=use_cache)


@dataclass
class CheckArgs:
    path: Path = Path(".")
    format: str = "text"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    offline: bool = False
    python: str | None = None
    index_url: str | None = None
    no_cache: bool = False
    lock_date: str | None = None


def run_check(args: CheckArgs) -> int:
    """`hfdeploy check`: print the report; 1 when an error remains, else 0."""
    from hfdeploy.diagnostics import Severity
    from hfdeploy.report import render

    project = load_project(
        args.path,
        offline=args.offline,
        python=args.python,
        index_url=args.index_url,
        lock_date=args.lock_date,
    )
    diagnostics = collect(project, args.select, args.ignore, use_cache=not args.no_cache)
    print(render(args.format, project, diagnostics), end="")
    failed = any(d.severity is Severity.ERROR for d in diagnostics)
    return EXIT_FINDINGS if failed else EXIT_OK


_VALUED = {
    "--format": "format",
    "-f": "format",
    "--select": "select",
    "--ignore": "ignore",
    "--python": "python",
    "--index-url": "index_url",
    "--lock-date": "lock_date",
}
_FLAGS = {"--offline": "offline", "--no-cache": "no_cache"}


def parse_check(args: list[str]) -> CheckArgs | None:
    """The arguments of `check ...` when they are plainly the options `hfdeploy check` declares
    (`--opt value`, `--opt=value`, flags, one path), else None: help, unknown or malformed
    options and anything unusual go to the typer command line, which explains them."""
    if not args or args[0] != "check":
        return None
    parsed = CheckArgs()
    paths: list[str] = []
    rest = args[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg in _FLAGS:
            setattr(parsed, _FLAGS[arg], True)
            continue
        name, eq, value = arg.partition("=")
        if name in _VALUED and name.startswith("--") and eq:
            pass
        elif arg in _VALUED and i < len(rest):
            value = rest[i]
            i += 1
        elif not arg.startswith("-") and arg:
            paths.append(arg)
            continue
        else:
            return None
        if not value or value.startswith("-"):
            return None
        field_name = _VALUED[name if eq else arg]
        if field_name in ("select", "ignore"):
            getattr(parsed, field_name).append(value)
        else:
            setattr(parsed, field_name, value)
    if len(paths) > 1 or parsed.format not in FORMATS:
        return None
    if paths:
        parsed.path = Path(paths[0])
    return parsed
