"""requirements.lock (RQ009): resolved with uv against the fake index, held to the pins' era."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from hfdeploy.requirements import resolver
from tests.requirements.conftest import FakeIndex
from tests.support import check_tree, codes, fix_tree, git_init, make_tree


def fix(root: Path, select: str = "RQ", **options: object):
    return fix_tree(root, select, **{"offline": False, "python": "3.11", **options})


def pins(root: Path) -> dict[str, str]:
    text = (root / "requirements.lock").read_text()
    return dict(re.findall(r"^([a-z0-9-]+)==(\S+)$", text, re.MULTILINE))


def test_cutoff_holds_transitive_versions_to_the_era_of_the_pins(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "webframe==0.104.1\n"})
    fix(tmp_path)
    # datamodel 2.14.4 (2025) is allowed by webframe's range but newer than the cutoff
    assert pins(tmp_path) == {"webframe": "0.104.1", "datamodel": "2.5.2"}
    header = (tmp_path / "requirements.lock").read_text()
    assert "Cutoff: 2023-11-13T12:00:00Z (webframe 0.104.1 uploaded 2023-10-30 + 14 days)" in header


def test_without_version_bounds_there_is_no_cutoff(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "webframe\n"})
    fix(tmp_path)
    assert pins(tmp_path)["datamodel"] == "2.14.4"
    assert (
        "Cutoff: none (no direct requirement has a version bound"
        in (tmp_path / "requirements.lock").read_text()
    )


def test_index_without_upload_times_gets_no_cutoff_and_says_so(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    fake_index.html_only = True
    make_tree(tmp_path, {"requirements.txt": "webframe==0.104.1\n"})
    fix(tmp_path)
    assert "does not publish upload times (PEP 700)" in (tmp_path / "requirements.lock").read_text()


def test_fix_repairs_pins_then_writes_a_lock_that_installs_with_wheels(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(
        tmp_path, {"requirements.txt": "webframe==0.104.1\ncryptography==41.0.8\npsycopg2==2.9.9\n"}
    )
    outcome = fix(tmp_path)
    assert outcome.remaining == []
    assert (
        tmp_path / "requirements.txt"
    ).read_text() == "webframe==0.104.1\ncryptography==41.0.7\npsycopg2-binary==2.9.9\n"
    assert pins(tmp_path) == {
        "cryptography": "41.0.7",
        "datamodel": "2.5.2",
        "psycopg2-binary": "2.9.9",
        "webframe": "0.104.1",
    }
    assert fix(tmp_path).changes == {}


def test_check_reports_missing_then_stale_lock_without_the_network(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "webframe==0.104.1\n"})
    [missing] = check_tree(tmp_path, "RQ009", offline=True, python="3.11")
    assert missing.message.startswith("No requirements.lock") and missing.fix is None
    assert "without --offline" in missing.notes[0]
    fix(tmp_path)
    assert check_tree(tmp_path, "RQ009", offline=True, python="3.11") == []
    assert codes(check_tree(tmp_path, "RQ009", offline=True, python="3.12")) == [
        "RQ009"
    ]  # other target
    (tmp_path / "requirements.txt").write_text("webframe==0.104.1\nrequests==2.31.0\n")
    [stale] = check_tree(tmp_path, "RQ009", offline=True, python="3.11")
    assert "stale" in stale.message and str(stale.path) == "requirements.lock"
    fix(tmp_path)
    assert pins(tmp_path)["requests"] == "2.31.0"


def test_lock_waits_for_errors_in_the_requirements(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "cryptography==41.0.8\n"})
    diag = next(
        d for d in check_tree(tmp_path, "RQ", offline=False, python="3.11") if d.code == "RQ009"
    )
    assert diag.fix is None and "once the errors" in diag.notes[0]


def test_resolution_failure_is_a_note_not_a_crash(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "puresrc==1.0\n"})  # sdist only: no wheel to lock
    [diag] = check_tree(tmp_path, "RQ009", offline=False, python="3.11")
    assert diag.fix is None and "resolving the set for the image failed" in diag.notes[-1]


def test_pip_backend_resolves_the_same_set(
    fake_index: FakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running Python's own pip (>= 26.3) resolves the same set; nothing is installed."""
    monkeypatch.setenv("HFDEPLOY_RESOLVER", "pip")
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=False
    )
    if Version(pip.stdout.split()[1]) < Version("26.3"):
        assert resolver.find_pip() is None  # too old for `--uploaded-prior-to`: not used
        return
    assert resolver.find_pip() == sys.executable
    make_tree(tmp_path, {"requirements.txt": "webframe==0.104.1\n"})
    fix(tmp_path)
    assert pins(tmp_path) == {"webframe": "0.104.1", "datamodel": "2.5.2"}
    assert "by pip 26" in (tmp_path / "requirements.lock").read_text()


def test_uv_is_found_without_the_network() -> None:
    assert resolver.find_uv() is not None


