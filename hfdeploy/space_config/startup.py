"""What the README's front matter says about the Space's start: its title and how long the
platform waits for the first answer (`startup_duration_timeout`, 30 minutes unless set)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hfdeploy.space_config.frontmatter import Status, front_matter
from hfdeploy.space_config.schema import duration_seconds

if TYPE_CHECKING:
    from hfdeploy.project import Project

DEFAULT_STARTUP_TIMEOUT = 30 * 60.0


def startup_timeout(project: Project) -> tuple[float, bool]:
    """(seconds, whether the README sets it)."""
    matter = front_matter(project)
    entry = matter.get("startup_duration_timeout") if matter.status is Status.OK else None
    if entry is not None and isinstance(entry.value, str):
        seconds = duration_seconds(entry.value)
        if seconds is not None:
            return seconds, True
    return DEFAULT_STARTUP_TIMEOUT, False


def space_title(project: Project) -> str | None:
    matter = front_matter(project)
    entry = matter.get("title") if matter.status is Status.OK else None
    return entry.value if entry is not None and isinstance(entry.value, str) else None
