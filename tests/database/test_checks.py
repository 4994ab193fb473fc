"""DB checks on real trees through the real engine: what they find, what their fixes write, and
that the fixed URLs and code do what they should with SQLAlchemy itself."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hfdeploy.diagnostics import Applicability, Severity
from hfdeploy.report import render_text
from tests.support import check_tree, codes, fix_tree, make_tree, project_for

BAD_URL = "postgres://taskadmin:p@ss#w0rd@db.example.com:5432/taskboard"
INI = "[alembic]\nscript_location = alembic\nprepend_sys_path = .\nsqlalchemy.url = {url}\n"


def rendered(root: Path, select: str) -> str:
    return render_text(project_for(root), check_tree(root, select))


# -- DB001 -------------------------------------------------------------------------------------
def test_postgres_scheme_found_everywhere_and_only_the_scheme_is_rewritten(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".env": "DATABASE_URL=postgres://u:pw@db.example.com:443/app\r\n",
            "alembic.ini": INI.format(url="postgres+psycopg2://u:pw@db.example.com:443/app"),
            "app/db.py": 'import os\nURL = os.getenv("DATABASE_URL", "postgres://u:pw@localhost/app")\n',
            ".env.example": "DATABASE_URL=postgres://user:password@host/db\n",
        },
    )
    found = check_tree(tmp_path, "DB001")
    assert sorted(str(d.path) for d in found) == [".env", "alembic.ini", "app/db.py"]
    fix_tree(tmp_path, "DB001")
    assert (
        tmp_path / ".env"
    ).read_bytes() == b"DATABASE_URL=postgresql://u:pw@db.example.com:443/app\r\n"
    assert (
        "sqlalchemy.url = postgresql+psycopg2://u:pw@db.example.com:443/app\n"
        in (tmp_path / "alembic.ini").read_text()
    )
    assert '"postgresql://u:pw@localhost/app"' in (tmp_path / "app/db.py").read_text()
    assert (
        tmp_path / ".env.example"
    ).read_text() == "DATABASE_URL=postgres://user:password@host/db\n"
    assert check_tree(tmp_path, "DB001") == []


def test_url_in_a_module_with_a_param_order_error_is_still_found(tmp_path: Path) -> None:
    # `def f(a=1, b)` stops main.py from parsing; the URL beside it must not go unreported.
    src = (
        "from sqlalchemy import create_engine\n\n"
        'engine = create_engine("postgres://u:pw@db.example.com:443/app")\n\n\n'
        "def page(limit=10, offset):\n    return limit, offset\n"
    )
    make_tree(tmp_path, {"main.py": src})
    (found,) = check_tree(tmp_path, "DB001")
    assert (str(found.path), found.span is not None) == ("main.py", True)
    fix_tree(tmp_path, "DB001,PY001")
    after = (tmp_path / "main.py").read_text()
    assert '"postgresql://u:pw@db.example.com:443/app"' in after
    assert "def page(limit=10, *, offset):" in after


def test_postgres_scheme_left_alone_when_the_app_rewrites_it(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".env": "DATABASE_URL=postgres://u:pw@db.example.com:443/app\n",
            "app/config.py": (
                "import os\n"
                'url = os.environ.get("DATABASE_URL", "sqlite://")\n'
                'if url.startswith("postgres://"):\n'
                '    url = url.replace("postgres://", "postgresql://", 1)\n'
            ),
            "alembic.ini": INI.format(url="postgres://u:pw@db.example.com:443/app"),
        },
    )
    # The app's own rewrite covers .env, not alembic.ini (its env.py is not the app).
    assert [str(d.path) for d in check_tree(tmp_path, "DB001")] == ["alembic.ini"]


# -- DB002 -------------------------------------------------------------------------------------
def test_password_is_encoded_in_env_and_doubled_in_alembic_ini(tmp_path: Path) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    make_tree(
        tmp_path, {".env": f"DATABASE_URL={BAD_URL}\n", "alembic.ini": INI.format(url=BAD_URL)}
    )
    found = check_tree(tmp_path, "DB002")
    assert [(str(d.path), d.severity) for d in found] == [
        (".env", Severity.ERROR),
        ("alembic.ini", Severity.ERROR),
    ]
    assert "w0rd" not in rendered(tmp_path, "DB002")
    fix_tree(tmp_path, "DB002")
    env_value = (tmp_path / ".env").read_text().split("=", 1)[1].strip()
    ini = configparser.ConfigParser()
    ini.read(tmp_path / "alembic.ini")
    for text in (env_value, ini.get("alembic", "sqlalchemy.url")):
        url = sqlalchemy.engine.make_url(text.replace("postgres://", "postgresql://"))
        assert (url.username, url.password, url.host, url.port, url.database) == (
            "taskadmin",
            "p@ss#w0rd",
            "db.example.com",
            5432,
            "taskboard",
        )
    assert check_tree(tmp_path, "DB002") == []


def test_characters_that_still_parse_are_a_warning(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app.py": 'URL = "postgresql://u:a b#c@db.example.com:443/app"\n'})
    (found,) = check_tree(tmp_path, "DB002")
    assert found.severity is Severity.WARNING and "space" in found.message
    fix_tree(tmp_path, "DB002")
    assert (
        tmp_path / "app.py"
    ).read_text() == 'URL = "postgresql://u:a%20b%23c@db.example.com:443/app"\n'


def test_escaped_env_value_is_reported_without_a_fix(tmp_path: Path) -> None:
    make_tree(tmp_path, {".env": 'DATABASE_URL="postgresql://u:p@s\\"s@db.example.com:443/app"\n'})
    (found,) = check_tree(tmp_path, "DB002")
    assert found.fix is None


# -- DB003 -------------------------------------------------------------------------------------
SETTINGS = {
    "app/__init__.py": "",
    "app/config.py": (
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
        "class Settings(BaseSettings):\n"
        "    DATABASE_URL: str\n"
        "    model_config = SettingsConfigDict(env_file='.env')\n\n\n"
        "settings = Settings()\n"
    ),
    "app/database.py": (
        "from sqlalchemy import create_engine, text\n\n"
        "from app.config import settings\n\n"
        "engine = create_engine(settings.DATABASE_URL)\n"
    ),
}
GETENV = {
    "app/__init__.py": "",
    "app/database.py": (
        '"""Engine."""\n'
        "from os import getenv\n\n"
        "from sqlalchemy import create_engine, text\n\n"
        'SQLALCHEMY_DATABASE_URL = getenv("DATABASE_URL")\n\n'
        "engine = create_engine(SQLALCHEMY_DATABASE_URL)\n"
    ),
}


def _run_app(root: Path, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the fixed app in a clean process and create a table through its engine."""
    code = (
        "from sqlalchemy import text\n"
        "from app.database import engine\n"
        "with engine.begin() as c:\n"
        "    c.execute(text('create table t (x int)'))\n"
        "print(engine.url.render_as_string(hide_password=False))\n"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")}
    environ.update({"DATA_DIR": str(data_dir), "PYTHONPATH": str(root), **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("tree", [SETTINGS, GETENV], ids=["pydantic-settings", "getenv"])
def test_sqlite_fallback_creates_the_database_under_data_dir(
    tmp_path: Path, tree: dict[str, str]
) -> None:
    pytest.importorskip("sqlalchemy")
    if tree is SETTINGS:
        pytest.importorskip("pydantic_settings")
    root = make_tree(tmp_path / "repo", tree)
    before = _run_app(root, tmp_path / "data")
    assert before.returncode != 0  # unset URL: the app cannot start
    (found,) = check_tree(root, "DB003")
    assert found.fix is not None and found.fix.applicability is Applicability.SAFE
    fix_tree(root, "DB003")
    data_dir = tmp_path / "space" / "data"  # missing: the fix must create it
    after = _run_app(root, data_dir)
    assert after.returncode == 0, after.stderr
    assert (data_dir / "app.db").is_file()
    assert after.stdout.strip() == f"sqlite:///{data_dir}/app.db"
    # A set DATABASE_URL still wins.
    other = tmp_path / "other.db"
    assert _run_app(root, data_dir, DATABASE_URL=f"sqlite:///{other}").returncode == 0
    assert other.is_file()
    assert check_tree(root, "DB003") == []
    assert not fix_tree(root, "DB003", write=False).changes


def test_environ_subscript_gets_a_fallback_and_the_helper_once(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "db.py": (
                "import os\n"
                "from sqlalchemy import create_engine\n\n"
                'a = create_engine(os.environ["DATABASE_URL"])\n'
                'b = create_engine(os.environ["DATABASE_URL"], echo=True)\n'
            )
        },
    )
    assert codes(check_tree(tmp_path, "DB003")) == ["DB003", "DB003"]
    fix_tree(tmp_path, "DB003")
    text = (tmp_path / "db.py").read_text()
    assert text.count("def _sqlite_fallback") == 1
    assert text.count('os.environ.get("DATABASE_URL") or _sqlite_fallback()') == 2
    compile(text, "db.py", "exec")


def test_async_engine_fallback_is_unsafe_without_aiosqlite(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "sqlalchemy[asyncio]\nasyncpg\n",
            "db.py": (
                "import os\nfrom sqlalchemy.ext.asyncio import create_async_engine\n\n"
                'engine = create_async_engine(os.getenv("DATABASE_URL"))\n'
            ),
        },
    )
    (found,) = check_tree(tmp_path, "DB003")
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    assert "sqlite+aiosqlite" in found.fix.edits[-1].replacement or any(
        "sqlite+aiosqlite" in e.replacement for e in found.fix.edits
    )


def test_unrecognised_settings_shape_gets_no_fix(tmp_path: Path) -> None:
    tree = dict(SETTINGS)
    tree["app/config.py"] = tree["app/config.py"].replace(
        "DATABASE_URL: str\n", "DATABASE_URL: PostgresDsn\n"
    )
    make_tree(tmp_path, tree)
    (found,) = check_tree(tmp_path, "DB003")
    assert found.fix is None


def test_old_sqlalchemy_also_gets_check_same_thread_for_sqlite(tmp_path: Path) -> None:
    tree = dict(GETENV)
    tree["requirements.txt"] = "sqlalchemy==1.4.54\n"
    make_tree(tmp_path, tree)
    fix_tree(tmp_path, "DB003")
    assert (
        'create_engine(SQLALCHEMY_DATABASE_URL, connect_args={"check_same_thread": False} '
        'if SQLALCHEMY_DATABASE_URL.startswith("sqlite") else {})'
    ) in (tmp_path / "app/database.py").read_text()


def test_url_with_fallback_or_default_is_not_reported(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "db.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                'a = create_engine(os.getenv("DATABASE_URL") or "sqlite:////tmp/a.db")\n'
                'b = create_engine(os.getenv("DATABASE_URL", "sqlite:////tmp/b.db"))\n'
            )
        },
    )
    assert check_tree(tmp_path, "DB003") == []


