"""The index checks against the fake index on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.diagnostics import Applicability, Severity
from tests.requirements.conftest import FakeIndex
from tests.support import check_tree, codes, fix_tree, make_tree

INDEX_CODES = "RQ002,RQ003,RQ004,RQ005,RQ006,RQ007,RQ008"


def check(root: Path, select: str = INDEX_CODES, **options: object):
    return check_tree(root, select, **{"offline": False, "python": "3.11", **options})


def fix(root: Path, select: str = INDEX_CODES, **options: object):
    return fix_tree(root, select, **{"offline": False, "python": "3.11", **options})


def line_of(root: Path, diag) -> int:
    text = (root / str(diag.path)).read_text()
    return text.count("\n", 0, diag.span.start) + 1


def test_names_the_unreleased_pin_and_the_source_only_package_on_their_lines(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path, {"requirements.txt": "webframe==0.104.1\ncryptography==41.0.8\npsycopg2==2.9.9\n"}
    )
    diags = check(tmp_path)
    assert sorted((d.code, line_of(tmp_path, d)) for d in diags) == [("RQ003", 2), ("RQ005", 3)]
    rq003 = next(d for d in diags if d.code == "RQ003")
    assert "41.0.7" in rq003.notes[0] and "42.0.0" in rq003.notes[0]


def test_fix_moves_the_pin_to_the_highest_release_below_on_its_line(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "# web\nwebframe==0.104.1  # keep\ncryptography == 41.0.8 ; python_version >= '3.8'\npsycopg2==2.9.9\n"
        },
    )
    outcome = fix(tmp_path)
    assert (tmp_path / "requirements.txt").read_text() == (
        "# web\nwebframe==0.104.1  # keep\ncryptography == 41.0.7 ; python_version >= '3.8'\npsycopg2-binary==2.9.9\n"
    )
    assert outcome.remaining == []
    assert fix(tmp_path).changes == {}  # a second run changes nothing


def test_fix_takes_the_lowest_release_above_when_none_is_below(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "cryptography==2.1.0\n"})
    fix(tmp_path)
    assert (tmp_path / "requirements.txt").read_text() == "cryptography==2.1.1\n"


def test_keeps_crlf_and_continuation_lines(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "requests==2.31.0\r\ncryptography\\\r\n==41.0.8\r\n"})
    fix(tmp_path)
    assert (
        tmp_path / "requirements.txt"
    ).read_bytes() == b"requests==2.31.0\r\ncryptography\\\r\n==41.0.7\r\n"


def test_pin_with_hashes_is_reported_but_not_rewritten(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    text = "cryptography==41.0.8 --hash=sha256:00\n"
    make_tree(tmp_path, {"requirements.txt": text})
    [diag] = check(tmp_path)
    assert diag.code == "RQ003" and diag.fix is None
    fix(tmp_path, unsafe=True)
    assert (tmp_path / "requirements.txt").read_text() == text


def test_unknown_package_is_reported_with_close_names(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "requets==2.31.0\nrequests==2.31.0\n"})
    [diag] = check(tmp_path)
    assert diag.code == "RQ002" and "`requests`" in diag.message
    assert line_of(tmp_path, diag) == 1


def test_rq002_offers_the_distribution_of_the_imported_module(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "requests==2.31.0\nyaml==6.0\ncv2\n",
            "main.py": "import cv2\nimport yaml\nimport requests\n",
        },
    )
    diags = check(tmp_path, "RQ002")
    by_name = {
        (tmp_path / "requirements.txt").read_text()[d.span.start : d.span.end]: d for d in diags
    }
    assert (
        by_name["yaml"].fix is not None and by_name["yaml"].fix.applicability is Applicability.SAFE
    )
    assert (
        by_name["cv2"].fix is not None and by_name["cv2"].fix.applicability is Applicability.UNSAFE
    )
    fix(tmp_path, "RQ002")
    assert (tmp_path / "requirements.txt").read_text() == "requests==2.31.0\nPyYAML\ncv2\n"
    fix(tmp_path, "RQ002", unsafe=True)
    assert (
        tmp_path / "requirements.txt"
    ).read_text() == "requests==2.31.0\nPyYAML\nopencv-python-headless\n"


def test_rq002_no_provider_fix_when_the_code_does_not_import_the_module(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "yaml==6.0\n", "main.py": "import json\n"})
    [diag] = check(tmp_path, "RQ002")
    assert diag.fix is None


def test_yanked_pin_is_a_warning_without_a_fix(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "yankedpkg==1.0\n"})
    [diag] = check(tmp_path)
    assert (diag.code, diag.severity, diag.fix) == ("RQ004", Severity.WARNING, None)
    assert "broken wheel" in diag.message and "1.1" in diag.notes[0]


def test_requires_python_excluding_the_target(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "newpy==1.0\n"})
    [diag] = check(tmp_path)
    assert diag.code == "RQ006" and ">=3.12" in diag.message
    assert check(tmp_path, python="3.12") == []


def test_range_picks_an_older_release_that_fits_so_no_finding(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "newpy>=0.9\n"})
    assert check(tmp_path) == []


def test_pure_source_package_is_only_a_warning(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "puresrc==1.0\n"})
    [diag] = check(tmp_path)
    assert (diag.code, diag.severity, diag.fix) == ("RQ005", Severity.WARNING, None)


def test_rq016_range_whose_every_release_was_yanked_is_an_error(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "allyanked>=1.0,<2\n"})
    [diag] = check(tmp_path, "RQ004,RQ005,RQ016")
    assert (diag.code, diag.severity) == ("RQ016", Severity.ERROR)
    assert "yanked" in diag.message and "bad metadata" in diag.notes[0]
    assert "2.0" in diag.notes[1]
    make_tree(tmp_path, {"requirements.txt": "allyanked>=1.0\n"})
    assert check(tmp_path, "RQ004,RQ005,RQ016") == []


def test_rq016_range_matching_no_release_and_contradictory_range(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "requests>=3\nnewpy>=0.9,<0.5\n"})
    diags = check(tmp_path, "RQ016")
    by_line = {line_of(tmp_path, d): d for d in diags}
    assert sorted(by_line) == [1, 2] and all(d.code == "RQ016" for d in diags)
    assert "No release of `requests` matches `>=3`" in by_line[1].message
    assert "allows no version at all" in by_line[2].message


def test_rq005_optional_extension_with_a_pure_python_wheel_is_only_a_warning(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "speedups==2.0\n"})
    [diag] = check(tmp_path, "RQ005")
    assert (diag.code, diag.severity) == ("RQ005", Severity.WARNING)
    assert "pure-Python wheel" in " ".join(diag.notes)
    make_tree(tmp_path, {"requirements.txt": "psycopg2==2.9.9\n"})
    [diag] = check(tmp_path, "RQ005")
    assert diag.severity is Severity.ERROR
    # the full python image has gcc and libpq-dev (buildpack-deps): at most a warning there
    make_tree(tmp_path, {"Dockerfile": "FROM python:3.11\nRUN pip install -r requirements.txt\n"})
    [diag] = check(tmp_path, "RQ005")
    assert diag.severity is Severity.WARNING and "full Python image" in " ".join(diag.notes)


MYSQL_APP = {
    "requirements.txt": "fastapi\nsqlalchemy==2.0.36\nmysqlclient==2.2.4\n",
    "alembic.ini": "[alembic]\nscript_location = migrations\nsqlalchemy.url = mysql://shop:pw@sql.example.com:443/shop\n",
    "app/db.py": (
        "from sqlalchemy import create_engine\n\n"
        'engine = create_engine("mysql+mysqldb://shop:pw@sql.example.com:443/shop", pool_recycle=3600)\n'
    ),
}


def test_rq005_mysqlclient_swap_rewrites_every_mysql_url_to_pymysql(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, MYSQL_APP)
    [diag] = check(tmp_path, "RQ005")
    assert diag.severity is Severity.ERROR and diag.fix is not None
    assert diag.fix.applicability is Applicability.SAFE
    fix(tmp_path, "RQ005")
    assert (tmp_path / "requirements.txt").read_text() == "fastapi\nsqlalchemy==2.0.36\nPyMySQL\n"
    assert (
        "mysql+pymysql://shop:pw@sql.example.com:443/shop" in (tmp_path / "alembic.ini").read_text()
    )
    assert 'create_engine("mysql+pymysql://shop:pw@' in (tmp_path / "app" / "db.py").read_text()
    assert check(tmp_path, "RQ005,DB004") == []


def test_rq005_mysqlclient_swap_is_unsafe_when_the_url_may_come_from_a_secret(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    tree = dict(MYSQL_APP)
    tree["app/db.py"] = (
        "import os\nfrom sqlalchemy import create_engine\n\n"
        'engine = create_engine(os.getenv("DATABASE_URL", "mysql://shop:pw@sql.example.com:443/shop"))\n'
    )
    make_tree(tmp_path, tree)
    [diag] = check(tmp_path, "RQ005")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    assert any("DATABASE_URL" in n and "mysql+pymysql://" in n for n in diag.notes)
    (tmp_path / "app" / "db.py").write_text("import MySQLdb\n")
    (tmp_path / "alembic.ini").unlink()
    [diag] = check(tmp_path, "RQ005")
    assert diag.fix is None  # no URL written to point at PyMySQL


MYSQL_DOCKERFILE = (
    "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nWORKDIR /app\n"
    "COPY requirements.txt .\nRUN pip install --user -r requirements.txt\nCOPY . .\n"
    'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]\n'
)


def test_rq005_without_a_url_to_swap_installs_the_build_packages_in_the_dockerfile(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "mysqlclient==2.2.4\n",
            "Dockerfile": MYSQL_DOCKERFILE,
            "main.py": "import MySQLdb\n",
        },
    )
    [diag] = check(tmp_path, "RQ005")
    assert diag.fix is not None and diag.fix.applicability is Applicability.SAFE
    fix(tmp_path, "RQ005")
    text = (tmp_path / "Dockerfile").read_text()
    assert (
        "USER root\nRUN apt-get update \\\n"
        "    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n"
        "        default-libmysqlclient-dev build-essential pkg-config \\\n"
        "    && rm -rf /var/lib/apt/lists/*\nUSER user\nRUN pip install --user"
    ) in text
    assert check(tmp_path, "RQ005") == []  # the image now installs what the build needs


def test_rq005_generated_dockerfile_carries_the_build_packages(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    from hfdeploy.dockerfile.regenerate import render_dockerfile
    from tests.support import project_for

    make_tree(
        tmp_path,
        {
            "requirements.txt": "fastapi\nmysqlclient==2.2.4\npsycopg2==2.9.9\n",
            "main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        },
    )
    text = render_dockerfile(project_for(tmp_path))
    assert "default-libmysqlclient-dev build-essential pkg-config" in text
    assert "libpq-dev" not in text  # psycopg2 gets its wheel twin from RQ005 instead


def test_conflicting_pins_are_explained_in_one_finding(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "oldfw==1.0\ndatamodel==2.5.2\n"})
    [diag] = check(tmp_path)
    assert diag.code == "RQ007" and line_of(tmp_path, diag) == 2
    assert "`oldfw==1.0` requires `datamodel<2`" in diag.notes[0]


def test_conflict_read_through_range_requests_when_no_metadata_file(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    fake_index.metadata_files = False
    make_tree(tmp_path, {"requirements.txt": "oldfw==1.0\ndatamodel==2.5.2\n"})
    assert codes(check(tmp_path)) == ["RQ007"]
    assert any(status == 206 for _, _, status in fake_index.log)


def test_fix_is_unsafe_when_the_replacement_conflicts_with_another_pin(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    # datamodel==2.5.3 was never released; 2.5.2 exists but oldfw pins datamodel<2
    make_tree(tmp_path, {"requirements.txt": "oldfw==1.0\ndatamodel==2.5.3\n"})
    diag = next(d for d in check(tmp_path) if d.code == "RQ003")
    assert diag.fix is not None and diag.fix.applicability is Applicability.UNSAFE
    fix(tmp_path)
    assert (tmp_path / "requirements.txt").read_text() == "oldfw==1.0\ndatamodel==2.5.3\n"


def test_unreachable_index_is_one_warning_and_fix_changes_nothing(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    fake_index.down = True
    text = "requets==1\ncryptography==41.0.8\npsycopg2==2.9.9\n"
    make_tree(tmp_path, {"requirements.txt": text})
    diags = check(tmp_path)
    assert codes(diags) == ["RQ008"]
    assert diags[0].message.startswith("Could not check 3 requirements against http://127.0.0.1:")
    assert fix(tmp_path, select="RQ").changes == {}
    assert (tmp_path / "requirements.txt").read_text() == text


def test_find_links_releases_are_not_called_unreleased_nor_rewritten(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    # PyTorch's `+cpu` wheels come from a `-f` page pip reads and hfdeploy does not: the pin
    # the index lacks may be there, so nothing is "never released" and no pin is rewritten.
    text = "-f https://download.pytorch.org/whl/torch_stable.html\ncryptography==41.0.8+cpu\n"
    make_tree(tmp_path, {"requirements.txt": text})
    diags = check(tmp_path)
    assert codes(diags) == ["RQ008"]
    assert "--find-links https://download.pytorch.org/whl/torch_stable.html" in diags[0].message
    assert fix(tmp_path, select="RQ").changes == {}
    assert (tmp_path / "requirements.txt").read_text() == text
    assert fake_index.requests_for("cryptography") == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM python:3.11-slim\nRUN pip install --no-cache-dir \\\n    -r requirements.txt --extra-index-url=http://127.0.0.1:9/simple\n",
        "FROM python:3.11-slim\nENV PIP_EXTRA_INDEX_URL=http://127.0.0.1:9/simple\nRUN pip install -r requirements.txt\n",
    ],
)
def test_index_options_given_by_the_dockerfile_are_used(
    fake_index: FakeIndex, tmp_path: Path, dockerfile: str
) -> None:
    # `pip install -r requirements.txt --extra-index-url URL` (or `ENV PIP_EXTRA_INDEX_URL`) in
    # the Dockerfile: pip also asks URL, so a pin missing from the main index is unchecked
    # there, not "never released".
    text = "cryptography==41.0.8+cpu\n"
    make_tree(tmp_path, {"requirements.txt": text, "Dockerfile": dockerfile})
    diags = check(tmp_path)
    assert codes(diags) == ["RQ008"]
    assert "http://127.0.0.1:9/simple" in diags[0].message
    assert fix(tmp_path, select="RQ").changes == {}
    assert (tmp_path / "requirements.txt").read_text() == text


def test_utf16_requirements_from_powershell_are_read_and_fixed_in_place(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    # `pip freeze > requirements.txt` in Windows PowerShell: UTF-16 LE with a BOM and CRLF.
    raw = "webframe==0.104.1\r\ncryptography==41.0.8\r\n".encode("utf-16-le")
    make_tree(tmp_path, {"requirements.txt": b"\xff\xfe" + raw})
    assert codes(check(tmp_path)) == ["RQ003"]
    fix(tmp_path)
    fixed = "webframe==0.104.1\r\ncryptography==41.0.7\r\n".encode("utf-16-le")
    assert (tmp_path / "requirements.txt").read_bytes() == b"\xff\xfe" + fixed


def test_offline_answers_from_the_cache(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "cryptography==41.0.8\n"})
    assert codes(check_tree(tmp_path, INDEX_CODES, offline=True, python="3.11")) == ["RQ008"]
    assert codes(check(tmp_path)) == ["RQ003"]
    fake_index.down = True
    assert codes(check_tree(tmp_path, INDEX_CODES, offline=True, python="3.11")) == ["RQ003"]


def test_poetry_pin_fix_splices_only_the_version(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\ncryptography = "41.0.8"  # x\nwebframe = "^0.104.1"\n'
        },
    )
    fix(tmp_path)
    assert (
        (tmp_path / "pyproject.toml").read_text()
        == '[tool.poetry.dependencies]\npython = "^3.11"\ncryptography = "41.0.7"  # x\nwebframe = "^0.104.1"\n'
    )


def test_pep621_dependencies_are_checked_on_their_lines(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "webframe==0.104.1",\n  "psycopg2==2.9.9",\n]\n'
        },
    )
    [diag] = check(tmp_path)
    assert diag.code == "RQ005" and line_of(tmp_path, diag) == 5
    fix(tmp_path)
    assert '"psycopg2-binary==2.9.9",' in (tmp_path / "pyproject.toml").read_text()


def test_markers_that_exclude_the_target_skip_the_lookup(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "requets==1 ; sys_platform == 'win32'\n"})
    assert check(tmp_path) == []
    assert fake_index.requests_for("requets") == []


def test_html_fallback_finds_the_same_problems(fake_index: FakeIndex, tmp_path: Path) -> None:
    fake_index.html_only = True
    make_tree(tmp_path, {"requirements.txt": "cryptography==41.0.8\nyankedpkg==1.0\nnewpy==1.0\n"})
    assert codes(check(tmp_path)) == ["RQ003", "RQ004", "RQ006"]
