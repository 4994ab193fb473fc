"""database_inputs: the dialect family, async or not, the variables whose whole value is the engine
URL and those that fill its parts — followed from the engine call back to the environment."""

from __future__ import annotations

from pathlib import Path

from hfdeploy.database.inputs import database_inputs
from tests.support import make_tree, project_for

DOCKERFILE = (
    "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    "COPY . .\nCMD uvicorn main:app --host 0.0.0.0 --port 7860\n"
)


def inputs(tmp_path: Path, files: dict[str, str], requirements: str = "fastapi\nsqlalchemy\n"):
    root = make_tree(
        tmp_path / "app", {"Dockerfile": DOCKERFILE, "requirements.txt": requirements, **files}
    )
    return database_inputs(project_for(root))


def test_async_settings_field_straight_into_the_engine(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "config.py": (
                "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n"
                "    database_url: str\n\nsettings = Settings()\n"
            ),
            "db.py": (
                "from sqlalchemy.ext.asyncio import create_async_engine\n"
                "from config import settings\n"
                "engine = create_async_engine(settings.database_url, pool_pre_ping=True)\n"
            ),
        },
        "fastapi\nsqlalchemy\nasyncpg\npydantic-settings\n",
    )
    assert found.family == "postgresql"  # only from the driver the image installs
    assert found.is_async
    assert found.url_variables == {"DATABASE_URL": "postgresql+asyncpg"}
    assert found.part_variables == {}
    assert found.evidence == ("the database drivers the image installs",)


def test_the_code_adds_the_driver_itself(tmp_path: Path) -> None:
    """`.replace("postgresql://", "postgresql+asyncpg://")`: the variable holds a plain URL, and
    the same variable feeds a sync engine too."""
    found = inputs(
        tmp_path,
        {
            "db.py": (
                "import os\n"
                "from sqlalchemy import create_engine\n"
                "from sqlalchemy.ext.asyncio import create_async_engine\n"
                "URL = os.environ['MY_DB']\n"
                "engine = create_engine(URL)\n"
                "ASYNC_URL = URL.replace('postgresql://', 'postgresql+asyncpg://')\n"
                "async_engine = create_async_engine(ASYNC_URL)\n"
            ),
        },
        "sqlalchemy\npsycopg2-binary\nasyncpg\n",
    )
    assert found.family == "postgresql"
    assert found.url_variables == {"MY_DB": "postgresql"}  # not named like a URL: traced


def test_example_env_file_says_the_family_and_scheme(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            ".env.example": "STORE=postgresql+psycopg://user:pass@localhost/db\n",
            "db.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                "def make():\n"
                "    url = os.getenv('STORE')\n"
                "    return create_engine(url)\n"
            ),
        },
        "sqlalchemy\npsycopg[binary]\n",
    )
    assert (found.family, found.is_async) == ("postgresql", False)
    assert found.url_variables == {"STORE": "postgresql+psycopg"}
    assert found.evidence == ("STORE in .env.example",)


def test_url_from_parts_in_module_variables(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "config.py": (
                "import os\n"
                "host = os.getenv('DB_HOST')\nport = os.getenv('DB_PORT')\n"
                "name = os.getenv('DB_DATABASE')\nuser = os.getenv('DB_USER')\n"
                "password = os.getenv('DB_PASSWORD')\n"
                "url = f'postgresql+asyncpg://{user}:{password}@{host}:{port}/{name}'\n"
            ),
            "database.py": (
                "from sqlalchemy.ext.asyncio import create_async_engine\n"
                "from config import url\nengine = create_async_engine(url)\n"
            ),
        },
    )
    assert (found.family, found.is_async) == ("postgresql", True)
    assert found.url_variables == {}
    assert found.part_variables == {
        "DB_USER": "user",
        "DB_PASSWORD": "password",
        "DB_HOST": "host",
        "DB_PORT": "port",
        "DB_DATABASE": "database",
    }


