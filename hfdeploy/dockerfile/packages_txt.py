"""`packages.txt`: the Debian packages a Space of the Gradio/Streamlit SDKs installs with apt.
A Docker Space never reads it; the Dockerfile must install them. Shared by DF034."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hfdeploy.project import Project

PACKAGES_TXT = PurePosixPath("packages.txt")


@dataclass(frozen=True)
class Package:
    name: str
    line: int  # 1-based


def packages_txt(project: Project) -> list[Package] | None:
    """The package names listed, one a line (comments and blank lines skipped); None when
    the file does not exist."""
    text = project.text(PACKAGES_TXT)
    if text is None:
        return None
    found: list[Package] = []
    for number, line in enumerate(text.splitlines(), 1):
        value = line.split("#", 1)[0].strip()
        found.extend(Package(word, number) for word in value.split())
    return found