# -- DB004 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("requirements", "url", "missing"),
    [
        ("fastapi\nsqlalchemy==2.0.36\n", "postgresql://u:pw@db.example.com:443/a", "psycopg2"),
        (
            "fastapi\nsqlalchemy==2.0.36\npsycopg2-binary==2.9.10\n",
            "postgresql://u:pw@db.example.com:443/a",
            None,
        ),
        (
            "sqlalchemy==2.1.9\npsycopg2-binary\n",
            "postgresql://u:pw@db.example.com:443/a",
            "psycopg",
        ),
        ("sqlalchemy\npsycopg[binary]\n", "postgresql://u:pw@db.example.com:443/a", None),
        ("sqlalchemy\n", "postgresql+asyncpg://u:pw@db.example.com:443/a", "asyncpg"),
        ("sqlalchemy\n", "mysql+pymysql://u:pw@db.example.com:443/a", "pymysql"),
        ("sqlalchemy\n", "sqlite:////data/app.db", None),
        ("sqlalchemy[aiosqlite]\n", "sqlite+aiosqlite:////data/app.db", None),
    ],
)
def test_missing_driver(tmp_path: Path, requirements: str, url: str, missing: str | None) -> None:
    make_tree(tmp_path, {"requirements.txt": requirements, ".env": f"DATABASE_URL={url}\n"})
    found = check_tree(tmp_path, "DB004")
    if missing is None:
        assert found == []
    else:
        (diag,) = found
        assert f"No module named '{missing}'" in diag.message and ":pw@" not in diag.message


