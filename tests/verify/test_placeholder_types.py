"""Placeholders of the type the app reads a variable as: each fixture settings class (pydantic v2
and v1, written for these tests) is imported by a real Python with the placeholders `verify`
chose, and its own validation must accept them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hfdeploy.environment.kinds import ValueType, variable_types
from hfdeploy.verify.container import _placeholder_cause, validation_errors
from hfdeploy.verify.placeholders import pattern_example, value_for
from hfdeploy.verify.report import VerifyReport
from hfdeploy.verify.settings import (
    EnvSetting,
    VerifyOptions,
    container_env,
    placeholder_kinds,
)
from tests.support import make_tree, project_for

SETTINGS_V2 = """\
import enum
from datetime import date, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Annotated, List, Literal, Optional
from uuid import UUID

from pydantic import (
    UUID4,
    AmqpDsn,
    AnyHttpUrl,
    AnyUrl,
    DirectoryPath,
    EmailStr,
    Field,
    FilePath,
    HttpUrl,
    IPvAnyAddress,
    MongoDsn,
    NameEmail,
    PostgresDsn,
    RedisDsn,
    SecretStr,
    confloat,
    conint,
    constr,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(str, enum.Enum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"


class Level(enum.IntEnum):
    LOW = 3
    HIGH = 5


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    admin_email: EmailStr
    sender: NameEmail
    environment: Literal["staging", "production"]
    mode: Mode
    level: Level
    workers: int = Field(ge=2, le=8)
    ratio: float = Field(gt=0, lt=1)
    retries: conint(ge=5)
    threshold: confloat(le=-1.5)
    secret_key: SecretStr = Field(min_length=32)
    api_key: str = Field(pattern=r"^sk-[a-z0-9]{20}$")
    short_code: constr(max_length=4)
    site: HttpUrl
    callback: AnyHttpUrl
    anything: AnyUrl
    database: PostgresDsn
    cache: RedisDsn
    broker: AmqpDsn
    documents: MongoDsn
    run_id: UUID
    token_id: UUID4
    starts: datetime
    day: date
    ttl: timedelta
    data_path: Path
    uploads: DirectoryPath
    cert: FilePath
    bind: IPvAnyAddress
    gateway: IPv4Address
    origins: List[AnyHttpUrl]
    tags: set[str]
    limits: dict[str, int]
    maybe_port: Optional[conint(gt=1024)]
    annotated: Annotated[int, Field(ge=10)]
    bounded: int | None = Field(..., ge=100, multiple_of=7)
    plain: str


settings = Settings()
print(settings.model_dump_json())
"""

SETTINGS_V1 = """\
from typing import Literal

from pydantic.v1 import (
    AnyHttpUrl,
    BaseSettings,
    EmailStr,
    Field,
    HttpUrl,
    PostgresDsn,
    RedisDsn,
    conint,
    conlist,
    constr,
)


class Settings(BaseSettings):
    admin: EmailStr
    workers: int = Field(..., ge=2)
    api_key: str = Field(..., regex=r"^[A-F0-9]{8}$")
    secret: constr(min_length=40)
    site: HttpUrl
    callback: AnyHttpUrl
    database: PostgresDsn
    cache: RedisDsn
    hosts: conlist(str, min_items=2)
    ports: conlist(conint(gt=1000), min_items=1)
    mode: Literal["a", "b"]

    class Config:
        env_prefix = "V1_"


print(Settings().json())
"""

GETENV = """\
import json
import os
import uuid
from datetime import date
from enum import Enum
from pathlib import Path


class Stage(Enum):
    ALPHA = "alpha"
    BETA = "beta"


WORKERS = int(os.environ["WORKERS"])
RATIO = float(os.environ["RATIO"])
DATA = Path(os.environ["DATA_ROOT"])
assert DATA.is_dir()
RUN = uuid.UUID(os.environ["RUN_ID"])
EXTRA = json.loads(os.environ["EXTRA_JSON"])
STAGE = Stage(os.environ["STAGE"])
START = date.fromisoformat(os.environ["START_DAY"])
if os.environ["REGION"] not in ("eu", "us"):
    raise SystemExit("unknown region")
print("started")
"""


def _run_with(root: Path, module: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Import `module` from `root` in a real Python with exactly these variables (plus PATH)."""
    clean = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root), **env}
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        env=clean,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_pydantic_v2_settings_class_accepts_every_placeholder(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"config.py": SETTINGS_V2})
    env, settings = container_env(project_for(root), VerifyOptions())
    # Without the types, every field got `hfdeploy-placeholder-NAME` and the import failed.
    result = _run_with(root, "config", env)
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout)
    assert env["APP_WORKERS"] == "2" and env["APP_RATIO"] == "0.5"
    assert env["APP_RETRIES"] == "5" and env["APP_THRESHOLD"] == "-1.5"
    assert env["APP_MAYBE_PORT"] == "1025" and env["APP_BOUNDED"] == "105"
    assert len(env["APP_SECRET_KEY"]) >= 32 and len(env["APP_SHORT_CODE"]) <= 4
    assert re.fullmatch(r"sk-[a-z0-9]{20}", env["APP_API_KEY"])
    assert loaded["environment"] == "staging" and loaded["mode"] == "production"
    assert loaded["level"] == 3
    assert (
        env["APP_DATABASE"].startswith("postgresql://") and ".invalid:5432/" in env["APP_DATABASE"]
    )
    assert env["APP_CACHE"].startswith("redis://") and env["APP_DOCUMENTS"].startswith("mongodb://")
    assert env["APP_UPLOADS"] == "/tmp" and env["APP_PLAIN"] == "hfdeploy-placeholder-APP_PLAIN"
    kinds = {s.name: s.kind for s in settings}
    assert kinds["APP_ADMIN_EMAIL"] == "email" and kinds["APP_ENVIRONMENT"] == "choice"
    assert kinds["APP_DATABASE"] == "url (postgresql)" and kinds["APP_UPLOADS"] == "directory"
    assert kinds["APP_PLAIN"] == "" and all(s.source == "placeholder" for s in settings)


