"""DB005: SQLite's `check_same_thread` passed to an engine whose URL is a database server."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.engines import (
    EngineCall,
    EnvOrigin,
    LiteralOrigin,
    SettingsOrigin,
    engine_calls,
)
from hfdeploy.database.urls import UrlParts, parse_url
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.environment.dotenv import env_files
from hfdeploy.project import Project


class SqliteConnectArgsOnServerUrl(Check):
    """## What it does
    Finds `create_engine(url, connect_args={"check_same_thread": False})` where `url` is, or can
    be (a default, a `.env` value), a PostgreSQL or MySQL URL.

    ## Why is this bad?
    `check_same_thread` is an argument of Python's `sqlite3` only. Other drivers reject it when
    the engine first connects, e.g. psycopg2 with
    `invalid dsn: invalid connection option "check_same_thread"`. Code copied from the FastAPI
    SQLite tutorial keeps it after switching to PostgreSQL through `DATABASE_URL`.

    ## Example
    ```python
    engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
    ```

    Use instead:
    ```python
    engine = create_engine(
        DATABASE_URL,
        connect_args={"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {},
    )
    ```

    ## Fix safety
    Safe when the URL argument is a plain name or attribute (`DATABASE_URL`,
    `settings.DATABASE_URL`): the argument becomes conditional, so SQLite keeps it.
    """

    code = "DB005"
    name = "sqlite-connect-args-on-server-url"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for call in engine_calls(project):
            connect_args = next(
                (k.value for k in call.call.keywords if k.arg == "connect_args"), None
            )
            if not isinstance(connect_args, ast.Dict) or not any(
                isinstance(k, ast.Constant) and k.value == "check_same_thread"
                for k in connect_args.keys
            ):
                continue
            server = next((u for u in self._possible_urls(project, call) if not u.is_sqlite), None)
            if server is not None:
                yield self._finding(call, connect_args, server)

    @staticmethod
    def _possible_urls(project: Project, call: EngineCall) -> list[UrlParts]:
        origin = call.origin
        values: list[str] = []
        if isinstance(origin, LiteralOrigin):
            values.append(origin.value)
        elif isinstance(origin, (EnvOrigin, SettingsOrigin)):
            variable = origin.variable if isinstance(origin, EnvOrigin) else origin.field.env_name
            default = origin.default if isinstance(origin, EnvOrigin) else origin.field.default
            if isinstance(default, ast.Constant) and isinstance(default.value, str):
                values.append(default.value)
            values += [
                e.value
                for env in env_files(project)
                if not env.placeholder
                for e in env.entries
                if e.key.upper() == variable.upper()
            ]
        return [u for u in map(parse_url, values) if u is not None]

    def _finding(self, call: EngineCall, connect_args: ast.Dict, server: UrlParts) -> Diagnostic:
        module = call.module
        url_arg = call.url_arg
        fix = None
        if isinstance(url_arg, (ast.Name, ast.Attribute)):
            url_text = module.segment(url_arg)
            replacement = (
                f'{module.segment(connect_args)} if {url_text}.startswith("sqlite") else {{}}'
            )
            fix = Fix(
                "Pass `check_same_thread` only to SQLite",
                (Edit(module.path, module.span(connect_args), replacement),),
            )
        return self.diagnostic(
            f"`check_same_thread` is a SQLite-only argument, but this engine's URL can be "
            f"`{server.masked()}`: the {server.dialect} driver rejects it when it connects "
            f'(psycopg2: `invalid connection option "check_same_thread"`)',
            path=module.path,
            span=module.span(connect_args),
            fix=fix,
        )
