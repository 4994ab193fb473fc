"""Swap SQLAlchemy's MySQL driver from `mysqlclient` (MySQLdb, source-only on a slim image) to
PyMySQL (pure Python) consistently: every MySQL URL the project writes names `+pymysql`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hfdeploy.database.engines import EnvOrigin, SettingsOrigin, engine_calls
from hfdeploy.database.sources import database_urls
from hfdeploy.diagnostics import Edit

if TYPE_CHECKING:
    from hfdeploy.project import Project

_IMPORTS_MYSQLDB = re.compile(r"^\s*(?:import\s+MySQLdb\b|from\s+MySQLdb\b)", re.MULTILINE)


@dataclass
class DriverSwap:
    edits: list[Edit] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)  # why the swap may change behaviour
    rewritten: int = 0


def mysqldb_to_pymysql(project: Project) -> DriverSwap:
    """Edits that make every `mysql://` / `mysql+mysqldb://` URL written in the project use
    `+pymysql`, and the reasons the swap is not certain to be complete."""
    swap = DriverSwap()
    for path, text in project.python_texts():
        if _IMPORTS_MYSQLDB.search(text):
            swap.unsafe.append(f"{path} imports `MySQLdb` itself")
            break
    for found in database_urls(project):
        url = found.url
        if (
            url.dialect not in ("mysql", "mariadb")
            or (url.driver or "mysqldb").lower() != "mysqldb"
        ):
            continue
        if not found.editable:
            swap.unsafe.append(f"the URL in {found.path} cannot be rewritten in place")
            continue
        swap.edits.append(
            Edit(
                found.path,
                found.span_of(0, url.scheme_end),
                found.written_form(f"{url.dialect}+pymysql"),
            )
        )
        swap.rewritten += 1
    for call in engine_calls(project):
        origin = call.origin
        if isinstance(origin, (EnvOrigin, SettingsOrigin)):
            variable = origin.variable if isinstance(origin, EnvOrigin) else origin.field.env_name
            swap.unsafe.append(
                f"`{variable}` may be set outside the repository (a Space secret): it must then "
                "start with `mysql+pymysql://`"
            )
            break
    return swap
