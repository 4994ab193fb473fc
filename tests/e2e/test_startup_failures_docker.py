"""Three start failures a static check knows (DF003's account evidence, PY004, RQ015), on a real
engine: each fixture image fails in `verify` (run as uid 1000, as a Space runs it), `check`
reports the rule as an error, and after `fix --write` of that rule the same image serves."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.cli import main
from hfdeploy.diagnostics import Severity
from tests.support import check_tree, make_tree

pytestmark = pytest.mark.docker

PINS = "fastapi==0.165.0\nuvicorn==0.54.0\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


def readme(port: int) -> str:
    return f"---\ntitle: t\nsdk: docker\napp_port: {port}\n---\n"


def run_case(
    root: Path,
    code: str,
    capsys: pytest.CaptureFixture[str],
    docker_client: Any,
    failing: set[str],
    route: str,
) -> dict[str, Any]:
    """verify fails with one of `failing`; check reports `code` as an error; fix --write of
    `code` leaves nothing of it; verify then serves `route` with 200 as uid 1000."""

    def verify() -> tuple[int, dict[str, Any]]:
        result = main(["verify", str(root), "--format", "json", "--timeout", "90"])
        return result, json.loads(capsys.readouterr().out)

    images: set[str] = set()
    try:
        status, report = verify()
        images.add(report["image"])
        assert status == 1, report
        assert report["run_as"] == "uid 1000"
        errors = {f["code"] for f in report["findings"] if f["severity"] == "error"}
        assert errors & failing, report["findings"]

        found = [d for d in check_tree(root, code) if d.severity is Severity.ERROR]
        assert [d.code for d in found] == [code]

        assert main(["fix", str(root), "--write", "--select", code]) == 0
        capsys.readouterr()
        assert check_tree(root, code) == []

        status, report = verify()
        images.add(report["image"])
        assert status == 0, json.dumps(report["findings"])[:3000]
        assert report["uid"] == 1000
        routes = {p["path"]: p["status"] for p in report["probes"] if p["kind"] == "route"}
        assert routes.get(route) == 200, report["probes"]
        return report
    finally:
        for image in images:
            try:
                docker_client.images.remove(image, force=True)
            except Exception:
                pass


def test_df003_account_for_getuser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], docker_client: Any
) -> None:
    """A root image (no USER) whose route calls getpass.getuser(): as uid 1000 without a
    passwd entry it answers 500 (`KeyError: 'getpwuid(): uid not found: 1000'`)."""
    port = free_port()
    root = make_tree(
        tmp_path / f"df003-account-{uuid.uuid4().hex[:8]}",
        {
            "Dockerfile": (
                "FROM python:3.11-slim\n"
                "WORKDIR /srv\n"
                "COPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n"
                "COPY . .\n"
                f"HEALTHCHECK CMD python -c \"import urllib.request as u; u.urlopen('http://localhost:{port}/whoami')\"\n"
                f'CMD ["uvicorn", "api:app", "--host", "0.0.0.0", "--port", "{port}", '
                '"--proxy-headers", "--forwarded-allow-ips", "*"]\n'
            ),
            "api.py": (
                "import getpass\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                '@app.get("/whoami")\ndef whoami() -> dict[str, str]:\n'
                '    return {"user": getpass.getuser()}\n'
            ),
            "requirements.txt": PINS,
            "README.md": readme(port),
            ".dockerignore": ".git\n",
        },
    )
    run_case(root, "DF003", capsys, docker_client, {"RT005"}, "/whoami")
    dockerfile = (root / "Dockerfile").read_text()
    assert "useradd -m -u 1000 user" in dockerfile and "USER user" in dockerfile


def test_py004_package_folder_started_from_inside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], docker_client: Any
) -> None:
    """`uvicorn main:app` started inside a folder whose modules import each other with `.`:
    `ImportError: attempted relative import with no known parent package`."""
    port = free_port()
    root = make_tree(
        tmp_path / f"py004-{uuid.uuid4().hex[:8]}",
        {
            "Dockerfile": (
                "FROM python:3.11-slim\n"
                "RUN useradd -m -u 1000 user\n"
                "WORKDIR /srv/shelf\n"
                "COPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n"
                "COPY --chown=user . .\n"
                "USER user\n"
                f'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "{port}", '
                '"--proxy-headers", "--forwarded-allow-ips", "*"]\n'
            ),
            "main.py": (
                "from fastapi import FastAPI\n\nfrom .routers import items\n\n"
                "app = FastAPI()\napp.include_router(items.router)\n"
            ),
            "routers/__init__.py": "",
            "routers/items.py": (
                "from fastapi import APIRouter\n\nfrom ..store import ITEMS\n\n"
                'router = APIRouter()\n\n\n@router.get("/items")\n'
                "def list_items() -> list[str]:\n    return ITEMS\n"
            ),
            "store.py": 'ITEMS = ["lamp", "chair"]\n',
            "requirements.txt": PINS,
            "README.md": readme(port),
            ".dockerignore": ".git\n",
        },
    )
    run_case(root, "PY004", capsys, docker_client, {"RT003"}, "/items")
    assert '"shelf.main:app"' in (root / "Dockerfile").read_text()


def test_rq015_psycopg_in_slim_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], docker_client: Any
) -> None:
    """psycopg 3 alone in the slim image: `ImportError: no pq wrapper available` at import."""
    port = free_port()
    root = make_tree(
        tmp_path / f"rq015-{uuid.uuid4().hex[:8]}",
        {
            "Dockerfile": (
                "FROM python:3.11-slim\n"
                "RUN useradd -m -u 1000 user\n"
                "WORKDIR /home/user/app\n"
                "COPY requirements.txt .\n"
                "RUN pip install --no-cache-dir -r requirements.txt\n"
                "COPY --chown=user . .\n"
                "USER user\n"
                f'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "{port}", '
                '"--proxy-headers", "--forwarded-allow-ips", "*"]\n'
            ),
            "main.py": (
                "import psycopg\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
                '@app.get("/driver")\ndef driver() -> dict[str, str]:\n'
                '    return {"libpq": str(psycopg.pq.version())}\n'
            ),
            "requirements.txt": PINS + "psycopg==3.2.3\n",
            "README.md": readme(port),
            ".dockerignore": ".git\n",
        },
    )
    run_case(root, "RQ015", capsys, docker_client, {"RT003"}, "/driver")
    assert "psycopg[binary]==3.2.3" in (root / "requirements.txt").read_text()
