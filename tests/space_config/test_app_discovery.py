"""App discovery on small trees: layouts, factories, shadowing, several candidates, settings."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.pysource.app_discovery import AppTarget, discover_app, find_app
from tests.support import check_tree, codes, make_tree, project_for

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
WIRED = "from fastapi import FastAPI\nfrom .routers import items\n\napp = FastAPI()\napp.include_router(items.router)\n"


def target_of(tmp_path: Path, files: dict[str, str]) -> AppTarget | None:
    make_tree(tmp_path, files)
    return discover_app(project_for(tmp_path))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"main.py": APP}, ("main", "app", False, None), id="root-main"),
        pytest.param(
            {"server.py": "import fastapi\n\napi = fastapi.FastAPI(title='x')\n"},
            ("server", "api", False, None),
            id="module-attribute-call",
        ),
        pytest.param(
            {"main.py": "import fastapi as fa\n\napplication: fa.FastAPI = fa.FastAPI()\n"},
            ("main", "application", False, None),
            id="annotated-assignment",
        ),
        pytest.param(
            {
                "main.py": "from fastapi import FastAPI\nfrom x import build\n\napp: FastAPI = build()\n"
            },
            ("main", "app", False, None),
            id="annotated-built-elsewhere",
        ),
        pytest.param(
            {"app/__init__.py": "", "app/main.py": APP},
            ("app.main", "app", False, None),
            id="package",
        ),
        pytest.param(
            {
                "src/shop/__init__.py": "",
                "src/shop/api/__init__.py": "",
                "src/shop/api/main.py": APP,
            },
            ("shop.api.main", "app", False, "src"),
            id="src-layout",
        ),
        pytest.param(
            {"app/main.py": "from app.routers import items\n" + APP, "app/routers/items.py": ""},
            ("app.main", "app", False, None),
            id="namespace-package-imported-by-its-name",
        ),
        pytest.param(
            {
                "backend/main.py": "from routers import items\n" + APP,
                "backend/routers/items.py": "",
            },
            ("main", "app", False, "backend"),
            id="run-from-subdirectory",
        ),
        pytest.param(
            {"service/main.py": WIRED, "service/routers/items.py": ""},
            ("service.main", "app", False, None),
            id="relative-imports-need-a-package",
        ),
        pytest.param(
            {"app/__init__.py": APP},
            ("app", "app", False, None),
            id="app-in-package-init",
        ),
        pytest.param(
            {
                "main.py": "from fastapi import FastAPI\n\nclass Api(FastAPI):\n    pass\n\napp = Api()\n"
            },
            ("main", "app", False, None),
            id="subclass",
        ),
        pytest.param(
            {
                "main.py": "try:\n    from fastapi import FastAPI\nexcept ImportError:\n    raise\nelse:\n    app = FastAPI()\n"
            },
            ("main", "app", False, None),
            id="under-try-else",
        ),
    ],
)
def test_finds_the_app_variable(
    tmp_path: Path, files: dict[str, str], expected: tuple[object, ...]
) -> None:
    target = target_of(tmp_path, files)
    assert target is not None
    assert (target.module, target.attribute, target.factory, target.app_dir) == expected


FACTORY = """from fastapi import FastAPI

def create_app(debug: bool = False) -> FastAPI:
    application = FastAPI(debug=debug)
    return application