def commit_at(root: Path, when: str) -> None:
    """Commit everything in `root` (a git repository made if needed) dated `when`."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    if not (root / ".git").exists():
        git_init(root, commit=False)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(root), "commit", "-q", "-m", "c"],
        check=True,
        env=env,
        capture_output=True,
    )


def test_without_bounds_the_lock_holds_to_the_last_commit_of_the_dependency_file(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    make_tree(tmp_path, {"requirements.txt": "webframe\n"})
    commit_at(tmp_path, "2023-11-10T10:00:00Z")
    (tmp_path / "main.py").write_text("x = 1\n")
    commit_at(tmp_path, "2025-09-01T10:00:00Z")  # a later commit that leaves the file alone
    fix(tmp_path)
    # webframe unbounded; datamodel 2.14.4 (2025) came after requirements.txt last changed
    assert pins(tmp_path) == {"webframe": "0.104.1", "datamodel": "2.5.2"}
    header = (tmp_path / "requirements.lock").read_text()
    assert re.search(
        r"Cutoff: 2023-11-10T10:00:00Z \(no direct requirement has a version bound; "
        r"requirements.txt last changed in commit [0-9a-f]+ on 2023-11-10\)",
        header,
    )


def test_lock_date_today_or_a_date_overrides_the_era(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "requirements.txt": "webframe\n",
            "pyproject.toml": '[tool.hfdeploy]\nlock-date = "today"\n',
        },
    )
    commit_at(tmp_path, "2023-11-10T10:00:00Z")
    fix(tmp_path)
    assert pins(tmp_path)["datamodel"] == "2.14.4"
    assert (
        "Cutoff: none ([tool.hfdeploy] lock-date today"
        in (tmp_path / "requirements.lock").read_text()
    )
    # the command line wins over the file (a lock is remade when deleted or stale)
    (tmp_path / "requirements.lock").unlink()
    fix(tmp_path, lock_date="2023-12-01")
    assert pins(tmp_path)["datamodel"] == "2.5.2"
    assert (
        "Cutoff: 2023-12-01T00:00:00Z (--lock-date 2023-12-01)"
        in (tmp_path / "requirements.lock").read_text()
    )


def test_lock_date_is_checked_when_read(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pyproject.toml": '[tool.hfdeploy]\nlock-date = "last year"\n'})
    proc = subprocess.run(
        [sys.executable, "-m", "hfdeploy", "check", "--offline", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "lock-date: 'last year' is not valid" in proc.stderr


def test_an_era_without_wheels_for_the_target_falls_back_to_a_later_date(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    """oldwheels in 2022 had wheels for CPython 3.9 only: a year later, 2.0 is pure Python."""
    make_tree(tmp_path, {"requirements.txt": "oldwheels\n"})
    commit_at(tmp_path, "2022-06-01T00:00:00Z")
    fix(tmp_path)
    assert pins(tmp_path) == {"oldwheels": "2.0"}
    header = (tmp_path / "requirements.lock").read_text()
    assert "Cutoff: 2023-06-01T00:00:00Z (the era's cutoff 2022-06-01" in header
    assert (
        "has no installable set for CPython 3.11, so a year later, 2023-06-01, was used" in header
    )


def test_a_chosen_lock_date_gets_no_fallback(fake_index: FakeIndex, tmp_path: Path) -> None:
    make_tree(tmp_path, {"requirements.txt": "oldwheels\n"})
    [diag] = check_tree(tmp_path, "RQ009", offline=False, python="3.11", lock_date="2022-06-01")
    assert diag.fix is None and "resolving the set for the image failed" in diag.notes[-1]


def test_commit_era_needs_upload_times_from_the_index(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    fake_index.html_only = True  # PEP 503 pages: no upload times, so uv could not hold a date
    make_tree(tmp_path, {"requirements.txt": "webframe\n"})
    commit_at(tmp_path, "2023-11-10T10:00:00Z")
    fix(tmp_path)
    assert pins(tmp_path)["datamodel"] == "2.14.4"
    assert (
        "does not publish upload times (PEP 700) for webframe"
        in (tmp_path / "requirements.lock").read_text()
    )


def test_a_lock_the_image_would_never_install_is_not_written(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    """conda installs the requirements: no `pip install -r` for DF018 to point at a lock, so
    writing one would claim a pinned image while the build ignores it."""
    make_tree(
        tmp_path,
        {
            "requirements.txt": "webframe==0.104.1\n",
            "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\n"
            "RUN conda install -y --file requirements.txt\nCOPY . .\nCMD uvicorn main:app\n",
        },
    )
    [diag] = check_tree(tmp_path, "RQ009", offline=False, python="3.11")
    assert diag.fix is None and "a lock would change nothing" in diag.notes[0]
    assert "`conda`" in diag.notes[0]
    fix(tmp_path, select="RQ009,DF018")
    assert not (tmp_path / "requirements.lock").exists()


def test_the_lock_is_installed_by_the_stage_whose_packages_the_image_copies(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    """A multi-stage build installs in `deps` with `uv pip` and copies site-packages: fix
    writes the lock and points that install at it, so the image installs what the lock pins."""
    make_tree(
        tmp_path,
        {
            "requirements.txt": "webframe==0.104.1\n",
            "Dockerfile": "FROM python:3.11-slim AS deps\nCOPY requirements.txt requirements.txt\n"
            "RUN uv pip install --system -r requirements.txt\n\nFROM python:3.11-slim\n"
            "COPY --from=deps /usr/local/lib/python3.11/site-packages "
            "/usr/local/lib/python3.11/site-packages\nCOPY . .\nCMD uvicorn main:app\n",
        },
    )
    fix(tmp_path, select="RQ009,DF018")
    assert "webframe" in pins(tmp_path)
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert (
        "COPY requirements.lock requirements.lock\n"
        "RUN uv pip install --system -r requirements.lock\n"
    ) in dockerfile
    assert fix(tmp_path, select="RQ009,DF018").changes == {}