def test_a_pydantic_v1_settings_class_accepts_every_placeholder(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"config_v1.py": SETTINGS_V1})
    env, _ = container_env(project_for(root), VerifyOptions())
    result = _run_with(root, "config_v1", env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(env["V1_HOSTS"]) == ["hfdeploy-placeholder-V1_HOSTS"] * 2
    assert json.loads(env["V1_PORTS"]) == [1001] and len(env["V1_SECRET"]) == 40
    assert env["V1_API_KEY"] == "AAAAAAAA" and env["V1_MODE"] == "a"


def test_what_the_code_does_with_a_getenv_value_decides_its_placeholder(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "app", {"startup.py": GETENV})
    env, settings = container_env(project_for(root), VerifyOptions())
    result = _run_with(root, "startup", env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {s.name: s.kind for s in settings} == {
        "DATA_ROOT": "path",
        "EXTRA_JSON": "dict",
        "RATIO": "float",
        "REGION": "choice",
        "RUN_ID": "uuid",
        "STAGE": "choice",
        "START_DAY": "date",
        "WORKERS": "int",
    }
    assert env["STAGE"] == "alpha" and env["REGION"] == "eu"


def test_port_host_and_user_get_the_values_a_space_owner_would_set(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "app",
        {
            "config.py": "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    HOST: str\n    PORT: int\n    USER: str\n",
            "README.md": "---\nsdk: docker\napp_port: 8080\n---\n",
        },
    )
    env, settings = container_env(project_for(root), VerifyOptions())
    assert env == {"HOST": "0.0.0.0", "PORT": "8080", "USER": "user"}
    assert [s.kind for s in settings] == ["bind address", "app port", "user name"]
    env, _ = container_env(project_for(root), VerifyOptions(port=9000, env=("USER=me",)))
    assert env["PORT"] == "9000" and env["USER"] == "me"


def test_a_dsn_typed_database_url_keeps_its_scheme_and_an_async_engine_its_driver(
    tmp_path: Path,
) -> None:
    root = make_tree(
        tmp_path / "app",
        {
            "config.py": "from pydantic import PostgresDsn\nfrom pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n    DATABASE_URL: PostgresDsn\n    CACHE_URL: str\n\n"
            "settings = Settings()\n",
            "db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n"
            "from config import settings\n\n"
            "engine = create_async_engine(str(settings.DATABASE_URL))\n",
        },
    )
    kinds = placeholder_kinds(project_for(root))
    database = kinds["DATABASE_URL"]
    assert isinstance(database, ValueType) and database.schemes[0] == "postgresql+asyncpg"
    env, _ = container_env(project_for(root), VerifyOptions())
    assert env["DATABASE_URL"] == (
        "postgresql+asyncpg://user:password@hfdeploy-placeholder.invalid:5432/placeholder"
    )
    assert env["CACHE_URL"] == "https://hfdeploy-placeholder.invalid/cache_url"


def test_annotation_types_look_through_optional_union_and_annotated(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "app",
        {
            "config.py": "from typing import Annotated, Optional, Union\n"
            "from annotated_types import Ge, MinLen\n"
            "from pydantic import EmailStr, Field, StringConstraints\n"
            "from pydantic_settings import BaseSettings\n\n"
            "class Settings(BaseSettings):\n"
            "    a: Optional[EmailStr]\n"
            "    b: Union[None, 'int']\n"
            "    c: Annotated[int, Ge(60 * 24)]\n"
            "    d: Annotated[str, MinLen(50)]\n"
            "    e: Annotated[str, StringConstraints(min_length=3, max_length=3)]\n"
            "    f: 'Optional[list[int]]'\n",
        },
    )
    types = variable_types(project_for(root))
    assert types["A"].kind == "email" and types["B"].kind == "int"
    assert types["C"] == ValueType("int", ge=1440) and types["D"].min_length == 50
    assert value_for("E", types["E"]) == "hfd" and types["F"].kind == "list"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (ValueType("int", ge=2), "2"),
        (ValueType("int", gt=1024), "1025"),
        (ValueType("int", le=-3), "-3"),
        (ValueType("int", ge=7, multiple_of=5), "10"),
        (ValueType("float", gt=0, lt=1), "0.5"),
        (ValueType("float", ge=10.5), "10.5"),
        (ValueType("int"), "1"),
        (ValueType("bool"), "false"),
        (ValueType("choice", choices=(True, False)), "true"),
        (ValueType("uuid", version=1), "00000000-0000-1000-8000-000000000000"),
        (ValueType("datetime", timezone=False), "2000-01-01T00:00:00"),
        (ValueType("ip address", version=6), "::1"),
        (ValueType("url", schemes=("kafka",)), "kafka://hfdeploy-placeholder.invalid:9092"),
        (ValueType("url", schemes=("wss", "ws")), "wss://hfdeploy-placeholder.invalid/x"),
        (ValueType("list", min_length=2, item=ValueType("int", gt=5)), "[6, 6]"),
        (ValueType("str", min_length=40, max_length=40), "hfdeploy-placeholder-X" + "0" * 18),
    ],
)
def test_values_respect_the_bounds(kind: ValueType, expected: str) -> None:
    assert value_for("X", kind) == expected


