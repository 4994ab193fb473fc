"""verify's orchestration through a fake engine (tests/verify/fake_docker.py): every stage's
failure, clean-up on each path (interrupt included), and what the container is run with. The
real-engine tests in test_verify_docker.py stay the proof that the Docker adapter works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hfdeploy.diagnostics import Severity
from hfdeploy.verify.docker_client import BuildFailed, DockerFailure, ImageConfig
from hfdeploy.verify.settings import VerifyOptions
from hfdeploy.verify.verify import verify_project
from tests.support import make_tree, project_for
from tests.verify.fake_docker import Answer, FakeDocker, fastapi_like

APP = "from fastapi import FastAPI\napp = FastAPI()\n"


@pytest.fixture(autouse=True)
def local_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///fake.sock")


def run(
    tmp_path: Path, fake: FakeDocker, files: dict[str, str] | None = None, **options: Any
) -> Any:
    root = make_tree(
        tmp_path / "task_board",
        {"Dockerfile": "FROM python:3.11-slim\n", "main.py": APP, **(files or {})},
    )
    options = {"network": "bridge", "timeout": 5.0, "builder": "legacy", **options}
    return verify_project(project_for(root), VerifyOptions(**options), fake)


def codes(report: Any) -> list[str]:
    return [f.code for f in report.findings]


def test_a_serving_container_is_run_as_a_space_runs_it_and_removed(tmp_path: Path) -> None:
    fake = FakeDocker()
    report = run(tmp_path, fake, space="acme/board", build_timeout=321.0)
    assert report.exit_code == 0, [f.message for f in report.findings]
    assert fake.calls[0] == (
        "build",
        {"tag": "hfdeploy-verify/task-board:latest", "timeout": 321.0},
    )
    created = fake.created
    assert (
        created["user"] == "1000" and created["memory"] == 16 * 1024**3 and created["cpus"] == 2.0
    )
    env = created["env"]
    assert env["SPACE_ID"] == "acme/board" and env["SPACE_HOST"] == "acme-board.hf.space"
    assert env["SPACE_AUTHOR_NAME"] == "acme" and env["SPACE_REPO_NAME"] == "board"
    assert env["ACCELERATOR"] == "none" and env["CPU_CORES"] == "2" and env["MEMORY"] == "16Gi"
    assert report.start_seconds is not None and report.peak_memory == 123 * 1024**2
    assert report.startup_timeout == 1800.0
    assert fake.removed == ["container-1"]
    kinds = {(p.kind, p.path) for p in report.probes}
    assert ("proxy GET", "/") in kinds and ("proxy HEAD", "/") in kinds
    assert codes(report) == ["RT016"]  # FastAPI answers HEAD / with 405: told, not failed


def test_user_image_opts_out_and_limits_can_be_lifted(tmp_path: Path) -> None:
    fake = FakeDocker()
    run(tmp_path, fake, user="image", memory=None, cpus=None)
    assert (
        fake.created["user"] is None
        and fake.created["memory"] is None
        and fake.created["cpus"] is None
    )


def test_build_failure_stops_before_any_container(tmp_path: Path) -> None:
    fake = FakeDocker(
        build_result=BuildFailed(
            "the build did not finish within 5s (--build-timeout); it was stopped"
        )
    )
    report = run(tmp_path, fake)
    assert codes(report) == ["RT002"] and "--build-timeout" in report.findings[0].message
    assert not any(name == "create" for name, _ in fake.calls) and fake.removed == []


def test_inspect_failure_is_an_engine_failure(tmp_path: Path) -> None:
    report = run(tmp_path, FakeDocker(config=DockerFailure("no such image")))
    assert codes(report) == ["RT001"] and report.exit_code == 2


def test_create_failure_removes_by_name(tmp_path: Path) -> None:
    fake = FakeDocker(create_result=DockerFailure("conflict"))
    report = run(tmp_path, fake)
    assert codes(report) == ["RT003"] and "could not be created" in report.findings[0].message
    assert len(fake.removed) == 1 and fake.removed[0].startswith("hfdeploy-verify-task-board-")


def test_start_failure_removes_the_container(tmp_path: Path) -> None:
    fake = FakeDocker(start_result=DockerFailure("exec format error"))
    report = run(tmp_path, fake)
    assert codes(report) == ["RT003"] and fake.removed == ["container-1"]


def test_a_crash_names_the_placeholder_it_failed_on(tmp_path: Path) -> None:
    log = (
        'Traceback (most recent call last):\n  File "/home/user/app/main.py", line 3, in <module>\n'
        "    client = Client(os.environ['API_TOKEN'])\nValueError: bad token 'hfdeploy-placeholder-API_TOKEN'\n"
    )
    fake = FakeDocker(exits_with=1, log=log)
    files = {"main.py": APP + "import os\nTOKEN = os.environ['API_TOKEN']\n"}
    report = run(tmp_path, fake, files)
    crash = next(f for f in report.findings if f.code == "RT003")
    assert any("failed on the placeholder for API_TOKEN" in n for n in crash.notes)
    assert ("run_once", {"user": "1000"}) in fake.calls  # storage tested as uid 1000 too
    assert fake.removed == ["container-1"]


def test_never_answering_is_reported_after_the_timeout(tmp_path: Path) -> None:
    fake = FakeDocker(handler=None, log="booting\n")
    report = run(tmp_path, fake, timeout=1.0)
    assert codes(report) == ["RT004"] and fake.removed == ["container-1"]


def test_interrupt_while_waiting_removes_the_container(tmp_path: Path) -> None:
    fake = FakeDocker(interrupt_on_state=True)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, fake)
    assert fake.removed == ["container-1"]


def test_interrupt_inside_create_removes_by_name(tmp_path: Path) -> None:
    fake = FakeDocker()

    def create(image: str, **options: Any) -> str:
        raise KeyboardInterrupt

    fake.create = create  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, fake)
    assert len(fake.removed) == 1 and fake.removed[0].startswith("hfdeploy-verify-task-board-")


def test_an_image_built_for_another_uid_is_reported(tmp_path: Path) -> None:
    fake = FakeDocker(
        config=ImageConfig("app", "/app", {"DATA_DIR": "/app/data"}, ("uvicorn",), ()),
        uids={None: "1000", "app": "1001"},
        write_output="denied\td:/app/data\t/app/data\n",
    )
    report = run(tmp_path, fake)
    assert (
        "RT014" in codes(report)
        and "uid 1001" in report.findings[codes(report).index("RT014")].message
    )
    assert "RT006" in codes(report) and report.exit_code == 1


def test_placeholders_have_the_kind_the_app_parses(tmp_path: Path) -> None:
    settings = (
        "from pydantic import HttpUrl\nfrom pydantic_settings import BaseSettings\n"
        "from sqlalchemy import create_engine\nimport os\n"
        "class Settings(BaseSettings):\n    database_url: str\n    workers: int\n    debug: bool\n"
        "    webhook: HttpUrl\n    tags: list[str]\n    api_key: str\n"
        "settings = Settings()\nengine = create_engine(settings.database_url)\n"
        "RETRIES = int(os.environ['RETRIES'])\n"
    )
    fake = FakeDocker(
        config=ImageConfig("user", "/app", {"DATA_DIR": "/data/app"}, ("uvicorn",), ())
    )
    report = run(tmp_path, fake, {"settings.py": settings})
    env = fake.created["env"]
    assert env["DATABASE_URL"] == "sqlite:////data/app/app.db"
    assert env["WORKERS"] == "1" and env["RETRIES"] == "1" and env["DEBUG"] == "false"
    assert env["WEBHOOK"].startswith("https://") and ".invalid/" in env["WEBHOOK"]
    assert env["TAGS"] == "[]" and env["API_KEY"] == "hfdeploy-placeholder-API_KEY"
    kinds = {e.name: e.kind for e in report.env}
    assert kinds["DATABASE_URL"] == "database URL" and kinds["API_KEY"] == ""
    assert "RT008" in codes(report)  # each placeholder is still listed


def test_a_redirect_to_http_behind_the_proxy_is_a_warning(tmp_path: Path) -> None:
    def handler(method: str, path: str, headers: dict[str, str]) -> Answer:
        if (
            path == "/"
            and headers.get("X-Forwarded-Proto") == "https"
            and headers.get("Host", "").endswith(".hf.space")
        ):
            return 307, {"location": f"http://{headers['Host']}/docs"}, b""
        return fastapi_like(method, path, headers)

    report = run(tmp_path, FakeDocker(handler=handler))
    redirect = next(f for f in report.findings if f.code == "RT015")
    assert "http://local-task-board.hf.space/docs" in redirect.message
    assert redirect.severity.name == "WARNING" and report.exit_code == 0  # the Space still serves


def test_cors_that_refuses_the_space_origin_is_an_error(tmp_path: Path) -> None:
    def handler(method: str, path: str, headers: dict[str, str]) -> Answer:
        if method == "OPTIONS":
            allowed = headers.get("Origin") == "http://localhost:3000"
            return (
                (200, {"access-control-allow-origin": headers["Origin"]}, b"OK")
                if allowed
                else (400, {"access-control-allow-methods": "GET"}, b"Disallowed CORS origin")
            )
        return fastapi_like(method, path, headers)

    report = run(tmp_path, FakeDocker(handler=handler))
    assert (
        "RT018" in codes(report)
        and "https://local-task-board.hf.space"
        in report.findings[codes(report).index("RT018")].message
    )

    def allowing(method: str, path: str, headers: dict[str, str]) -> Answer:
        if method == "OPTIONS":
            return 200, {"access-control-allow-origin": headers["Origin"]}, b"OK"
        return fastapi_like(method, path, headers)

    assert "RT018" not in codes(run(tmp_path / "again", FakeDocker(handler=allowing)))


def test_a_host_check_that_refuses_the_space_host(tmp_path: Path) -> None:
    def handler(method: str, path: str, headers: dict[str, str]) -> Answer:
        if headers.get("Host", "").endswith(".hf.space"):
            return 400, {}, b"Invalid host header"
        return fastapi_like(method, path, headers)

    assert "RT020" in codes(run(tmp_path, FakeDocker(handler=handler)))


def test_slow_start_against_the_readme_timeout(tmp_path: Path) -> None:
    readme = "---\ntitle: Board\nsdk: docker\nstartup_duration_timeout: 1ms\n---\n"
    fake = FakeDocker(start_delay=0.05)  # a start that takes longer than 1 ms on any machine
    report = run(tmp_path, fake, {"README.md": readme})
    assert "RT017" in codes(report) and report.startup_timeout == 0.001
    assert fake.created["env"]["SPACE_TITLE"] == "Board"


def test_cache_directory_the_app_uses_is_write_tested(tmp_path: Path) -> None:
    fake = FakeDocker(write_output="denied\th:.cache\t/\n")
    files = {"main.py": APP + "from transformers import pipeline\n"}
    report = run(tmp_path, fake, files)
    script = next(argv for name, argv in fake.calls if name == "exec" and argv[0] == "/bin/sh")
    assert "h:.cache" in script
    cache = next(f for f in report.findings if f.code == "RT019")
    assert "cannot create files in /" in cache.message and report.exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "--user", "nobody"], "--user 'nobody': expected a uid"),
        (["verify", "--space", "no-slash"], "expected owner/name"),
        (["verify", "--memory", "lots"], "expected a size"),
        (["fix", "--verify"], "--verify needs --write"),
    ],
)
def test_bad_options_are_one_line_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    from hfdeploy.cli import main

    root = make_tree(tmp_path / "app", {"main.py": APP})
    assert main([*args, str(root)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_answer_from_another_server_does_not_count_once_the_container_stopped(
    tmp_path: Path,
) -> None:
    # With host networking another process may answer on the port: the container's state decides.
    class StopsAfterFirstLook(FakeDocker):
        looks = 0

        def state(self, container: str) -> Any:
            self.looks += 1
            from hfdeploy.verify.docker_client import ContainerState

            return ContainerState(self.looks == 1, None if self.looks == 1 else 1)

    fake = StopsAfterFirstLook(log="ValueError: invalid literal for int()\n")
    report = run(tmp_path, fake)
    assert codes(report)[0] == "RT003" and report.start_seconds is None


_DATABASE_FROM_ENV = (
    "import os\n\nfrom fastapi import FastAPI\nfrom sqlalchemy import create_engine\n\n"
    "engine = create_engine(os.environ['DATABASE_URL'])\napp = FastAPI()\n"
)


def test_a_root_owned_workdir_holding_no_database_is_a_warning_and_no_repair(
    tmp_path: Path,
) -> None:
    """The app gets verify's SQLite placeholder, a file under /tmp: a WORKDIR uid 1000 cannot
    write holds no database, so it is a warning, and `fix --verify` is not sent to repair it
    (that would hide the failure that matters)."""
    fake = FakeDocker(
        config=ImageConfig("", "/app", {}, ("uvicorn",), ()),
        uids={None: "0"},
        write_output="ok\tf:/tmp/app.db\t/tmp\ndenied\td:/app\t/app\n",
    )
    report = run(tmp_path, fake, {"main.py": _DATABASE_FROM_ENV})
    assert fake.created["env"]["DATABASE_URL"] == "sqlite:////tmp/app.db"
    problem = report.findings[codes(report).index("RT006")]
    assert problem.severity is Severity.WARNING, problem
    assert not any("SQLite needs" in note for note in problem.notes)
    assert report.unwritable == [] and report.exit_code == 0


def test_a_root_owned_workdir_that_may_hold_a_database_of_unknown_place_is_an_error(
    tmp_path: Path,
) -> None:
    fake = FakeDocker(
        config=ImageConfig("", "/app", {}, ("uvicorn",), ()),
        uids={None: "0"},
        write_output="denied\td:/app\t/app\n",
    )
    code = (
        "import os\n\nfrom fastapi import FastAPI\nfrom sqlalchemy import create_engine\n\n"
        "NAME = os.getenv('DB_NAME', 'shop')\n"
        "engine = create_engine(f'sqlite:///{NAME}.db')\napp = FastAPI()\n"
    )
    report = run(tmp_path, fake, {"main.py": code})
    problem = report.findings[codes(report).index("RT006")]
    assert problem.severity is Severity.ERROR
    assert any("SQLite needs" in note for note in problem.notes)
    assert report.unwritable == ["/app"] and report.exit_code == 1