def test_driver_not_checked_without_declared_dependencies(tmp_path: Path) -> None:
    make_tree(tmp_path, {".env": "DATABASE_URL=postgresql://u:pw@db.example.com:443/a\n"})
    assert check_tree(tmp_path, "DB004") == []


# -- DB005 -------------------------------------------------------------------------------------
def test_sqlite_connect_args_made_conditional_for_a_server_url(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".env": "DATABASE_URL=postgresql://u:pw@db.example.com:443/a\n",
            "db.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                'URL = os.getenv("DATABASE_URL") or "sqlite:///./x.db"\n'
                'engine = create_engine(URL, connect_args={"check_same_thread": False})\n'
            ),
        },
    )
    (found,) = check_tree(tmp_path, "DB005")
    assert "postgresql://u:***@db.example.com:443/a" in found.message
    fix_tree(tmp_path, "DB005")
    assert (
        'create_engine(URL, connect_args={"check_same_thread": False} if URL.startswith("sqlite") else {})'
        in (tmp_path / "db.py").read_text()
    )
    assert check_tree(tmp_path, "DB005") == []


def test_sqlite_connect_args_on_sqlite_url_is_fine(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "db.py": (
                'from sqlalchemy import create_engine\nURL = "sqlite:////tmp/x.db"\n'
                'engine = create_engine(URL, connect_args={"check_same_thread": False})\n'
            )
        },
    )
    assert check_tree(tmp_path, "DB005") == []


