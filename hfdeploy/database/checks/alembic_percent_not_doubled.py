"""DB008: a single `%` in `alembic.ini`'s `sqlalchemy.url`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.database.alembic import ini_url_in_use
from hfdeploy.database.sources import database_urls
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.project import Project

# What ConfigParser's BasicInterpolation accepts after `%`; any other `%` is an error.
_PERCENT = re.compile(r"%%|%\([^)]*\)s|(?P<lone>%)")


class AlembicPercentNotDoubled(Check):
    """## What it does
    Finds a `%` in `alembic.ini`'s `sqlalchemy.url` that is not written `%%` (nor part of an
    interpolation such as `%(here)s`).

    ## Why is this bad?
    Alembic reads its ini file, and `Config.set_main_option`, through ConfigParser interpolation.
    A percent-encoded password such as `p%40ss` makes `alembic upgrade` stop with
    `ValueError: invalid interpolation syntax in 'postgresql://u:p%40ss@h/db' at position 16`.
    ConfigParser interpolates a value only when it is read: when `env.py` replaces the URL
    (`config.set_main_option("sqlalchemy.url", ...)`) or never reads it, the ini value is left
    alone and not reported.

    ## Example
    ```ini
    sqlalchemy.url = postgresql://app:p%40ss@db.example.com:443/app
    ```

    Use instead:
    ```ini
    sqlalchemy.url = postgresql://app:p%%40ss@db.example.com:443/app
    ```

    ## Fix safety
    Safe: each lone `%` is doubled; ConfigParser reads `%%` back as `%`.
    """

    code = "DB008"
    name = "alembic-percent-not-doubled"
    severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for found in database_urls(project):
            if found.origin != "ini" or not ini_url_in_use(project, found.path):
                continue  # env.py replaces the URL or never reads it: no interpolation runs
            text = project.text(found.path) or ""
            raw = text[found.written.start : found.written.end]
            lone = [
                m.start() + found.written.start for m in _PERCENT.finditer(raw) if m.group("lone")
            ]
            if not lone:
                continue
            edits = tuple(Edit.insert(found.path, at, "%") for at in lone)
            yield self.diagnostic(
                f"`{found.name}` holds a `%` that is not doubled: Alembic reads it through "
                "ConfigParser interpolation and stops with `ValueError: invalid interpolation syntax`",
                path=found.path,
                span=Span(lone[0], lone[0] + 1),
                fix=Fix("Double the `%`", edits),
            )
