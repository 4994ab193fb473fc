"""The parts of verify that need no engine: build-log reading, log and OpenAPI parsing, the
environment passed in, the write test (run with the host's /bin/sh), and the report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from hfdeploy.diagnostics import Severity
from hfdeploy.errors import UsageError
from hfdeploy.verify import probe, storage
from hfdeploy.verify.buildlog import BuildEvent, BuildLog
from hfdeploy.verify.docker_client import ImageConfig
from hfdeploy.verify.findings import RULES, finding
from hfdeploy.verify.report import VerifyReport, render_json, render_text
from hfdeploy.verify.settings import (
    VerifyOptions,
    container_env,
    honours_port_variable,
    image_tag,
    read_env_file,
    space_identity,
)
from tests.support import make_tree, project_for

# What the engine's legacy builder streamed for a failing third step (docker 20.10).
LEGACY_STREAM = [
    {"stream": "Step 1/3 : FROM python:3.11-slim"},
    {"stream": "\n"},
    {"stream": " ---> 8a9a1bea0b77\n"},
    {"stream": "Step 2/3 : RUN pip install --no-cache-dir fastapi==0.165.0"},
    {"stream": "\n"},
    {"stream": " ---> Using cache\n"},
    {"stream": " ---> 4ab17631ddee\n"},
    {"stream": "Step 3/3 : RUN echo hello && echo oops >&2 && false"},
    {"stream": "\n"},
    {"stream": " ---> Running in 89a27ce60cba\n"},
    {"stream": "\x1b[91moops\n\x1b[0m"},
    {"stream": "hel"},
    {"stream": "lo\n"},
    {"stream": "Removing intermediate container 89a27ce60cba\n"},
    {
        "errorDetail": {"code": 1},
        "error": "The command '/bin/sh -c echo hello && echo oops >&2 && false' returned a non-zero code: 1",
    },
]
# The same build through `DOCKER_BUILDKIT=1 docker build --progress=plain` (docker 20.10).
BUILDKIT_LINES = """\
#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 164B done
#1 DONE 0.0s
#4 [1/3] FROM docker.io/library/python:3.11-slim
#4 DONE 0.0s
#5 [2/3] RUN pip install --no-cache-dir fastapi==0.165.0
#5 CACHED
#6 [3/3] RUN echo hello && echo oops >&2 && false
#6 sha256:61c7ef128d752227023d868c02835dbec80e0f36b0208b313ae691438fe907a3
#6 0.077 hello
#6 0.078 oops
#6 ERROR: executor failed running [/bin/sh -c echo hello && echo oops >&2 && false]: exit code: 1
------
 > [3/3] RUN echo hello && echo oops >&2 && false:
------
executor failed running [/bin/sh -c echo hello && echo oops >&2 && false]: exit code: 1
""".splitlines(keepends=True)


def test_legacy_stream_names_the_failing_step_and_its_output() -> None:
    events: list[BuildEvent] = []
    log = BuildLog(events.append)
    for chunk in LEGACY_STREAM:
        log.feed_legacy(chunk)
    log.finish()
    assert log.failed_step is not None
    assert log.failed_step.title == "[3/3] RUN echo hello && echo oops >&2 && false"
    assert log.failure_tail() == ["oops", "hello"]  # colour codes gone, split chunks joined
    assert log.error is not None and "returned a non-zero code: 1" in log.error
    assert [s.cached for s in log.steps] == [False, True, False]
    assert not log.fully_cached
    assert [e.kind for e in events if e.kind != "output"] == ["step", "step", "cached", "step"]


def test_buildkit_progress_names_the_failing_step_and_its_output() -> None:
    log = BuildLog()
    for line in BUILDKIT_LINES:
        log.feed_buildkit(line)
    log.finish_buildkit(1)
    assert log.failed_step is not None
    assert log.failed_step.title == "[3/3] RUN echo hello && echo oops >&2 && false"
    assert log.failure_tail() == ["hello", "oops"]
    assert (
        log.error
        == "executor failed running [/bin/sh -c echo hello && echo oops >&2 && false]: exit code: 1"
    )
    assert log.steps[0].title == "[1/3] FROM docker.io/library/python:3.11-slim"  # no [internal]
    assert [s.instruction for s in log.layer_steps if s.cached] == [
        "RUN pip install --no-cache-dir fastapi==0.165.0"
    ]


def test_buildkit_failure_before_any_step_keeps_the_frontend_error() -> None:
    log = BuildLog()
    for line in [
        "#1 [internal] load build definition from Dockerfile\n",
        "#1 DONE 0.0s\n",
        (
            "failed to solve with frontend dockerfile.v0: failed to create LLB definition: "
            "dockerfile parse error line 3: unknown instruction: RUNN\n"
        ),
    ]:
        log.feed_buildkit(line)
    log.finish_buildkit(1)
    assert log.failed_step is None
    assert log.error is not None and log.error.endswith("unknown instruction: RUNN")
    assert log.failure_tail() == [log.error]


def test_fully_cached_counts_only_layer_steps() -> None:
    log = BuildLog()
    for line in [
        "#2 [1/3] FROM docker.io/library/python:3.11-slim\n",
        "#3 [2/3] RUN pip install x\n",
        "#3 CACHED\n",
        "#4 [3/3] COPY . .\n",
        "#4 CACHED\n",
    ]:
        log.feed_buildkit(line)
    assert log.fully_cached


SERVER_ERROR_LOG = """\
INFO:     127.0.0.1:40000 - "GET /tasks HTTP/1.1" 200 OK
ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/uvicorn/protocols/http/h11_impl.py", line 403, in run_asgi
    result = await app(  # type: ignore[func-returns-value]
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.11/site-packages/starlette/routing.py", line 74, in app
    response = await f(request)
  File "/home/user/app/app/routers/tasks.py", line 41, in stats
    rows = db.exec(select(Task)).all()
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/default.py", line 941, in do_execute
    cursor.execute(statement, parameters)
sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: task
[SQL: SELECT task.id FROM task]
(Background on this error at: https://sqlalche.me/e/20/e3q8)
INFO:     127.0.0.1:40002 - "GET /health HTTP/1.1" 200 OK
"""


def test_traceback_tail_keeps_the_apps_frames_and_the_full_exception() -> None:
    tail = probe.traceback_tail(SERVER_ERROR_LOG)
    assert tail[0] == "Traceback (most recent call last):"
    assert tail[1] == "  ... 2 frames in libraries"
    assert '  File "/home/user/app/app/routers/tasks.py", line 41, in stats' in tail
    # The raising library frame stays: it is where the exception came from.
    assert any("sqlalchemy/engine/default.py" in line for line in tail)
    assert tail[-3:] == [
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: task",
        "[SQL: SELECT task.id FROM task]",
        "(Background on this error at: https://sqlalche.me/e/20/e3q8)",
    ]
    assert not any(line.startswith("INFO:") for line in tail)


def test_traceback_tail_without_a_traceback_is_the_logs_end() -> None:
    log = "\n".join(f"line {i}" for i in range(40))
    assert probe.traceback_tail(log) == [f"line {i}" for i in range(25, 40)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
            ("0.0.0.0", 8000),
        ),
        (
            "[2026-01-01 10:00:00 +0000] [1] [INFO] Listening at: http://127.0.0.1:7860 (1)",
            ("127.0.0.1", 7860),
        ),
        ("[INFO] Running on http://[::1]:9000 (CTRL + C to quit)", ("[::1]", 9000)),
    ],
)
def test_announced_addresses(line: str, expected: tuple[str, int]) -> None:
    (found,) = probe.announced_addresses(f"starting\n{line}\n")
    assert (found.host, found.port) == expected
    assert found.loopback == (found.host != "0.0.0.0")


def test_openapi_routes_without_path_parameters() -> None:
    document = {
        "openapi": "3.1.0",
        "servers": [{"url": "/api/"}],
        "paths": {
            "/tasks": {"get": {}, "post": {}},
            "/tasks/{task_id}": {"get": {}},
            "/login": {"post": {}},
            "/": {"get": {}},
        },
    }
    assert probe.openapi_get_routes(document) == ["/api/", "/api/tasks"]
    assert probe.openapi_get_routes({"detail": "Not Found"}) is None
    assert probe.openapi_get_routes(["not", "a", "document"]) is None


def test_env_file_reads_like_docker_and_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / "test.env"
    env_file.write_text(
        "# comment\n\nexport SECRET_KEY='s3cret value'\nDATABASE_URL=sqlite:///./data/app.db  # local\n"
        'EMPTY=\nQUOTED="a # b"\n'
    )
    assert read_env_file(env_file) == {
        "SECRET_KEY": "s3cret value",
        "DATABASE_URL": "sqlite:///./data/app.db",
        "EMPTY": "",
        "QUOTED": "a # b",
    }
    env_file.write_text("GOOD=1\nthis is not a pair\n")
    with pytest.raises(UsageError, match=r"test\.env:2: expected NAME=VALUE"):
        read_env_file(env_file)


def test_required_variables_get_labelled_placeholders_unless_given(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "app",
        {
            "main.py": "import os\nSECRET_KEY = os.environ['SECRET_KEY']\nAPI_TOKEN = os.environ['API_TOKEN']\n"
            "PORT = os.environ['PORT']\nDEBUG = os.environ.get('DEBUG', '0')\n",
        },
    )
    env_file = tmp_path / "local.env"
    env_file.write_text("API_TOKEN=from-file\n")
    options = VerifyOptions(env=("EXTRA=1",), env_file=env_file)
    env, settings = container_env(project_for(root), options)
    # PORT is not set on a Space, but its owner may set it like any variable: app_port here.
    assert env == {
        "API_TOKEN": "from-file",
        "EXTRA": "1",
        "PORT": "7860",
        "SECRET_KEY": "hfdeploy-placeholder-SECRET_KEY",
    }
    assert [(s.name, s.source, s.kind) for s in settings] == [
        ("API_TOKEN", "--env-file local.env", ""),
        ("EXTRA", "--env", ""),
        ("PORT", "placeholder", "app port"),
        ("SECRET_KEY", "placeholder", ""),
    ]


def test_injected_variables_are_not_asked_of_the_user(tmp_path: Path) -> None:
    # EV004's fix reads SPACE_HOST: the container gets the value a Space injects, not a placeholder.
    root = make_tree(
        tmp_path / "my_app",
        {
            "main.py": 'import os\nHOST = os.environ["SPACE_HOST"]\nKEY = os.environ["SECRET_KEY"]\n',
        },
    )
    project = project_for(root)
    env, settings = container_env(project, VerifyOptions())
    assert "SPACE_HOST" not in env
    assert [(s.name, s.source) for s in settings] == [("SECRET_KEY", "placeholder")]
    injected = space_identity(project, VerifyOptions())
    assert (
        injected["SPACE_HOST"] == "local-my-app.hf.space" and injected["SPACE_ID"] == "local/my_app"
    )
    assert (
        injected["CPU_CORES"] == "2"
        and injected["MEMORY"] == "16Gi"
        and injected["ACCELERATOR"] == "none"
    )
    named = space_identity(project, VerifyOptions(space="Acme/Task_Board", memory="512m", cpus=1.0))
    assert (
        named["SPACE_HOST"] == "acme-task-board.hf.space" and named["SPACE_AUTHOR_NAME"] == "Acme"
    )
    assert named["MEMORY"] == "512Mi" and named["CPU_CORES"] == "1"
    with pytest.raises(UsageError, match="expected owner/name"):
        space_identity(project, VerifyOptions(space="no-slash"))


@pytest.mark.parametrize(
    ("cmd", "code", "expected"),
    [
        (("/bin/sh", "-c", "uvicorn main:app --host 0.0.0.0 --port ${PORT:-7860}"), "", True),
        (("sh", "-c", "exec uvicorn main:app --port $PORT"), "", True),
        (("uvicorn", "main:app", "--port", "$PORT"), "", False),  # exec form: never expanded
        (("uvicorn", "main:app", "--port", "7860"), "", False),
        (("python", "main.py"), "import os\nport = int(os.environ.get('PORT', 7860))\n", True),
    ],
)
def test_honours_port_variable(
    tmp_path: Path, cmd: tuple[str, ...], code: str, expected: bool
) -> None:
    root = make_tree(tmp_path, {"main.py": code or "app = None\n"})
    config = ImageConfig(user="user", workdir="/app", env={}, cmd=cmd, entrypoint=())
    assert honours_port_variable(project_for(root), config) is expected


def test_image_tag_is_a_valid_reference_per_directory(tmp_path: Path) -> None:
    root = tmp_path / "My Task_Board.v2"
    root.mkdir()
    assert image_tag(project_for(root)) == "hfdeploy-verify/my-task-board-v2:latest"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///./data/app.db", "/app/data/app.db"),
        ("sqlite+aiosqlite:///tasks.db?timeout=5", "/app/tasks.db"),
        ("sqlite:////home/user/data/app.db", "/home/user/data/app.db"),
        ("sqlite:///:memory:", None),
        ("sqlite://", None),
        ("postgresql://u@db/app", None),
    ],
)
def test_sqlite_path(url: str, expected: str | None) -> None:
    assert storage.sqlite_path(url, "/app") == expected


def test_write_targets_from_env_data_dir_and_workdir(tmp_path: Path) -> None:
    project = project_for(make_tree(tmp_path, {"main.py": "app = None\n"}))
    env = {"DATABASE_URL": "sqlite:///data/app.db", "DATA_DIR": "/home/user/app/data"}
    targets = storage.write_targets(project, env, "/home/user/app")
    assert [(t.argument, t.reason) for t in targets] == [
        ("f:/home/user/app/data/app.db", "SQLite database (DATABASE_URL)"),
        ("d:/home/user/app/data", "DATA_DIR"),
        ("d:/home/user/app", "WORKDIR"),
    ]


@pytest.mark.skipif(
    shutil.which("setpriv") is None and os.geteuid() == 0, reason="needs setpriv as root"
)
def test_write_test_script_walks_up_to_the_nearest_directory() -> None:
    """The in-container shell script, run here as an unprivileged user with the host's /bin/sh."""
    with tempfile.TemporaryDirectory() as scratch:  # pytest's tmp_path is private to its owner
        base = Path(scratch)
        base.chmod(0o755)
        _run_write_test(base)


def _run_write_test(base: Path) -> None:
    writable = base / "writable"
    locked = base / "locked"
    writable.mkdir(mode=0o777)
    writable.chmod(0o777)
    locked.mkdir(mode=0o755)
    (writable / "ro.db").write_text("")
    (writable / "ro.db").chmod(0o444)
    targets = [
        storage.WriteTarget(f"{writable}/new/deeper/app.db", "SQLite database (X)", is_file=True),
        storage.WriteTarget(f"{locked}/data", "DATA_DIR"),
        storage.WriteTarget(f"{writable}/ro.db", "SQLite database (Y)", is_file=True),
    ]
    argv = ["/bin/sh", "-c", storage.WRITE_TEST_SCRIPT, "sh", *(t.argument for t in targets)]
    if os.geteuid() == 0:  # root writes anywhere: drop to nobody, like a Space's uid 1000
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    results = storage.parse_write_results(targets, output)
    assert [(r.ok, r.tested, r.readonly_file) for r in results] == [
        (True, str(writable), False),
        (False, str(locked), False),
        (False, f"{writable}/ro.db", True),
    ]
    assert not any(p.name.startswith(".hfdeploy-write-test") for p in writable.iterdir())


def test_values_passed_to_the_container_are_hidden_in_findings() -> None:
    from hfdeploy.verify.verify import _hide_values

    env = {
        "OPENAI_API_KEY": "sk-proj-Zx9Qw8Er7Ty6Ui5Op4As3Df2",
        "SENTRY_DSN": "https://abc123def456@o1.ingest.sentry.io/1",  # a key, no password
        "DATABASE_URL": "postgresql://bob:Sup3rS3cret@db.example.com/x",  # redact() masks it
        "PUBLIC_URL": "https://example.com/api",
        "DEBUG": "1",
        "ADMIN_TOKEN": "hfdeploy-placeholder-ADMIN_TOKEN",
    }
    log = " | ".join(env.values())
    hidden = _hide_values(finding("RT003", "crashed", [log]), env)
    assert hidden.notes[0].split(" | ") == [
        "sk***",
        "ht***",
        "postgresql://bob:Sup3rS3cret@db.example.com/x",  # masked when printed, by redact()
        "https://example.com/api",
        "1",
        "hfdeploy-placeholder-ADMIN_TOKEN",
    ]


def test_report_exit_codes_and_redacted_output() -> None:
    report = VerifyReport(root="/repo", image="hfdeploy-verify/repo:latest")
    assert report.exit_code == 0
    report.findings.append(finding("RT007", "The container runs as root (uid 0)"))
    assert report.exit_code == 0  # a warning alone passes
    report.findings.append(
        finding(
            "RT005",
            "GET /db answered 500",
            [
                "sqlalchemy.exc.OperationalError: could not connect to postgresql://admin:hunter2-long@db.example.com/app"
            ],
        )
    )
    assert report.exit_code == 1
    text = render_text(report)
    assert "hunter2" not in text and "postgresql://admin:hu***@db.example.com/app" in text
    assert text.rstrip().endswith("Verification failed: 1 error.")
    data = json.loads(render_json(report))
    assert data["exit_code"] == 1 and data["passed"] is False
    assert "hunter2" not in json.dumps(data)
    report.findings.append(
        finding("RT001", "The Docker engine failed while watching the container: gone")
    )
    assert report.exit_code == 2


def test_every_rule_has_a_distinct_name_and_summary() -> None:
    assert len({r.name for r in RULES.values()}) == len(RULES)
    assert all(code.startswith("RT") and len(code) == 5 for code in RULES)
    assert RULES["RT007"].severity is Severity.WARNING


def test_numeric_names_get_a_number_and_annotated_text_stays_text(tmp_path: Path) -> None:
    from hfdeploy.environment.kinds import variable_kinds

    root = make_tree(
        tmp_path / "app",
        {
            "main.py": "import os\nURL = f\"postgresql://u:p@h:{os.environ['DB_PORT']}/db\"\n"
            "DAYS = os.getenv('JWT_EXPIRY_DAYS')\nNAME = os.environ['APP_NAME']\n",
            "settings.py": "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    cache_port: str\n    api_base_url: str\n",
        },
    )
    kinds = variable_kinds(project_for(root))
    assert (
        kinds["DB_PORT"] == "int"
        and kinds["JWT_EXPIRY_DAYS"] == "int"
        and kinds["APP_NAME"] == "str"
    )
    assert kinds["CACHE_PORT"] == "str" and kinds["API_BASE_URL"] == "url"


def test_a_sqlite_placeholder_lands_where_uid_1000_can_write() -> None:
    """Without a DATA_DIR in the image, the generated image's data directory need not exist
    (an app that opens the URL would stop with `unable to open database file`): /tmp does."""
    from hfdeploy.verify.settings import placeholder_value

    assert placeholder_value("DATABASE_URL", "database URL") == "sqlite:////tmp/app.db"
    assert placeholder_value("DB", "async database URL") == "sqlite+aiosqlite:////tmp/app.db"
    assert placeholder_value("DB", "database URL", "/srv/data") == "sqlite:////srv/data/app.db"


def test_an_empty_image_env_does_not_replace_a_placeholder() -> None:
    """`ENV APP_PORT=${APP_PORT}` with no such ARG leaves APP_PORT empty in the image: the app
    reads it as unset (`int("")`), so verify still gives its placeholder; a real value wins."""
    from hfdeploy.verify.container import _placeholders_for_what_the_image_lacks
    from hfdeploy.verify.settings import EnvSetting

    report = VerifyReport(root="/repo", image="hfdeploy-verify/repo:latest")
    report.env = [
        EnvSetting("APP_PORT", "placeholder", "int"),
        EnvSetting("MODE", "placeholder"),
        EnvSetting("TOKEN", "--env"),
    ]
    config = ImageConfig(
        user="", workdir="/app", env={"APP_PORT": "", "MODE": "prod"}, cmd=(), entrypoint=()
    )
    _placeholders_for_what_the_image_lacks({}, config, report)
    assert [e.name for e in report.env] == ["APP_PORT", "TOKEN"]


def test_write_targets_read_a_tortoise_url_as_tortoise_does(tmp_path: Path) -> None:
    project = project_for(
        make_tree(
            tmp_path,
            {
                "main.py": (
                    "from fastapi import FastAPI\n"
                    "from tortoise.contrib.fastapi import register_tortoise\n\n"
                    "app = FastAPI()\nregister_tortoise(app, db_url='sqlite://data/app.sqlite3',"
                    " modules={'models': ['models']})\n"
                )
            },
        )
    )
    targets = storage.write_targets(project, {}, "/srv")
    assert [(t.argument, t.reason) for t in targets] == [
        ("f:/srv/data/app.sqlite3", "SQLite database (main.py)"),
        ("d:/srv", "WORKDIR"),
    ]