# -- DB006 / DB007 -----------------------------------------------------------------------------
def test_relative_sqlite_path_warned_in_app_code_not_in_tests(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "app/db.py": 'URL = "sqlite:///./sql_app.db"\nOK = "sqlite:////home/user/app/data/a.db"\n',
            "tests/conftest.py": 'URL = "sqlite:///./test.db"\n',
            "alembic.ini": INI.format(url="sqlite:///%(here)s/app.db"),
        },
    )
    (found,) = check_tree(tmp_path, "DB006")
    assert (str(found.path), found.severity) == ("app/db.py", Severity.WARNING)
    assert "DATA_DIR" in " ".join(found.notes)


@pytest.mark.parametrize(
    ("url", "blocked"),
    [
        ("postgresql://u:pw@db.example.com/a", True),
        ("mysql://u:pw@db.example.com:3306/a", True),
        ("postgresql://u:pw@db.example.com:443/a", False),
        ("postgresql://u:pw@localhost:5432/a", False),
        ("postgresql://u:pw@db:5432/a", False),
        ("sqlite:////data/a.db", False),
    ],
)
def test_unreachable_ports(tmp_path: Path, url: str, blocked: bool) -> None:
    make_tree(tmp_path, {"app.py": f'URL = "{url}"\n'})
    assert bool(check_tree(tmp_path, "DB007")) is blocked


def test_untracked_env_file_is_not_deployed(tmp_path: Path) -> None:
    from tests.support import git_init

    make_tree(
        tmp_path,
        {".gitignore": ".env\n", ".env": "DATABASE_URL=postgresql://u:pw@db.example.com/a\n"},
    )
    git_init(tmp_path)
    assert check_tree(tmp_path, "DB007") == []


# -- DB008 -------------------------------------------------------------------------------------
def test_lone_percent_doubled_in_alembic_ini(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {"alembic.ini": INI.format(url="postgresql://u:p%40ss@db.example.com:443/%(dbname)s")},
    )
    (found,) = check_tree(tmp_path, "DB008")
    assert found.severity is Severity.ERROR
    fix_tree(tmp_path, "DB008")
    ini = configparser.ConfigParser(defaults={"dbname": "app"})
    ini.read(tmp_path / "alembic.ini")
    assert ini.get("alembic", "sqlalchemy.url") == "postgresql://u:p%40ss@db.example.com:443/app"


# -- DB009 -------------------------------------------------------------------------------------
ENV_PY = (
    "from alembic import context\n\n"
    "config = context.config\n\n"
    'url = config.get_main_option("sqlalchemy.url")\n'
)


@pytest.mark.parametrize(
    ("sys_path", "applicability"), [(".", Applicability.SAFE), ("", Applicability.UNSAFE)]
)
def test_alembic_pointed_at_the_app_setting(
    tmp_path: Path, sys_path: str, applicability: Applicability
) -> None:
    tree = dict(SETTINGS)
    tree["alembic.ini"] = (
        f"[alembic]\nscript_location = alembic\nprepend_sys_path = {sys_path}\n"
        "sqlalchemy.url = sqlite:////tmp/x.db\n"
    )
    tree["alembic/env.py"] = ENV_PY
    make_tree(tmp_path, tree)
    (found,) = check_tree(tmp_path, "DB009")
    assert found.fix is not None and found.fix.applicability is applicability
    fix_tree(tmp_path, "DB009", unsafe=True)
    text = (tmp_path / "alembic/env.py").read_text()
    assert "from app.config import settings  # noqa: E402\n" in text
    assert (
        'config.set_main_option("sqlalchemy.url", settings.DATABASE_URL.replace("%", "%%"))\n'
        in text
    )
    assert (
        text.index("config = context.config")
        < text.index("set_main_option")
        < text.index("get_main_option")
    )
    assert check_tree(tmp_path, "DB009") == []


def test_url_assigned_inside_the_function_gets_the_fallback(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "db.py": (
                "import os\n\nfrom sqlalchemy import create_engine\n\n\n"
                "def get_engine():\n"
                '    url = os.environ.get("DATABASE_URL")\n'
                "    return create_engine(url)\n"
            )
        },
    )
    (found,) = check_tree(tmp_path, "DB003")
    assert found.fix is not None
    fix_tree(tmp_path, "DB003")
    text = (tmp_path / "db.py").read_text()
    assert '    url = os.environ.get("DATABASE_URL") or _sqlite_fallback()\n' in text
    assert text.index("def _sqlite_fallback") < text.index("def get_engine")


