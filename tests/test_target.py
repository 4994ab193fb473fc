"""Which Python the image runs when only `requires-python` says."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.target import target_python
from tests.support import make_tree, project_for


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=3.10", "3.11"),
        (">=3.12", "3.12"),  # not the newest: the project was written for 3.12
        ("~=3.12", "3.12"),
        (">=3.13", "3.13"),
        ("<3.11", "3.10"),
        (">=3.10,!=3.11.*", "3.12"),
    ],
)
def test_requires_python_picks_the_fitting_version_nearest_the_default(
    tmp_path: Path, spec: str, expected: str
) -> None:
    make_tree(tmp_path, {"pyproject.toml": f'[project]\nname = "x"\nrequires-python = "{spec}"\n'})
    target = target_python(project_for(tmp_path))
    assert (target.version, target.source) == (expected, f"pyproject.toml requires-python {spec!r}")
