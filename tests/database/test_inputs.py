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


def test_mysql_urls_get_the_scheme_of_the_driver_the_image_installs(tmp_path: Path) -> None:
    """`mysql://` loads mysqlclient, which the image may not install: the URL verify writes names
    the installed driver (sync PyMySQL or mysql-connector, async aiomysql or asyncmy)."""
    sync_engine = {
        "main.py": (
            "import os\nfrom sqlalchemy import create_engine\n"
            "engine = create_engine(os.environ['SHOP_DATABASE_URL'])\n"
        )
    }
    async_engine = {
        "main.py": (
            "import os\nfrom sqlalchemy.ext.asyncio import create_async_engine\n"
            "engine = create_async_engine(os.environ['SHOP_DATABASE_URL'])\n"
        )
    }
    cases = [
        (sync_engine, "sqlalchemy\npymysql\n", "mysql+pymysql"),
        (sync_engine, "sqlalchemy\nmysqlclient\n", "mysql"),
        (sync_engine, "sqlalchemy\nmysql-connector-python\n", "mysql+mysqlconnector"),
        (async_engine, "sqlalchemy\naiomysql\n", "mysql+aiomysql"),
        (async_engine, "sqlalchemy\nasyncmy\n", "mysql+asyncmy"),
    ]
    for index, (files, requirements, scheme) in enumerate(cases):
        found = inputs(tmp_path / str(index), files, requirements)
        assert found.family == "mysql", requirements
        assert found.url_variables == {"SHOP_DATABASE_URL": scheme}, requirements


def test_mariadb_and_driver_schemes_are_mysql(tmp_path: Path) -> None:
    for index, scheme in enumerate(
        ["mariadb+pymysql", "mysql+mysqldb", "mysql+aiomysql", "mysql+asyncmy", "mariadb"]
    ):
        found = inputs(
            tmp_path / str(index),
            {
                ".env.example": f"DATABASE_URL={scheme}://user:pw@db:3306/shop\n",
                "main.py": (
                    "import os\nfrom sqlalchemy import create_engine\n"
                    "engine = create_engine(os.environ['DATABASE_URL'])\n"
                ),
            },
            "sqlalchemy\n",
        )
        assert found.family == "mysql", scheme
        assert found.url_variables["DATABASE_URL"].split("://")[0] in (scheme, "mysql"), scheme


DRIVER_CALLS = {
    # (module text, requirements) -> the parts it names
    "aiomysql": (
        "import os\nimport aiomysql\n\n"
        "async def pool():\n"
        "    return await aiomysql.create_pool(host=os.environ['DB_HOST'],\n"
        "        port=int(os.environ['DB_PORT']), user=os.environ['DB_USER'],\n"
        "        password=os.environ['DB_PASSWORD'], db=os.environ['DB_NAME'])\n"
    ),
    "pymysql-from-import": (
        "import os\nfrom pymysql import connect as open_db\n"
        "HOST = os.getenv('DB_HOST')\n"
        "def get():\n"
        "    return open_db(host=HOST, port=int(os.getenv('DB_PORT', '3306')),\n"
        "        user=os.environ['DB_USER'], passwd=os.environ['DB_PASSWORD'],\n"
        "        database=os.environ['DB_NAME'])\n"
    ),
    "mysql-connector": (
        "import os\nimport mysql.connector\n"
        "conn = mysql.connector.connect(host=os.environ['DB_HOST'], port=os.environ['DB_PORT'],\n"
        "    user=os.environ['DB_USER'], password=os.environ['DB_PASSWORD'],\n"
        "    database=os.environ['DB_NAME'])\n"
    ),
    "asyncmy-alias": (
        "import os\nimport asyncmy as driver\n"
        "async def pool():\n"
        "    return await driver.create_pool(host=os.environ['DB_HOST'],\n"
        "        port=int(os.environ['DB_PORT']), user=os.environ['DB_USER'],\n"
        "        password=os.environ['DB_PASSWORD'], db=os.environ['DB_NAME'])\n"
    ),
    "mysqldb-settings": (
        "import MySQLdb\nfrom pydantic_settings import BaseSettings\n\n"
        "class Settings(BaseSettings):\n"
        "    db_host: str\n    db_port: int = 3306\n    db_user: str\n"
        "    db_password: str\n    db_name: str\n\nsettings = Settings()\n"
        "conn = MySQLdb.connect(host=settings.db_host, port=settings.db_port,\n"
        "    user=settings.db_user, passwd=settings.db_password, db=settings.db_name)\n"
    ),
}


def test_address_keywords_of_mysql_driver_calls(tmp_path: Path) -> None:
    """No URL anywhere: each part of the address is a keyword of the driver's own call."""
    for name, text in DRIVER_CALLS.items():
        found = inputs(tmp_path / name, {"db.py": text}, "fastapi\n")
        assert found.family == "mysql", name
        assert {v.upper(): p for v, p in found.part_variables.items()} == {
            "DB_HOST": "host",
            "DB_PORT": "port",
            "DB_USER": "user",
            "DB_PASSWORD": "password",
            "DB_NAME": "database",
        }, name
        assert found.url_variables == {}, name
        assert found.default_port_hosts == frozenset(), name  # a port keyword is given
        assert any("connect(" in why or "create_pool(" in why for why in found.evidence), name


def test_a_driver_call_without_a_port_needs_the_default_port(tmp_path: Path) -> None:
    found = inputs(
        tmp_path,
        {
            "db.py": (
                "import os, pymysql\n"
                "conn = pymysql.connect(host=os.environ['DB_HOST'], user='app',\n"
                "    password=os.environ['DB_PASSWORD'], database='shop')\n"
            )
        },
        "pymysql\n",
    )
    assert found.family == "mysql"
    assert found.part_variables == {"DB_HOST": "host", "DB_PASSWORD": "password"}
    assert found.default_port_hosts == frozenset({"DB_HOST"})


def test_postgres_driver_calls_and_what_is_no_driver_call(tmp_path: Path) -> None:
    asyncpg = inputs(
        tmp_path / "a",
        {
            "db.py": (
                "import os, asyncpg\n"
                "async def go():\n"
                "    return await asyncpg.connect(host=os.environ['PGHOST'],\n"
                "        port=os.environ['PGPORT'], user=os.environ['PGUSER'],\n"
                "        password=os.environ['PGPASSWORD'], database=os.environ['PGDATABASE'])\n"
            )
        },
        "asyncpg\n",
    )
    assert asyncpg.family == "postgresql" and asyncpg.is_async
    assert set(asyncpg.part_variables) == {"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"}
    # Another package's `connect`, a call with literals only, a call in the tests: no input.
    other = inputs(
        tmp_path / "b",
        {
            "db.py": (
                "import os, sqlite3, pymysql\n"
                "a = sqlite3.connect(os.environ['DB_FILE'])\n"
                "b = pymysql.connect(host='db', user='root', password='x', database='shop')\n"
            ),
            "tests/test_db.py": (
                "import os, pymysql\n"
                "c = pymysql.connect(host=os.environ['TEST_DB_HOST'], user='u')\n"
            ),
        },
        "pymysql\n",
    )
    assert other.part_variables == {} and other.url_variables == {}


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
