"""The examples in PY001's and PY002's documentation behave as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hfdeploy.check import Check
from hfdeploy.pysource.checks import CHECKS
from tests.support import check_tree, codes, make_tree

PRELUDE = "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n\n"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_example_fires_and_use_instead_does_not(check: type[Check], tmp_path: Path) -> None:
    bad, good = re.findall(r"```python\n(.*?)```", check.documentation(), re.DOTALL)[:2]
    make_tree(tmp_path / "bad", {"app.py": PRELUDE + bad})
    make_tree(tmp_path / "good", {"app.py": PRELUDE + good})
    assert codes(check_tree(tmp_path / "bad", check.code)) == [check.code]
    assert check_tree(tmp_path / "good", check.code) == []
