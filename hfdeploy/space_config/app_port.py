"""The port the Space proxy sends traffic to, as README.md will say once hfdeploy has fixed it.

Other domains (the Dockerfile's CMD, verify's probe) read it through `app_port(project)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hfdeploy.space import DEFAULT_APP_PORT
from hfdeploy.space_config.frontmatter import Status, front_matter
from hfdeploy.space_config.schema import MAX_APP_PORT, MIN_APP_PORT

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Used only when the YAML does not parse, so a broken block elsewhere still yields its port.
_APP_PORT_LINE = re.compile(
    r"""^[ \t]*app_port[ \t]*:[ \t]*["']?[ \t]*(\d+)[ \t]*["']?[ \t]*(?:#.*)?$""", re.MULTILINE
)


@dataclass(frozen=True)
class AppPort:
    port: int
    source: str  # for messages: "README.md line 8", "default (README.md sets no app_port)"
    line: int | None = None


def usable_port(value: Any) -> int | None:
    """The port `value` names if the Hub would accept it once written as a plain integer.

    A quoted number in range counts (the fix unquotes it); anything else does not (the fix
    replaces it with the default)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        value = int(value.strip())
    if isinstance(value, int) and MIN_APP_PORT <= value <= MAX_APP_PORT:
        return int(value)
    return None


def app_port(project: Project) -> int:
    return app_port_info(project).port


def app_port_info(project: Project) -> AppPort:
    return project.memo(("space_config", "app_port"), lambda: _resolve(project))


def _resolve(project: Project) -> AppPort:
    matter = front_matter(project)
    source = matter.source
    if matter.status is Status.INVALID_YAML and source is not None and matter.body is not None:
        found = _APP_PORT_LINE.search(source.text, matter.body.start, matter.body.end)
        port = usable_port(found.group(1)) if found else None
        if found and port is not None:
            line = source.line_col(found.start(1))[0]
            return AppPort(port, f"README.md line {line}", line)
    entry = matter.get("app_port")
    if entry is None or source is None:
        return AppPort(DEFAULT_APP_PORT, f"default ({matter.path} sets no app_port)")
    line = source.line_col(entry.value_span.start)[0]
    port = usable_port(entry.value)
    if port is None:
        return AppPort(
            DEFAULT_APP_PORT, f"default (README.md line {line} is not a usable port)", line
        )
    return AppPort(port, f"README.md line {line}", line)
