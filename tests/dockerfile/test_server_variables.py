"""A server port or host read from an environment variable: where the value comes from (the
image's ENV, an empty one included, else the code's default), when the server cannot start,
the `ENV` edit that fixes it, and what verify does with such a variable."""

from __future__ import annotations

from pathlib import Path

from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.server_values import (
    env_edit,
    host_fails_to_start,
    port_value,
    server_variables,
)
from hfdeploy.dockerfile.stage import runtime
from hfdeploy.verify.settings import UNSET_AS_ON_A_SPACE, VerifyOptions, container_env
from tests.support import check_tree, codes, make_tree, project_for

DOCKERFILE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n{env}CMD {cmd}\n"
APP = "import os\nimport uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"


def _tree(tmp_path: Path, main: str, env: str = "", cmd: str = "python main.py") -> Path:
    return make_tree(
        tmp_path / "repo",
        {
            "Dockerfile": DOCKERFILE.format(env=env, cmd=cmd),
            "main.py": APP + main,
            "requirements.txt": "fastapi\nuvicorn\npydantic-settings\n",
        },
    )


def test_a_name_assigned_from_a_variable_is_traced_to_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        'PORT = int(os.getenv("PORT", 8000))\n\nif __name__ == "__main__":\n'
        '    uvicorn.run(app, host="0.0.0.0", port=PORT)\n',
    )
    project = project_for(root)
    server = find_server(project)
    assert server is not None and server.port is not None
    assert (server.port.variable, server.port.value, server.port.kind) == ("PORT", "8000", "py-env")
    assert port_value(server, {}).number == 8000
    assert port_value(server, {"PORT": "7860"}).number == 7860
    assert port_value(server, {"PORT": ""}).number is None  # os.getenv gives "", not 8000
    assert server_variables(project) == {"PORT": "port"}
    assert "DF006" in codes(check_tree(root, select="DF006"))


def test_a_fallback_that_is_not_a_default_is_not_guessed(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        'if __name__ == "__main__":\n'
        '    uvicorn.run(app, host="0.0.0.0", port=int(os.getenv("PORT") or 8000))\n',
    )
    server = find_server(project_for(root))
    assert server is not None and server.port is not None
    assert server.port.kind == "unknown" and server.port.variable is None
    assert codes(check_tree(root, select="DF006")) == []


def test_a_settings_field_with_the_right_default_is_fine(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "a",
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
        "    port: int = 7860\n\n\nsettings = Settings()\n\n"
        'if __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=settings.port)\n',
    )
    assert codes(check_tree(root, select="DF006")) == []
    root2 = _tree(
        tmp_path / "b",
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
        "    port: int = 8000\n\n\nsettings = Settings()\n\n"
        'if __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=settings.port)\n',
    )
    found = check_tree(root2, select="DF006")
    assert codes(found) == ["DF006"] and "`PORT`" in found[0].message


def test_an_unquoted_empty_host_on_the_command_line_cannot_start(tmp_path: Path) -> None:
    for cmd, fails in (
        ("uvicorn main:app --host $HOST --port 7860", True),
        ('uvicorn main:app --host "$HOST" --port 7860', False),
        ("uvicorn main:app --host=$HOST --port 7860", False),
        ("uvicorn main:app --host ${HOST:-0.0.0.0} --port 7860", False),
    ):
        root = _tree(tmp_path / str(abs(hash(cmd))), "", cmd=cmd)
        project = project_for(root)
        server, rt = find_server(project), runtime(project)
        assert server is not None and rt is not None
        assert (host_fails_to_start(project, server, rt.env) is not None) == fails, cmd
        assert ("DF005" in codes(check_tree(root, select="DF005"))) == fails, cmd


def test_the_env_edit_rewrites_a_plain_env_in_place_and_adds_one_otherwise(
    tmp_path: Path,
) -> None:
    root = _tree(tmp_path / "a", "", env="ENV A=1 APP_PORT=${APP_PORT}\n")
    project = project_for(root)
    edit = env_edit(project, "APP_PORT", "7860")
    assert edit is not None and edit.replacement == "7860"
    text = project.text("Dockerfile") or ""
    assert text[edit.span.start : edit.span.end] == "${APP_PORT}"
    quoted = _tree(tmp_path / "b", "", env='ENV APP_PORT="${APP_PORT}"\n')
    edit = env_edit(project_for(quoted), "APP_PORT", "7860")
    assert edit is not None and edit.replacement == "ENV APP_PORT=7860\n"
    text = project_for(quoted).text("Dockerfile") or ""
    assert text[edit.span.start :].startswith("CMD ")
    assert env_edit(project, "APP_PORT", "7860; rm -rf /") is None


def test_verify_leaves_the_server_port_variable_unset_as_on_a_space(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        'if __name__ == "__main__":\n'
        '    uvicorn.run(app, host=os.getenv("APP_HOST"), port=int(os.environ["PORT"]))\n'
        'TOKEN = os.environ["TOKEN"]\n',
    )
    env, settings = container_env(project_for(root), VerifyOptions())
    assert "PORT" not in env and "APP_HOST" not in env and "TOKEN" in env
    by_name = {s.name: (s.source, s.kind) for s in settings}
    assert by_name["PORT"] == (UNSET_AS_ON_A_SPACE, "the server's port")
    given, _ = container_env(project_for(root), VerifyOptions(env=("PORT=7860",)))
    assert given["PORT"] == "7860"  # like a Variable defined on the Space
