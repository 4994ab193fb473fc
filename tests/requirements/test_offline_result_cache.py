"""With --offline the index checks answer from the on-disk index cache alone, so an unchanged
offline re-run is answered from the result cache too; it must notice every change to what
they read outside the project: the index cache entries, pip's configuration, its variables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hfdeploy.runner
from hfdeploy.cli import main
from tests.requirements.conftest import FakeIndex
from tests.support import make_tree

SELECT = "RQ002,RQ003,RQ008"


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The codes of the checks that actually ran (not answered from the result cache)."""
    codes: list[str] = []
    real = hfdeploy.runner.run_one

    def counting(project, check):  # type: ignore[no-untyped-def]
        codes.append(check.code)
        return real(project, check)

    monkeypatch.setattr(hfdeploy.runner, "run_one", counting)
    return codes


def check(capsys: pytest.CaptureFixture[str], repo: Path, *extra: str) -> list[str]:
    main(["check", str(repo), "--select", SELECT, "--python", "3.11", "--format", "json", *extra])
    return [d["code"] for d in json.loads(capsys.readouterr().out)]


def test_an_offline_rerun_is_answered_until_the_index_cache_changes(
    fake_index: FakeIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str], ran: list[str]
) -> None:
    repo = make_tree(tmp_path / "repo", {"requirements.txt": "cryptography==41.0.8\n"})
    assert check(capsys, repo, "--offline") == ["RQ008"]  # nothing in the index cache yet
    assert ran
    ran.clear()
    assert check(capsys, repo, "--offline") == ["RQ008"]
    assert ran == []  # answered from the result cache: no check ran
    assert check(capsys, repo) == ["RQ003"]  # online: fills the index cache
    ran.clear()
    # The index cache entry the offline run found missing now exists: not the stale RQ008.
    assert check(capsys, repo, "--offline") == ["RQ003"]
    assert ran
    ran.clear()
    assert check(capsys, repo, "--offline") == ["RQ003"] and ran == []
    fake_index.down = True
    for entry in (tmp_path / "cache" / "index").rglob("*.json"):
        entry.unlink()  # the index cache emptied: offline, nothing can be checked again
    assert check(capsys, repo, "--offline") == ["RQ008"]
    assert ran


def test_an_offline_rerun_notices_pip_configuration_and_variables(
    fake_index: FakeIndex,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ran: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_tree(tmp_path / "repo", {"requirements.txt": "cryptography==41.0.8\n"})
    assert check(capsys, repo) == ["RQ003"]
    assert check(capsys, repo, "--offline") == ["RQ003"]
    ran.clear()
    assert check(capsys, repo, "--offline") == ["RQ003"] and ran == []
    # Another index by variable: nothing cached for it, so nothing can be checked offline.
    monkeypatch.setenv("PIP_INDEX_URL", fake_index.url.replace("/simple", "/other"))
    assert check(capsys, repo, "--offline") == ["RQ008"] and ran
    monkeypatch.setenv("PIP_INDEX_URL", fake_index.url)
    ran.clear()
    assert check(capsys, repo, "--offline") == ["RQ003"]
    # ... and by a configuration file pip reads (the variable wins; drop it).
    monkeypatch.delenv("PIP_INDEX_URL")
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\nindex-url = {fake_index.url}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(conf))
    assert check(capsys, repo, "--offline") == ["RQ003"]
    ran.clear()
    assert check(capsys, repo, "--offline") == ["RQ003"] and ran == []
    conf.write_text(f"[global]\nindex-url = {fake_index.url.replace('/simple', '/other')}\n")
    assert check(capsys, repo, "--offline") == ["RQ008"] and ran


def test_online_index_checks_always_run(
    fake_index: FakeIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str], ran: list[str]
) -> None:
    repo = make_tree(tmp_path / "repo", {"requirements.txt": "cryptography==41.0.8\n"})
    assert check(capsys, repo) == ["RQ003"]
    ran.clear()
    assert check(capsys, repo) == ["RQ003"]
    assert sorted(ran) == ["RQ002", "RQ003", "RQ008"]  # the index may have changed
