"""DB012: the app's tables are never created in the SQLite database it gets on a Space."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.database.alembic import alembic_setups
from hfdeploy.database.engines import EngineCall
from hfdeploy.database.schema import Base, engines_needing_schema, is_fallback, schema
from hfdeploy.database.start import image_start
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.project import Project
from hfdeploy.pycode import Located, located, module_name


class DatabaseSchemaNeverCreated(Check):
    """## What it does
    Finds apps that define ORM tables (SQLAlchemy `__tablename__` classes or SQLModel
    `table=True` models) and get a SQLite database on a Space, while nothing creates those
    tables: no Alembic migrations (the generated start command runs `alembic upgrade head` when
    there are), no `metadata.create_all(...)`, no `CREATE TABLE`.

    The database is SQLite on a Space when the engine's URL is a SQLite literal or default (an
    error), or when it is unset or names a local server (the SQLite fallback of DB003 and DB010:
    a warning, since a secret naming a server that has the tables avoids the failure). A project
    with Alembic migrations is reported when the root Dockerfile's start command (or a script it
    runs) never runs `alembic`.

    ## Why is this bad?
    A new SQLite file is empty. The app starts, but every route that touches the database fails
    with `sqlite3.OperationalError: no such table: ...` (a 500 for the user).

    ## Example
    ```python
    # main.py
    from fastapi import FastAPI

    from app.database import engine
    from app import models

    app = FastAPI()
    ```

    Use instead:
    ```python
    # main.py
    from fastapi import FastAPI

    from app.database import Base, engine
    from app import models

    app = FastAPI()

    # Create the tables the models define (a new SQLite database on a Space is empty).
    Base.metadata.create_all(bind=engine)
    ```

    ## Fix safety
    Safe when there is one declarative base (or SQLModel) and one module-level synchronous
    engine: the fix appends `Base.metadata.create_all(bind=engine)` to the module that defines
    the FastAPI app, importing the engine, the base and the modules that define tables.
    `create_all` only creates missing tables; it never alters or drops one. No fix for an async
    engine (create the tables in the lifespan with `conn.run_sync(Base.metadata.create_all)`),
    when the pieces are ambiguous, or for migrations the start command skips (run
    `alembic upgrade head && exec uvicorn ...`, as the generated Dockerfile does).
    """

    code = "DB012"
    name = "database-schema-never-created"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        found = schema(project)
        if not found.table_modules or found.created:
            return
        needing = engines_needing_schema(project)
        if not needing:
            return
        call, why = needing[0]
        if alembic_setups(project):
            start = _start_without_migrations(project)
            if start is not None:
                yield self.diagnostic(
                    f"The engine created here gets a new SQLite database on a Space ({why}), and "
                    f"the project has Alembic migrations, but the image starts with `{start}`, "
                    "which never runs them: every route that queries the database fails with "
                    "`sqlite3.OperationalError: no such table`",
                    path=call.module.path,
                    span=call.module.span(call.call),
                    severity=Severity.WARNING if is_fallback(why) else None,
                    notes=[
                        (
                            "Run the migrations before the server, and only start it when they "
                            "succeed: `CMD alembic upgrade head && exec uvicorn ...` (what "
                            "`hfdeploy fix` generates for a project with Alembic)."
                        )
                    ],
                )
            return
        notes = [f"The tables are defined in {', '.join(map(str, found.table_modules))}."]
        fix = None
        if len(found.bases) == 1 and len({c.engine_name for c, _ in needing}) == 1:
            edits = _create_all_edits(project, call, found.bases[0], found.table_modules)
            if edits is not None:
                fix = Fix(
                    "Create the tables at start (`metadata.create_all`)",
                    tuple(edits),
                    Applicability.SAFE,
                )
        if fix is None:
            notes.append(
                "Create the tables at start: `Base.metadata.create_all(bind=engine)` after the "
                "models are imported (async: `await conn.run_sync(Base.metadata.create_all)` in "
                "the lifespan), or add Alembic migrations."
            )
        if is_fallback(why):
            notes.append(
                "It does not fail when a database URL set as a Space secret names a server that "
                "has the tables."
            )
        yield self.diagnostic(
            f"The engine created here gets a new SQLite database on a Space ({why}), but nothing "
            "creates its tables: every route that queries it fails with "
            "`sqlite3.OperationalError: no such table`",
            path=call.module.path,
            span=call.module.span(call.call),
            fix=fix,
            notes=notes,
            severity=Severity.WARNING if is_fallback(why) else None,
        )


def _start_without_migrations(project: Project) -> str | None:
    """The start command of the root Dockerfile when neither it nor a script it runs mentions
    Alembic; None when there is no Dockerfile (the generated one runs the migrations) or it does."""
    start = image_start(project)
    if start is None or not start.command or start.runs_alembic:
        return None
    return start.command


def _app_module(project: Project) -> Located | None:
    try:
        from hfdeploy.dockerfile.inputs import app_target
    except ImportError:
        return None
    target = app_target(project)
    if target is None or target.factory:
        return None
    base = PurePosixPath(target.app_dir or ".") / PurePosixPath(*target.module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if project.exists(path):
            return located(project, path)
    return None


def _dotted(project: Project, path: PurePosixPath, app_dir: PurePosixPath) -> str | None:
    try:
        relative = path.relative_to(app_dir)
    except ValueError:
        return None
    return module_name(relative)


def _bound(module: Located, name: str) -> ast.stmt | None:
    """The top-level statement that binds `name` in `module`, if any."""
    for stmt in module.tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == name for a in stmt.names):
                return stmt
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if stmt.name == name:
                return stmt
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return stmt
    return None


def _create_all_edits(
    project: Project, call: EngineCall, base: Base, tables: tuple[PurePosixPath, ...]
) -> list[Edit] | None:
    if call.is_async or call.engine_name is None:
        return None
    app = _app_module(project)
    if app is None:
        return None
    try:
        from hfdeploy.dockerfile.inputs import app_target

        target = app_target(project)
    except ImportError:
        return None
    app_dir = PurePosixPath(target.app_dir or ".") if target else PurePosixPath(".")
    own = _dotted(project, app.path, app_dir)
    engine_module = _dotted(project, call.module.path, app_dir)
    if own is None or engine_module is None:
        return None
    nl = app.source.newline
    lines: list[str] = []
    needed = [(base.name, base.module), (call.engine_name, engine_module)]
    wanted: dict[str, list[str]] = {}
    for name, source in needed:
        if source == own:
            continue
        stmt = _bound(app, name)
        if stmt is None:
            wanted.setdefault(source, []).append(name)
        elif not isinstance(stmt, ast.ImportFrom):
            return None  # the app binds that name to something else
    lines += [f"from {source} import {', '.join(names)}" for source, names in wanted.items()]
    from hfdeploy.pysource.import_graph import imported_names

    imported = imported_names(app.tree, own)
    for path in tables:
        dotted = _dotted(project, path, app_dir)
        if dotted is None:
            return None
        if dotted != own and dotted not in imported:
            lines.append(f"import {dotted}  # noqa: F401 (its tables register on the metadata)")
    lines.append("")
    lines.append(
        "# Create the tables the models define (a new SQLite database on a Space is empty)."
    )
    lines.append(f"{base.name}.metadata.create_all(bind={call.engine_name})")
    # Before a trailing `if __name__ == "__main__":` block, else at the end.
    last = app.tree.body[-1] if app.tree.body else None
    is_main = (
        isinstance(last, ast.If)
        and "__name__" in ast.unparse(last.test)
        and "__main__" in ast.unparse(last.test)
    )
    if is_main and last is not None:
        at = app.line_start(last)
        text = nl.join(lines).lstrip(nl) + nl + nl + nl
    else:
        at = len(app.text)
        prefix = "" if app.text.endswith(("\n", "\r")) or not app.text else nl
        text = prefix + nl + nl.join(lines) + nl
    return [Edit.insert(app.path, at, text)]
