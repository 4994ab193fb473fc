"""The offline stand-ins tests/docker/setup-engine.sh builds behave as the official images do where
hfdeploy relies on them:

- `postgres:16` (tests/docker/postgres/): the POSTGRES_PASSWORD/USER/DB contract, extra server
  arguments after `postgres`, password authentication for host connections, a clean stop;
  a real driver in a container built from a python stand-in connects and queries it;
- the full `python:3.X` images have libpq (psycopg 3's pure-Python mode finds it with
  `ctypes.util.find_library("pq")`), the slim ones do not; both carry the same CA bundle.

Every container uses host networking and a free port; each test removes what it starts. The
client image installs a pinned driver with pip in the build (this machine's pip configuration
does not reach into a build; PIP_CONFIG_FILE=/dev/null there too) and is kept under a tag that
names its recipe, so later runs reuse it."""

from __future__ import annotations

import io
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.docker

POSTGRES = "postgres:16"
SETUP = "tests/docker/setup-engine.sh"
# psycopg2-binary brings its own libpq; psycopg (3) without its binary extra needs the image's.
CLIENT_REQUIREMENTS = "psycopg2-binary==2.9.10 psycopg==3.2.3"
CLIENT_TAG = "hfdeploy-test/pg-client:psycopg2-2.9.10-psycopg-3.2.3-r1"
CLIENT_BASE = "python:3.12"

CLIENT_SCRIPT = r"""
import os, sys
import psycopg2

args = dict(host="127.0.0.1", port=int(os.environ["PGPORT"]), user="app", dbname="appdb")
with psycopg2.connect(password="s3cret-pw", **args) as conn, conn.cursor() as cur:
    cur.execute("SELECT current_database(), current_user, 40 + 2, current_setting('server_version')")
    print("psycopg2", *cur.fetchone())
try:
    psycopg2.connect(password="wrong", **args)
except psycopg2.OperationalError as exc:
    print("wrong-password", str(exc).strip().splitlines()[-1])

import psycopg  # pure Python: loads the image's libpq through ctypes

print("psycopg-impl", psycopg.pq.__impl__)
with psycopg.connect(password="s3cret-pw", **args) as conn:
    print("psycopg", conn.execute("SELECT count(*) FROM pg_database WHERE datname = 'appdb'").fetchone()[0])
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def need_image(client: Any, tag: str) -> None:
    import docker

    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        pytest.fail(f"image {tag} missing: run `bash {SETUP}` first", pytrace=False)


def wait_ready(container: Any, timeout: float = 90.0) -> str:
    """The logs once the real server (not the temporary one initdb's step starts) is ready."""
    deadline = time.monotonic() + timeout
    logs: str = ""
    while time.monotonic() < deadline:
        container.reload()
        logs = container.logs().decode(errors="replace")
        _, done, after = logs.partition("PostgreSQL init process complete; ready for start up.")
        if done and "database system is ready to accept connections" in after:
            return logs
        if container.status == "exited":
            break
        time.sleep(0.5)
    pytest.fail(f"postgres stand-in not ready ({container.status}); logs:\n{logs[-3000:]}")


@pytest.fixture
def postgres(docker_client: Any) -> Iterator[tuple[Any, int]]:
    need_image(docker_client, POSTGRES)
    port = free_port()
    container = docker_client.containers.run(
        POSTGRES,
        ["postgres", "-p", str(port)],
        name=f"hfdeploy-test-pg-{uuid.uuid4().hex[:10]}",
        environment={
            "POSTGRES_PASSWORD": "s3cret-pw",
            "POSTGRES_USER": "app",
            "POSTGRES_DB": "appdb",
        },
        network_mode="host",
        detach=True,
    )
    try:
        yield container, port
    finally:
        container.remove(force=True)


@pytest.fixture(scope="module")
def client_image(docker_client: Any) -> str:
    import docker

    try:
        docker_client.images.get(CLIENT_TAG)
        return CLIENT_TAG
    except docker.errors.ImageNotFound:
        pass
    need_image(docker_client, CLIENT_BASE)
    dockerfile = (
        f"FROM {CLIENT_BASE}\n"
        f"RUN PIP_CONFIG_FILE=/dev/null pip install --no-cache-dir {CLIENT_REQUIREMENTS}\n"
    )
    docker_client.images.build(
        fileobj=io.BytesIO(dockerfile.encode()), tag=CLIENT_TAG, network_mode="host", rm=True
    )
    return CLIENT_TAG


def test_postgres_standin_serves_a_password_database_to_real_drivers(
    docker_client: Any, postgres: tuple[Any, int], client_image: str
) -> None:
    container, port = postgres
    logs = wait_ready(container)
    assert f'listening on IPv4 address "0.0.0.0", port {port}' in logs
    out = docker_client.containers.run(
        client_image,
        ["python3", "-c", CLIENT_SCRIPT],
        environment={"PGPORT": str(port)},
        network_mode="host",
        remove=True,
    ).decode()
    lines = out.splitlines()
    assert "psycopg2 appdb app 42 16.2" in lines, out
    assert any(
        line.startswith("wrong-password")
        and 'password authentication failed for user "app"' in line
        for line in lines
    ), out
    assert "psycopg-impl python" in lines, out
    assert "psycopg 1" in lines, out

    started = time.monotonic()
    container.stop(timeout=30)
    container.reload()
    assert container.attrs["State"]["ExitCode"] == 0
    assert time.monotonic() - started < 15
    assert "database system is shut down" in container.logs().decode(errors="replace")


def test_postgres_standin_refuses_to_start_without_a_password(docker_client: Any) -> None:
    need_image(docker_client, POSTGRES)
    container = docker_client.containers.run(
        POSTGRES, ["-p", str(free_port())], network_mode="host", detach=True
    )
    try:
        result = container.wait(timeout=60)
        logs = container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)
    assert result["StatusCode"] == 1
    assert "superuser password is not specified" in logs


