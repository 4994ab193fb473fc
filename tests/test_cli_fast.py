"""The console entry runs `check` without typer for the command lines it reads plainly: the
same output, byte for byte, and the same exit code as the typer command, cold and warm; an
unchanged re-run imports neither typer, pydantic, rich nor any check; the result cache is
invalidated by a changed file, configuration, hfdeploy version or option."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import hfdeploy.cache
import hfdeploy.runner
from hfdeploy.cli import main, typer_main
from hfdeploy.cli.base import CheckArgs, parse_check
from tests.support import make_tree

FILES = {
    "app/main.py": (
        "from fastapi import Depends, FastAPI\n\napp = FastAPI()\n\n\n"
        "def get_db():\n    yield 1\n\n\n@app.get('/')\n"
        "def route(db = Depends(get_db), q: str):\n    return q\n"
    ),
    "app/__init__.py": "",
    "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.6\n",
    "README.md": "# no front matter\n",
    ".env": "SECRET_KEY=abc\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    return make_tree(tmp_path / "repo", FILES)


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The codes of the checks that actually ran (not answered from the result cache)."""
    codes: list[str] = []
    real = hfdeploy.runner.run_one

    def counting(project, check):  # type: ignore[no-untyped-def]
        codes.append(check.code)
        return real(project, check)

    monkeypatch.setattr(hfdeploy.runner, "run_one", counting)
    return codes


def both(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[tuple[int, str, str], ...]:
    fast = main(list(args)), *capsys.readouterr()
    full = typer_main(list(args)), *capsys.readouterr()
    return fast, full


@pytest.mark.parametrize("form", ["text", "json", "github", "sarif"])
def test_output_is_byte_identical_to_the_typer_command(
    capsys: pytest.CaptureFixture[str], repo: Path, form: str
) -> None:
    args = ["check", str(repo), "--offline", "--format", form]
    assert parse_check(args) is not None  # really the typer-free path
    cold_fast, cold_full = both(capsys, *args, "--no-cache")
    assert cold_fast == cold_full and cold_fast[0] == 1 and cold_fast[1]
    main(args)  # fills the result cache
    capsys.readouterr()
    warm_fast, warm_full = both(capsys, *args)
    assert warm_fast == warm_full == cold_fast


def test_errors_are_the_same_one_line_and_exit_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, repo: Path
) -> None:
    fast, full = both(capsys, "check", str(tmp_path / "missing"))
    assert fast == full and fast[0] == 2 and fast[2].endswith("no such directory\n")
    fast, full = both(capsys, "check", str(repo), "--select", "XX999")
    assert fast == full and fast[0] == 2 and "XX999" in fast[2]
    fast, full = both(capsys, "check", str(repo), "--python", "three")
    assert fast == full and fast[0] == 2
    (repo / "pyproject.toml").write_text('[tool.hfdeploy]\nselct = ["PY"]\n')
    fast, full = both(capsys, "check", str(repo), "--select", "PY", "--offline")
    assert fast == full and "unknown setting selct ignored" in fast[2]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check"], CheckArgs()),
        (
            ["check", "r", "-f", "json", "--select=PY,DF", "--select", "EV", "--offline"],
            CheckArgs(Path("r"), "json", ["PY,DF", "EV"], offline=True),
        ),
        (
            ["check", "--ignore", "DF012", "--python", "3.12", "--no-cache", "--index-url=u", "r"],
            CheckArgs(Path("r"), ignore=["DF012"], python="3.12", index_url="u", no_cache=True),
        ),
        (["check", "--format", "json", "--format", "sarif"], CheckArgs(format="sarif")),
    ],
)
def test_plain_command_lines_are_read(args: list[str], expected: CheckArgs) -> None:
    assert parse_check(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--help"],
        ["check", "-h"],
        ["check", "-fjson"],
        ["check", "-f=json"],
        ["check", "--format", "yaml"],
        ["check", "--format"],
        ["check", "--format="],
        ["check", "--select", "--offline"],
        ["check", "a", "b"],
        ["check", "--"],
        ["check", ""],
        ["check", "--unknown"],
        ["check", "--offline=1"],
        ["check", "--sel", "PY"],
        ["fix", "."],
        ["--version", "check"],
        [],
    ],
)
def test_anything_unusual_goes_to_the_typer_command_line(args: list[str]) -> None:
    assert parse_check(args) is None


