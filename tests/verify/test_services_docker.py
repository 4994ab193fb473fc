"""verify's throwaway PostgreSQL on the real engine: an async app whose URL is a required
setting and an app that assembles its URL from DB_HOST/DB_PORT/... both connect to it at start,
serve a route that queries it, and leave no container behind. Needs the `postgres:16` image
(tests/docker/setup-engine.sh builds an offline stand-in of the official image)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.cli import main
from tests.conftest import REQUIRE_DOCKER
from tests.verify.test_verify_docker import Verify, copy_repo, finding

pytestmark = pytest.mark.docker
SERVICE_PREFIX = "hfdeploy-verify-postgres-"
IMAGE = os.environ.get("HFDEPLOY_POSTGRES_IMAGE") or "postgres:16"  # as verify picks it


@pytest.fixture
def postgres_image(docker_client: Any) -> None:
    import docker

    try:
        docker_client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        problem = (
            f"no {IMAGE} image on the engine (tests/docker/setup-engine.sh builds postgres:16)"
        )
        if os.environ.get(REQUIRE_DOCKER) == "1":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


@pytest.fixture
def verify(capsys: pytest.CaptureFixture[str]) -> Verify:
    def run(root: Path, *args: str, format: str = "json") -> tuple[int, Any, str]:
        code = main(["verify", str(root), "--format", format, "--timeout", "90", *args])
        out = capsys.readouterr()
        return code, (json.loads(out.out) if format == "json" else out.out), out.err

    return run


def service_name(notes: str) -> str:
    """The service container RT022 names (other runs on this engine may have their own)."""
    match = re.search(SERVICE_PREFIX + r"[0-9a-f]+", notes)
    assert match, notes
    return match.group()


def exists(client: Any, name: str) -> bool:
    return bool(client.containers.list(all=True, filters={"name": name}))


@pytest.mark.usefixtures("postgres_image")
def test_async_app_with_a_required_url_setting_serves_on_the_service(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, _app_port, _ = copy_repo(tmp_path, "pg_async_settings")
    code, report, _err = verify(root)
    assert code == 0, report["findings"]
    env = {e["name"]: e for e in report["env"]}
    assert env["NOTES_DATABASE_URL"]["source"] == f"service {IMAGE}"
    started = finding(report, "RT022")
    assert "NOTES_DATABASE_URL" in started["message"]
    assert next(p["status"] for p in report["probes"] if p["path"] == "/") == 200
    assert not exists(docker_client, service_name(" ".join(started["notes"])))  # removed

    code, report, _err = verify(root, "--services", "none")
    assert code == 1  # the SQLite placeholder: no async SQLite driver in the image
    assert "placeholder values for NOTES_DATABASE_URL" in " ".join(
        finding(report, "RT003")["notes"]
    )
    assert "RT022" not in {f["code"] for f in report["findings"]}


@pytest.mark.usefixtures("postgres_image")
def test_app_assembling_its_url_from_parts_serves_on_the_service(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, _app_port, _ = copy_repo(tmp_path, "pg_parts")
    code, report, _err = verify(root, "--env", "DB_NAME=notes", format="text")
    assert code == 0, report
    assert f"RT022 info: Started a throwaway PostgreSQL ({IMAGE}" in report
    for name in ("DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD"):
        assert f"{name} (service {IMAGE}, database " in report
    assert "DB_NAME (--env)" in report
    assert not exists(docker_client, service_name(report))
