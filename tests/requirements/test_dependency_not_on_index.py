"""RQ017: a requirement whose releases depend on a project the index does not have, found by
resolving the install set against a real index server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from hfdeploy.diagnostics import Applicability, Severity
from tests.requirements.conftest import FakeIndex
from tests.support import check_tree, codes, fix_tree, make_tree


def rq017(root: Path, **options: object):
    return check_tree(root, "RQ017", offline=False, python="3.11", **options)


def test_every_release_needs_a_missing_project_is_an_error_with_a_safe_removal(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "requests==2.31.0\r\nghostdep>=1.0\r\n# end\r\n",
            "main.py": "import requests\n",
        },
    )
    [diag] = rq017(tmp_path)
    assert diag.severity is Severity.ERROR and diag.span is not None and diag.span.start == 18
    assert diag.message.startswith(
        "`ghostdep` depends on `neverpublished`, not on the package index"
    )
    assert diag.message.endswith("pip cannot install it")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE
    # the lock waits for it (RQ009 says why); the fix removes the line, CRLF kept
    fix_tree(tmp_path, "RQ017", offline=False, python="3.11")
    assert (tmp_path / "requirements.txt").read_bytes() == b"requests==2.31.0\r\n# end\r\n"
    assert rq017(tmp_path) == []


def test_no_removal_when_the_app_imports_the_module(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "ghostdep\n", "main.py": "import ghostdep\n"})
    [diag] = rq017(tmp_path)
    assert diag.fix is None and "the app imports `ghostdep`" in diag.notes[0]


def test_a_source_release_pip_could_build_makes_it_a_warning(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "halfghost\n"})
    [diag] = rq017(tmp_path)
    assert diag.severity is Severity.WARNING
    assert "only by building a source release" in diag.message
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE


def test_a_source_release_whose_setup_py_names_the_missing_project_is_an_error(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    """The sdist's setup.py reads requirements.txt (read as a syntax tree, never run)."""
    make_tree(tmp_path, {"requirements.txt": "srcghost>=1.0\n", "main.py": "print(1)\n"})
    [diag] = rq017(tmp_path)
    assert diag.severity is Severity.ERROR and diag.message.endswith("pip cannot install it")
    assert any("source releases declare" in n for n in diag.notes)
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE


def test_silent_offline_when_the_index_is_down_and_when_all_exists(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "ghostdep\n"})
    assert check_tree(tmp_path, "RQ017", offline=True, python="3.11") == []
    fake_index.down = True
    assert codes(check_tree(tmp_path, "RQ", offline=False, python="3.11")).count("RQ017") == 0
    fake_index.down = False
    (tmp_path / "requirements.txt").write_text("webframe==0.104.1\n")
    assert rq017(tmp_path) == []
