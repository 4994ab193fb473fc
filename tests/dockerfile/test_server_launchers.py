"""The server behind a launcher (`uv run`, `poetry run`, ...), an ENTRYPOINT script that hands
over to the CMD (`exec "$@"`), and variables a start script sets before starting it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.dockerfile.server import find_server
from hfdeploy.dockerfile.server_values import port_value
from hfdeploy.dockerfile.stage import runtime
from tests.dockerfile.helpers import findings, replace_cmd, tree
from tests.support import fix_tree, project_for

ENTRY = '#!/bin/sh\nset -e\npython -m alembic upgrade head\nexec "$@"\n'


def server_of(root: Path) -> tuple[str, int | None, str | None] | None:
    project = project_for(root)
    server, rt = find_server(project), runtime(project)
    if server is None or rt is None:
        return None
    return server.tool, port_value(server, rt.env).number, server.launcher


@pytest.mark.parametrize(
    ("cmd", "launcher"),
    [
        pytest.param(
            'CMD ["uv", "run", "uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]',
            "uv run",
            id="uv-run",
        ),
        pytest.param(
            "CMD uv run --frozen --no-dev uvicorn main:app --host 0.0.0.0 --port 8000",
            "uv run",
            id="uv-run-options",
        ),
        pytest.param(
            'CMD ["poetry", "run", "uvicorn", "main:app", "--host=0.0.0.0", "--port=8000"]',
            "poetry run",
            id="poetry-run",
        ),
        pytest.param(
            "CMD pipenv run uvicorn main:app --host 0.0.0.0 --port 8000",
            "pipenv run",
            id="pipenv-run",
        ),
        pytest.param(
            "CMD uv run python -m uvicorn main:app --host 0.0.0.0 --port 8000",
            "uv run",
            id="uv-run-python-m",
        ),
        pytest.param(
            'CMD ["sh", "-c", "poetry run uvicorn main:app --host 0.0.0.0 --port 8000"]',
            "poetry run",
            id="sh-c-poetry",
        ),
        pytest.param(
            "CMD python -m uvicorn main:app --host 0.0.0.0 --port 8000", None, id="python-m"
        ),
    ],
)
def test_server_behind_a_launcher_is_found(tmp_path: Path, cmd: str, launcher: str | None) -> None:
    root = tree(tmp_path, replace_cmd(cmd))
    assert server_of(root) == ("uvicorn", 8000, launcher)
    assert [d.code for d in findings(tmp_path, "DF006", replace_cmd(cmd))] == ["DF006"]


def test_launcher_fix_makes_the_port_agree_with_app_port(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        replace_cmd(
            'CMD ["uv", "run", "uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]'
        ),
    )
    fix_tree(root, "DF006,SC001")
    assert '"--port", "7860"]' in (root / "Dockerfile").read_text()
    assert server_of(root) == ("uvicorn", 7860, "uv run")


def test_launched_server_is_not_a_console_script_on_path(tmp_path: Path) -> None:
    dockerfile = replace_cmd("CMD uv run uvicorn main:app --host 0.0.0.0 --port 7860")
    server = find_server(project_for(tree(tmp_path, dockerfile)))
    assert server is not None and not server.console_script


def test_localhost_behind_poetry_run_is_caught(tmp_path: Path) -> None:
    dockerfile = replace_cmd("CMD poetry run uvicorn main:app --port 7860")
    assert [d.code for d in findings(tmp_path, "DF005", dockerfile)] == ["DF005"]


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param('ENTRYPOINT ["/home/user/app/entrypoint.sh"]\n', id="script-path"),
        pytest.param('ENTRYPOINT ["sh", "entrypoint.sh"]\n', id="sh-script"),
        pytest.param('ENTRYPOINT ["./entrypoint"]\n', id="shebang-no-extension"),
    ],
)
def test_cmd_handed_over_by_an_entrypoint_script(tmp_path: Path, entry: str) -> None:
    name = "entrypoint" if './entrypoint"' in entry else "entrypoint.sh"
    cmd = 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]'
    root = tree(tmp_path, replace_cmd(entry + cmd), {name: ENTRY})
    assert server_of(root) == ("uvicorn", 8000, None)
    fix_tree(root, "DF006")
    assert '"--port", "7860"]' in (root / "Dockerfile").read_text()


def test_entrypoint_script_that_does_not_hand_over_hides_the_cmd(tmp_path: Path) -> None:
    script = "#!/bin/sh\nexec uvicorn main:app --host 0.0.0.0 --port 7860\n"
    cmd = (
        'ENTRYPOINT ["/home/user/app/entrypoint.sh"]\nCMD ["uvicorn", "main:app", "--port", "8000"]'
    )
    root = tree(tmp_path, replace_cmd(cmd), {"entrypoint.sh": script})
    assert server_of(root) == ("uvicorn", 7860, None)


@pytest.mark.parametrize(
    "setting",
    [
        "export PORT=${PORT:-7860}",
        'export PORT="${PORT:-7860}"',
        "PORT=${PORT:-7860}",
        ': "${PORT:=7860}"',
        "export HOST=0.0.0.0 PORT=7860",
    ],
)
def test_port_set_by_the_start_script_is_honoured(tmp_path: Path, setting: str) -> None:
    script = f"#!/bin/bash\nset -e\n{setting}\necho starting\nexec uvicorn main:app --host 0.0.0.0 --port $PORT\n"
    dockerfile = replace_cmd('CMD ["bash", "start.sh"]')
    root = tree(tmp_path, dockerfile, {"start.sh": script})
    assert findings(tmp_path, "DF007", dockerfile, {"start.sh": script}) == []
    assert findings(tmp_path, "DF006", dockerfile, {"start.sh": script}) == []
    fix_tree(root, "DF006,DF007")
    assert (root / "start.sh").read_text() == script  # nothing rewritten


def test_port_the_start_script_sets_wrongly_is_reported_without_a_blind_fix(tmp_path: Path) -> None:
    script = "#!/bin/sh\nexport PORT=8000\nexec uvicorn main:app --host 0.0.0.0 --port $PORT\n"
    dockerfile = replace_cmd('CMD ["sh", "start.sh"]')
    found = findings(tmp_path, "DF006", dockerfile, {"start.sh": script})
    assert len(found) == 1 and found[0].fix is None


def test_unset_port_in_a_start_script_is_still_caught(tmp_path: Path) -> None:
    script = "#!/bin/sh\nexport OTHER=1\nexec uvicorn main:app --host 0.0.0.0 --port $PORT\n"
    dockerfile = replace_cmd('CMD ["sh", "start.sh"]')
    assert [d.code for d in findings(tmp_path, "DF007", dockerfile, {"start.sh": script})] == [
        "DF007"
    ]


def test_shell_form_cmd_handed_to_an_entrypoint_script(tmp_path: Path) -> None:
    cmd = 'ENTRYPOINT ["/home/user/app/entrypoint.sh"]\nCMD uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}'
    root = tree(tmp_path, replace_cmd(cmd), {"entrypoint.sh": ENTRY})
    assert server_of(root) == ("uvicorn", 8000, None)
    fix_tree(root, "DF006")
    assert "--port ${PORT:-7860}" in (root / "Dockerfile").read_text()
