"""The real-repository benchmark harness (benchmarks/real_repos.py): its export from a mirror, and
what it reads from a project without running hfdeploy. Real git repositories, written here."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location(
        "real_repos", ROOT / "benchmarks" / "real_repos.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_repos"] = module
    spec.loader.exec_module(module)
    return module


def git(*args: str, cwd: Path) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@localhost",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@localhost",
        "GIT_AUTHOR_DATE": "2022-03-04T05:06:07+00:00",
        "GIT_COMMITTER_DATE": "2022-03-04T05:06:07+00:00",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


@pytest.fixture()
def mirror(tmp_path: Path) -> tuple[Path, str]:
    """A bare mirror laid out like `fetch` leaves them: DIR/owner+name/repo/.git"""
    work = tmp_path / "src"
    (work / "api").mkdir(parents=True)
    (work / "README.md").write_text("top\n")
    (work / "api" / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    (work / "api" / "Dockerfile").write_text(
        "ARG PY=3.10\nFROM python:${PY}-slim AS build\nRUN pip install uv\n"
        "FROM build\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv\nCOPY --from=build /x /x\n"
        "RUN curl -sSL https://install.example.org/get | python3 - && \\\n    pip install -i https://pypi.org/simple fastapi\n"
        'CMD ["uvicorn", "main:app"]\n'
    )
    (work / "api" / "requirements.txt").write_text(
        "--extra-index-url https://download.example.net/whl\nfastapi\n"
    )
    git("init", "-q", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-qm", "one", cwd=work)
    commit = git("rev-parse", "HEAD", cwd=work)
    mirrors = tmp_path / "mirrors"
    (mirrors / "someone+thing" / "repo").mkdir(parents=True)
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--bare",
            str(work),
            str(mirrors / "someone+thing" / "repo" / ".git"),
        ],
        check=True,
    )
    return mirrors, commit


def test_export_takes_the_backend_folder_as_root_at_the_pinned_commit(harness, mirror, tmp_path):
    mirrors, commit = mirror
    entry = harness.Entry(name="Thing API", repo="someone/thing", commit=commit, backend="api")
    dest = tmp_path / "out" / harness.slug(entry.name)
    harness.export(entry, mirrors, dest)
    assert dest.name == "thing-api"
    assert sorted(p.name for p in dest.iterdir() if p.name != ".git") == [
        "Dockerfile",
        "main.py",
        "requirements.txt",
    ]
    assert git("status", "--porcelain", cwd=dest) == ""  # one clean commit
    # with the original's date: the era an unpinned project's lock is held to
    date = subprocess.run(
        ["git", "log", "-1", "--format=%cI"], cwd=dest, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert date == "2022-03-04T05:06:07+00:00"
    assert harness.changed_files(dest) == []
    (dest / "new.txt").write_text("x")
    assert harness.changed_files(dest) == ["new.txt"]


def test_a_missing_mirror_is_a_clear_error(harness, tmp_path):
    with pytest.raises(FileNotFoundError, match="no mirror of a/b"):
        harness.find_mirror(tmp_path, "a/b")


def test_images_and_offline_hosts_are_read_from_the_build(harness, mirror, tmp_path):
    mirrors, commit = mirror
    dest = tmp_path / "p"
    harness.export(
        harness.Entry(name="p", repo="someone/thing", commit=commit, backend="api"), mirrors, dest
    )
    # stages are not images; ARG defaults are substituted; COPY --from an image counts
    assert harness.referenced_images(dest) == ["python:3.10-slim", "ghcr.io/astral-sh/uv:0.5"]
    # the package index is reachable; other hosts (RUN lines, index URLs in requirements) are not
    assert harness.offline_hosts(dest) == ["install.example.org", "download.example.net"]
    assert harness.layout_of(dest) == {
        "manager": "requirements",
        "dockerfile": "multi-stage",
        "alembic": False,
    }


def test_expectations_match_exact_paths_then_globs(harness, tmp_path):
    path = tmp_path / "expect.toml"
    path.write_text(
        '[[finding]]\nname = "a"\ncode = "SC016"\npath = "img/*"\nverdict = "true"\nreason = "binary"\n'
        '[[finding]]\nname = "a"\ncode = "DF003"\npath = "Dockerfile"\nverdict = "false"\nreason = "writes nothing"\n'
    )
    expect = harness.load_expectations(path)
    assert harness.lookup_expectation(expect, "a", "DF003", "Dockerfile")["verdict"] == "false"
    assert harness.lookup_expectation(expect, "a", "SC016", "img/x/y.png")["verdict"] == "true"
    assert harness.lookup_expectation(expect, "a", "SC016", "doc/y.png") is None
    assert harness.lookup_expectation(expect, "b", "DF003", "Dockerfile") is None


def test_the_decisive_line_of_a_failure_is_the_error_not_the_noise(harness):
    finding = {
        "message": "The container stopped before serving",
        "notes": [
            "INFO: Started server process",
            "Traceback (most recent call last):",
            '  File "/app/main.py", line 3',
            "ModuleNotFoundError: No module named 'httpx'",
            "exit code 1",
        ],
    }
    assert harness.decisive_line(finding) == "ModuleNotFoundError: No module named 'httpx'"


def test_the_committed_manifest_and_expectations_are_consistent(harness):
    entries = harness.load_manifest(ROOT / "benchmarks" / "real_repos.toml")
    names = [e.name for e in entries]
    assert len(names) == len(set(names)) >= 25
    assert all(len(e.commit) == 40 for e in entries)
    assert sum(e.space for e in entries) >= 8
    spaces = {e.name for e in entries if e.space}
    expect = harness.load_expectations(ROOT / "benchmarks" / "real_repos_expect.toml")
    assert {name for name, _, _ in expect} <= spaces
    assert {v["verdict"] for v in expect.values()} <= {"true", "false"}


def test_export_leaves_out_files_the_mirror_lacks(harness, mirror, tmp_path):
    """A `fetch` snapshot has no file of 4 MiB or more: the export writes the rest and says
    which files it left out instead of failing."""
    mirrors, commit = mirror
    git_dir = mirrors / "someone+thing" / "repo" / ".git"
    absent = "1" * 40
    tree = subprocess.run(
        ["git", f"--git-dir={git_dir}", "mktree", "--missing"],
        input=(
            f"100644 blob {git('--git-dir=' + str(git_dir), 'rev-parse', commit + ':README.md', cwd=tmp_path)}"
            f"\tREADME.md\n100644 blob {absent}\tmodel.bin\n"
        ),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    partial = git("--git-dir=" + str(git_dir), "commit-tree", tree, "-m", "big file", cwd=tmp_path)
    entry = harness.Entry(name="partial", repo="someone/thing", commit=partial)
    dest = tmp_path / "out"
    missing = harness.export(entry, mirrors, dest)
    assert missing == ["model.bin"]
    assert (dest / "README.md").read_text() == "top\n"
    assert not (dest / "model.bin").exists()
    assert (
        harness.export(
            harness.Entry(name="whole", repo="someone/thing", commit=commit),
            mirrors,
            tmp_path / "w",
        )
        == []
    )


def test_parsing_python_and_snapshot_tell_what_a_step_broke(harness, tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "bad.py").write_text("def (:\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "hook.py").write_text("y = 2\n")
    assert harness.parsing_python(tmp_path) == {"ok.py"}
    before = harness.snapshot(tmp_path)
    (tmp_path / "ok.py").write_text("x = 2\n")
    after = harness.snapshot(tmp_path)
    assert sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k)) == [
        "ok.py"
    ]


def test_the_static_manifest_is_consistent_and_apart_from_the_main_one(harness):
    static = harness.load_manifest(ROOT / "benchmarks" / "real_repos_static.toml")
    main = harness.load_manifest(ROOT / "benchmarks" / "real_repos.toml")
    names = [e.name for e in static]
    assert len(names) == len(set(names)) >= 30
    assert all(len(e.commit) == 40 for e in static)
    assert sum(e.space for e in static) >= 12
    assert not {(e.repo, e.backend) for e in static} & {(e.repo, e.backend) for e in main}
    assert not set(names) & {e.name for e in main}


def test_an_access_log_line_is_never_the_decisive_line(harness) -> None:
    finding = {
        "message": "GET /integers answered 503",
        "notes": ['INFO:     203.0.113.7:0 - "GET /status HTTP/1.1" 404 Not Found'],
    }
    assert harness.decisive_line(finding) == "GET /integers answered 503"


def test_a_silent_miss_names_the_warning_that_predicted_it(harness) -> None:
    entry = harness.Entry("x", "o/x", "0" * 40)
    after = harness.CheckResult(exit=0, warnings={"DB018": 1, "DF003": 1})
    repaired = harness.VerifyResult(
        rounds_text=[
            "round 1: no such table: tasks (the schema was never created)",
            "    repair: Give the app its lifespan (a static rule could predict it: DB018)",
            "round 2: uid 1000 cannot write in /app",
            "    repair: Create /app owned by uid 1000 (a static rule could predict it: DF004)",
        ]
    )
    result = harness.RepoResult(entry, after=after, fix_verify=repaired)
    assert harness._warned_by(result) == ["DB018"]  # DF004 was predicted but not warned about
    assert harness._warned_by(harness.RepoResult(entry, after=after)) == []
