"""DB013: a server URL assembled with `:///`, so its credentials and host become the database
name."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.inputs import Assembled, sinks
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.project import Project

_SERVERS = ("postgresql", "postgres", "mysql", "mariadb", "cockroachdb")


class AssembledUrlWithoutServer(Check):
    """## What it does
    Finds PostgreSQL and MySQL URLs that the code assembles from parts (an f-string,
    `str.format`, `%` or `+`) with three slashes after the scheme while the parts after them
    name a user and a host: `f"postgresql+asyncpg:///{user}:{password}@{host}:{port}/{db}"`.
    The URL is followed from the `create_engine(...)`, `create_async_engine(...)` or Alembic
    `sqlalchemy.url` it reaches.

    ## Why is this bad?
    After `scheme://` comes the server (`user:password@host:port`), then `/database`. With
    `:///` the server part is empty, so SQLAlchemy reads everything after the third slash —
    user, password, host and port included — as the database name, and the driver connects to
    the local Unix socket as the operating-system user. In a Space nothing listens there, and a
    container running as uid 1000 without a passwd entry fails even earlier, when asyncpg or
    libpq asks for the user's name: `KeyError: 'getpwuid(): uid not found: 1000'`. No secret
    can repair it: the URL is broken in the code.

    A URL without credentials after the third slash (`postgresql:///{db}?host=/cloudsql/...`,
    a socket path on purpose) and SQLite's `sqlite:///{path}` are not reported.

    ## Example
    ```python
    DATABASE_URL = (
        f"postgresql+asyncpg:///"
        f"{settings.db_user}:{settings.db_password}@{settings.db_host}:{settings.db_port}/{settings.db_name}"
    )
    ```

    Use instead:
    ```python
    DATABASE_URL = (
        f"postgresql+asyncpg://"
        f"{settings.db_user}:{settings.db_password}@{settings.db_host}:{settings.db_port}/{settings.db_name}"
    )
    ```

    ## Fix safety
    Safe: the one `:///` of the literal becomes `://`; nothing else in the file changes. Not
    offered when the literal holds `:///` more than once.
    """

    code = "DB013"
    name = "assembled-url-without-server"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        seen: set[tuple[str, int]] = set()
        for sink in sinks(project):
            for flow in sink.flows:
                if not isinstance(flow, Assembled) or not flow.no_server:
                    continue
                if flow.module is None or flow.node is None or not flow.scheme:
                    continue
                if flow.scheme.split("+", 1)[0].lower() not in _SERVERS:
                    continue
                module, node = flow.module, flow.node
                key = (str(module.path), getattr(node, "lineno", 0))
                if key in seen:
                    continue
                span = module.span(node)
                written = module.text[span.start : span.end]
                at = written.find(":///")
                if at == -1 or "@" not in written[at:]:
                    continue
                seen.add(key)
                slashes = Span(span.start + at + 1, span.start + at + 4)
                fix = None
                if written.count(":///") == 1:
                    fix = Fix(
                        "Write `://` (the server part follows it)",
                        (Edit(module.path, slashes, "//"),),
                    )
                yield self.diagnostic(
                    f"`{flow.scheme}:///` leaves the server part of the URL empty: the "
                    "user, password, host and port after the third slash become the database "
                    "name, and the driver connects to a local socket as the operating-system "
                    "user, where a Space has no server (and where uid 1000 has no passwd entry, "
                    "asyncpg and libpq fail before that: `KeyError: 'getpwuid(): uid not "
                    "found: 1000'`); write "
                    f"`{flow.scheme}://`",
                    path=module.path,
                    span=slashes,
                    notes=(f"The URL reaches the engine at {sink.path}:{sink.line}.",),
                    fix=fix,
                )
