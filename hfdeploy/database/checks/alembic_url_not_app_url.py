"""DB009: Alembic migrates the URL in `alembic.ini` while the app reads its URL elsewhere."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from hfdeploy.check import Check
from hfdeploy.database.alembic import AlembicSetup, alembic_setups, reads_ini_url
from hfdeploy.database.engines import EngineCall, EnvOrigin, SettingsOrigin, engine_calls
from hfdeploy.database.fallback import LOCAL_DATA_DIR
from hfdeploy.diagnostics import (
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Severity,
    Span,
)
from hfdeploy.environment.settings import is_str_annotation
from hfdeploy.project import Project
from hfdeploy.pycode import Located, import_os_edit, located, module_name
from hfdeploy.space import DATA_DIR_ENV

_READ = re.compile(
    r"get_main_option\(\s*['\"]sqlalchemy\.url['\"]\s*\)|(?:async_)?engine_from_config\("
)


class AlembicUrlNotAppUrl(Check):
    """## What it does
    Finds an Alembic `env.py` that connects to `alembic.ini`'s `sqlalchemy.url` while the app
    takes its database URL from the environment or a settings class.

    ## Why is this bad?
    On a Space, migrations then run against a different database than the app — usually a
    server the Space cannot reach, or a URL with a placeholder password — so `alembic upgrade`
    fails or migrates nothing the app uses, while the app starts on an empty SQLite file.

    ## Example
    ```python
    config = context.config
    ...
    url = config.get_main_option("sqlalchemy.url")
    ```

    Use instead:
    ```python
    config = context.config
    from app.core.config import settings  # noqa: E402

    config.set_main_option("sqlalchemy.url", settings.DATABASE_URL.replace("%", "%%"))
    ```

    ## Fix safety
    The fix imports the app's URL setting (fallback included) right after
    `config = context.config` and hands it to Alembic with `%` doubled for ConfigParser (as
    `str(...)` when the field is typed as a URL such as `PostgresDsn`: under pydantic v2 it
    holds a URL object, which has no `.replace`). Safe
    when `alembic.ini` puts the project on `sys.path` (`prepend_sys_path = .`) or `env.py`
    already imports the app's package; unsafe otherwise, since the import may not resolve.
    """

    code = "DB009"
    name = "alembic-url-not-app-url"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        calls = [
            c
            for c in engine_calls(project)
            if isinstance(c.origin, (EnvOrigin, SettingsOrigin))
            and "alembic" not in c.module.path.parts[:-1]
        ]
        for setup in alembic_setups(project):
            if not calls or setup.env is None or not reads_ini_url(project, setup):
                continue
            env = located(project, setup.env)
            if env is None:
                continue
            match = _READ.search(env.text)
            call = calls[0]
            origin = call.origin
            if isinstance(origin, SettingsOrigin):
                what = f"setting `{origin.field.owner}.{origin.field.name}`"
            else:
                what = f"`{origin.variable}`" if isinstance(origin, EnvOrigin) else "the code"
            yield self.diagnostic(
                f"Alembic migrates `sqlalchemy.url` from {setup.ini}, but the app's database URL "
                f"comes from {what}: on a Space the migrations run against another database",
                path=setup.env,
                span=Span(match.start(), match.end()) if match else None,
                fix=_fix(project, setup, env, call),
                notes=(f"The app creates its engine at {call.module.path}:{call.call.lineno}.",),
            )


def _app_url(project: Project, call: EngineCall) -> tuple[Located, str, str, bool] | None:
    """(module to import from, name to import, URL expression, needs the SQLite directory)."""
    origin = call.origin
    if isinstance(origin, SettingsOrigin):
        module, owner = origin.field.module, origin.field.owner
        for stmt in module.tree.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)
                and getattr(stmt.value.func, "id", None) == owner
            ):
                name = stmt.targets[0].id
                return module, name, _as_text(f"{name}.{origin.field.name}", origin), True
            if (
                isinstance(stmt, ast.FunctionDef)
                and not stmt.args.args
                and any(
                    isinstance(n, ast.Return)
                    and isinstance(n.value, ast.Call)
                    and getattr(n.value.func, "id", None) == owner
                    for n in ast.walk(stmt)
                )
            ):
                expr = _as_text(f"{stmt.name}().{origin.field.name}", origin)
                return module, stmt.name, expr, True
        return None
    assert isinstance(origin, EnvOrigin)
    if origin.holder is not None:
        return origin.module, origin.holder, origin.holder, False
    if call.engine_name is not None:
        return (
            call.module,
            call.engine_name,
            f"{call.engine_name}.url.render_as_string(hide_password=False)",
            False,
        )
    return None


def _as_text(expr: str, origin: SettingsOrigin) -> str:
    """A field typed `PostgresDsn`/`AnyUrl` holds a URL object under pydantic v2, which has
    no `.startswith` or `.replace`: its text is `str(...)`."""
    if is_str_annotation(origin.field.node.annotation, optional=True):
        return expr
    return f"str({expr})"


def _fix(project: Project, setup: AlembicSetup, env: Located, call: EngineCall) -> Fix | None:
    found = _app_url(project, call)
    anchor = next(
        (
            s
            for s in env.tree.body
            if isinstance(s, ast.Assign)
            and isinstance(s.value, ast.Attribute)
            and s.value.attr == "config"
            and getattr(s.value.value, "id", None) == "context"
        ),
        None,
    )
    if found is None or anchor is None or env.indent_of(anchor) != "":
        return None
    module, name, expr, needs_dir = found
    base = setup.ini.parent
    try:
        relative = PurePosixPath(module.path).relative_to(base)
    except ValueError:
        return None
    dotted = module_name(relative)
    if dotted is None:
        return None
    nl = env.source.newline
    config_name = anchor.targets[0].id  # type: ignore[attr-defined]
    lines = [
        "",
        "# Migrate the database the app uses (its URL setting, SQLite fallback included); `%` is",
        "# doubled because Alembic reads options through ConfigParser interpolation.",
        f"from {dotted} import {name}  # noqa: E402",
        "",
    ]
    if needs_dir:
        lines += [
            f'if {expr}.startswith("sqlite"):',
            f'    os.makedirs(os.getenv("{DATA_DIR_ENV}", "{LOCAL_DATA_DIR}"), exist_ok=True)',
        ]
    lines.append(f'{config_name}.set_main_option("sqlalchemy.url", {expr}.replace("%", "%%"))')
    edits = [Edit.insert(env.path, env.line_end(anchor), nl.join(lines) + nl)]
    os_edit = import_os_edit(env) if needs_dir else None
    if os_edit is not None:
        edits.append(os_edit)
    top = dotted.split(".")[0]
    importable = "." in setup.sys_path or re.search(
        rf"^\s*(from|import)\s+{re.escape(top)}\b", env.text, re.MULTILINE
    )
    return Fix(
        f"Point Alembic at `{expr}`",
        tuple(edits),
        Applicability.SAFE if importable else Applicability.UNSAFE,
    )
