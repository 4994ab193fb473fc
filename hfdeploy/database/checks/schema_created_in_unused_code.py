"""DB018: the only code that creates the app's tables never runs."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import alembic_setups, revision_files
from hfdeploy.database.schema import (
    Creation,
    engines_needing_schema,
    is_fallback,
    schema,
    schema_creations,
)
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.project import Project


class SchemaCreatedInUnusedCode(Check):
    """## What it does
    Finds apps that define ORM tables and create them only in a function nothing uses: every
    `metadata.create_all` (called, or handed to `conn.run_sync`), `CREATE TABLE` statement or
    Alembic `command.upgrade(...)` of the app's code sits in a top-level function that no code
    calls, names or decorates — typically a `lifespan` written with `@asynccontextmanager` but
    never passed to `FastAPI(lifespan=...)`. Projects with Alembic revisions are left to DB012
    and DB017.

    ## Why is this bad?
    FastAPI runs a lifespan only when the app is given it, and a function nobody calls never
    runs. The tables are then never created: on a new database (a Space's SQLite file is new at
    every restart; a new PostgreSQL or MySQL database) every route that queries them fails with
    `relation "..." does not exist` or `no such table` — a 500 for the user. It is an error when
    the engine gets SQLite on a Space (a URL written in the code, not a fallback a Space secret
    replaces): that file is always new. It is a warning when the URL comes from the Space's
    variables and may name a server whose database already has the tables, made outside the
    repository: the message says that this is what the app then depends on.

    ## Example
    ```python
    app = FastAPI()


    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield
    ```

    Use instead:
    ```python
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield


    app = FastAPI(lifespan=lifespan)
    ```

    ## Fix safety
    Unsafe: when the unused function is a context manager in the module of the one
    `FastAPI(...)` call, and that call has no `lifespan=`, the fix gives the app the lifespan:
    `lifespan=<name>` in the call when the function comes first, else
    `app.router.lifespan_context = <name>` after the function (what `lifespan=` sets). Whatever
    else the lifespan does (connecting to other services, loading models) then runs at every
    start too. No fix for a function that is not a lifespan (call it from one).
    """

    code = "DB018"
    name = "schema-created-in-unused-code"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        creations = schema_creations(project)
        if not creations or any(c.used for c in creations):
            return
        if not schema(project).table_modules:
            return
        if any(revision_files(project, s) for s in alembic_setups(project)):
            return  # the migrations create the schema, or DB012 / DB017 say that nothing runs them
        first = creations[0]
        assert first.function is not None  # unused code is in a top-level function
        name = first.function.name
        needing = engines_needing_schema(project)
        sqlite = needing[0][1] if needing else None
        severity = Severity.ERROR if sqlite and not is_fallback(sqlite) else Severity.WARNING
        where = f"{first.module.path}:{first.function.lineno}"
        if first.lifespan:
            why = (
                f"`{name}` is a lifespan that the app is never given: FastAPI runs one only when "
                f"it is passed as `FastAPI(lifespan={name})`"
            )
        else:
            why = f"nothing calls `{name}()`"
        tables = schema(project).names
        shown = ", ".join(f"`{t}`" for t in tables[:_SHOWN])
        shown += f" and {len(tables) - _SHOWN} more" if len(tables) > _SHOWN else ""
        table = tables[0] if tables else "..."
        if sqlite:
            consequence = (
                f"the engine gets a new SQLite database on a Space ({sqlite}), so every route "
                f"that queries them fails with `no such table: {table}`"
            )
        else:
            consequence = (
                "every route that queries them fails with "
                f'`relation "{table}" does not exist` (`no such table` on SQLite) unless the '
                "database the Space's URL names already has them, created outside this "
                "repository (a new database, such as `hfdeploy verify`'s throwaway server, "
                "never has them)"
            )
        fix = _pass_lifespan(first) if first.lifespan else None
        notes = []
        if fix is None:
            notes.append(
                f"Pass it to the app: `app = FastAPI(lifespan={name})`."
                if first.lifespan
                else f"Call `{name}()` at start: from a lifespan passed to `FastAPI(lifespan=...)`."
            )
        yield self.diagnostic(
            f"The tables{f' ({shown})' if shown else ''} are created only in `{name}()` "
            f"({where}), which never runs: {why}. Nothing else in the repository creates "
            f"them: {consequence}",
            path=first.module.path,
            span=first.module.span(first.node),
            fix=fix,
            notes=notes,
            severity=severity,
        )


_SHOWN = 3


def unused_lifespan_fix(project: Project) -> Fix | None:
    """DB018's fix, for `fix --verify`'s repair of a missing table."""
    creations = schema_creations(project)
    if not creations or any(c.used for c in creations) or not creations[0].lifespan:
        return None
    return _pass_lifespan(creations[0])


def _pass_lifespan(creation: Creation) -> Fix | None:
    """Give the module's one `FastAPI(...)` app the lifespan: `lifespan=<name>` in the call when
    the function comes first, else `<app>.router.lifespan_context = <name>` after the function
    (what the `lifespan=` argument sets; read when the server starts)."""
    module, function = creation.module, creation.function
    assert function is not None
    calls = [
        (stmt, node)
        for stmt in module.tree.body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "FastAPI"
    ]
    if len(calls) != 1:
        return None
    stmt, call = calls[0]
    if any(k.arg == "lifespan" or k.arg is None for k in call.keywords):
        return None
    name = function.name
    title = f"Give the app its lifespan: `FastAPI(lifespan={name})`"
    if call.lineno > (function.end_lineno or function.lineno):
        arguments = [*call.args, *call.keywords]
        if arguments:
            at = module.span(arguments[-1]).end
            text = f", lifespan={name}"
        else:
            at = module.span(call).end - 1  # before `)`
            text = f"lifespan={name}"
        return Fix(title, (Edit.insert(module.path, at, text),), Applicability.UNSAFE)
    # The app exists before the function: set what `lifespan=` would have set.
    if not (
        isinstance(stmt, ast.Assign)
        and stmt.value is call
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and function in module.tree.body
    ):
        return None
    app = stmt.targets[0].id
    nl = module.source.newline
    text = f"{nl}{nl}{nl}{app}.router.lifespan_context = {name}  # as `FastAPI(lifespan={name})`"
    return Fix(
        f"Give the app its lifespan: `{app}.router.lifespan_context = {name}`",
        (Edit.insert(module.path, module.span(function).end, text),),
        Applicability.UNSAFE,
    )
