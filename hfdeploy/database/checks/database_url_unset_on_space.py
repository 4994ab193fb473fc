"""DB003: an engine URL taken from a variable that is unset on a Space, with no fallback."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database import fallback
from hfdeploy.database.engines import EngineCall, EnvOrigin, SettingsOrigin, engine_calls
from hfdeploy.database.fallback import default_url
from hfdeploy.database.sources import is_test_file
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
        for calls in self.grouped(project, unset=True):
            yield self._finding(project, calls)

    @staticmethod
    def grouped(project: Project, *, unset: bool) -> list[list[EngineCall]]:
        """Engine calls (outside test files) grouped by the read or setting their URL comes
        from: those whose URL is unset (`unset=True`), or whose default is a literal URL."""
        by_origin: dict[tuple[object, ...], list[EngineCall]] = {}
        for call in engine_calls(project):
            origin = call.origin
            if is_test_file(call.module.path):
                continue
            if not isinstance(origin, (EnvOrigin, SettingsOrigin)):
                continue
            if unset != origin.unset or (not unset and default_url(origin) is None):
                continue
            if isinstance(origin, EnvOrigin):
                key: tuple[object, ...] = (
                    "env",
                    origin.module.path,
                    origin.read.lineno,
                    origin.read.col_offset,
                )
            else:
                key = ("settings", origin.field.module.path, origin.field.owner, origin.field.name)
            by_origin.setdefault(key, []).append(call)
        return list(by_origin.values())

    def _finding(
        self, project: Project, calls: list[EngineCall], override: str | None = None
    ) -> Diagnostic:
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
            rules = fallback.url_rules(field)
            if rules is not None and rules.rejects_sqlite:
                edits = None
                notes.append(
                    f"No fix: `{rules.name}` in {module.path} rejects a URL that does not start "
                    f"with {rules.rejects_sqlite}, so a SQLite fallback would stop the app at start."
                )
            elif rules is not None and edits is not None:
                notes.append(
                    f"`{rules.name}` in {module.path} also sets or checks the URL: review that "
                    "it keeps the SQLite fallback (the fix is unsafe)."
                )
        fix = None
        if edits is not None:
            edits += [e for e in (fallback.thread_check_edit(project, c) for c in calls) if e]
            has_driver = fallback.driver_available(project, is_async)
            safe = has_driver and not (
                isinstance(origin, SettingsOrigin) and fallback.url_rules(origin.field)
            )
            driver = None if has_driver else add_requirement_edit(project, "aiosqlite")
            if driver is not None:
                edits.append(driver)  # the async fallback's driver, or DB004 reports it next
            fix = Fix(
                f"Fall back to SQLite under ${DATA_DIR_ENV} when `{variable}` is unset",
                tuple(edits),
                Applicability.SAFE if safe else Applicability.UNSAFE,
            )
            if not has_driver:
                notes.append(
                    "The async fallback (`sqlite+aiosqlite://`) needs `aiosqlite`: "
                    + (
                        "the fix adds it, unpinned, to " + str(driver.path)
                        if driver
                        else "add it to the requirements"
                    )
                    + "."
                )
        notes.append(
            f"Set `{variable}` as a Space secret to use a server reachable on port 443; "
            "SQLite data on a Space is lost on restart unless a storage bucket is mounted at /data."
        )
        return self.diagnostic(
            override or message, path=module.path, span=module.span(node), fix=fix, notes=notes
        )
