"""DF045 on a real engine: a module imported by its bare name from a directory the image does not
put on sys.path stops the server; `fix --write` puts it on PYTHONPATH and the image serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.cli import main
from tests.verify.test_verify_docker import (  # noqa: F401 (verify is a fixture)
    Verify,
    copy_repo,
    finding,
    verify,
)

pytestmark = pytest.mark.docker


def test_fix_write_puts_the_sibling_directory_on_pythonpath_and_the_image_serves(
    tmp_path: Path, verify: Verify, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _, _ = copy_repo(tmp_path, "bare_sibling_import")
    code, report, _ = verify(root)
    assert code == 1
    assert "No module named 'routes'" in "\n".join(finding(report, "RT003")["notes"])

    assert main(["check", "--offline", "--select", "DF045", str(root)]) == 1
    assert "DF045" in capsys.readouterr().out
    assert main(["fix", "--write", "--offline", "--select", "DF045", str(root)]) == 0
    capsys.readouterr()
    assert "ENV PYTHONPATH=/home/user/app/service\n" in (root / "Dockerfile").read_text()

    code, report, _ = verify(root)
    assert code == 0, report["findings"]
