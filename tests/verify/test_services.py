"""verify's throwaway database (hfdeploy/verify/services.py) through the fake engine: when it
runs, what the app gets, the fallback to placeholders, and that its container is always
removed. tests/verify/test_services_docker.py runs the real postgres:16 image."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.verify.docker_client import BuildFailed, ContainerState, DockerFailure
from hfdeploy.verify.services import NoService, ServicePlan, accepts_connections, plan_service
from hfdeploy.verify.settings import VerifyOptions, container_env, free_port
from hfdeploy.verify.verify import verify_project
from tests.support import make_tree, project_for
from tests.verify.fake_docker import FakeDocker

DOCKERFILE = (
    "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    "COPY . .\nCMD uvicorn main:app --host 0.0.0.0 --port 7860\n"
)
ASYNC_APP = {
    "Dockerfile": DOCKERFILE,
    "requirements.txt": "fastapi\nuvicorn\nsqlalchemy\nasyncpg\npydantic-settings\n",
    "config.py": (
        "from pydantic_settings import BaseSettings\n\n"
        "class Settings(BaseSettings):\n    DATABASE_URL: str\n    SECRET_KEY: str\n\n"
        "settings = Settings()\n"
    ),
    "main.py": (
        "from fastapi import FastAPI\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "from config import settings\n"
        "engine = create_async_engine(settings.DATABASE_URL)\napp = FastAPI()\n"
    ),
}
PARTS_APP = {
    "Dockerfile": DOCKERFILE,
    "requirements.txt": "fastapi\nuvicorn\nsqlalchemy\npsycopg2-binary\n",
    "main.py": (
        "import os\nfrom fastapi import FastAPI\nfrom sqlalchemy import create_engine\n"
        "url = 'postgresql://{}:{}@{}:{}/{}'.format(os.environ['DB_USER'], "
        "os.environ['DB_PASSWORD'], os.environ['DB_HOST'], os.environ['DB_PORT'], "
        "os.environ['DB_NAME'])\n"
        "engine = create_engine(url)\napp = FastAPI()\n"
    ),
}


@pytest.fixture(autouse=True)
def local_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///fake.sock")


class FakePostgres:
    """Answers PostgreSQL's SSLRequest with `N`, as a server without SSL does."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(8)
                conn.sendall(b"N")

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.sock.close()


@dataclass
class FakeWithPostgres(FakeDocker):
    """The fake engine, with a `postgres:16` image whose container is a FakePostgres."""

    has_image: bool = True
    service_exits: bool = False
    services: dict[str, Any] = field(default_factory=dict)
    service_env: dict[str, str] = field(default_factory=dict)
    servers: dict[str, FakePostgres] = field(default_factory=dict)

    def image_id(self, image: str) -> str | None:
        return "sha256:pg" if image == "postgres:16" and self.has_image else None

    def create(self, image: str, **options: Any) -> str | DockerFailure:
        if image == "postgres:16":
            self.calls.append(("create service", options))
            self.services[options["name"]] = options
            self.service_env = options["env"]
            return options["name"]
        return super().create(image, **options)

    def start(self, container: str) -> DockerFailure | None:
        if container in self.services:
            if not self.service_exits:
                port = int(self.services[container]["command"][-1])
                self.servers[container] = FakePostgres(port)
            return None
        return super().start(container)

    def state(self, container: str) -> ContainerState | DockerFailure:
        if container in self.services:
            return ContainerState(False, 1) if self.service_exits else ContainerState(True, None)
        return super().state(container)

    def logs(self, container: str) -> str:
        if container in self.services:
            return "initdb: error: could not create directory\n"
        return super().logs(container)

    def remove(self, container: str) -> DockerFailure | None:
        if container in self.services:
            self.removed.append(container)
            server = self.servers.pop(container, None)
            if server is not None:
                server.close()
            return None
        return super().remove(container)


def options(**extra: Any) -> VerifyOptions:
    return VerifyOptions(
        **{"network": "host", "timeout": 5.0, "builder": "legacy", "port": free_port(), **extra}
    )


def run(tmp_path: Path, fake: FakeDocker, files: dict[str, str], **extra: Any) -> Any:
    root = make_tree(tmp_path / "shop", files)
    return verify_project(project_for(root), options(**extra), fake)


def plan(tmp_path: Path, files: dict[str, str], **extra: Any) -> Any:
    project = project_for(make_tree(tmp_path / "shop", files))
    opts = options(**extra)
    env, settings = container_env(project, opts)
    return plan_service(project, opts, settings, env)


