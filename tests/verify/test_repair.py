"""Runtime repairs: each failure text the container shows maps to the edits of its repair."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.fixer import apply_edits, apply_fixes
from hfdeploy.verify.docker_client import ExecResult
from hfdeploy.verify.repair import find_repair
from hfdeploy.verify.report import VerifyReport
from tests.support import make_tree, project_for
from tests.verify.fake_docker import FakeDocker

DOCKERFILE = (
    "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nWORKDIR /app\nCOPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\nCOPY . .\nUSER user\n"
    'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]\n'
)


def repo(tmp_path: Path, **files: str) -> Path:
    return make_tree(
        tmp_path / "app",
        {
            "Dockerfile": DOCKERFILE,
            "requirements.txt": "fastapi\nuvicorn\n",
            "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            **files,
        },
    )


def repaired(
    root: Path,
    log: str = "",
    start_error: str = "",
    unwritable: tuple[str, ...] = (),
    client: object = None,
):  # type: ignore[no-untyped-def]
    project = project_for(root, offline=True)
    report = VerifyReport(
        root=str(root), image="hfdeploy-verify/app:latest", log=log, start_error=start_error
    )
    report.unwritable.extend(unwritable)
    repair = find_repair(project, report, client)  # type: ignore[arg-type]
    if repair is None:
        return None, {}
    outcome = apply_fixes(project, [repair.as_diagnostic()])
    return repair, {str(p): t for p, t in outcome.changes.items()}


def test_a_module_not_installed_adds_its_distribution(tmp_path: Path) -> None:
    log = "Traceback (most recent call last):\n  File \"/app/main.py\", line 1\nModuleNotFoundError: No module named 'yaml'\n"
    repair, changed = repaired(repo(tmp_path), log)
    assert repair is not None and repair.static_rule == "RQ011"
    assert changed["requirements.txt"] == "fastapi\nuvicorn\nPyYAML\n"


def test_psycopg_is_added_with_its_own_libpq(tmp_path: Path) -> None:
    """psycopg 3 alone fails at import in an image without libpq: the repair adds the extra
    that brings one, not a second failure (`no pq wrapper available`)."""
    log = "  File \"/usr/lib/sqlalchemy/dialects/postgresql/psycopg.py\"\nModuleNotFoundError: No module named 'psycopg'\n"
    repair, changed = repaired(repo(tmp_path), log)
    assert repair is not None
    assert changed["requirements.txt"] == "fastapi\nuvicorn\npsycopg[binary]\n"


def test_the_apps_own_module_is_not_installed_from_the_index(tmp_path: Path) -> None:
    root = repo(tmp_path, **{"helpers.py": "X = 1\n"})
    repair, _ = repaired(root, "ModuleNotFoundError: No module named 'helpers'\n")
    assert repair is None


def test_a_server_missing_from_the_requirements_is_added(tmp_path: Path) -> None:
    root = repo(tmp_path, **{"requirements.txt": "fastapi\n"})
    error = 'failed to create task: exec: "uvicorn": executable file not found in $PATH: unknown'
    repair, changed = repaired(root, start_error=error)
    assert repair is not None and repair.static_rule == "DF019"
    assert changed["requirements.txt"] == "fastapi\nuvicorn\n"


def test_an_installed_server_off_path_is_run_as_a_module(tmp_path: Path) -> None:
    error = 'exec: "uvicorn": executable file not found in $PATH'
    repair, changed = repaired(repo(tmp_path), start_error=error)
    assert repair is not None and repair.static_rule == "DF017"
    assert '["python", "-m", "uvicorn", "main:app"' in changed["Dockerfile"]
    shell = DOCKERFILE.replace(
        'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]',
        "CMD uvicorn main:app --port 7860",
    )
    _, changed = repaired(
        repo(tmp_path / "shell", Dockerfile=shell), "/bin/sh: 1: uvicorn: not found\n"
    )
    assert changed["Dockerfile"].endswith("CMD python -m uvicorn main:app --port 7860\n")


def test_an_unwritable_directory_is_created_for_uid_1000_before_user(tmp_path: Path) -> None:
    log = "PermissionError: [Errno 13] Permission denied: '/app/data/app.db'\n"
    repair, changed = repaired(repo(tmp_path), log)
    assert repair is not None and repair.static_rule == "DF031"
    assert (
        "COPY . .\nRUN mkdir -p /app/data && chown -R user /app/data\nUSER user\n"
        in changed["Dockerfile"]
    )
    # The write test's own result works as well as a traceback, and a cache at HOME=/ gets a home.
    repair, changed = repaired(repo(tmp_path / "cache"), unwritable=("/",))
    assert repair is not None
    assert (
        "RUN mkdir -p /home/user && chown -R user /home/user\nENV HOME=/home/user\nUSER user"
        in changed["Dockerfile"]
    )
    # The WORKDIR itself is DF004's; a user with another uid is not the Space's: chown 1000.
    other = DOCKERFILE.replace("useradd -m -u 1000 user", "useradd -m -u 10001 user")
    repair, changed = repaired(repo(tmp_path / "uid", Dockerfile=other), unwritable=("/app",))
    assert repair is not None and repair.static_rule == "DF004"
    assert "RUN mkdir -p /app && chown -R 1000 /app\nUSER user\n" in changed["Dockerfile"]


def test_the_repair_goes_after_a_copy_that_would_replace_the_directory(tmp_path: Path) -> None:
    """A `COPY` after `USER` that lands on the directory: the `RUN` follows it, as root."""
    late = DOCKERFILE.replace("COPY . .\nUSER user\n", "USER user\nCOPY . .\n")
    log = "PermissionError: [Errno 13] Permission denied: '/app/data/app.db'\n"
    repair, changed = repaired(repo(tmp_path, Dockerfile=late), log)
    assert repair is not None
    assert changed["Dockerfile"].endswith(
        "USER user\nCOPY . .\nUSER root\nRUN mkdir -p /app/data && chown -R user /app/data\n"
        'USER user\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]\n'
    )


def test_a_missing_schema_runs_the_migrations_first(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        **{
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": "from alembic import context\n",
        },
    )
    log = "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: tasks\n"
    repair, changed = repaired(root, log)
    assert repair is not None
    assert changed["Dockerfile"].endswith(
        'CMD ["sh", "-c", "alembic upgrade head && exec uvicorn main:app --host 0.0.0.0 --port 7860"]\n'
    )


def test_a_migration_that_cannot_import_the_app_gets_the_sys_path(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        **{
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": "from app.models import Base\n",
            "app/__init__.py": "",
            "app/models.py": "Base = None\n",
        },
    )
    log = (
        'Traceback (most recent call last):\n  File "/app/migrations/env.py", line 1, in <module>\n'
        "ModuleNotFoundError: No module named 'app'\n"
    )
    repair, changed = repaired(root, log)
    assert repair is not None
    assert (
        changed["alembic.ini"] == "[alembic]\nprepend_sys_path = .\nscript_location = migrations\n"
    )


def test_a_transitive_version_is_held_below_the_installed_series(tmp_path: Path) -> None:
    root = repo(tmp_path, **{"requirements.txt": "fastapi\nuvicorn\npasslib\n"})
    log = (
        'Traceback (most recent call last):\n  File "/usr/local/lib/python3.11/site-packages/passlib/handlers/bcrypt.py", line 620\n'
        "AttributeError: module 'bcrypt' has no attribute '__about__'\n"
    )
    fake = FakeDocker()
    fake.run_once = lambda image, argv, **kw: ExecResult(0, '{"bcrypt": "4.1.2"}\n')  # type: ignore[method-assign]
    # offline, unpinned: no era cutoff is known, so the hold is below the installed series
    repair, changed = repaired(root, log, client=fake)
    assert repair is not None and repair.static_rule == "RQ009"
    assert changed["requirements.txt"] == "fastapi\nuvicorn\npasslib\nbcrypt<4.1\n"


def test_no_known_repair(tmp_path: Path) -> None:
    assert repaired(repo(tmp_path), "RuntimeError: something else\n")[0] is None


def test_edits_keep_crlf(tmp_path: Path) -> None:
    root = repo(tmp_path, Dockerfile=DOCKERFILE.replace("\n", "\r\n"))
    _, changed = repaired(root, "PermissionError: [Errno 13] Permission denied: '/app/out'\n")
    assert "chown -R user /app/out\r\nUSER user\r\n" in changed["Dockerfile"]
    assert apply_edits("ab", []) == "ab"


def test_a_crash_inside_a_declared_library_holds_its_newer_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hfdeploy.requirements.lock as lock

    root = repo(tmp_path, **{"requirements.txt": "fastapi==0.104.1\nuvicorn\n"})
    log = (
        'Traceback (most recent call last):\n  File "/app/main.py", line 8, in <module>\n'
        '  File "/usr/local/lib/python3.11/site-packages/fastapi/dependencies/utils.py", line 470\n'
        "AttributeError: 'FieldInfo' object has no attribute 'in_'\n"
    )
    fake = FakeDocker()
    asked: list[list[str]] = []

    def run_once(image: str, argv: list[str], **kw: object) -> ExecResult:
        asked.append(argv)
        return ExecResult(
            0, '{"pydantic": "2.12.0", "starlette": "0.27.0", "typing_extensions": "4.15.0"}\n'
        )

    fake.run_once = run_once  # type: ignore[method-assign]
    era = {"pydantic": "pydantic==2.5.3"}  # the newest releases before the pins' cutoff
    monkeypatch.setattr(
        lock, "era_hold", lambda project, dist, version, fallback=True: era.get(dist)
    )
    repair, changed = repaired(root, log, client=fake)
    assert asked[0][-1] == "fastapi"  # what the failing, declared library requires
    assert (
        repair is not None
        and changed["requirements.txt"] == "fastapi==0.104.1\nuvicorn\npydantic==2.5.3\n"
    )


def test_a_redirect_to_http_gets_the_proxy_flags(tmp_path: Path) -> None:
    from hfdeploy.verify.findings import finding

    root = repo(tmp_path)
    project = project_for(root, offline=True)
    report = VerifyReport(root=str(root), image="x")
    report.findings.append(
        finding(
            "RT015", "Behind the Space's HTTPS proxy, GET /items redirects to `http://a/items/`"
        )
    )
    repair = find_repair(project, report, None)
    assert repair is not None
    text = apply_fixes(project, [repair.as_diagnostic()]).changes[Path("Dockerfile")]  # type: ignore[index]
    assert text.endswith('"--port", "7860", "--proxy-headers", "--forwarded-allow-ips", "*"]\n')
    shell = DOCKERFILE.replace(
        'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]',
        "CMD exec uvicorn main:app --port 7860",
    )
    root = repo(tmp_path / "shell", Dockerfile=shell)
    project = project_for(root, offline=True)
    repair = find_repair(project, report, None)
    assert repair is not None
    text = apply_fixes(project, [repair.as_diagnostic()]).changes[Path("Dockerfile")]  # type: ignore[index]
    assert text.endswith(
        "CMD exec uvicorn main:app --port 7860 --proxy-headers --forwarded-allow-ips '*'\n"
    )


def test_a_missing_schema_without_migrations_creates_the_tables_at_start(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        **{
            "main.py": "from fastapi import FastAPI\n\nfrom shop.models import Item\n\napp = FastAPI()\n",
            "shop/__init__.py": "",
            "shop/db.py": "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import declarative_base\n\n"
            "engine = create_engine('sqlite:///shop.db')\nBase = declarative_base()\n",
            "shop/models.py": "from sqlalchemy import Column, Integer\n\nfrom shop.db import Base\n\n\n"
            "class Item(Base):\n    __tablename__ = 'items'\n    id = Column(Integer, primary_key=True)\n",
        },
    )
    repair, changed = repaired(root, "sqlite3.OperationalError: no such table: items\n")
    assert repair is not None and repair.files == ["main.py"]
    text = changed["main.py"]
    assert text.startswith(
        "from fastapi import FastAPI\n\nfrom shop.models import Item\n\napp = FastAPI()\n\n\n# Create"
    )
    assert "from shop.db import Base as _hfdeploy_base  # noqa: E402\n" in text
    assert text.endswith("_hfdeploy_base.metadata.create_all(bind=_hfdeploy_engine)\n")
    compile(text, "main.py", "exec")