@pytest.mark.parametrize(
    ("pattern", "min_length"),
    [
        (r"^sk-[a-z0-9]{20}$", 0),
        (r"^[A-Z]{2}\d{3}(?:-\w+)?$", 0),
        (r"(foo|bar)+baz", 0),
        (r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", 0),
        (r"^[a-f0-9]+$", 32),
        (r"(?P<x>ab)-(?P=x)", 0),
    ],
)
def test_a_pattern_gets_a_text_it_matches(pattern: str, min_length: int) -> None:
    example = pattern_example(pattern, min_length)
    assert example is not None and re.fullmatch(pattern, example) and len(example) >= min_length


def test_a_pattern_it_cannot_build_falls_back_to_the_plain_placeholder() -> None:
    assert pattern_example(r"^(?=.*\d)\w+$") is None
    assert value_for("K", ValueType(pattern=r"(?=x)")) == "hfdeploy-placeholder-K"


LIBRARY_LOG = """\
Traceback (most recent call last):
  File "/app/app/config.py", line 39, in <module>
    settings = Settings()
pydantic_core._pydantic_core.ValidationError: 2 validation errors for Settings
HOST
  Field required [type=missing, input_value={'SECRET_KEY': 'hfdeploy-...oy-placeholder-DB_NAME'}, input_type=dict]
    For further information visit https://errors.pydantic.dev/2.10/v/missing
PORT
  Field required [type=missing, input_value={'SECRET_KEY': 'hfdeploy-...oy-placeholder-DB_NAME'}, input_type=dict]
    For further information visit https://errors.pydantic.dev/2.10/v/missing
"""

EMAIL_LOG = """\
Traceback (most recent call last):
  File "/app/app/core/config.py", line 91, in <module>
    settings = Settings()
pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings
first_superuser
  value is not a valid email address: It must have exactly one @-sign. [type=value_error, input_value='hfdeploy-placeholder-FIRST_SUPERUSER', input_type=str]
    For further information visit https://errors.pydantic.dev/2.10/v/value_error
INFO:     Shutting down
"""

V1_LOG = """\
pydantic.error_wrappers.ValidationError: 2 validation errors for Settings
api_key
  string does not match regex "^[A-F0-9]{8}$" (type=value_error.str.regex; pattern=^[A-F0-9]{8}$)
workers
  field required (type=value_error.missing)
"""


def _report(*settings: EnvSetting) -> VerifyReport:
    return VerifyReport(
        root="/r", image="hfdeploy-verify/r:latest", network="host", env=list(settings)
    )


def test_a_settings_error_names_the_fields_not_every_placeholder_in_its_input() -> None:
    report = _report(EnvSetting("DB_NAME", "placeholder"), EnvSetting("SECRET_KEY", "placeholder"))
    env = {
        "DB_NAME": "hfdeploy-placeholder-DB_NAME",
        "SECRET_KEY": "hfdeploy-placeholder-SECRET_KEY",
    }
    notes = _placeholder_cause(LIBRARY_LOG, env, report)
    assert [n.split(",")[0] for n in notes] == [
        "The app's settings require HOST",
        "The app's settings require PORT",
    ]
    assert not any("DB_NAME" in n or "SECRET_KEY" in n for n in notes)


def test_a_refused_placeholder_is_named_with_its_kind_and_the_reason() -> None:
    report = _report(EnvSetting("FIRST_SUPERUSER", "placeholder", "email"))
    notes = _placeholder_cause(EMAIL_LOG, {}, report, fields={"first_superuser": "FIRST_SUPERUSER"})
    assert notes == [
        "The start failed on the placeholder for FIRST_SUPERUSER (email): value is not a valid "
        "email address: It must have exactly one @-sign.; give it a real value with --env or "
        "--env-file (on the Space: a secret or variable)"
    ]


def test_pydantic_v1_errors_are_read_too() -> None:
    assert validation_errors(V1_LOG) == [
        (
            "api_key",
            'string does not match regex "^[A-F0-9]{8}$" (type=value_error.str.regex; pattern=^[A-F0-9]{8}$)',
        ),
        ("workers", "field required (type=value_error.missing)"),
    ]
    report = _report(EnvSetting("V1_API_KEY", "--env"))
    notes = _placeholder_cause(
        V1_LOG, {}, report, fields={"api_key": "V1_API_KEY", "workers": "V1_WORKERS"}
    )
    assert notes[0].startswith("The app's settings refuse the value given for V1_API_KEY (--env)")
    assert notes[1].startswith("The app's settings require V1_WORKERS")


def test_without_a_settings_error_a_placeholder_is_blamed_by_name_as_a_whole_word() -> None:
    log = "Traceback (most recent call last):\n  File \"m.py\", line 1\nKeyError: 'DB_HOST'\n"
    report = _report(
        EnvSetting("HOST", "placeholder", "bind address"), EnvSetting("DB_HOST", "placeholder")
    )
    notes = _placeholder_cause(log, {"HOST": "0.0.0.0", "DB_HOST": "x"}, report)
    assert len(notes) == 1 and "for DB_HOST:" in notes[0]


def test_a_value_assigned_first_and_a_starlette_cast_say_their_type(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "app",
        {
            "db.py": "import os\n\nport = os.getenv('PG_PORT_NUMBER')\nhost = os.environ['PG_HOST']\n"
            "URL = f'postgresql://u:p@{host}:{int(port)}/db'\n",
            "conf.py": "from starlette.config import Config\n\nconfig = Config()\n"
            "DEBUG = config('DEBUG_MODE', cast=bool)\nWORKERS = config('WORKER_SLOTS', int)\n"
            "SITE = config('SITE')\n",
        },
    )
    types = variable_types(project_for(root))
    assert types["PG_PORT_NUMBER"].kind == "int" and types["PG_HOST"].kind == "str"
    assert types["DEBUG_MODE"].kind == "bool" and types["WORKER_SLOTS"].kind == "int"
    assert types["SITE"].kind == "str"


def test_a_failed_host_lookup_names_the_placeholder_hosts() -> None:
    log = (
        "Traceback (most recent call last):\n"
        '  File "/usr/local/lib/python3.12/socket.py", line 963, in getaddrinfo\n'
        "socket.gaierror: [Errno -2] Name or service not known\n"
    )
    report = _report(
        EnvSetting("DB_HOST", "placeholder"),
        EnvSetting("DB_NAME", "placeholder"),
        EnvSetting("CACHE", "placeholder", "url (redis)"),
        EnvSetting("HOST", "placeholder", "bind address"),
    )
    env = {
        "DB_HOST": "hfdeploy-placeholder-DB_HOST",
        "DB_NAME": "hfdeploy-placeholder-DB_NAME",
        "CACHE": "redis://user:password@hfdeploy-placeholder.invalid:6379/0",
        "HOST": "0.0.0.0",
    }
    notes = _placeholder_cause(log, env, report)
    assert notes == [
        "The start failed looking up a host, and CACHE, DB_HOST hold placeholders that no server "
        "answers to: give the real host with --env or --env-file (on the Space: a secret or "
        "variable)"
    ]


def test_pydantic_2s_bundled_v1_gives_optional_fields_a_none_default(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path / "app",
        {
            "config.py": "from typing import Optional\n\nfrom pydantic.v1 import (\n    AnyHttpUrl,\n"
            "    BaseSettings,\n)\n\nclass Settings(BaseSettings):\n    SENTRY_DSN: Optional[AnyHttpUrl]\n"
            "    API_KEY: str\n\nprint(Settings().SENTRY_DSN)\n",
        },
    )
    env, _ = container_env(project_for(root), VerifyOptions())
    assert env == {"API_KEY": "hfdeploy-placeholder-API_KEY"}
    result = _run_with(root, "config", env)
    assert result.returncode == 0 and result.stdout.strip() == "None", result.stderr[-2000:]


def test_a_directory_placeholder_moves_to_the_data_directory_the_image_sets() -> None:
    from hfdeploy.verify.settings import with_data_dir

    settings = [
        EnvSetting("UPLOADS", "placeholder", "directory"),
        EnvSetting("DATABASE_URL", "placeholder", "database URL"),
        EnvSetting("NAME", "placeholder"),
    ]
    env = {"UPLOADS": "/tmp", "DATABASE_URL": "sqlite:////x/app.db", "NAME": "n"}
    assert with_data_dir(env, settings, {"DATA_DIR": "/srv/data"}) == {
        "UPLOADS": "/srv/data",
        "DATABASE_URL": "sqlite:////srv/data/app.db",
        "NAME": "n",
    }
    assert with_data_dir(env, settings, {}) == env