"""


def test_factory_is_served_with_factory_flag(tmp_path: Path) -> None:
    target = target_of(tmp_path, {"app/__init__.py": "", "app/factory.py": FACTORY})
    assert target is not None
    assert (target.import_string, target.factory, target.line) == (
        "app.factory:create_app",
        True,
        3,
    )
    assert target.uvicorn_args() == ("app.factory:create_app", "--factory")


def test_factory_found_from_what_it_returns(tmp_path: Path) -> None:
    source = "import fastapi\n\ndef make():\n    return fastapi.FastAPI()\n"
    target = target_of(tmp_path, {"main.py": source})
    assert target is not None and (target.attribute, target.factory) == ("make", True)


def test_module_level_call_of_the_factory_wins_over_the_factory(tmp_path: Path) -> None:
    target = target_of(tmp_path, {"main.py": FACTORY + "\napp = create_app()\n"})
    assert target is not None and (target.attribute, target.factory, target.line) == (
        "app",
        False,
        7,
    )


def test_factory_called_from_a_module_that_never_says_fastapi(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/factory.py": FACTORY,
        "run.py": "from app.factory import create_app as build\n\napplication = build()\n",
    }
    target = target_of(tmp_path, files)
    assert target is not None and (target.import_string, target.factory) == (
        "run:application",
        False,
    )


def test_factory_needing_arguments_is_not_servable(tmp_path: Path) -> None:
    source = "from fastapi import FastAPI\n\ndef create_app(settings) -> FastAPI:\n    return FastAPI()\n"
    make_tree(tmp_path, {"main.py": source})
    assert discover_app(project_for(tmp_path)) is None
    assert "SC010" in codes(check_tree(tmp_path, "SC010"))


def test_src_layout_runs_with_app_dir(tmp_path: Path) -> None:
    target = target_of(tmp_path, {"src/shop/__init__.py": "", "src/shop/main.py": APP})
    assert target is not None
    assert target.uvicorn_args() == ("shop.main:app", "--app-dir", "src")


def test_app_py_shadowed_by_package_is_reported_not_chosen(tmp_path: Path) -> None:
    make_tree(tmp_path, {"app.py": APP, "app/__init__.py": "", "app/models.py": ""})
    found = find_app(project_for(tmp_path))
    assert found.target is None
    [(target, reason)] = found.unusable
    assert target.path == PurePosixPath("app.py") and "shadows" in reason
    [diag] = check_tree(tmp_path, "SC010")
    assert diag.code == "SC010" and diag.path == PurePosixPath("app.py")
    assert "app/" in diag.message and "[tool.hfdeploy]" in diag.notes[0]


def test_shadowed_app_py_loses_to_an_importable_app(tmp_path: Path) -> None:
    files = {"app.py": APP, "app/__init__.py": "", "app/main.py": APP}
    target = target_of(tmp_path, files)
    assert target is not None and target.import_string == "app.main:app"


def test_module_shadowing_a_namespace_package_is_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {"api.py": "x = 1\n", "api/main.py": "from api.deps import d\n" + APP})
    found = find_app(project_for(tmp_path))
    assert found.target is None and "`api.py` shadows the package `api/`" in found.unusable[0][1]


def test_prefers_the_app_with_routers_over_a_bare_one(tmp_path: Path) -> None:
    files = {
        "health.py": APP,
        "service/__init__.py": "",
        "service/api.py": "from fastapi import FastAPI\nfrom service.routes import r\n\nweb = FastAPI()\nweb.include_router(r)\n",
    }
    target = target_of(tmp_path, files)
    assert target is not None and target.import_string == "service.api:web"


def test_prefers_main_over_examples_and_ignores_tests(tmp_path: Path) -> None:
    wired = APP + "app.include_router(r)\n"
    files = {
        "main.py": APP,
        "examples/demo.py": wired,
        "tests/test_api.py": wired,
        "tests/conftest.py": wired,
        "test_smoke.py": wired,
    }
    target = target_of(tmp_path, files)
    assert target is not None and target.import_string == "main:app"


def test_mounted_sub_app_is_not_chosen(tmp_path: Path) -> None:
    same_file = (
        "from fastapi import FastAPI\n\nsite = FastAPI()\nadmin = FastAPI()\n\n"
        "@admin.get('/x')\ndef x():\n    pass\n\nsite.mount('/admin', admin)\n"
    )
    assert target_of(tmp_path / "a", {"main.py": same_file}).import_string == "main:site"  # type: ignore[union-attr]
    files = {
        "v1.py": APP + "@app.get('/')\ndef root():\n    pass\n",
        "main.py": "from fastapi import FastAPI\nimport v1\n\napi = FastAPI()\napi.mount('/v1', v1.app)\n",
    }
    assert target_of(tmp_path / "b", files).import_string == "main:api"  # type: ignore[union-attr]


def test_two_equal_services_are_ambiguous(tmp_path: Path) -> None:
    wired = APP + "app.include_router(r)\n"
    make_tree(tmp_path, {"svc_a/main.py": wired, "svc_b/main.py": wired})
    found = find_app(project_for(tmp_path))
    assert found.target is None
    assert sorted(t.app_dir or "" for t in found.ambiguous) == ["svc_a", "svc_b"]
    [diag] = check_tree(tmp_path, "SC01")
    assert diag.code == "SC011" and "[tool.hfdeploy] app" in diag.notes[-1]


def test_dockerfile_names_the_app_among_equals(tmp_path: Path) -> None:
    wired = APP + "app.include_router(r)\n"
    files = {
        "a.py": wired,
        "b.py": wired,
        "Dockerfile": 'CMD ["uvicorn", "b:app", "--port", "7860"]\n',
    }
    assert target_of(tmp_path, files).import_string == "b:app"  # type: ignore[union-attr]


def test_dockerfile_reference_used_when_nothing_is_found(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/main.py": "from app.wiring import build\n\napp = build()\n",
        "Dockerfile": "FROM python:3.11-slim\nCMD uvicorn app.main:app --host 0.0.0.0\n",
    }
    target = target_of(tmp_path, files)
    assert target is not None and (target.import_string, target.source) == (
        "app.main:app",
        "Dockerfile",
    )


def test_main_guard_and_function_locals_are_not_apps(tmp_path: Path) -> None:
    source = (
        "from fastapi import FastAPI\n\ndef helper(x):\n    app = FastAPI()\n    app.state.x = x\n\n"
        "if __name__ == '__main__':\n    app = FastAPI()\n"
    )
    make_tree(tmp_path, {"main.py": source})
    assert discover_app(project_for(tmp_path)) is None
    [diag] = check_tree(tmp_path, "SC010")
    assert diag.path is None and "No FastAPI application" in diag.message


def test_file_that_does_not_parse_is_skipped(tmp_path: Path) -> None:
    files = {"broken.py": "from fastapi import FastAPI\napp = FastAPI(\n", "main.py": APP}
    assert target_of(tmp_path, files).import_string == "main:app"  # type: ignore[union-attr]


def test_only_files_mentioning_fastapi_are_parsed(tmp_path: Path) -> None:
    files = {"main.py": APP, **{f"pkg/mod{i}.py": f"VALUE = {i}\n" for i in range(20)}}
    make_tree(tmp_path, files)
    project = project_for(tmp_path)
    discover_app(project)
    parsed = {key[1] for key in project._memo if isinstance(key, tuple) and key[0] == "ast"}
    assert parsed == {PurePosixPath("main.py")}


@pytest.mark.parametrize(
    ("setting", "files", "expected"),
    [
        (
            "shop.server:application",
            {"src/shop/server.py": "application = object()\n"},
            ("src", False),
        ),
        ("main:create", {"main.py": "def create():\n    return 1\n"}, (None, True)),
        ("main:app", {"main.py": "from somewhere import *\n"}, (None, False)),
    ],
)
def test_setting_overrides_discovery(
    tmp_path: Path, setting: str, files: dict[str, str], expected: tuple[object, ...]
) -> None:
    files = {**files, "other.py": APP, "pyproject.toml": f'[tool.hfdeploy]\napp = "{setting}"\n'}
    target = target_of(tmp_path, files)
    assert target is not None and target.import_string == setting
    assert (target.app_dir, target.factory) == expected
    assert target.source == "pyproject.toml [tool.hfdeploy]"


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [
        ("main", "is not in the form"),
        ("nowhere:app", "no module `nowhere`"),
        ("main:missing", "does not define `missing`"),
    ],
)
def test_wrong_setting_is_reported_on_its_line(tmp_path: Path, setting: str, fragment: str) -> None:
    make_tree(
        tmp_path,
        {
            "main.py": APP,
            "pyproject.toml": f'[project]\nname = "x"\n\n[tool.hfdeploy]\napp = "{setting}"\n',
        },
    )
    assert discover_app(project_for(tmp_path)) is None
    [diag] = check_tree(tmp_path, "SC010")
    assert fragment in diag.message and diag.path == PurePosixPath("pyproject.toml")
    assert project_for(tmp_path).source("pyproject.toml").line_col(diag.span.start) == (5, 1)  # type: ignore[union-attr]


def test_module_names_that_cannot_be_imported_are_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, {"my-api/__init__.py": "", "my-api/main.py": APP})
    found = find_app(project_for(tmp_path))
    assert found.target is None and "not an importable module name" in found.unusable[0][1]


def test_setting_may_name_a_file_when_module_names_repeat(tmp_path: Path) -> None:
    wired = "from routers import items\n" + APP
    files = {
        "billing/main.py": wired,
        "tasks/main.py": wired,
        "pyproject.toml": '[tool.hfdeploy]\napp = "tasks/main.py:app"\n',
    }
    target = target_of(tmp_path, files)
    assert target is not None
    assert target.uvicorn_args() == ("main:app", "--app-dir", "tasks")
    assert target.path == PurePosixPath("tasks/main.py") and target.line == 4


def test_setting_naming_a_missing_file_is_reported(tmp_path: Path) -> None:
    make_tree(
        tmp_path, {"main.py": APP, "pyproject.toml": '[tool.hfdeploy]\napp = "api/main.py:app"\n'}
    )
    [diag] = check_tree(tmp_path, "SC010")
    assert "no file `api/main.py`" in diag.message


def test_setting_with_a_directory_unsafe_for_a_command_is_refused(tmp_path: Path) -> None:
    files = {"my app/main.py": APP, "pyproject.toml": '[tool.hfdeploy]\napp = "main:app"\n'}
    make_tree(tmp_path, files)
    found = find_app(project_for(tmp_path))
    assert found.target is None and "will not put in a command" in (found.setting_error or "")


def test_app_next_to_a_broken_route_is_still_found(tmp_path: Path) -> None:
    source = (
        "from fastapi import Depends, FastAPI\n\n"
        "app = FastAPI(\n    title='Tasks',\n)\n\n\n"
        "@app.post('/tasks')\n"
        "def create(db=Depends(get_db), task: dict):\n"
        "    return task\n\n\n"
        "@app.get('/health')\n"
        "def health():\n"
        "    return {}\n"
    )
    target = target_of(tmp_path, {"app/__init__.py": "", "app/main.py": source})
    assert target is not None and (target.import_string, target.line) == ("app.main:app", 3)


ARGS_FACTORY = "from fastapi import FastAPI\n\n\ndef create_app(settings, db):\n    return FastAPI(title=settings)\n"


@pytest.mark.parametrize(
    "main",
    [
        pytest.param(
            "from svc import factory\n\napp = factory.create_app('s', None)\n",
            id="module-attribute",
        ),
        pytest.param("import svc.factory as f\n\napp = f.create_app('s', None)\n", id="import-as"),
        pytest.param(
            "import svc.factory\n\napp = svc.factory.create_app('s', None)\n", id="dotted"
        ),
        pytest.param(
            "from svc.factory import create_app\n\napp = create_app(get('s'), None)\n", id="name"
        ),
    ],
)
def test_factory_taking_arguments_is_followed(tmp_path: Path, main: str) -> None:
    found = target_of(
        tmp_path, {"svc/__init__.py": "", "svc/factory.py": ARGS_FACTORY, "svc/main.py": main}
    )
    assert found is not None
    assert (found.module, found.attribute, found.factory) == ("svc.main", "app", False)


def test_call_of_a_function_that_is_no_factory_is_not_an_app(tmp_path: Path) -> None:
    files = {
        "svc/__init__.py": "",
        "svc/factory.py": "def create_app(settings, db):\n    return dict(settings=settings)\n",
        "svc/main.py": "from svc import factory\n\napp = factory.create_app('s', None)\n",
    }
    assert target_of(tmp_path, files) is None
