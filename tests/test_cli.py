"""The CLI contract: exit codes, output formats, selection, settings, suppressions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hfdeploy import __version__
from hfdeploy.cli import main, typer_main
from tests.support import make_tree

BROKEN = "from fastapi import Depends\n\ndef route(db = Depends(get_db), q: str):\n    return q\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def typer_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The full typer command line, bypassing the entry's typer-free `check`."""
    code = typer_main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    return make_tree(tmp_path / "repo", {"main.py": BROKEN})


@pytest.fixture
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    return make_tree(tmp_path / "repo", {"main.py": "x = 1\n"})


def test_exit_1_with_an_error_and_text_format(capsys, broken: Path) -> None:
    code, out, _ = run(capsys, "check", str(broken), "--select", "PY")
    assert code == 1
    assert "main.py:3:33: PY001 [*] error:" in out


def test_exit_0_when_clean(capsys, clean: Path) -> None:
    code, out, _ = run(capsys, "check", str(clean), "--select", "PY")
    assert code == 0 and "No problems found." in out


def test_json_format_fields(capsys, broken: Path) -> None:
    code, out, _ = run(capsys, "check", str(broken), "--select", "PY001", "--format", "json")
    [finding] = json.loads(out)
    assert code == 1
    assert finding["code"] == "PY001" and finding["severity"] == "error"
    assert finding["path"] == "main.py" and finding["line"] == 3 and finding["column"] == 33
    assert finding["fix"]["applicability"] == "safe" and finding["fix"]["description"]


def test_github_and_sarif_formats(capsys, broken: Path) -> None:
    _, out, _ = run(capsys, "check", str(broken), "--select", "PY001", "--format", "github")
    assert out.startswith("::error file=main.py,line=3,col=33,title=PY001::")
    _, out, _ = run(capsys, "check", str(broken), "--select", "PY001", "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "PY001"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 33}


def test_sarif_uris_are_percent_encoded(capsys, broken: Path) -> None:
    # A space, `%` or `:` in a file name is not a valid URI reference as written.
    (broken / "main.py").rename(broken / "my api:50%.py")
    _, out, _ = run(capsys, "check", str(broken), "--select", "PY001", "--format", "sarif")
    [run_] = json.loads(out)["runs"]
    location = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "my%20api%3A50%25.py"
    assert run_["columnKind"] == "unicodeCodePoints"


def test_ignore_and_inline_suppression(capsys, broken: Path) -> None:
    assert run(capsys, "check", str(broken), "--select", "PY", "--ignore", "PY001")[0] == 0
    text = BROKEN.replace("q: str):", "q: str):  # hfdeploy: ignore[PY001]")
    (broken / "main.py").write_text(text)
    # The suppression is on the signature's first line only when the finding starts there.
    (broken / "main.py").write_text(
        "def route(db = 1, q: str):  # hfdeploy: ignore[PY001]\n    return q\n"
    )
    assert run(capsys, "check", str(broken), "--select", "PY001")[0] == 0


def test_unquoted_python_setting_that_lost_its_zero_is_a_usage_error(capsys, clean: Path) -> None:
    (clean / "pyproject.toml").write_text("[tool.hfdeploy]\npython = 3.10\n")
    code, _, err = run(capsys, "check", str(clean), "--select", "PY")
    assert code == 2 and 'python = "3.10"' in err
    (clean / "pyproject.toml").write_text("[tool.hfdeploy]\npython = 3.12\n")
    assert run(capsys, "check", str(clean), "--select", "PY")[0] == 0


def test_pyproject_settings_select_and_ignore(capsys, broken: Path) -> None:
    (broken / "pyproject.toml").write_text('[tool.hfdeploy]\nignore = ["PY001"]\n')
    assert run(capsys, "check", str(broken), "--select", "PY")[0] == 0
    (broken / "pyproject.toml").write_text('[tool.hfdeploy]\nignore = ["NOPE1"]\n')
    code, _, err = run(capsys, "check", str(broken))
    assert code == 2 and "NOPE1" in err and err.count("\n") == 1


def test_usage_errors_exit_2_in_one_line(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "missing"))
    assert code == 2 and err.strip().endswith("no such directory") and err.count("\n") == 1
    code, _, err = run(capsys, "check", str(tmp_path), "--select", "XX999")
    assert code == 2 and "XX999" in err
    code, _, _ = run(capsys, "check", str(tmp_path), "--format", "yaml")
    assert code == 2


def test_internal_error_exits_3_with_report_line(capsys, clean: Path, monkeypatch) -> None:
    import hfdeploy.report

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(hfdeploy.report, "render", boom)
    code, _, err = run(capsys, "check", str(clean))
    assert code == 3 and "please report" in err and "kaboom" in err
    # the same through the typer command line (`check -h` style arguments go there)
    code, _, err = typer_run(capsys, "check", str(clean))
    assert code == 3 and "please report" in err and "kaboom" in err


def test_fix_shows_a_diff_and_changes_nothing(capsys, broken: Path) -> None:
    code, out, err = run(capsys, "fix", str(broken), "--select", "PY")
    assert code == 0
    assert "+def route(db = Depends(get_db), *, q: str):" in out
    assert (broken / "main.py").read_text() == BROKEN
    assert "--write" in err


def test_fix_write_repairs_and_second_run_is_a_no_op(capsys, broken: Path) -> None:
    code, _, err = run(capsys, "fix", str(broken), "--write", "--select", "PY")
    assert code == 0 and "Applied 1 fix" in err
    compile((broken / "main.py").read_text(), "main.py", "exec")
    code, out, err = run(capsys, "fix", str(broken), "--select", "PY")
    assert code == 0 and out == "" and "Nothing to fix." in err
    code, out, err = run(capsys, "fix", str(broken), "--write", "--select", "PY")
    assert code == 0 and "Nothing to fix." in err and "Applied" not in err


def test_fix_exits_1_when_an_error_remains(capsys, broken: Path) -> None:
    (broken / "other.py").write_text("def f(:\n")
    code, _, err = run(capsys, "fix", str(broken), "--write", "--select", "PY")
    assert code == 1 and "PY002" in err


def test_result_cache_answers_an_unchanged_rerun(capsys, broken: Path, tmp_path: Path) -> None:
    first = run(capsys, "check", str(broken), "--select", "PY", "--format", "json")
    assert list((tmp_path / "cache" / "results").iterdir())
    assert run(capsys, "check", str(broken), "--select", "PY", "--format", "json") == first
    (broken / "main.py").write_text("x = 1\n")  # a change must invalidate the entry
    assert run(capsys, "check", str(broken), "--select", "PY")[0] == 0


def test_rules_and_explain(capsys) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "PY001" in out and "HF001" in out
    code, out, _ = run(capsys, "explain", "PY001")
    assert code == 0 and "## What it does" in out and "## Fix safety" in out
    assert run(capsys, "explain", "nope")[0] == 2


def test_version_is_fast_path_and_console_script_works(capsys) -> None:
    assert run(capsys, "--version") == (0, f"hfdeploy {__version__}\n", "")
    proc = subprocess.run(
        [sys.executable, "-m", "hfdeploy", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.strip() == f"hfdeploy {__version__}"


def test_unknown_setting_is_a_warning_not_an_error(capsys, clean: Path) -> None:
    (clean / "pyproject.toml").write_text('[tool.hfdeploy]\nselct = ["PY"]\n')
    code, _, err = run(capsys, "check", str(clean), "--select", "PY")
    assert code == 0 and "unknown setting selct ignored" in err
