"""The runner: one path for `check` and `fix`, answering an unchanged re-run from the cache."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.registry import Selection, selected_checks
from hfdeploy.runner import run_checks
from tests.support import codes, make_tree, project_for


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(tmp_path / "cache"))


def _repo(root: Path) -> Path:
    return make_tree(root / "repo", {"app.py": "def f(a=1, b):\n    return a\n"})


@pytest.mark.parametrize(
    "checks",
    [Selection(("PY",)), selected_checks(("PY",), ())],
    ids=["selection", "list"],
)
def test_an_unchanged_rerun_is_answered_from_the_cache(checks: object, tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    first = run_checks(project_for(repo), checks, use_cache=True)  # type: ignore[arg-type]
    assert codes(first) == ["PY001"] and first[0].fix is not None
    again = project_for(repo)
    assert run_checks(again, checks, use_cache=True) == first  # type: ignore[arg-type]
    assert ("syntax", PurePosixPath("app.py")) not in again._memo  # never parsed: a cache hit
    (repo / "app.py").write_text("def f(a, b=1):\n    return a\n")
    assert run_checks(project_for(repo), checks, use_cache=True) == []  # type: ignore[arg-type]


def test_without_the_cache_every_check_runs(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    run_checks(project_for(repo), Selection(("PY",)), use_cache=True)
    again = project_for(repo)
    assert codes(run_checks(again, Selection(("PY",)))) == ["PY001"]
    assert ("syntax", PurePosixPath("app.py")) in again._memo


def test_a_snapshot_with_pending_edits_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    run_checks(project_for(repo), Selection(("PY",)), use_cache=True)
    edited = project_for(repo).with_changes({PurePosixPath("app.py"): "x = 1\n"})
    assert run_checks(edited, Selection(("PY",)), use_cache=True) == []
