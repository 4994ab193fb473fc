"""Run DF checks and fixes on small trees built in a temp dir."""

from __future__ import annotations

import itertools
from pathlib import Path

from hfdeploy.diagnostics import Diagnostic
from tests.support import check_tree, fix_tree, make_tree

APP = {
    "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "requirements.txt": "fastapi\nuvicorn\n",
}
_counter = itertools.count()

# A Dockerfile every DF check accepts (the shape the Spaces docs recommend, made builder-proof).
GOOD = """\
FROM python:3.11-slim
RUN useradd -m -u 1000 user
ENV HOME=/home/user PATH=/home/user/.local/bin:$PATH
WORKDIR /home/user/app
RUN chown user /home/user/app
USER user
COPY --chown=user requirements.txt requirements.txt
RUN pip install --no-cache-dir --user -r requirements.txt
COPY --chown=user . /home/user/app
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
"""
DOCKERIGNORE = "**/.env\n**/.env.*\n!.env.example\n.git\n**/.venv\n**/__pycache__\n**/*.db\n"


Files = dict[str, "str | None"]


def tree(tmp: Path, dockerfile: str | None, files: Files | None = None) -> Path:
    """APP + a complete .dockerignore + `dockerfile`; `files` adds (or, with None, removes)."""
    root = tmp / f"repo{next(_counter)}"
    content: dict[str, str | None] = {
        **APP,
        ".dockerignore": DOCKERIGNORE,
        "Dockerfile": dockerfile,
    }
    content.update(files or {})
    return make_tree(root, {k: v for k, v in content.items() if v is not None})


def findings(
    tmp: Path, code: str, dockerfile: str | None, files: Files | None = None
) -> list[Diagnostic]:
    return [d for d in check_tree(tree(tmp, dockerfile, files), code) if d.code == code]


def fixed(
    tmp: Path,
    code: str,
    dockerfile: str | None,
    files: Files | None = None,
    *,
    unsafe: bool = False,
) -> str:
    """The Dockerfile after `fix --write` with only `code` selected."""
    root = tree(tmp, dockerfile, files)
    fix_tree(root, code, unsafe=unsafe)
    return (root / "Dockerfile").read_text(encoding="utf-8")


def replace_cmd(cmd: str, base: str = GOOD) -> str:
    lines = base.splitlines(keepends=True)
    return "".join(lines[:-1]) + cmd + "\n"