def test_plan_for_an_async_app(tmp_path: Path) -> None:
    found = plan(tmp_path, ASYNC_APP)
    assert isinstance(found, ServicePlan)
    assert found.replaces == ("DATABASE_URL",)
    url = found.env["DATABASE_URL"]
    assert url == (f"postgresql+asyncpg://hfdeploy:{found.password}@127.0.0.1:{found.port}/app")
    assert found.command == ["postgres", "-p", str(found.port)]
    assert found.server_env == {
        "POSTGRES_USER": "hfdeploy",
        "POSTGRES_PASSWORD": found.password,
        "POSTGRES_DB": "app",
        "POSTGRES_INITDB_ARGS": "--no-sync",
    }
    assert "SECRET_KEY" not in found.env


def test_plan_for_parts(tmp_path: Path) -> None:
    found = plan(tmp_path, PARTS_APP, env=("DB_NAME=shop",))
    assert isinstance(found, ServicePlan)
    assert found.env == {
        "DB_USER": "hfdeploy",
        "DB_PASSWORD": found.password,
        "DB_HOST": "127.0.0.1",
        "DB_PORT": str(found.port),
    }
    assert found.database == "shop"  # the name the user gave is the one created


def test_a_host_in_a_url_without_a_port_gets_the_service_port_with_it(tmp_path: Path) -> None:
    """`f"postgresql://{user}:{pw}@{host}/{db}"` names no port: the default (5432) is not the
    throwaway server's, so the host variable carries it (`127.0.0.1:PORT` in a URL string)."""
    app = dict(
        PARTS_APP,
        **{
            "main.py": (
                "import os\nfrom fastapi import FastAPI\nfrom sqlalchemy import create_engine\n"
                "user = os.environ['DB_USER']\npw = os.environ['DB_PASSWORD']\n"
                "host = os.environ['DB_HOST']\nname = os.environ['DB_NAME']\n"
                "engine = create_engine(f'postgresql://{user}:{pw}@{host}/{name}')\n"
                "app = FastAPI()\n"
            )
        },
    )
    found = plan(tmp_path / "a", app)
    assert isinstance(found, ServicePlan)
    assert found.env["DB_HOST"] == f"127.0.0.1:{found.port}"
    # With a port in the URL the host stays a plain address.
    with_port = plan(tmp_path / "b", PARTS_APP)
    assert isinstance(with_port, ServicePlan) and with_port.env["DB_HOST"] == "127.0.0.1"


def test_no_plan(tmp_path: Path) -> None:
    assert plan(tmp_path / "a", ASYNC_APP, services="none") is None
    given = plan(tmp_path / "b", ASYNC_APP, env=("DATABASE_URL=postgresql+asyncpg://u:p@db/x",))
    assert given is None
    host_given = plan(tmp_path / "c", PARTS_APP, env=("DB_HOST=db.example.com",))
    assert host_given is None
    bridge = plan(tmp_path / "d", ASYNC_APP, network="bridge")
    assert isinstance(bridge, NoService) and "host network" in bridge.reason
    sqlite = dict(ASYNC_APP, **{"requirements.txt": "fastapi\nsqlalchemy\naiosqlite\n"})
    assert plan(tmp_path / "e", sqlite) is None


def test_the_app_gets_the_service_and_it_is_removed(tmp_path: Path) -> None:
    fake = FakeWithPostgres()
    report = run(tmp_path, fake, ASYNC_APP)
    assert report.exit_code == 0, report.findings
    service = next(iter(fake.services.values()))
    port = service["command"][-1]
    assert service["network"] == "host"
    app_env = fake.created["env"]
    assert app_env["DATABASE_URL"].startswith("postgresql+asyncpg://hfdeploy:")
    assert app_env["DATABASE_URL"].endswith(f"@127.0.0.1:{port}/app")
    assert app_env["SECRET_KEY"] == "hfdeploy-placeholder-SECRET_KEY"
    sources = {e.name: e.source for e in report.env}
    assert sources["DATABASE_URL"] == "service postgres:16"
    found = {f.code: f for f in report.findings}
    assert "RT022" in found and "DATABASE_URL" in found["RT022"].message
    assert "DATABASE_URL" not in found["RT008"].message  # no longer a placeholder
    assert fake.removed == ["container-1", service["name"]]  # the app first, then its database
    assert not accepts_connections("127.0.0.1", int(port))


def test_no_image_falls_back_to_placeholders(tmp_path: Path) -> None:
    fake = FakeWithPostgres(has_image=False)
    report = run(tmp_path, fake, ASYNC_APP)
    assert ("pull", "postgres:16") in fake.calls
    assert fake.services == {}
    found = {f.code: f for f in report.findings}
    assert "no image postgres:16 on the engine" in found["RT023"].message
    assert "RT022" not in found
    assert fake.created["env"]["DATABASE_URL"].startswith("sqlite+aiosqlite:///")


