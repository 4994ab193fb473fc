"""DF005-DF008: host, port, `$PORT` and reload of the server the container starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dockerfile.helpers import GOOD, findings, fixed, replace_cmd, tree
from tests.support import fix_tree

EXEC = '["uvicorn", "main:app", "--host", "{host}", "--port", "{port}"]'


def cmd(host: str = "0.0.0.0", port: str = "7860") -> str:
    return replace_cmd("CMD " + EXEC.format(host=host, port=port))


RUN_PY = replace_cmd('CMD ["python", "main.py"]')


def main_py(call: str) -> str:
    return f"import uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\nif __name__ == '__main__':\n    {call}\n"


# -- DF005 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dockerfile", "files", "after_file", "expected"),
    [
        pytest.param(
            cmd(host="127.0.0.1"), {}, "Dockerfile", '"--host", "0.0.0.0"', id="exec-loopback"
        ),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host=localhost --port 7860"),
            {},
            "Dockerfile",
            "--host=0.0.0.0 --port",
            id="shell-equals-form",
        ),
        pytest.param(
            replace_cmd('CMD ["uvicorn", "main:app", "--port", "7860"]'),
            {},
            "Dockerfile",
            '"--port", "7860", "--host", "0.0.0.0"]',
            id="default-host-exec",
        ),
        pytest.param(
            replace_cmd(
                'CMD ["sh", "-c", "uvicorn main:app --host 127.0.0.1 --port ${PORT:-7860}"]'
            ),
            {},
            "Dockerfile",
            "--host 0.0.0.0 --port",
            id="sh-c-inside-json",
        ),
        pytest.param(
            replace_cmd("CMD gunicorn -k uvicorn.workers.UvicornWorker main:app"),
            {},
            "Dockerfile",
            "main:app --bind 0.0.0.0:${PORT:-7860}",
            id="gunicorn-without-bind",
        ),
        pytest.param(
            replace_cmd('CMD ["gunicorn", "-b", "127.0.0.1:7860", "main:app"]'),
            {},
            "Dockerfile",
            '"0.0.0.0:7860"',
            id="gunicorn-bind",
        ),
        pytest.param(
            RUN_PY,
            {"main.py": main_py('uvicorn.run(app, host="127.0.0.1", port=7860)')},
            "main.py",
            'uvicorn.run(app, host="0.0.0.0", port=7860)',
            id="uvicorn-run-in-code",
        ),
        pytest.param(
            RUN_PY,
            {"main.py": main_py("uvicorn.run(app, port=7860)")},
            "main.py",
            'uvicorn.run(app, port=7860, host="0.0.0.0")',
            id="uvicorn-run-default-host",
        ),
        pytest.param(
            replace_cmd('CMD ["./start.sh"]'),
            {"start.sh": "#!/bin/sh\nset -e\nexec uvicorn main:app --host 127.0.0.1 --port 7860\n"},
            "start.sh",
            "--host 0.0.0.0 --port",
            id="start-script",
        ),
    ],
)
def test_df005_catches_and_fixes(
    tmp_path: Path, dockerfile: str, files: dict, after_file: str, expected: str
) -> None:
    found = findings(tmp_path, "DF005", dockerfile, files)
    assert len(found) == 1 and str(found[0].path) == after_file
    root = tree(tmp_path, dockerfile, files)
    fix_tree(root, "DF005")
    assert expected in (root / after_file).read_text()


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(GOOD, id="good"),
        pytest.param(
            replace_cmd('CMD ["fastapi", "run", "main.py", "--port", "7860"]'),
            id="fastapi-run-default",
        ),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host ${HOST:-0.0.0.0} --port 7860"),
            id="host-variable-default",
        ),
        pytest.param(
            replace_cmd('CMD ["uvicorn", "main:app", "--host", "::", "--port", "7860"]'),
            id="ipv6-any",
        ),
        pytest.param(
            replace_cmd('CMD ["gunicorn", "-c", "conf.py", "main:app"]'), id="gunicorn-config-file"
        ),
        pytest.param(replace_cmd('CMD ["python", "-c", "print(1)"]'), id="not-a-server"),
    ],
)
def test_df005_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF005", dockerfile) == []


def test_df005_variable_host_in_code_is_left_alone(tmp_path: Path) -> None:
    files = {"main.py": main_py("uvicorn.run(app, host=HOST, port=7860)")}
    assert findings(tmp_path, "DF005", RUN_PY, files) == []


# -- DF006 ---------------------------------------------------------------------------------------
def test_df006_message_cites_both_files(tmp_path: Path) -> None:
    (found,) = findings(tmp_path, "DF006", cmd(port="8000"))
    assert found.message.startswith("`app_port` 7860 (default) ≠ `--port 8000` (Dockerfile CMD)")


def test_df006_uses_readme_app_port(tmp_path: Path) -> None:
    readme = "---\ntitle: x\nsdk: docker\napp_port: 8000\n---\n"
    (found,) = findings(tmp_path, "DF006", cmd(port="7860"), {"README.md": readme})
    assert "`app_port` 8000 (README.md) ≠ `--port 7860`" in found.message
    assert findings(tmp_path, "DF006", cmd(port="8000"), {"README.md": readme}) == []


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        pytest.param(
            cmd(port="8000").replace("CMD", "EXPOSE 8000\nCMD"),
            'EXPOSE 7860\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]',
            id="exec-and-expose",
        ),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}"),
            "--port ${PORT:-7860}",
            id="variable-default",
        ),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0"),
            "--host 0.0.0.0 --port ${PORT:-7860}",
            id="missing-port-shell",
        ),
        pytest.param(
            replace_cmd('CMD ["uvicorn", "main:app", "--host", "0.0.0.0"]'),
            '"0.0.0.0", "--port", "7860"]',
            id="missing-port-exec",
        ),
        pytest.param(
            replace_cmd('CMD ["gunicorn", "-b", "0.0.0.0:8000", "main:app"]'),
            '"0.0.0.0:7860"',
            id="gunicorn-bind-port",
        ),
    ],
)
def test_df006_fixes(tmp_path: Path, dockerfile: str, expected: str) -> None:
    assert len(findings(tmp_path, "DF006", dockerfile)) == 1
    assert expected in fixed(tmp_path, "DF006", dockerfile)


def test_df006_in_code(tmp_path: Path) -> None:
    files = {
        "main.py": main_py(
            'uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))'
        )
    }
    root = tree(tmp_path, RUN_PY, files)
    fix_tree(root, "DF006")
    assert 'os.environ.get("PORT", "7860")' in (root / "main.py").read_text()


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(GOOD, id="good"),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0 --port ${PORT:-7860}"),
            id="variable-default",
        ),
        pytest.param(
            replace_cmd('CMD ["uvicorn", "main:app", "--host", "0.0.0.0"]').replace(
                "USER user", "USER user\nENV UVICORN_PORT=7860"
            ),
            id="uvicorn-env",
        ),
        pytest.param(
            replace_cmd('CMD ["fastapi", "run", "main.py", "--port", "7860"]'), id="fastapi-run"
        ),
    ],
)
def test_df006_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF006", dockerfile) == []


# -- DF007 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        pytest.param(cmd(port="$PORT"), '"--port", "7860"]', id="exec-form"),
        pytest.param(cmd(port="${PORT:-8000}"), '"--port", "7860"]', id="exec-form-default"),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0 --port $PORT"),
            "--port ${PORT:-7860}",
            id="shell-unset",
        ),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0 --port=${PORT}"),
            "--port=${PORT:-7860}",
            id="shell-braces",
        ),
    ],
)
def test_df007_catches_and_fixes(tmp_path: Path, dockerfile: str, expected: str) -> None:
    assert len(findings(tmp_path, "DF007", dockerfile)) == 1
    assert expected in fixed(tmp_path, "DF007", dockerfile)


def test_df007_gunicorn_bind_with_a_variable_port(tmp_path: Path) -> None:
    gunicorn = "CMD gunicorn -k uvicorn.workers.UvicornWorker -b 0.0.0.0:$PORT main:app"
    dockerfile = replace_cmd(gunicorn)
    (found,) = findings(tmp_path, "DF007", dockerfile)
    assert "is not a valid port number" in found.message  # gunicorn's words, not uvicorn's
    after = fixed(tmp_path, "DF007", dockerfile)
    assert "-b 0.0.0.0:${PORT:-7860} main:app" in after
    # the `:` inside `${PORT:-7860}` is not the host:port separator
    assert findings(tmp_path, "DF007", after) == []
    assert findings(tmp_path, "DF006", after) == [] and findings(tmp_path, "DF005", after) == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0 --port ${PORT:-7860}"), id="default"
        ),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0 --port $PORT").replace(
                "USER user", "USER user\nENV PORT=7860"
            ),
            id="env-set",
        ),
        pytest.param(GOOD, id="literal"),
    ],
)
def test_df007_catches_not(tmp_path: Path, dockerfile: str) -> None:
    assert findings(tmp_path, "DF007", dockerfile) == []


# -- DF008 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dockerfile", "files", "path", "expected"),
    [
        pytest.param(
            replace_cmd(
                'CMD ["uvicorn", "main:app", "--reload", "--host", "0.0.0.0", "--port", "7860"]'
            ),
            {},
            "Dockerfile",
            'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]\n',
            id="exec",
        ),
        pytest.param(
            replace_cmd("CMD uvicorn main:app --host 0.0.0.0 --port 7860 --reload"),
            {},
            "Dockerfile",
            "CMD uvicorn main:app --host 0.0.0.0 --port 7860\n",
            id="shell-last",
        ),
        pytest.param(
            replace_cmd('CMD ["fastapi", "dev", "main.py", "--host", "0.0.0.0", "--port", "7860"]'),
            {},
            "Dockerfile",
            '"fastapi", "run", "main.py"',
            id="fastapi-dev",
        ),
        pytest.param(
            RUN_PY,
            {"main.py": main_py('uvicorn.run("main:app", host="0.0.0.0", port=7860, reload=True)')},
            "main.py",
            'uvicorn.run("main:app", host="0.0.0.0", port=7860)\n',
            id="code",
        ),
    ],
)
def test_df008_catches_and_fixes(
    tmp_path: Path, dockerfile: str, files: dict, path: str, expected: str
) -> None:
    assert len(findings(tmp_path, "DF008", dockerfile, files)) == 1
    root = tree(tmp_path, dockerfile, files)
    fix_tree(root, "DF008")
    assert expected in (root / path).read_text()


def test_df008_catches_not(tmp_path: Path) -> None:
    assert findings(tmp_path, "DF008", GOOD) == []
    files = {"main.py": main_py('uvicorn.run(app, host="0.0.0.0", port=7860, reload=False)')}
    assert findings(tmp_path, "DF008", RUN_PY, files) == []
