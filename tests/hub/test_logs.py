"""`hfdeploy logs` and the catalogue behind it: every known failure text, in a log written for
it, is named with its rule and fix; unknown lines stay visible; secrets are masked; a Space's
log is fetched through the real `huggingface_hub` client from a Hub on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hfdeploy.hub.catalogue import CATALOGUE, match_line
from hfdeploy.hub.diagnose import diagnose
from hfdeploy.registry import TOOL_CODES, check_by_code, runtime_rules
from tests.hub.fakehub import TOKEN, FakeHub, Scenario
from tests.support import git_init, make_tree, project_for

LOGS = Path(__file__).parent / "logs"

# log fixture -> (rule code, words the finding's message must contain)
EXPECTED = {
    "param-order-311.log": ("PY001", "parameter without a default"),
    "param-order-312.log": ("PY001", "parameter without a default"),
    "no-distribution.log": ("RQ003", "cryptography==41.0.8"),
    "pg-config.log": ("RQ005", "psycopg2"),
    "postgres-scheme.log": ("DB001", "postgres://"),
    "sqlite-cannot-open.log": ("RT006", "SQLite cannot create"),
    "sqlite-readonly.log": ("RT006", "copied into the image as root"),
    "cache-permission.log": ("DF031", "`/.cache`"),
    "cache-permission-home.log": ("DF031", "/home/user/.cache/huggingface"),
    "executable-not-found.log": ("DF019", "`uvicorn`"),
    "module-not-found.log": ("RQ011", "`httpx`"),
    "memory-limit.log": ("RT030", "16Gi"),
    "exit-137.log": ("RT030", "exit 137"),
    "launch-timeout.log": ("DF006", "30 min"),
    "storage-evicted.log": ("RT031", "50G"),
    "push-too-large.log": ("SC016", "10 MiB"),
    "repo-storage.log": ("RT031", "storage quota"),
    "missing-config.log": ("SC001", "configuration block"),
    "missing-app-file.log": ("SC003", "not a Docker Space"),
    "apt-after-user.log": ("DF033", "apt-get"),
    "data-permission.log": ("DF031", "`/data/app.db`"),
    "scheduling.log": ("RT032", "could not place"),
    "capacity.log": ("RT032", "could not place"),
    "no-such-table.log": ("RT005", "`users`"),
    "url-secret.log": ("DB003", "database URL"),
}


def test_every_fixture_is_expected_and_every_expectation_has_a_fixture() -> None:
    assert {p.name for p in LOGS.glob("*.log")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_known_failure_is_named_with_its_rule_and_fix(name: str) -> None:
    code, words = EXPECTED[name]
    report = diagnose((LOGS / name).read_text(encoding="utf-8").splitlines())
    assert report.findings, f"nothing recognised in {name}"
    first = report.findings[0]
    assert first.code == code
    assert words in first.message
    assert any(note.startswith("Fix: ") for note in first.notes)


def test_platform_failures_say_they_are_not_the_repository() -> None:
    report = diagnose((LOGS / "scheduling.log").read_text().splitlines())
    assert report.findings[0].severity.name == "WARNING"
    assert any("not a problem in the repository" in n for n in report.findings[0].notes)


def test_every_catalogue_code_is_a_rule_hfdeploy_explains() -> None:
    known = set(runtime_rules()) | set(TOOL_CODES)
    for entry in CATALOGUE:
        assert check_by_code(entry.code) is not None or entry.code in known, entry.key


def test_an_ordinary_healthy_log_has_no_finding() -> None:
    lines = [
        "INFO:     Started server process [1]",
        "INFO:     Waiting for application startup.",
        "INFO:     Application startup complete.",
        "INFO:     Uvicorn running on http://0.0.0.0:7860 (Press CTRL+C to quit)",
        'INFO:     10.16.0.1:0 - "GET / HTTP/1.1" 200 OK',
    ]
    report = diagnose(lines)
    assert report.findings == [] and report.unrecognised == []
    assert all(match_line(line) is None for line in lines)


def test_secrets_in_a_log_are_masked_everywhere() -> None:
    report = diagnose(
        (LOGS / "url-secret.log").read_text().splitlines(), secrets=["extra-secret-1234"]
    )
    text = "\n".join(report.lines) + "\n".join(n for d in report.findings for n in d.notes)
    assert "Sup3rS3cretPw" not in text
    report = diagnose(
        ["token is extra-secret-1234 here", "Error: boom"], secrets=["extra-secret-1234"]
    )
    assert "extra-secret-1234" not in "\n".join(report.lines)


def test_with_the_repository_at_hand_findings_point_at_files_and_lines(tmp_path: Path) -> None:
    root = make_tree(
        tmp_path,
        {
            "requirements.txt": "fastapi==0.115.6\ncryptography==41.0.8\n",
            "app/__init__.py": "",
            "app/routers/__init__.py": "",
            "app/routers/items.py": "\n" * 13
            + "async def update_item(item_id: int, db=1, payload=2):\n    pass\n",
        },
    )
    project = project_for(root)
    pin = diagnose((LOGS / "no-distribution.log").read_text().splitlines(), project).findings[0]
    assert (str(pin.path), pin.span is not None) == ("requirements.txt", True)
    assert project.source(pin.path).line_col(pin.span.start)[0] == 2  # type: ignore[union-attr]
    order = diagnose((LOGS / "param-order-311.log").read_text().splitlines(), project).findings[0]
    assert str(order.path) == "app/routers/items.py"
    assert project.source(order.path).line_col(order.span.start)[0] == 14  # type: ignore[union-attr]


def hfdeploy(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hfdeploy", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        cwd=cwd,
    )


def test_cli_reads_a_file_shows_every_line_and_lists_unrecognised_errors(tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    log.write_text(
        "Step 3/9 : RUN make\nweird-tool: fatal error: the flux capacitor failed\n"
        + (LOGS / "pg-config.log").read_text()
    )
    done = hfdeploy("logs", "--file", str(log), "--repo", str(tmp_path))
    assert done.returncode == 1
    assert "| weird-tool: fatal error: the flux capacitor failed" in done.stdout  # never swallowed
    assert (
        "does not recognise" in done.stdout
        and "flux capacitor" in done.stdout.split("does not recognise")[1]
    )
    assert "RQ005 error:" in done.stdout


def test_cli_reads_stdin_and_prints_json() -> None:
    done = hfdeploy("logs", "-", "--format", "json", stdin=(LOGS / "memory-limit.log").read_text())
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert [f["code"] for f in payload["findings"]] == ["RT030"]
    assert payload["lines"] == 3 and payload["error"] is None


def test_cli_says_nothing_known_and_exits_0_on_a_healthy_log() -> None:
    done = hfdeploy(
        "logs", "-", "--quiet", stdin="INFO:     Uvicorn running on http://0.0.0.0:7860\n"
    )
    assert done.returncode == 0 and "knows no failure" in done.stdout


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as running:
        yield running


def hub_env(hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update(HF_HOME=str(tmp_path / "hf-home"), HF_ENDPOINT=hub.url, HF_TOKEN=TOKEN)
    return env


def test_cli_fetches_a_spaces_build_log_from_the_hub_and_points_into_the_repository(
    hub: FakeHub, tmp_path: Path
) -> None:
    from tests.hub.fakehub import Space

    repo = make_tree(
        tmp_path / "repo",
        {"requirements.txt": "fastapi\npsycopg2==2.9.9\n", "Dockerfile": "FROM python:3.11-slim\n"},
    )
    git_init(repo)
    hub.spaces["alice/demo"] = Space("alice/demo", private=False, sdk="docker")
    hub.scenarios["alice/demo"] = Scenario(
        build_log=(LOGS / "pg-config.log").read_text().splitlines()
    )
    done = hfdeploy(
        "logs", "alice/demo", "--build", "--repo", str(repo), env=hub_env(hub, tmp_path)
    )
    assert done.returncode == 1, done.stderr
    assert "requirements.txt:2:1: RQ005 error:" in done.stdout
    assert ("GET", "/api/spaces/alice/demo/logs/build") in hub.requests


def test_a_log_stream_dropped_midway_keeps_what_arrived_and_fails_in_one_line(
    hub: FakeHub, tmp_path: Path
) -> None:
    from tests.hub.fakehub import Space

    hub.spaces["alice/demo"] = Space("alice/demo", private=False, sdk="docker")
    hub.scenarios["alice/demo"] = Scenario(
        run_log=[
            "INFO: starting",
            "ModuleNotFoundError: No module named 'httpx'",
            "more",
            "and more",
        ],
        drop_log_after=2,
    )
    done = hfdeploy("logs", "alice/demo", env=hub_env(hub, tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert "RQ011" in done.stdout  # what arrived is still explained
    errors = [line for line in done.stderr.splitlines() if line.startswith("hfdeploy: error:")]
    assert len(errors) == 1 and "showing the 2 lines read before" in errors[0]
    assert "Traceback" not in done.stderr


def test_an_unknown_space_is_a_one_line_error(hub: FakeHub, tmp_path: Path) -> None:
    done = hfdeploy("logs", "alice/nothing", env=hub_env(hub, tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("hfdeploy: error:") and "404" in done.stderr
