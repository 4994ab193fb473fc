"""PY002: other syntax errors, judged against the project's target Python."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from hfdeploy.diagnostics import Severity
from hfdeploy.pysource import syntax
from hfdeploy.registry import selected_checks
from hfdeploy.runner import run_checks
from tests.support import check_tree, codes, fix_tree, make_tree, project_for, read_tree

RUNNING = sys.version_info[:2]
FSTRING_312 = 'names = {"a": 1}\nprint(f"{names["a"]}")\n'
PEP_695 = "def first[T](items: list[T]) -> T:\n    return items[0]\n"
# Modules only these Pythons (and later ones) parse. The "newer target" tests use the first
# version above the running one, so they run on every interpreter, not only before 3.12.
ONLY_PARSED_FROM = {
    (3, 12): {"fstring.py": FSTRING_312, "generic.py": PEP_695},
    (3, 13): {"generic.py": "def first[T = int](items: list[T]) -> T:\n    return items[0]\n"},
    (3, 14): {"tstring.py": 'def greet(name):\n    return t"hello {name}"\n'},
}
NEWER = min((v for v in ONLY_PARSED_FROM if v > RUNNING), default=None)
NEWER_VERSION = f"{NEWER[0]}.{NEWER[1]}" if NEWER else "none"
NEWER_SOURCES = ONLY_PARSED_FROM[NEWER] if NEWER else {}
NEWER_SAMPLE = next(iter(NEWER_SOURCES.values()), "")


def has_python(version: str) -> bool:
    return syntax.compile_with(version, {}) is not None


def test_reports_the_interpreters_message_and_position(tmp_path: Path) -> None:
    src = "import os\n\ndef handler(x):\n    return (x +\n\nprint('ok')\n"
    make_tree(tmp_path, {"app.py": src})
    (diag,) = check_tree(tmp_path, "PY002")
    assert diag.severity is Severity.ERROR and diag.fix is None
    with pytest.raises(SyntaxError) as raised:
        ast.parse(src)
    assert diag.message.startswith(f"Syntax error: {raised.value.msg};")
    lines = src.splitlines(keepends=True)
    expected = sum(map(len, lines[: raised.value.lineno - 1])) + raised.value.offset - 1
    assert diag.span is not None and diag.span.start == expected


def test_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    src = "x = ('ééé', 1 +)\n"
    make_tree(tmp_path, {"m.py": src})
    (diag,) = check_tree(tmp_path, "PY002")
    assert diag.span is not None and src[diag.span.start] == ")"


def test_file_whose_only_problem_is_parameter_order_gets_no_syntax_error(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "def f(a=Depends(\n    get_db), b):\n    pass\n"})
    assert codes(check_tree(tmp_path, "PY")) == ["PY001"]


def test_other_error_in_a_file_with_parameter_order_problems_keeps_its_position(
    tmp_path: Path,
) -> None:
    src = "def f(a=(1,\n   2), b):\n    pass\nx = = 1\ndef g(c=1, d):\n    pass\n"
    make_tree(tmp_path, {"m.py": src})
    found = check_tree(tmp_path, "PY")
    assert codes(found) == ["PY001", "PY002", "PY001"]
    assert found[1].span is not None and src[found[1].span.start :].startswith("= 1")


def test_syntax_errors_are_never_touched_by_fixes(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "def f(:\n    pass\n", "n.py": "x = )\n"})
    before = read_tree(tmp_path)
    outcome = fix_tree(tmp_path, "PY", unsafe=True)
    assert read_tree(tmp_path) == before and codes(outcome.remaining) == ["PY002", "PY002"]


def test_null_byte_late_in_a_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": "x = 1\n" * 2000 + "y = '\0'\n"})
    (diag,) = check_tree(tmp_path, "PY002")
    assert "null" in diag.message


@pytest.mark.skipif(RUNNING < (3, 11), reason="the running parser must know except*")
def test_syntax_newer_than_an_older_target_is_an_error(tmp_path: Path) -> None:
    src = "try:\n    pass\nexcept* ValueError:\n    pass\n"
    make_tree(tmp_path, {"m.py": src})
    (diag,) = check_tree(tmp_path, "PY002", python="3.10")
    assert "3.11" in diag.message and "Python 3.10 cannot import" in diag.message
    assert diag.notes == ("The target Python 3.10 comes from --python.",)
    assert check_tree(tmp_path, "PY002", python="3.11") == []


def test_match_statement_on_a_python_39_image_is_an_error(tmp_path: Path) -> None:
    # `FROM python:3.9-slim` with 3.10 pattern matching: the image cannot import the module.
    src = "def kind(x):\n    match x:  # by shape\n        case 1:\n            return 'one'\n"
    make_tree(tmp_path, {"m.py": src, "Dockerfile": "FROM python:3.9-slim\n"})
    (diag,) = check_tree(tmp_path, "PY002")
    assert "Pattern matching" in diag.message and "Python 3.9 cannot import" in diag.message
    assert diag.notes == ("The target Python 3.9 comes from Dockerfile FROM (line 1).",)
    assert check_tree(tmp_path, "PY002", python="3.10") == []
    # a variable named `match` is no pattern matching
    make_tree(tmp_path, {"m.py": "import re\nmatch = re.match('a', 'a')\nif match:\n    pass\n"})
    assert check_tree(tmp_path, "PY002") == []


@pytest.mark.skipif(NEWER is None, reason="no syntax newer than the running Python is known")
@pytest.mark.skipif(
    not has_python(NEWER_VERSION), reason=f"no Python {NEWER_VERSION} interpreter installed"
)
def test_newer_target_is_checked_with_its_own_interpreter(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            **NEWER_SOURCES,
            # PY001 plus newer syntax
            "broken.py": "def f(a=1, b):\n    return a\n" + NEWER_SAMPLE,
            "bad.py": "x = (1 +\n",
            "Dockerfile": f"FROM python:{NEWER_VERSION}-slim\n",
        },
    )
    found = check_tree(tmp_path, "PY")
    assert [(d.code, str(d.path)) for d in found] == [("PY002", "bad.py"), ("PY001", "broken.py")]
    assert f"Python {NEWER_VERSION} cannot import" in found[0].message
    assert found[0].notes == (
        f"The target Python {NEWER_VERSION} comes from Dockerfile FROM (line 1).",
    )
    older = check_tree(tmp_path, "PY", python=f"{RUNNING[0]}.{RUNNING[1]}")
    assert codes(older) == ["PY002", "PY001", "PY002"] + ["PY002"] * len(NEWER_SOURCES)


@pytest.mark.skipif(NEWER is None, reason="no syntax newer than the running Python is known")
def test_newer_target_without_its_interpreter_is_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    monkeypatch.setenv("PYENV_ROOT", str(empty))
    monkeypatch.setenv("PATH", str(empty))
    repo = make_tree(tmp_path / "repo", {"newer.py": NEWER_SAMPLE, "ok.py": "x = 1\n"})
    (diag,) = check_tree(repo, "PY002", python=NEWER_VERSION)
    assert diag.severity is Severity.INFO and diag.message.startswith("Could not check this file")
    assert f"no Python {NEWER_VERSION} interpreter" in diag.message


@pytest.mark.skipif(NEWER is None, reason="no syntax newer than the running Python is known")
@pytest.mark.skipif(
    not has_python(NEWER_VERSION), reason=f"no Python {NEWER_VERSION} interpreter installed"
)
def test_files_needing_another_interpreter_share_one_subprocess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_run = subprocess.run
    launched: list[object] = []

    def counting_run(*args: object, **kwargs: object) -> object:
        if "-c" in args[0]:  # type: ignore[operator]
            launched.append(args)
        return real_run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(syntax.subprocess, "run", counting_run)
    files = {f"ok{i}.py": NEWER_SAMPLE for i in range(12)}
    files.update({f"bad{i}.py": "x = f'{1 +}'\n" for i in range(3)})
    make_tree(tmp_path, files)
    found = check_tree(tmp_path, "PY002", python=NEWER_VERSION)
    assert sorted(str(d.path) for d in found) == ["bad0.py", "bad1.py", "bad2.py"]
    assert len(launched) == 1


@pytest.mark.skipif(RUNNING < (3, 12), reason="needs a running Python of 3.12 or later")
def test_312_fstring_is_an_error_for_an_older_target(tmp_path: Path) -> None:
    make_tree(tmp_path, {"m.py": FSTRING_312})
    assert check_tree(tmp_path, "PY002", python=f"{RUNNING[0]}.{RUNNING[1]}") == []
    if has_python("3.11"):
        assert codes(check_tree(tmp_path, "PY002", python="3.11")) == ["PY002"]
    assert codes(check_tree(tmp_path, "PY002", python="3.11")) in ([], ["PY002"])
    make_tree(tmp_path, {"g.py": PEP_695})
    assert "g.py" in {str(d.path) for d in check_tree(tmp_path, "PY002", python="3.11")}


def test_valid_files_never_take_the_token_path(tmp_path: Path) -> None:
    make_tree(tmp_path, {f"m{i}.py": f"def f{i}(a, b=1, *, c):\n    return a\n" for i in range(50)})
    project = project_for(tmp_path)
    assert run_checks(project, selected_checks(("PY",), ())) == []
    assert not [
        key for key in project._memo if isinstance(key, tuple) and key[0].startswith("pysource.")
    ]


def _tree_of_interpreters(tmp_path: Path, real: str | None) -> tuple[Path, Path]:
    """A PATH dir holding a broken pyenv-style shim, and a PYENV_ROOT with `real` installed."""
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3.12"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    root = tmp_path / "pyenv"
    if real is not None:
        bin_dir = root / "versions" / "3.12.0" / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "python3.12").symlink_to(real)
    return shims, root


def test_broken_shim_is_skipped_for_a_real_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = next(iter(syntax.find_interpreters("3.12")), None)
    if real is None or not has_python("3.12"):
        pytest.skip("no Python 3.12 interpreter installed")
    shims, root = _tree_of_interpreters(tmp_path, real)
    monkeypatch.setenv("PATH", str(shims))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    assert syntax.find_interpreters("3.12")[-1] == str(shims / "python3.12")
    results = syntax.compile_with("3.12", {"a.py": FSTRING_312, "b.py": "x = (\n"})
    assert results is not None and results["a.py"] is None
    assert results["b.py"] is not None and results["b.py"].line == 1


def test_interpreter_of_another_version_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shims, root = _tree_of_interpreters(tmp_path, None)
    impostor = root / "versions" / "3.12.0" / "bin"
    impostor.mkdir(parents=True)
    (impostor / "python3.12").symlink_to(sys.executable)  # not a 3.12 unless we run on 3.12
    monkeypatch.setenv("PATH", str(shims))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    expected = {} if RUNNING == (3, 12) else None
    assert syntax.compile_with("3.12", {}) == expected


@pytest.mark.skipif(RUNNING >= (3, 14), reason="needs a running Python older than 3.14")
def test_314_except_without_parentheses_for_a_314_target(tmp_path: Path) -> None:
    src = "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
    make_tree(tmp_path, {"m.py": src, ".python-version": "3.14\n"})
    found = check_tree(tmp_path, "PY002")
    if has_python("3.14"):
        assert found == []
    else:
        (diag,) = found
        assert diag.severity is Severity.INFO and "no Python 3.14 interpreter" in diag.message
        assert diag.notes == ("The target Python 3.14 comes from .python-version.",)
    assert codes(check_tree(tmp_path, "PY002", python="3.13")) == ["PY002"]