def test_a_server_that_exits_falls_back_with_its_log(tmp_path: Path) -> None:
    fake = FakeWithPostgres(service_exits=True)
    report = run(tmp_path, fake, PARTS_APP)
    found = {f.code: f for f in report.findings}
    assert "the server exited with code 1" in found["RT023"].message
    assert any("initdb: error" in n for n in found["RT023"].notes)
    assert fake.created["env"]["DB_HOST"] == "hfdeploy-placeholder-DB_HOST"
    assert fake.removed == ["container-1", *fake.services]


def test_a_failed_build_still_removes_the_service(tmp_path: Path) -> None:
    fake = FakeWithPostgres(build_result=BuildFailed("pip failed"))
    report = run(tmp_path, fake, ASYNC_APP)
    assert report.exit_code == 1
    assert fake.removed == list(fake.services)


def test_an_interrupt_removes_the_service(tmp_path: Path) -> None:
    fake = FakeWithPostgres(interrupt_on_state=True)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, fake, ASYNC_APP)
    assert set(fake.removed) == {*fake.services, "container-1"}


def test_services_none_keeps_the_placeholders(tmp_path: Path) -> None:
    fake = FakeWithPostgres()
    report = run(tmp_path, fake, ASYNC_APP, services="none")
    assert fake.services == {}
    assert {f.code for f in report.findings}.isdisjoint({"RT022", "RT023"})


def test_keep_leaves_the_database_running_with_the_app(tmp_path: Path) -> None:
    from hfdeploy.verify.report import render_text

    fake = FakeWithPostgres()
    report = run(tmp_path, fake, ASYNC_APP, keep=True)
    (name,) = fake.services
    assert report.container is not None and report.kept_services == [name]
    assert fake.removed == []
    assert f"Its database {name} keeps running too: `docker rm -f {name}`." in render_text(report)
    fake.remove(name)
    fake.remove("container-1")


# -- MySQL ----------------------------------------------------------------------------------------

MYSQL_URL_APP = {
    "Dockerfile": DOCKERFILE,
    "requirements.txt": "fastapi\nuvicorn\nsqlalchemy\npymysql\n",
    "main.py": (
        "import os\nfrom fastapi import FastAPI\nfrom sqlalchemy import create_engine\n"
        "engine = create_engine(os.environ['SHOP_DATABASE_URL'])\napp = FastAPI()\n"
    ),
}
MYSQL_PARTS_APP = {
    "Dockerfile": DOCKERFILE,
    "requirements.txt": "fastapi\nuvicorn\naiomysql\n",
    "db.py": (
        "import os\nimport aiomysql\n\n"
        "async def pool():\n"
        "    return await aiomysql.create_pool(host=os.environ['DB_HOST'],\n"
        "        port=int(os.environ['DB_PORT']), user=os.environ['DB_USER'],\n"
        "        password=os.environ['DB_PASSWORD'], db=os.environ['DB_NAME'])\n"
    ),
    "main.py": "from fastapi import FastAPI\nimport db\napp = FastAPI()\n",
}
HANDSHAKE = b"\x4a\x00\x00\x00\x0a" + b"8.0.40\x00" + b"\x00" * 66  # length 74, seq 0, protocol 10


class FakeServer:
    """Accepts connections on a port and answers each with `greeting` (nothing when empty)."""

    def __init__(self, port: int, greeting: bytes) -> None:
        self.greeting = greeting
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.greeting:
                conn.sendall(self.greeting)
                conn.close()
            else:
                self.open.append(conn)  # silent: holds the connection

    def close(self) -> None:
        for conn in self.open:
            conn.close()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


@dataclass
class FakeWithMySQL(FakeWithPostgres):
    """The fake engine, with a `mysql:8` image whose container greets as a MySQL server."""

    greeting: bytes = HANDSHAKE

    def image_id(self, image: str) -> str | None:
        return "sha256:my" if image == "mysql:8" and self.has_image else None

    def create(self, image: str, **options: Any) -> str | DockerFailure:
        if image == "mysql:8":
            self.calls.append(("create service", options))
            self.services[options["name"]] = options
            self.service_env = options["env"]
            return options["name"]
        return FakeDocker.create(self, image, **options)

    def start(self, container: str) -> DockerFailure | None:
        if container in self.services:
            port = int(self.services[container]["command"][-1].removeprefix("--port="))
            self.servers[container] = FakeServer(port, self.greeting)  # type: ignore[assignment]
            return None
        return FakeDocker.start(self, container)


def test_mysql_handshake_is_the_only_readiness(tmp_path: Path) -> None:
    """A server's greeting (protocol 10) is ready; an error packet (too many connections, host
    blocked), PostgreSQL's answer, silence or a closed port are not."""
    from hfdeploy.verify.services import mysql_handshake

    error = b"\x17\x00\x00\x00\xff\x10\x04Too many connections"
    for greeting, ready in [(HANDSHAKE, True), (error, False), (b"N", False), (b"", False)]:
        port = free_port()
        server = FakeServer(port, greeting)
        try:
            assert mysql_handshake("127.0.0.1", port, timeout=0.5) is ready, greeting
        finally:
            server.close()
    assert not mysql_handshake("127.0.0.1", free_port(), timeout=0.5)