def test_url_from_a_settings_property_and_a_plain_class(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "app/settings.py": (
                "from pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n"
                "    PG_HOST: str\n    PG_PORT: int = 5432\n    PG_USER: str\n"
                "    PG_PASS: str\n    PG_NAME: str\n\n"
                "    @property\n    def dsn(self) -> str:\n"
                "        return (\n"
                "            'postgresql+asyncpg://' + self.PG_USER + ':' + self.PG_PASS\n"
                "            + '@' + self.PG_HOST + ':' + str(self.PG_PORT) + '/' + self.PG_NAME\n"
                "        )\n\nsettings = Settings()\n"
            ),
            "app/db.py": (
                "from sqlalchemy.ext.asyncio import create_async_engine\n"
                "from .settings import settings\n"
                "engine = create_async_engine(settings.dsn)\n"
            ),
        },
    )
    assert found.part_variables == {
        "PG_USER": "user",
        "PG_PASS": "password",
        "PG_HOST": "host",
        "PG_PORT": "port",
        "PG_NAME": "database",
    }
    found = inputs(
        tmp_path / "plain",
        {
            "cfg.py": (
                "import os\n\nclass Config:\n"
                "    HOST = os.environ.get('POSTGRES_HOST')\n"
                "    USER = os.environ.get('POSTGRES_USER')\n"
                "    DB = os.environ.get('POSTGRES_DB')\n"
                "    URL = 'postgresql://{}@{}/{}'.format(USER, HOST, DB)\n\nconfig = Config()\n"
            ),
            "db.py": (
                "from sqlalchemy import create_engine\nfrom cfg import config\n"
                "engine = create_engine(url=config.URL)\n"
            ),
        },
    )
    assert found.family == "postgresql"
    assert found.part_variables == {
        "POSTGRES_USER": "user",
        "POSTGRES_HOST": "host",
        "POSTGRES_DB": "database",
    }


def test_url_create_and_alembic(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "db.py": (
                "import os\nfrom sqlalchemy import URL, create_engine\n"
                "url = URL.create('postgresql+psycopg2', username=os.environ['U'],\n"
                "    password=os.environ['P'], host=os.getenv('H', 'localhost'),\n"
                "    port=int(os.getenv('PORT_OF_DB', '5432')), database='app')\n"
                "engine = create_engine(url)\n"
            ),
            "migrations/env.py": (
                "import os\nfrom alembic import context\nconfig = context.config\n"
                "config.set_main_option('sqlalchemy.url', os.environ['MIGRATIONS_URL'])\n"
            ),
        },
    )
    assert found.part_variables == {"U": "user", "P": "password", "H": "host", "PORT_OF_DB": "port"}
    assert found.url_variables == {"MIGRATIONS_URL": "postgresql"}  # family from URL.create


def test_branches_and_a_rewrite_of_the_legacy_scheme(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "config.py": (
                "from pydantic import Field\nfrom pydantic_settings import BaseSettings\n\n"
                "class Settings(BaseSettings):\n"
                "    neon: str = Field(..., alias='NEON_KEY')\n\nsettings = Settings()\n"
            ),
            "database.py": (
                "from sqlalchemy import create_engine\nfrom config import settings\n"
                "raw = settings.neon\n"
                "if raw.startswith('postgres://'):\n"
                "    URL = raw.replace('postgres://', 'postgresql://', 1)\n"
                "else:\n    URL = raw\n"
                "engine = create_engine(URL)\n"
            ),
        },
        "sqlalchemy\npsycopg2-binary\n",
    )
    assert found.family == "postgresql"
    assert found.url_variables == {"NEON_KEY": "postgresql+psycopg2"}  # SQLAlchemy 2.1: psycopg


def test_sqlite_and_unknown(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "db.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                "engine = create_engine(os.getenv('DATABASE_URL', 'sqlite:///./app.db'))\n"
            )
        },
        "sqlalchemy\npsycopg2-binary\n",  # installed, but the code's own default says SQLite
    )
    assert found.family == "sqlite"
    assert found.url_variables == {"DATABASE_URL": "sqlite"}
    found = inputs(tmp_path / "none", {"main.py": "import os\nKEY = os.environ['KEY']\n"})
    assert (found.family, found.url_variables, found.part_variables) == ("unknown", {}, {})


def test_mysql_from_parts(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "db.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                "engine = create_engine('mysql+pymysql://%s:%s@%s/%s' % (os.environ['MU'], "
                "os.environ['MP'], os.environ['MH'], os.environ['MD']))\n"
            )
        },
    )
    assert found.family == "mysql"
    assert found.part_variables == {"MU": "user", "MP": "password", "MH": "host", "MD": "database"}


