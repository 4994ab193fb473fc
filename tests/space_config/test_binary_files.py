"""SC016 on real git repositories: which tracked files a push to a Space is rejected for."""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from hfdeploy.cli.check import collect
from hfdeploy.diagnostics import Diagnostic
from hfdeploy.space_config.checks.binary_file_in_repository import MAX_PLAIN_BYTES
from hfdeploy.space_config.gitattributes import lfs_rules
from tests.support import check_tree, codes, fix_tree, git_init, make_tree, project_for

APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"
LFS_DB = "*.db filter=lfs diff=lfs merge=lfs -text\n"


def sqlite_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE task (id INTEGER PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO task (title) VALUES ('write tests')")
    conn.close()
    return path


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def repo(root: Path, files: dict[str, str | bytes], *, database: str | None = "app.db") -> Path:
    make_tree(root, {"main.py": APP, **files})
    if database:
        sqlite_file(root / database)
    git_init(root)
    return root


def sc016(root: Path) -> list[Diagnostic]:
    return check_tree(root, "SC016")


def test_committed_sqlite_database_is_reported_once_without_hf001(tmp_path: Path) -> None:
    diags = sc016(repo(tmp_path, {}))
    assert codes(diags) == ["SC016"]
    [diag] = diags
    assert str(diag.path) == "app.db" and diag.span is None
    assert "binary file" in diag.message
    assert "Your push was rejected because it contains binary files." in diag.message
    notes = "\n".join(diag.notes)
    assert 'git lfs track "*.db"' in notes
    assert "git rm --cached app.db" in notes  # the database advice
    assert "hf upload" in notes


def test_lfs_tracked_database_is_not_reported(tmp_path: Path) -> None:
    assert sc016(repo(tmp_path, {".gitattributes": LFS_DB})) == []


def test_ignored_or_untracked_binaries_are_not_reported(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitignore": "*.db\n"})
    sqlite_file(root / "untracked" / "cache.sqlite")  # created after the commit, never added
    project = project_for(root)
    assert (root / "app.db").is_file() and not project.is_tracked("app.db")
    assert sc016(root) == []


def test_file_over_10_mib_is_reported_even_when_text(tmp_path: Path) -> None:
    line = b"id,title\n"
    big = line * (MAX_PLAIN_BYTES // len(line) + 1)
    exact = (line * (MAX_PLAIN_BYTES // len(line) + 1))[:MAX_PLAIN_BYTES]
    root = repo(tmp_path, {"data/tasks.csv": big, "data/limit.csv": exact}, database=None)
    [diag] = sc016(root)
    assert str(diag.path) == "data/tasks.csv"
    assert "10.0 MiB" in diag.message and "files larger than 10 MiB" in diag.message
    assert 'git lfs track "*.csv"' in "\n".join(diag.notes)
    assert not any("database" in n for n in diag.notes)


def test_utf16_requirements_is_reported_as_binary_to_the_hub(tmp_path: Path) -> None:
    # pip reads a UTF-16 requirements file, but its NUL bytes make the Hub call it binary.
    text = "fastapi==0.115.0\r\nuvicorn==0.30.6\r\n"
    root = repo(
        tmp_path,
        {"requirements.txt": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")},
        database=None,
    )
    [diag] = sc016(root)
    assert str(diag.path) == "requirements.txt" and "UTF-16 text" in diag.message
    assert diag.notes and "UTF-8" in diag.notes[0] and "lfs" not in diag.notes[0]
    # The requirements checks still read it: it is text, so the engine reports no HF001.
    assert "HF001" not in codes(check_tree(root, "RQ001"))


def test_committed_png_gets_no_database_advice(tmp_path: Path) -> None:
    root = repo(tmp_path, {"static/logo.png": png_bytes()}, database=None)
    [diag] = sc016(root)
    assert str(diag.path) == "static/logo.png"
    notes = "\n".join(diag.notes)
    assert 'git lfs track "*.png"' in notes and "git rm --cached" not in notes


def test_not_a_git_repository_is_not_checked(tmp_path: Path) -> None:
    make_tree(tmp_path, {"main.py": APP})
    sqlite_file(tmp_path / "app.db")
    assert sc016(tmp_path) == []


def test_symlink_deleted_file_and_excluded_path_are_not_reported(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            "pyproject.toml": '[tool.hfdeploy]\nexclude = ["fixtures/"]\n',
            "fixtures/sample.db": b"\x00\x01fixture",
            "gone.bin": b"\x00\x00",
            ".gitignore": "real.db\n",
        },
        database="real.db",
    )
    os.symlink("real.db", root / "link.db")
    subprocess.run(["git", "-C", str(root), "add", "link.db"], check=True, capture_output=True)
    (root / "gone.bin").unlink()  # still tracked, no longer on disk
    assert sc016(root) == []


def test_cached_result_sees_a_file_turned_binary_between_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same tracked set: the cache must still notice the file it read raw bytes from changed.
    monkeypatch.setenv("HFDEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    root = repo(tmp_path / "repo", {"data.bin": "plain text\n"}, database=None)
    assert collect(project_for(root, offline=True), ["SC016"], []) == []
    (root / "data.bin").write_bytes(b"\x00binary now")
    assert codes(collect(project_for(root, offline=True), ["SC016"], [])) == ["SC016"]


@pytest.mark.parametrize(
    ("files", "stored"),
    [
        pytest.param(
            {".gitattributes": LFS_DB}, {"app.db", "data/x/app.db"}, id="basename-anywhere"
        ),
        pytest.param(
            {".gitattributes": "/app.db filter=lfs\n"}, {"app.db"}, id="leading-slash-anchors"
        ),
        pytest.param(
            {".gitattributes": "data/*.db filter=lfs\n"}, set(), id="slash-anchors-one-level"
        ),
        pytest.param(
            {".gitattributes": "data/** filter=lfs\n"}, {"data/x/app.db"}, id="double-star"
        ),
        pytest.param({".gitattributes": "data filter=lfs\n"}, set(), id="directory-not-recursive"),
        pytest.param(
            {".gitattributes": "data/ filter=lfs\n"}, set(), id="trailing-slash-matches-no-file"
        ),
        pytest.param(
            {".gitattributes": LFS_DB + "data/**/*.db -filter\n"}, {"app.db"}, id="later-unset-wins"
        ),
        pytest.param({".gitattributes": LFS_DB + "*.db !filter\n"}, set(), id="unspecified-wins"),
        pytest.param(
            {".gitattributes": LFS_DB + "*.db filter=git-crypt\n"}, set(), id="other-filter"
        ),
        pytest.param(
            {".gitattributes": LFS_DB + "!app.db -filter\n"},
            {"app.db", "data/x/app.db"},
            id="negation-ignored",
        ),
        pytest.param({".gitattributes": "*.db text\n"}, set(), id="no-filter"),
        pytest.param(
            {".gitattributes": "[attr]big filter=lfs diff=lfs merge=lfs -text\n*.db big\n"},
            {"app.db", "data/x/app.db"},
            id="macro",
        ),
        pytest.param(
            {".gitattributes": '"data/x/app.db" filter=lfs\n'},
            {"data/x/app.db"},
            id="quoted-pattern",
        ),
        pytest.param(
            {".gitattributes": LFS_DB, "data/.gitattributes": "*.db -filter\n"},
            {"app.db"},
            id="deeper-file-overrides",
        ),
        pytest.param(
            {"data/x/.gitattributes": "app.db filter=lfs\n"},
            {"data/x/app.db"},
            id="relative-to-its-directory",
        ),
    ],
)
def test_gitattributes_lfs_rules(
    tmp_path: Path, files: dict[str, str | bytes], stored: set[str]
) -> None:
    make_tree(tmp_path, files)
    rules = lfs_rules(project_for(tmp_path))
    assert {p for p in ("app.db", "data/x/app.db") if rules.stores(p)} == stored


def test_lfs_rule_in_a_subdirectory_keeps_other_databases_reported(tmp_path: Path) -> None:
    root = tmp_path
    sqlite_file(root / "data" / "seed.db")
    sqlite_file(root / "tests" / "test.db")
    repo(root, {"data/.gitattributes": LFS_DB}, database=None)
    assert [str(d.path) for d in sc016(root)] == ["tests/test.db"]


PYC = b"\xa7\r\r\n" + b"\0" * 28


def test_many_bytecode_files_are_one_finding_with_an_untrack_fix(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"pkg/m{i}/__pycache__/x{i}.cpython-311.pyc": PYC for i in range(71)
    }
    files["legacy.pyc"] = PYC
    root = repo(tmp_path, files, database=None)
    [diag] = sc016(root)
    assert diag.path is None and "72 generated files" in diag.message
    assert diag.fix is not None and len(diag.fix.untrack) == 72
    fix_tree(root, "SC016")
    tracked = subprocess.run(
        ["git", "-C", str(root), "ls-files"], capture_output=True, text=True
    ).stdout
    assert ".pyc" not in tracked and (root / "legacy.pyc").exists()
    assert "__pycache__/" in (root / ".gitignore").read_text()
    assert sc016(root) == []


def test_bytecode_tracked_although_ignored_is_untracked_without_touching_gitignore(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {".gitignore": "*.pyc\n"}, database="app.db")
    (root / "cache.pyc").write_bytes(PYC)
    subprocess.run(["git", "-C", str(root), "add", "-f", "cache.pyc"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "pyc"], check=True)
    found = {str(d.path): d for d in sc016(root)}
    assert set(found) == {"app.db", "None"}
    fix = found["None"].fix
    assert (
        fix is not None and fix.edits == () and [str(u.path) for u in fix.untrack] == ["cache.pyc"]
    )
    assert found["app.db"].fix is None  # a real binary keeps its advice, no fix


def test_many_binaries_are_one_finding_for_the_tree(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"static/img/icon{i}.png": png_bytes() for i in range(5)}
    files["lib/fast.so"] = b"\x7fELF\0\0"
    [diag] = sc016(repo(tmp_path, files, database=None))
    assert diag.path is None and diag.fix is None
    assert diag.message.startswith("6 files committed without Git LFS/Xet")
    assert 'git lfs track "*.png" "*.so"' in diag.notes[0]