def test_postgres_standin_runs_other_commands_as_given(docker_client: Any) -> None:
    need_image(docker_client, POSTGRES)
    out = docker_client.containers.run(
        POSTGRES, ["pg_isready", "--version"], network_mode="host", remove=True
    ).decode()
    assert out.startswith("pg_isready (PostgreSQL) 16.")


FIND_PQ = "import ctypes.util; print(ctypes.util.find_library('pq'))"


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_full_python_standins_have_libpq_and_slim_ones_do_not(
    docker_client: Any, version: str
) -> None:
    found = {}
    for tag in (f"python:{version}", f"python:{version}-slim"):
        need_image(docker_client, tag)
        out = docker_client.containers.run(
            tag, ["python3", "-c", FIND_PQ], network_mode="host", remove=True
        )
        found[tag] = out.decode().strip()
    assert found == {f"python:{version}": "libpq.so.5", f"python:{version}-slim": "None"}


# -- mysql:8 (tests/docker/mysql/): Debian's MariaDB with the official image's MYSQL_* contract --

MYSQL = "mysql:8"


def mysql_ready(container: Any, timeout: float = 120.0) -> str:
    """The logs once the final server (started after the temporary one) is ready."""
    deadline = time.monotonic() + timeout
    logs = ""
    while time.monotonic() < deadline:
        container.reload()
        logs = container.logs().decode(errors="replace")
        _, done, after = logs.partition("MySQL init process done. Ready for start up.")
        if done and "ready for connections" in after:
            return logs
        if container.status == "exited":
            break
        time.sleep(0.5)
    pytest.fail(f"mysql stand-in not ready ({container.status}); logs:\n{logs[-3000:]}")


