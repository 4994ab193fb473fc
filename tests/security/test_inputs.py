"""Odd inputs become findings, not crashes; a multi-file fix is written all or none."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from hfdeploy import atomic
from hfdeploy.fixer import FixOutcome, StaleFileError, write_changes
from tests.security.test_boundary import APP, assert_clean, run
from tests.support import check_tree, codes, make_tree, project_for


def test_yaml_alias_in_front_matter_crashes_no_check(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "main.py": APP,
            "requirements.txt": "fastapi\n",
            "README.md": "---\ntitle: &t Demo\nsdk: gradio\nshort_description: *t\n---\n# x\n",
        },
    )
    found = codes(check_tree(tmp_path))
    assert "HF000" not in found
    assert "SC003" in found  # the wrong sdk is still reported


@pytest.mark.parametrize("cookie", ["undefined", "punycode"])
def test_unusable_coding_cookie_is_a_skipped_file_finding(tmp_path: Path, cookie: str) -> None:
    make_tree(
        tmp_path,
        {
            "main.py": APP,
            "requirements.txt": "fastapi\n",
            "other.py": f"# -*- coding: {cookie} -*-\nx = 1\n",
        },
    )
    diags = check_tree(tmp_path)
    assert "HF000" not in codes(diags)
    assert any(d.code == "HF001" and str(d.path) == "other.py" for d in diags)


def test_fix_write_without_an_app_creates_no_file(tmp_path: Path) -> None:
    repo = make_tree(
        tmp_path / "repo", {"script.py": "print('hi')\n", "requirements.txt": "requests\n"}
    )
    proc = run(repo, "fix", "--offline", "--write")
    assert_clean(proc)
    assert sorted(os.listdir(repo)) == ["requirements.txt", "script.py"]


def test_multi_file_write_rolls_back_when_a_replace_fails(tmp_path: Path, monkeypatch) -> None:
    from hfdeploy.atomic import atomic_write_all

    a, b, c = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt"))
    a.write_text("old a")
    b.write_text("old b")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(OSError):
        atomic_write_all([(str(a), b"new a"), (str(b), b"new b"), (str(c), b"new c")])
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert a.read_text() == "old a" and b.read_text() == "old b" and not c.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temp left


def test_write_through_a_symlink_leaving_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "requirements.txt").write_text("fastapi\n")
    repo = make_tree(tmp_path / "repo", {"main.py": APP})
    os.symlink(outside / "requirements.txt", repo / "requirements.txt")
    project = project_for(repo)
    changed = project.with_changes(
        {
            PurePosixPath("Dockerfile"): "FROM python:3.11-slim\n",
            PurePosixPath("requirements.txt"): "hacked\n",
        }
    )
    with pytest.raises(StaleFileError, match="outside the repository"):
        write_changes(FixOutcome(changed))
    assert (outside / "requirements.txt").read_text() == "fastapi\n"
    assert not (repo / "Dockerfile").exists()  # nothing at all was written