def test_fix_diff_never_shows_the_password(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".env": "DATABASE_URL=postgres://app:pa/ss@w0rd-x@db.example.com:443/app\n",
            "alembic.ini": INI.format(url="postgres://app:pa/ss@w0rd-x@db.example.com:443/app"),
        },
    )
    outcome = fix_tree(tmp_path, "DB", write=False)
    diff = outcome.diff()
    assert "postgresql://app:" in diff and "db.example.com" in diff
    assert "ss@w0rd" not in diff and "w0rd-x" not in diff and "%40w0rd" not in diff
    assert "w0rd" not in render_text(project_for(tmp_path), check_tree(tmp_path, "DB"))


def test_fixed_alembic_migrates_the_apps_sqlite_fallback(tmp_path: Path) -> None:
    """The taskboard shape end to end: after `fix`, `alembic upgrade head` (real Alembic) creates
    its table in the app's fallback database under DATA_DIR, not at alembic.ini's server."""
    pytest.importorskip("alembic")
    pytest.importorskip("pydantic_settings")
    tree = dict(SETTINGS)
    # 127.0.0.1:9: should the fix regress, Alembic fails locally instead of reaching out.
    tree["alembic.ini"] = (
        INI.format(url=BAD_URL.replace("db.example.com:5432", "127.0.0.1:9"))
        + "[loggers]\nkeys = root\n[handlers]\nkeys =\n"
        "[formatters]\nkeys =\n[logger_root]\nhandlers =\n"
    )
    tree["alembic/env.py"] = (
        "from logging.config import fileConfig\n\n"
        "from sqlalchemy import engine_from_config, pool\n\n"
        "from alembic import context\n\n"
        "config = context.config\n"
        "fileConfig(config.config_file_name)\n\n"
        "connectable = engine_from_config(config.get_section(config.config_ini_section, {}),\n"
        "                                 prefix='sqlalchemy.', poolclass=pool.NullPool)\n"
        "with connectable.connect() as connection:\n"
        "    context.configure(connection=connection, target_metadata=None)\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n"
    )
    tree["alembic/script.py.mako"] = ""
    tree["alembic/versions/0001_tasks.py"] = (
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        "revision = '0001'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n    op.create_table('tasks', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
        "def downgrade():\n    op.drop_table('tasks')\n"
    )
    root = make_tree(tmp_path / "repo", tree)
    fix_tree(root, "DB")
    data_dir = tmp_path / "space-data"
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    environ.update({"DATA_DIR": str(data_dir)})
    proc = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(f"sqlite:///{data_dir}/app.db")
    try:
        assert "tasks" in sqlalchemy.inspect(engine).get_table_names()
    finally:
        engine.dispose()  # closes the pooled sqlite3 connection (unclosed ones warn on 3.13)
    assert "w0rd" not in proc.stdout + proc.stderr


def test_old_sqlalchemy_settings_shape_uses_the_setting_in_connect_args(tmp_path: Path) -> None:
    tree = dict(SETTINGS)
    tree["requirements.txt"] = "sqlalchemy==1.4.54\npydantic-settings\n"
    make_tree(tmp_path, tree)
    fix_tree(tmp_path, "DB003")
    assert (
        'create_engine(settings.DATABASE_URL, connect_args={"check_same_thread": False} '
        'if settings.DATABASE_URL.startswith("sqlite") else {})'
    ) in (tmp_path / "app/database.py").read_text()


def test_async_fallback_adds_its_driver_so_no_new_error_follows(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "fastapi==0.115.0\r\nsqlalchemy[asyncio]==2.0.35\r\nasyncpg==0.29.0",
            "app/db.py": (
                "import os\n\nfrom sqlalchemy.ext.asyncio import create_async_engine\n\n"
                'engine = create_async_engine(os.environ["DATABASE_URL"])\n'
            ),
        },
    )
    (diag,) = [d for d in check_tree(tmp_path, "DB003")]
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any("adds it, unpinned, to requirements.txt" in n for n in diag.notes)
    assert not fix_tree(tmp_path, "DB").changes  # unsafe: left alone without --unsafe-fixes
    fix_tree(tmp_path, "DB", unsafe=True)
    assert (
        (tmp_path / "requirements.txt").read_bytes().endswith(b"asyncpg==0.29.0\r\naiosqlite\r\n")
    )
    assert "sqlite+aiosqlite" in (tmp_path / "app/db.py").read_text()
    assert [d for d in check_tree(tmp_path, "DB") if d.severity is Severity.ERROR] == []
