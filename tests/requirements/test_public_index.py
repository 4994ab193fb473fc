"""The Done-when scenario against the public index (marked `network`; CI may run it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import check_tree, fix_tree, make_tree

pytestmark = pytest.mark.network

REQUIREMENTS = """\
fastapi==0.104.1
uvicorn[standard]==0.24.0
sqlmodel==0.0.14
psycopg2==2.9.9
pydantic-settings==2.1.0
python-jose[cryptography]==3.3.0
cryptography==41.0.8
passlib[bcrypt]==1.7.4
python-multipart==0.0.6
"""


def test_check_names_both_pins_and_fix_locks_the_era(
    isolated_pip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://pypi.org/simple")
    make_tree(tmp_path, {"requirements.txt": REQUIREMENTS})
    diags = check_tree(tmp_path, "RQ", offline=False, python="3.11")
    lines = {d.code: REQUIREMENTS.count("\n", 0, d.span.start) + 1 for d in diags if d.span}
    assert lines == {"RQ005": 4, "RQ003": 7}
    outcome = fix_tree(tmp_path, "RQ", offline=False, python="3.11")
    assert outcome.remaining == []
    text = (tmp_path / "requirements.txt").read_text()
    assert "psycopg2-binary==2.9.9" in text and "cryptography==41.0.7" in text
    lock = (tmp_path / "requirements.lock").read_text()
    assert re.search(r"^pydantic==2\.5\.\d+$", lock, re.MULTILINE), lock