def test_mysql_standin_keeps_the_official_contract(docker_client: Any) -> None:
    need_image(docker_client, MYSQL)
    port = free_port()
    container = docker_client.containers.run(
        MYSQL,
        [f"--port={port}"],  # options alone go to mysqld
        name=f"hfdeploy-test-mysql-{uuid.uuid4().hex[:10]}",
        environment={
            "MYSQL_ROOT_PASSWORD": "r00t-pw",
            "MYSQL_DATABASE": "shop",
            "MYSQL_USER": "app",
            "MYSQL_PASSWORD": "it's-s3cret",  # a quote: the entrypoint escapes it
        },
        network_mode="host",
        detach=True,
    )
    try:
        logs = mysql_ready(container)
        # the temporary server of the initialisation listened on no TCP port; the final one on
        # the port given
        before, _, after = logs.partition("MySQL init process done.")
        assert "ready for connections" in before and "port: 0 " in before
        assert f"port: '{port}'" not in before and f"port: {port} " in after

        def sql(user: str, password: str, query: str, database: str = "") -> tuple[int, str]:
            command = ["mysql", "-h127.0.0.1", f"-P{port}", f"-u{user}", f"-p{password}", "-N"]
            result = container.exec_run([*command, *([database] if database else []), "-e", query])
            return result.exit_code, result.output.decode(errors="replace")

        assert sql("app", "it's-s3cret", "SELECT CURRENT_USER(), DATABASE()", "shop") == (
            0,
            "app@%\tshop\n",
        )
        code, out = sql("app", "it's-s3cret", "CREATE DATABASE other")
        assert code != 0 and "Access denied" in out
        code, out = sql("app", "wrong", "SELECT 1")
        assert code != 0 and "Access denied for user 'app'" in out
        assert sql("root", "r00t-pw", "SELECT COUNT(*) FROM mysql.user WHERE User = ''") == (
            0,
            "0\n",
        )
        started = time.monotonic()
        container.stop(timeout=30)
        container.reload()
        assert container.attrs["State"]["ExitCode"] == 0
        assert time.monotonic() - started < 15
        assert "Shutdown complete" in container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)


def test_mysql_standin_refuses_to_start_without_a_password(docker_client: Any) -> None:
    need_image(docker_client, MYSQL)
    container = docker_client.containers.run(
        MYSQL, [f"--port={free_port()}"], network_mode="host", detach=True
    )
    try:
        result = container.wait(timeout=60)
        logs = container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)
    assert result["StatusCode"] == 1
    assert "password option is not specified" in logs


def test_mysql_standin_runs_other_commands_as_given(docker_client: Any) -> None:
    need_image(docker_client, MYSQL)
    out = docker_client.containers.run(
        MYSQL, ["mysql", "--version"], network_mode="host", remove=True
    ).decode()
    assert "MariaDB" in out


CA_BUNDLE_DIGEST = "import hashlib; print(hashlib.sha256(open('/etc/ssl/certs/ca-certificates.crt', 'rb').read()).hexdigest())"


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_full_python_standins_keep_the_slim_ca_bundle(docker_client: Any, version: str) -> None:
    """Installing Debian's ca-certificates regenerates the bundle without the chain this machine
    reaches the package index through; the full stand-in must keep its slim image's bundle, or
    pip, git and curl in any build FROM python:3.X fail with CERTIFICATE_VERIFY_FAILED."""
    digests = {}
    for tag in (f"python:{version}", f"python:{version}-slim"):
        need_image(docker_client, tag)
        out = docker_client.containers.run(
            tag, ["python3", "-c", CA_BUNDLE_DIGEST], network_mode="host", remove=True
        )
        digests[tag] = out.decode().strip()
    assert len(set(digests.values())) == 1, digests


PEP668_MARKERS = (
    "import glob, sysconfig; "
    "print(sorted(glob.glob(sysconfig.get_paths()['stdlib'] + '/EXTERNALLY-MANAGED')))"
)


@pytest.mark.parametrize("version", ["3.11", "3.12"])
def test_python_standins_let_pip_install_as_root(docker_client: Any, version: str) -> None:
    """The official images carry no PEP 668 marker; a Debian update of libpython3.X-stdlib in the
    full stand-in's apt step brings it back, and every `RUN pip install` then stops with
    `error: externally-managed-environment`."""
    for tag in (f"python:{version}", f"python:{version}-slim"):
        need_image(docker_client, tag)
        out = docker_client.containers.run(
            tag, ["python3", "-c", PEP668_MARKERS], network_mode="host", remove=True
        )
        assert out.decode().strip() == "[]", tag
