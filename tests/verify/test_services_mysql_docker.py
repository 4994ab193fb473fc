"""verify's throwaway MySQL on the real engine: an app whose SQLAlchemy URL (PyMySQL) is a
required secret and an app that passes each part of the address to `pymysql.connect(...)` as
keywords both connect to it at start, serve a route that queries it, and leave no container
behind; the readiness check answers only once the final server (not the temporary one that
initialises the data directory) is up. Needs the `mysql:8` image (tests/docker/setup-engine.sh
builds an offline stand-in of the official image from Debian's MariaDB)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_DOCKER
from tests.verify.test_services_docker import exists
from tests.verify.test_verify_docker import Verify, copy_repo, finding

pytestmark = pytest.mark.docker
IMAGE = os.environ.get("HFDEPLOY_MYSQL_IMAGE") or "mysql:8"  # as verify picks it
SERVICE_PREFIX = "hfdeploy-verify-mysql-"


@pytest.fixture
def mysql_image(docker_client: Any) -> None:
    import docker

    try:
        docker_client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        problem = f"no {IMAGE} image on the engine (tests/docker/setup-engine.sh builds mysql:8)"
        if os.environ.get(REQUIRE_DOCKER) == "1":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


@pytest.fixture
def verify(capsys: pytest.CaptureFixture[str]) -> Verify:
    import json

    from hfdeploy.cli import main

    def run(root: Path, *args: str, format: str = "json") -> tuple[int, Any, str]:
        code = main(["verify", str(root), "--format", format, "--timeout", "90", *args])
        out = capsys.readouterr()
        return code, (json.loads(out.out) if format == "json" else out.out), out.err

    return run


def service_name(notes: str) -> str:
    match = re.search(SERVICE_PREFIX + r"[0-9a-f]+", notes)
    assert match, notes
    return match.group()


@pytest.mark.usefixtures("mysql_image")
def test_pymysql_url_from_a_secret_serves_on_the_service(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, _app_port, _ = copy_repo(tmp_path, "mysql_url")
    code, report, _err = verify(root)
    assert code == 0, report["findings"]
    env = {e["name"]: e for e in report["env"]}
    assert env["SHOP_DATABASE_URL"]["source"] == f"service {IMAGE}"
    started = finding(report, "RT022")
    assert started["message"].startswith(f"Started a throwaway MySQL ({IMAGE}, port ")
    assert "SHOP_DATABASE_URL" in started["message"]
    root_probe = next(p for p in report["probes"] if p["path"] == "/")
    assert root_probe["status"] == 200
    assert not exists(docker_client, service_name(" ".join(started["notes"])))  # removed


@pytest.mark.usefixtures("mysql_image")
def test_address_parts_passed_to_pymysql_connect_serve_on_the_service(
    tmp_path: Path, verify: Verify, docker_client: Any
) -> None:
    root, _app_port, _ = copy_repo(tmp_path, "mysql_parts")
    code, report, _err = verify(root, "--env", "MYSQL_DB=shop", format="text")
    assert code == 0, report
    assert f"RT022 info: Started a throwaway MySQL ({IMAGE}" in report
    for name in ("MYSQL_HOST", "MYSQL_PORT", "MYSQL_USER", "MYSQL_PASSWORD"):
        assert f"{name} (service {IMAGE}, database " in report
    assert "MYSQL_DB (--env)" in report
    assert "hfdeploy-placeholder-MYSQL_HOST" not in report
    assert not exists(docker_client, service_name(report))


@pytest.mark.usefixtures("mysql_image")
def test_ready_only_when_the_final_server_answers(tmp_path: Path, docker_client: Any) -> None:
    """Polled from the moment the container starts, the handshake succeeds only after the
    image's initialisation is done, and the user it creates can log in at that very moment."""
    from hfdeploy.verify.docker_client import DockerFailure, connect
    from hfdeploy.verify.services import MYSQL, DatabaseService, ServicePlan, mysql_handshake
    from hfdeploy.verify.settings import free_port

    client = connect()
    assert not isinstance(client, DockerFailure), client
    port = free_port()
    plan = ServicePlan(IMAGE, "mysql", port, "shopper", "pw-1234", "shop", {}, (), ())
    service = DatabaseService(client, plan)
    early: list[float] = []
    try:
        service.start()
        started = time.monotonic()
        while time.monotonic() - started < MYSQL.ready_timeout:
            if mysql_handshake("127.0.0.1", port, timeout=0.5):
                break
            early.append(time.monotonic())
            time.sleep(0.05)
        else:
            pytest.fail(f"no handshake within {MYSQL.ready_timeout}s")
        log = client.logs(service.name)
        assert "init process done" in log, log[-2000:]
        # The server that answered has the user and database initialisation created.
        login = docker_client.containers.get(service.name).exec_run(
            [
                "mysql",
                "-h127.0.0.1",
                f"-P{port}",
                "-ushopper",
                "-ppw-1234",
                "shop",
                "-e",
                "SELECT CURRENT_USER(), DATABASE()",
            ]
        )
        assert login.exit_code == 0, login.output
        assert b"shopper@%" in login.output and b"shop" in login.output
        assert len(early) > 3  # initialisation took a while, and was not taken for readiness
        outcome = service.result()
        assert outcome.ready, outcome
    finally:
        service.stop()
    assert not exists(docker_client, service.name)
    assert not mysql_handshake("127.0.0.1", port)
