"""`hfdeploy fix --write --verify` takes verify's own options and passes them to every round."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hfdeploy.cli import build_app, main
from tests.support import make_tree

VERIFY_OPTIONS = (
    "--env",
    "--env-file",
    "--space",
    "--memory",
    "--cpus",
    "--user",
    "--timeout",
    "--build-timeout",
    "--port",
    "--network",
    "--builder",
)


def _options(help_text: str) -> set[str]:
    return set(re.findall(r"(--[a-z][a-z-]+)", help_text))


def test_fix_help_lists_every_verify_option() -> None:
    result = CliRunner().invoke(build_app(), ["fix", "--help"], env={"COLUMNS": "200"})
    verify_help = CliRunner().invoke(build_app(), ["verify", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and verify_help.exit_code == 0
    assert set(VERIFY_OPTIONS) <= _options(result.output)
    assert set(VERIFY_OPTIONS) <= _options(verify_help.output)


def test_container_options_without_verify_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(tmp_path / "app", {"main.py": "import os\nKEY = os.environ['KEY']\n"})
    assert main(["fix", str(root), "--env", "KEY=1"]) == 2
    assert "apply with --verify" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "not a pair"], "expected NAME=VALUE"),
        (["--space", "no-slash"], "expected owner/name"),
        (["--memory", "lots"], "expected a size"),
        (["--user", "root"], "expected a uid"),
    ],
)
def test_bad_verify_options_stop_fix_before_it_writes_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    root = make_tree(
        tmp_path / "app",
        {
            "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
            "requirements.txt": "fastapi\n",
        },
    )
    before = sorted(p.name for p in root.iterdir())
    assert main(["fix", str(root), "--write", "--verify", *args]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in root.iterdir()) == before  # no Dockerfile, README written
