"""Front matter written from scratch, for a README.md that has none (or no README.md at all)."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from hfdeploy.space_config.app_port import app_port
from hfdeploy.space_config.frontmatter import yaml_scalar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    from hfdeploy.project import Project

DEFAULT_EMOJI = "🚀"
DEFAULT_COLORS = ("blue", "indigo")


def project_title(project: Project) -> str:
    """The project's name from pyproject.toml ([project] or [tool.poetry]), else its directory."""
    text = project.text("pyproject.toml")
    if text:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
        tool = data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        for table in (data.get("project"), poetry):
            name = table.get("name") if isinstance(table, dict) else None
            if isinstance(name, str) and name.strip():
                return name.strip()
    return project.root.name or "FastAPI app"


def front_matter_lines(project: Project) -> list[str]:
    """`key: value` lines of a minimal valid Docker Space configuration, without delimiters."""
    color_from, color_to = DEFAULT_COLORS
    return [
        f"title: {yaml_scalar(project_title(project))}",
        f"emoji: {DEFAULT_EMOJI}",
        f"colorFrom: {color_from}",
        f"colorTo: {color_to}",
        "sdk: docker",
        f"app_port: {app_port(project)}",
        "pinned: false",
    ]


def front_matter_block(project: Project, newline: str) -> str:
    lines = ["---", *front_matter_lines(project), "---"]
    return newline.join(lines) + newline


def new_readme(project: Project) -> str:
    title = project_title(project)
    heading = re.sub(r"\s+", " ", title)
    return front_matter_block(project, "\n") + f"\n# {heading}\n"
