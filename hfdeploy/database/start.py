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
            from hfdeploy.dockerfile.server import repo_path
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
            if not name or name.startswith("-"):
                continue
            # A script named by its path in the image (`/startup.sh` copied from the root).
            if name.startswith("/"):  # a path in the image: never probed as a repository path
                path = repo_path(project, rt, name)
            else:
                path = PurePosixPath(name) if project.exists(PurePosixPath(name)) else None
                path = path or (repo_path(project, rt, name) if "/" in name else None)
            if path is not None:
                texts.append(project.text(path) or "")
        return Start(command, "\n".join(texts))

    return project.memo("db-image-start", collect)