def test_unusual_check_command_lines_still_work(
    capsys: pytest.CaptureFixture[str], repo: Path
) -> None:
    assert main(["check", str(repo), "--format", "yaml"]) == 2
    assert main(["check", "--help"]) == 0 and "--offline" in capsys.readouterr().out


def test_an_unchanged_offline_rerun_imports_no_cli_framework_and_no_check(repo: Path) -> None:
    script = (
        "import sys\nfrom hfdeploy.cli import main\n"
        f"code = main(['check', {str(repo)!r}, '--offline', '--format', 'json'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'pydantic', "
        "'rich', 'click', 'requests', 'jinja2') or m.endswith('.checks') or '.checks.' in m)\n"
        "print(code, heavy)\n"
    )
    root = str(Path(__file__).resolve().parent.parent)
    env = {**__import__("os").environ, "PYTHONPATH": root}
    cold = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    last = cold.stdout.splitlines()[-1]
    assert last.startswith("1 [") and "checks" in last  # the checks ran
    warm = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert warm.stdout.splitlines()[-1] == "1 []", warm.stdout[-500:] + warm.stderr


def test_the_cache_is_invalidated_by_files_config_version_and_options(
    capsys: pytest.CaptureFixture[str],
    repo: Path,
    ran: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def check(*extra: str) -> list[str]:
        main(["check", str(repo), "--offline", "--format", "json", *extra])
        return [d["code"] for d in json.loads(capsys.readouterr().out)]

    def answered_from_cache(*extra: str) -> bool:
        ran.clear()
        check(*extra)
        return not ran

    first = check()
    assert "PY001" in first and answered_from_cache()
    # a changed file
    (repo / "app" / "main.py").write_text("x = 1\n")
    assert "PY001" not in check() and ran
    assert answered_from_cache()
    # a changed configuration
    (repo / "pyproject.toml").write_text('[tool.hfdeploy]\nignore = ["EV"]\n')
    assert not answered_from_cache()
    assert not any(code.startswith("EV") for code in check())
    assert answered_from_cache()
    # another hfdeploy version
    monkeypatch.setattr(hfdeploy.cache, "__version__", "999.0")
    assert not answered_from_cache()
    assert answered_from_cache()
    # other options
    assert not answered_from_cache("--python", "3.12")
    assert not answered_from_cache("--select", "PY,SC")
    assert answered_from_cache("--select", "PY,SC")
    assert not answered_from_cache("--ignore", "DF")
    # no cache at all
    assert not answered_from_cache("--no-cache")


def test_parsing_starts_before_the_checks_are_imported_and_agrees_with_serial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hfdeploy.syntax_scan import PARALLEL_MIN_FILES

    files = {
        f"app/m{i}.py": f"def f{i}(a, b=1):\n    return a\n" for i in range(PARALLEL_MIN_FILES)
    }
    files["app/broken.py"] = "def g(a=1, b):\n    return b\n"
    files["app/caller.py"] = "from app.broken import g\n\nprint(g(2, 3))\n"
    files["app/other.py"] = "def h(:\n"
    repo = make_tree(tmp_path / "repo", files)
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    args = ["check", str(repo), "--select", "PY", "--format", "json", "--no-cache"]
    # A fresh process: the workers fork only where no other thread runs (pytest's may).
    script = (
        "import sys\nimport hfdeploy.syntax_scan as s\nfrom hfdeploy.cli import main\n"
        "real = s.start_parallel_syntax_errors\nseen = []\n"
        "def spy(*a):\n    seen.append('hfdeploy.pysource.checks' in sys.modules)\n"
        "    return real(*a)\n"
        "s.start_parallel_syntax_errors = spy\n"
        "import hfdeploy.project\nhfdeploy.project.start_parallel_syntax_errors = spy\n"
        f"code = main({args!r})\nprint(code, seen, file=sys.stderr)\n"
    )
    root = str(Path(__file__).resolve().parent.parent)
    env = {**__import__("os").environ, "PYTHONPATH": root}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert main(args) == 1  # in pytest's process: the serial path
    serial = capsys.readouterr().out
    assert proc.stdout == serial
    assert {d["code"] for d in json.loads(serial)} >= {"PY001", "PY002"}
    if (__import__("os").cpu_count() or 1) >= 2:
        assert proc.stderr.strip().splitlines()[-1].startswith("1 [False")  # before the imports
