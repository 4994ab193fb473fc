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


def test_dockerfile_from_with_a_global_arg_reads_its_default(tmp_path: Path) -> None:
    # The image runs 3.9 whatever .python-version says: the Dockerfile outranks it.
    dockerfile = "# base\nARG PYTHON_VERSION=3.9\nFROM python:${PYTHON_VERSION}-slim\nARG X=1\n"
    make_tree(tmp_path, {"Dockerfile": dockerfile, ".python-version": "3.12.1\n"})
    target = target_python(project_for(tmp_path))
    assert (target.version, target.source) == ("3.9", "Dockerfile FROM (line 3)")


@pytest.mark.parametrize(
    ("constraint", "expected"), [("^3.12", "3.12"), ("~3.10", "3.10"), (">=3.13,<4", "3.13")]
)
def test_poetrys_python_constraint_is_the_projects_requires_python(
    tmp_path: Path, constraint: str, expected: str
) -> None:
    # A Poetry project states its Python in [tool.poetry.dependencies]; the generated image
    # must run it (a 3.11 image skips every `python_version >= "3.12"` line of the export).
    make_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry]\nname = "x"\nversion = "0"\n'
            f'[tool.poetry.dependencies]\npython = "{constraint}"\nfastapi = "*"\n'
        },
    )
    assert target_python(project_for(tmp_path)).version == expected
