"""DB012 in a real container: the repaired app starts and a route that queries the database
answers 200 instead of 500 with `no such table`.

Builds a small image (stand-in python:3.11-slim, three pinned packages) from the Dockerfile `fix`
generates; pip in the build reaches the package index, with this machine's pip configuration
isolated away."""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.cli import main

CASE = Path(__file__).parent.parent / "cases" / "DB012" / "sqlite_tables_never_created" / "before"
pytestmark = pytest.mark.docker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in [k for k in os.environ if k.startswith("PIP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    yield


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def routes(report: dict[str, Any]) -> dict[str, int]:
    return {p["path"]: p["status"] for p in report["probes"] if p["kind"] == "route"}


def test_db012_repaired_app_serves_a_database_route_in_a_real_container(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated: None, docker_client: Any
) -> None:
    root = shutil.copytree(CASE, tmp_path / "db012-schema")
    try:
        _check_fix_verify(root, capsys)
    finally:
        if docker_client.images.list(name="hfdeploy-verify/db012-schema"):
            docker_client.images.remove("hfdeploy-verify/db012-schema", force=True)


def _check_fix_verify(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (root / "README.md").write_text(
        f"---\ntitle: db012-schema\nsdk: docker\napp_port: {free_port()}\n---\n\n# db012-schema\n"
    )
    # Everything but the schema first: the generated image serves, the database route fails.
    run(capsys, "fix", str(root), "--write", "--select", "DF,DB", "--ignore", "DB012")
    assert (root / "Dockerfile").exists()
    code, out = run(capsys, "verify", str(root), "--format", "json", "--timeout", "90")
    report = json.loads(out)
    assert code == 1
    assert routes(report).get("/todos") == 500
    assert any("no such table" in note for f in report["findings"] for note in f["notes"])

    code, out = run(capsys, "check", str(root), "--select", "DB012", "--format", "json")
    assert [f["code"] for f in json.loads(out)] == ["DB012"]
    run(capsys, "fix", str(root), "--write", "--select", "DB012")
    assert "Base.metadata.create_all(bind=engine)" in (root / "app" / "main.py").read_text()

    code, out = run(capsys, "verify", str(root), "--format", "json", "--timeout", "90")
    report = json.loads(out)
    assert routes(report).get("/todos") == 200, report["findings"]
    assert not any("no such table" in note for f in report["findings"] for note in f["notes"]), (
        report["findings"]
    )


ALEMBIC_REPO = Path(__file__).parent / "repos" / "alembic_notes"


def test_failed_migration_stops_the_start_and_db011_fix_lets_it_serve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated: None, docker_client: Any
) -> None:
    """The generated start command runs `alembic upgrade head && exec uvicorn`: an env.py that
    cannot import the app stops the container (verify reports Alembic's error, no route is
    served with an empty schema); after DB011's fix the migration runs and the route answers."""
    root = shutil.copytree(ALEMBIC_REPO, tmp_path / "db011-alembic")
    (root / "README.md").write_text(
        f"---\ntitle: db011-alembic\nsdk: docker\napp_port: {free_port()}\n---\n\n# notes\n"
    )
    try:
        run(capsys, "fix", str(root), "--write", "--select", "DF,DB", "--ignore", "DB011")
        assert "alembic upgrade head && exec uvicorn" in (root / "Dockerfile").read_text()
        code, out = run(capsys, "verify", str(root), "--format", "json", "--timeout", "90")
        report = json.loads(out)
        assert code == 1
        assert routes(report) == {}
        texts = [f["message"] + " ".join(f["notes"]) for f in report["findings"]]
        assert any("No module named 'app'" in t for t in texts), report["findings"]

        run(capsys, "fix", str(root), "--write", "--select", "DB011")
        code, out = run(capsys, "verify", str(root), "--format", "json", "--timeout", "90")
        report = json.loads(out)
        assert routes(report).get("/notes") == 200, report["findings"]
    finally:
        if docker_client.images.list(name="hfdeploy-verify/db011-alembic"):
            docker_client.images.remove("hfdeploy-verify/db011-alembic", force=True)
