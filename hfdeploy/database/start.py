"""What the image runs at start, as far as the database cares: the root Dockerfile's
ENTRYPOINT and CMD (read through the dockerfile domain) and the text of the scripts they run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class Start:
    command: str  # ENTRYPOINT and CMD arguments, as written
    text: str  # the command and the text of every project script it names

    @property
    def runs_alembic(self) -> bool:
        return "alembic" in self.text


def image_start(project: Project) -> Start | None:
    """None when there is no root Dockerfile (the generated one runs `alembic upgrade head` for
    the root `alembic.ini`)."""

    def collect() -> Start | None:
        try:
            from hfdeploy.dockerfile.stage import runtime
        except ImportError:
            return None
        rt = runtime(project)
        if rt is None:
            return None
        parts = [s.ins.args.strip() for s in (rt.last("ENTRYPOINT"), rt.last("CMD")) if s]
        command = " ".join(parts)
        texts = [command]
        for word in command.replace('"', " ").replace("'", " ").replace(",", " ").split():
            name = word.strip("[]").removeprefix("./").removeprefix("/app/")
            if name and not name.startswith("-") and project.exists(PurePosixPath(name)):
                texts.append(project.text(PurePosixPath(name)) or "")
        return Start(command, "\n".join(texts))

    return project.memo("db-image-start", collect)