def test_tests_are_not_uses(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "tests/test_db.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                "engine = create_engine(os.environ['TEST_DATABASE_URL'])\n"
            )
        },
    )
    assert found.url_variables == {}


def test_the_plain_scheme_follows_the_sqlalchemy_series(tmp_path: Path) -> None:
    """`postgresql://` loads psycopg2 before SQLAlchemy 2.1 and psycopg (3) from 2.1."""
    app = {
        "db.py": (
            "import os\nfrom sqlalchemy import create_engine\n"
            "engine = create_engine(os.environ['DATABASE_URL'])\n"
        )
    }
    unpinned = inputs(tmp_path / "a", app, "sqlalchemy\npsycopg2-binary\n")
    assert unpinned.url_variables == {"DATABASE_URL": "postgresql+psycopg2"}
    below_21 = inputs(tmp_path / "b", app, "sqlalchemy>=2.0,<2.1\npsycopg2-binary\n")
    assert below_21.url_variables == {"DATABASE_URL": "postgresql"}
    psycopg3 = inputs(tmp_path / "c", app, "sqlalchemy\npsycopg[binary]\n")
    assert psycopg3.url_variables == {"DATABASE_URL": "postgresql"}


def test_a_sqlite_fallback_does_not_hide_the_server(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            ".env.example": "DATABASE_URL=postgresql://user:pass@localhost/app\n",
            "db.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                "def _fallback():\n    return f\"sqlite:///{os.getenv('DATA_DIR', 'data')}/app.db\"\n"
                "engine = create_engine(os.getenv('DATABASE_URL') or _fallback())\n"
            ),
        },
        "sqlalchemy<2.1\npsycopg2-binary\n",
    )
    assert found.family == "postgresql"
    assert found.url_variables == {"DATABASE_URL": "postgresql"}
    assert found.part_variables == {}  # DATA_DIR is the fallback's directory, not a part


def test_url_parts_bound_by_unpacking(tmp_path: Path) -> None:
    """`user, pw = os.environ["U"], os.environ["P"]` (a list too, nested, and annotated or
    walrus-bound names in a function) binds each name to its own read; `a, b = pair` binds none."""
    found = inputs(
        tmp_path,
        {
            "db.py": (
                "import os\n"
                "from sqlalchemy import create_engine\n"
                "user, pw = os.environ['PG_LOGIN'], os.environ['PG_SECRET']\n"
                "[host, (port, name)] = [os.getenv('PG_SERVER'), (os.getenv('PG_TCP'), "
                "os.getenv('PG_NAME'))]\n"
                "first, second = os.getenv('PAIR', 'a,b').split(',')\n"
                "def make():\n"
                "    options: str = os.getenv('PG_OPTIONS', '')\n"
                "    if (scheme := os.getenv('PG_SCHEME')) is None:\n"
                "        scheme = 'postgresql'\n"
                "    return create_engine(\n"
                "        f'postgresql://{user}:{pw}@{host}:{port}/{name}?{options}{first}'\n"
                "    ), scheme\n"
            ),
        },
        "fastapi\nsqlalchemy\npsycopg2-binary\n",
    )
    assert found.family == "postgresql"
    assert found.part_variables == {
        "PG_LOGIN": "user",
        "PG_SECRET": "password",
        "PG_SERVER": "host",
        "PG_TCP": "port",
        "PG_NAME": "database",
    }


def test_whole_url_bound_by_unpacking_and_walrus(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "db.py": (
                "import os\n"
                "from sqlalchemy import create_engine\n"
                "url, echo = os.getenv('APP_DSN'), os.getenv('SQL_ECHO') == '1'\n"
                "engine = create_engine(url, echo=echo)\n"
                "def replica():\n"
                "    if (other := os.getenv('REPLICA_DSN')):\n"
                "        return create_engine(other)\n"
            ),
        },
        "fastapi\nsqlalchemy\npsycopg2-binary\n",
    )
    assert set(found.url_variables) == {"APP_DSN", "REPLICA_DSN"}
