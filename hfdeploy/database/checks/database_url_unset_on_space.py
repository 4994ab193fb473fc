"""DB003: an engine URL taken from a variable that is unset on a Space, with no fallback."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database import fallback
from hfdeploy.database.engines import EngineCall, EnvOrigin, SettingsOrigin, engine_calls
from hfdeploy.diagnostics import Applicability, Diagnostic, Fix, FixAvailability, Severity
from hfdeploy.project import Project
from hfdeploy.requirements.deps import add_requirement_edit
from hfdeploy.space import DATA_DIR_ENV


class DatabaseUrlUnsetOnSpace(Check):
    """## What it does
    Finds `create_engine(...)` calls whose URL comes from an environment variable with no default.

    The shapes: `os.getenv("DATABASE_URL")`, `os.environ["DATABASE_URL"]`, or a
    pydantic-settings field such as `DATABASE_URL: str` without a default.

    ## Why is this bad?
    A Space never reads `.env`, so unless the variable is set as a Space secret the app dies at
    start: `KeyError`, pydantic's `Field required`, or SQLAlchemy's
    `ArgumentError: Expected string or URL object, got None`. A Space can also not reach most
    database servers (only ports 80, 443 and 8080 go out), so SQLite is the usual choice there.

    ## Example
    ```python
    engine = create_engine(os.getenv("DATABASE_URL"))
    ```

    Use instead:
    ```python
    def _sqlite_fallback() -> str:
        data_dir = os.getenv("DATA_DIR", "data")
        os.makedirs(data_dir, exist_ok=True)
        return f"sqlite:///{data_dir}/app.db"

    engine = create_engine(os.getenv("DATABASE_URL") or _sqlite_fallback())
    ```

    ## Fix safety
    The fix keeps `DATABASE_URL` working (PostgreSQL or MySQL locally, or a reachable server on
    the Space) and falls back to SQLite under `$DATA_DIR`, the image's writable data directory
    (`/data` when a storage bucket is mounted there). For a settings field it adds the default
    `f"sqlite:///{os.getenv('DATA_DIR', 'data')}/app.db"` and creates the directory before the
    engine is built. Safe when the code has exactly one of these shapes; unsafe for an async
    engine when `aiosqlite` is not declared (the fix then also appends it, unpinned, to the
    requirements file the image installs). SQLite data on a Space is lost on every restart
    unless a bucket is mounted at `/data`.
    """

    code = "DB003"
    name = "database-url-unset-on-space"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        by_origin: dict[tuple[object, ...], list[EngineCall]] = {}
        for call in engine_calls(project):
            origin = call.origin
            if isinstance(origin, EnvOrigin) and origin.unset:
                key: tuple[object, ...] = (
                    "env",
                    origin.module.path,
                    origin.read.lineno,
                    origin.read.col_offset,
                )
            elif isinstance(origin, SettingsOrigin) and origin.unset:
                key = ("settings", origin.field.module.path, origin.field.owner, origin.field.name)
            else:
                continue
            by_origin.setdefault(key, []).append(call)
        for calls in by_origin.values():
            yield self._finding(project, calls)

    def _finding(self, project: Project, calls: list[EngineCall]) -> Diagnostic:
        origin = calls[0].origin
        is_async = any(c.is_async for c in calls)
        notes = [
            f"The URL reaches `{ast.unparse(c.call.func)}` at {c.module.path}:{c.call.lineno}."
            for c in calls
        ]
        if isinstance(origin, EnvOrigin):
            module, variable = origin.module, origin.variable
            node: ast.AST = origin.read
            message = (
                f"`{variable}` is read without a default: on a Space, where there is no .env, "
                + (
                    "this raises `KeyError`"
                    if origin.kind == "environ"
                    else "the engine gets None (`ArgumentError: Expected string or URL object, got None`)"
                )
            )
            edits = fallback.env_fallback_edits(origin, is_async)
        else:
            assert isinstance(origin, SettingsOrigin)
            field = origin.field
            module, node, variable = field.module, field.node, field.env_name
            message = (
                f"Setting `{field.owner}.{field.name}` has no usable default: on a Space, where "
                f"there is no .env, the app fails at start unless `{variable}` is set"
            )
            edits = fallback.settings_fallback_edits(project, calls, is_async)
        fix = None
        if edits is not None:
            edits += [e for e in (fallback.thread_check_edit(project, c) for c in calls) if e]
            safe = fallback.driver_available(project, is_async)
            driver = None if safe else add_requirement_edit(project, "aiosqlite")
            if driver is not None:
                edits.append(driver)  # the async fallback's driver, or DB004 reports it next
            fix = Fix(
                f"Fall back to SQLite under ${DATA_DIR_ENV} when `{variable}` is unset",
                tuple(edits),
                Applicability.SAFE if safe else Applicability.UNSAFE,
            )
            if not safe:
                notes.append(
                    "The async fallback (`sqlite+aiosqlite://`) needs `aiosqlite`: "
                    + ("the fix adds it, unpinned, to " + str(driver.path) if driver else
                       "add it to the requirements")
                    + "."
                )
        notes.append(
            f"Set `{variable}` as a Space secret to use a server reachable on port 443; "
            "SQLite data on a Space is lost on restart unless a storage bucket is mounted at /data."
        )
        return self.diagnostic(
            message, path=module.path, span=module.span(node), fix=fix, notes=notes
        )