def test_plan_for_a_mysql_url(tmp_path: Path) -> None:
    found = plan(tmp_path, MYSQL_URL_APP)
    assert isinstance(found, ServicePlan)
    assert found.image == "mysql:8" and found.family == "mysql"
    assert found.env == {
        "SHOP_DATABASE_URL": (
            f"mysql+pymysql://hfdeploy:{found.password}@127.0.0.1:{found.port}/app"
        )
    }
    assert found.command == ["mysqld", f"--port={found.port}"]
    env = found.server_env
    assert env == {
        "MYSQL_ROOT_PASSWORD": env["MYSQL_ROOT_PASSWORD"],
        "MYSQL_DATABASE": "app",
        "MYSQL_USER": "hfdeploy",
        "MYSQL_PASSWORD": found.password,
    }
    assert env["MYSQL_ROOT_PASSWORD"] not in ("", found.password)


def test_plan_for_mysql_parts_and_a_root_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HFDEPLOY_MYSQL_IMAGE", "mariadb:11")
    found = plan(tmp_path, MYSQL_PARTS_APP, env=("DB_USER=root",))
    assert isinstance(found, ServicePlan) and found.image == "mariadb:11"
    assert found.env == {
        "DB_HOST": "127.0.0.1",  # a keyword takes no `host:port`: the port has its own
        "DB_PORT": str(found.port),
        "DB_PASSWORD": found.password,
        "DB_NAME": "app",
    }
    # The official image refuses MYSQL_USER=root: root is MYSQL_ROOT_PASSWORD's.
    assert found.server_env == {"MYSQL_ROOT_PASSWORD": found.password, "MYSQL_DATABASE": "app"}
    assert {s.source for s in found.settings} == {"service mariadb:11"}


def test_a_driver_call_without_a_port_gets_the_default_port_or_no_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hfdeploy.verify.services as services

    app = dict(
        MYSQL_PARTS_APP,
        **{
            "db.py": (
                "import os\nimport pymysql\n"
                "conn = pymysql.connect(host=os.environ['DB_HOST'], user=os.environ['DB_USER'],\n"
                "    password=os.environ['DB_PASSWORD'], database='shop')\n"
            ),
            "requirements.txt": "fastapi\nuvicorn\npymysql\n",
        },
    )
    monkeypatch.setattr(services, "port_is_free", lambda port: True)
    found = plan(tmp_path / "a", app)
    assert isinstance(found, ServicePlan) and found.port == 3306
    assert found.env["DB_HOST"] == "127.0.0.1"
    monkeypatch.setattr(services, "port_is_free", lambda port: port != 3306)
    busy = plan(tmp_path / "b", app)
    assert isinstance(busy, NoService)
    assert "default port 3306" in busy.reason and busy.variables == (
        "DB_HOST",
        "DB_PASSWORD",
        "DB_USER",
    )


def test_the_app_gets_the_mysql_service_and_it_is_removed(tmp_path: Path) -> None:
    fake = FakeWithMySQL()
    report = run(tmp_path, fake, MYSQL_PARTS_APP)
    assert report.exit_code == 0, report.findings
    service = next(iter(fake.services.values()))
    assert service["name"].startswith("hfdeploy-verify-mysql-")
    assert service["network"] == "host"
    port = service["command"][-1].removeprefix("--port=")
    app_env = fake.created["env"]
    assert app_env["DB_HOST"] == "127.0.0.1" and app_env["DB_PORT"] == port
    assert app_env["DB_PASSWORD"] == fake.service_env["MYSQL_PASSWORD"]
    found = {f.code: f for f in report.findings}
    assert found["RT022"].message.startswith("Started a throwaway MySQL (mysql:8, port ")
    assert fake.removed == ["container-1", service["name"]]


def test_a_mysql_port_that_never_greets_falls_back_to_placeholders(tmp_path: Path) -> None:
    from hfdeploy.verify import services

    fake = FakeWithMySQL(greeting=b"")
    project = project_for(make_tree(tmp_path / "shop", MYSQL_PARTS_APP))
    opts = options()
    env, settings = container_env(project, opts)
    found = plan_service(project, opts, settings, env)
    assert isinstance(found, ServicePlan)
    service = services.DatabaseService(fake, found, timeout=1.5)
    service.start()
    try:
        outcome = service.result()
    finally:
        service.stop()
    assert not outcome.ready
    assert "did not accept connections within 2s" in outcome.reason
    assert fake.removed == [service.name]
