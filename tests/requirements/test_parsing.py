"""Reading pip requirements files and pyproject.toml, with exact text positions."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from hfdeploy.requirements.pyproject_deps import parse_pyproject, poetry_specifier
from hfdeploy.requirements.reqfile import parse_requirements_text
from tests.support import check_tree, make_tree

REQS = PurePosixPath("requirements.txt")


def cut(text: str, span) -> str:
    return text[span.start : span.end]


@pytest.mark.parametrize(
    ("line", "name", "spec", "version"),
    [
        pytest.param("fastapi==0.104.1", "fastapi", "==0.104.1", "0.104.1", id="pin"),
        pytest.param(
            "uvicorn[standard] == 0.24.0  # server",
            "uvicorn",
            "==0.24.0",
            "0.24.0",
            id="extras-spaces-comment",
        ),
        pytest.param(
            "requests>=2,<3 ; python_version >= '3.8'",
            "requests",
            "<3,>=2",
            None,
            id="range-marker",
        ),
        pytest.param("Django (==4.2.7)", "Django", "==4.2.7", "4.2.7", id="parenthesised"),
        pytest.param(
            "pkg===1.0-local", "pkg", "===1.0-local", "1.0-local", id="arbitrary-equality"
        ),
        pytest.param("numpy==1.26.*", "numpy", "==1.26.*", None, id="wildcard-not-a-pin"),
    ],
)
def test_requirement_lines(line: str, name: str, spec: str, version: str | None) -> None:
    text = f"# top\n{line}\n"
    [req] = parse_requirements_text(REQS, text).requirements
    assert (req.name, str(req.specifier), req.line) == (name, spec, 2)
    assert cut(text, req.name_span) == name
    assert (cut(text, req.version_span) if req.version_span else None) == version


def test_continuations_hashes_and_options() -> None:
    text = (
        "-i https://example.org/simple\n--extra-index-url=https://x.org/simple\n"
        "cryptography==41.0.8 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
        "-r base.txt\n-c constraints.txt\n--only-binary :all:\n"
    )
    parsed = parse_requirements_text(REQS, text)
    [req] = parsed.requirements
    assert req.hashes == ("sha256:aa", "sha256:bb") and req.line == 3
    assert cut(text, req.version_span) == "41.0.8"
    assert parsed.index_url == "https://example.org/simple"
    assert parsed.extra_index_urls == ["https://x.org/simple"]
    assert [(str(i.target), i.constraint) for i in parsed.includes] == [
        ("base.txt", False),
        ("constraints.txt", True),
    ]
    assert parsed.problems == []


def test_a_continued_line_keeps_positions_across_the_break() -> None:
    text = "cryptography\\\n==41.0.8\n"
    [req] = parse_requirements_text(REQS, text).requirements
    assert cut(text, req.version_span) == "41.0.8" and cut(text, req.name_span) == "cryptography"


@pytest.mark.parametrize(
    ("line", "url", "editable"),
    [
        ("-e git+https://github.com/a/b.git#egg=b", "git+https://github.com/a/b.git#egg=b", True),
        ("-e .", ".", True),
        ("./wheels/x-1.0-py3-none-any.whl", "./wheels/x-1.0-py3-none-any.whl", False),
        ("pkg @ https://x.org/pkg-1.0.tar.gz", "https://x.org/pkg-1.0.tar.gz", False),
    ],
)
def test_urls_paths_and_editables_are_not_looked_up(line: str, url: str, editable: bool) -> None:
    [req] = parse_requirements_text(REQS, line + "\n").requirements
    assert (req.url, req.editable, req.checkable) == (url, editable, False)


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("fastapi==", "is not a valid requirement"),
        ("--upgrade-strategy eager", "is not an option pip accepts"),
        ("fastapi==1.0 --no-deps", "is not a per-requirement option"),
        ("-r", "needs a value"),
    ],
)
def test_odd_syntax_is_a_problem_with_a_position(line: str, fragment: str) -> None:
    text = f"ok==1.0\n{line}\n"
    parsed = parse_requirements_text(REQS, text)
    [problem] = parsed.problems
    assert fragment in problem.message
    assert problem.span.start >= len("ok==1.0\n")


def test_invalid_lines_and_missing_includes_are_rq001_findings(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {"requirements.txt": "fastapi==\n-r missing.txt\n", "requirements-dev.txt": "pytest>>1\n"},
    )
    found = sorted(
        (str(d.path), d.code, d.message.split(" ")[0]) for d in check_tree(tmp_path, "RQ001")
    )
    assert found == [
        ("requirements-dev.txt", "RQ001", "`pytest>>1`"),
        ("requirements.txt", "RQ001", "`-r"),
        ("requirements.txt", "RQ001", "`fastapi==`"),
    ]


def test_pep621_dependencies_with_positions() -> None:
    text = '[project]\nname = "x"\ndependencies = [\n  # web\n  "fastapi==0.104.1",  # "not this"\n  \'psycopg2 == 2.9.9\',\n]\n'
    parsed = parse_pyproject(PurePosixPath("pyproject.toml"), text)
    assert [(r.name, r.line, cut(text, r.version_span)) for r in parsed.requirements] == [
        ("fastapi", 5, "0.104.1"),
        ("psycopg2", 6, "2.9.9"),
    ]


def test_broken_toml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pyproject.toml": "[project\nname = 1\n"})
    [diag] = check_tree(tmp_path, "RQ001")
    assert "not valid TOML" in diag.message


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^1.2.3", "<2,>=1.2.3"),
        ("^0.2.3", "<0.3,>=0.2.3"),
        ("^0.0.3", "<0.0.4,>=0.0.3"),
        ("~1.2.3", "<1.3,>=1.2.3"),
        ("~1", "<2,>=1"),
        ("1.2.3", "==1.2.3"),
        (">=1,<2", "<2,>=1"),
        ("*", ""),
    ],
)
def test_poetry_constraints(poetry: str, pep440: str) -> None:
    assert str(poetry_specifier(poetry)) == pep440


def test_poetry_table_entries() -> None:
    text = '[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.104.1"\nuvicorn = {version = "0.24.0", extras = ["standard"]}\n'
    parsed = parse_pyproject(PurePosixPath("pyproject.toml"), text)
    assert [(r.name, str(r.specifier), sorted(r.extras), r.line) for r in parsed.requirements] == [
        ("fastapi", "<0.105,>=0.104.1", [], 3),
        ("uvicorn", "==0.24.0", ["standard"], 4),
    ]
    assert cut(text, parsed.requirements[1].version_span) == "0.24.0"


def test_poetry_optional_entries_are_not_installed() -> None:
    # `optional = true` only comes with an extra; `pip install .` does not install it.
    text = '[tool.poetry.dependencies]\npython = "^3.11"\nfastapi = "^0.111"\nhttpx = {version = "^0.27", optional = true}\n'
    parsed = parse_pyproject(PurePosixPath("pyproject.toml"), text)
    assert [r.name for r in parsed.requirements] == ["fastapi"]


def test_other_tools_files_get_an_info_finding(tmp_path: Path) -> None:
    make_tree(tmp_path, {"Pipfile": "[packages]\n", "uv.lock": "", "requirements.txt": "x==1\n"})
    diags = check_tree(tmp_path, "RQ010")
    assert [(str(d.path), d.severity.name) for d in diags] == [
        ("Pipfile", "INFO"),
        ("uv.lock", "INFO"),
    ]
    assert "installs from requirements.txt" in diags[0].message
