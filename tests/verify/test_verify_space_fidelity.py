"""verify on real containers, run as a Space runs them (uid 1000, limits, injected variables,
typed placeholders, the HTTPS proxy), and `fix --write --verify` repairing from what the
container shows. Fixtures in tests/verify/repos/ (small FastAPI apps written for these tests)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from hfdeploy.cli.common import load_project
from hfdeploy.verify.docker_client import DockerFailure, connect
from hfdeploy.verify.runtime_fix import fix_until_serving
from hfdeploy.verify.settings import VerifyOptions
from tests.verify.test_verify_docker import (  # noqa: F401 (verify is a fixture)
    Verify,
    copy_repo,
    finding,
    leftover_containers,
    verify,
)

pytestmark = pytest.mark.docker


def test_an_image_built_for_another_uid_fails_with_the_reason(
    tmp_path: Path, verify: Verify
) -> None:
    root, _, _ = copy_repo(tmp_path, "space_uid")
    code, report, _ = verify(root)
    assert code == 1
    assert report["uid"] == 1000 and report["image_uid"] == 1001 and report["run_as"] == "uid 1000"
    assert "uid 1001" in finding(report, "RT014")["message"]
    assert "/srv/app/data" in finding(report, "RT006")["message"]
    assert report["limits"] == {"memory": 16 * 1024**3, "cpus": 2.0} and report["peak_memory"] > 0
    assert report["space_env"]["SPACE_HOST"] == "local-space-uid.hf.space"
    code, as_image, _ = verify(root, "--user", "image")  # opting out: the image's own uid
    assert code == 0, as_image["findings"]
    assert as_image["uid"] == 1001


def test_a_required_database_url_secret_gets_a_sqlite_placeholder_and_passes(
    tmp_path: Path, verify: Verify
) -> None:
    root, _, _ = copy_repo(tmp_path, "secret_db_url")
    code, report, _ = verify(root, "--space", "acme/notes")
    assert code == 0, report["findings"]
    assert report["env"] == [
        {"name": "DATABASE_URL", "source": "placeholder", "kind": "database URL"}
    ]
    assert report["space_env"]["SPACE_ID"] == "acme/notes"
    assert {p["path"]: p["status"] for p in report["probes"] if p["kind"] == "root"} == {"/": 200}


def test_behind_the_proxy_a_redirect_to_http_and_cors_for_the_space_origin(
    tmp_path: Path, verify: Verify
) -> None:
    root, _, _ = copy_repo(tmp_path, "behind_proxy")
    code, report, _ = verify(root, "--space", "acme/board")
    assert code == 0  # both are warnings: the Space serves, browsers' fetch/XHR are what fail
    redirect = finding(report, "RT015")
    assert "redirects to `http://acme-board.hf.space/items/`" in redirect["message"]
    assert "https://acme-board.hf.space" in finding(report, "RT018")["message"]
    kinds = {(p["kind"], p["path"]): p["status"] for p in report["probes"]}
    assert kinds[("proxy GET", "/")] == 200 and kinds[("proxy HEAD", "/")] == 405


@pytest.mark.parametrize("builder", ["auto", "legacy"])
def test_the_build_is_bounded_and_leaves_nothing_running(
    tmp_path: Path, verify: Verify, docker_client: Any, builder: str
) -> None:
    root, _, _ = copy_repo(tmp_path, "slow_build")
    started = time.monotonic()
    code, report, _ = verify(root, "--build-timeout", "8", "--builder", builder)
    assert time.monotonic() - started < 60
    assert (
        code == 1
        and "did not finish within 8s (--build-timeout)" in finding(report, "RT002")["message"]
    )
    time.sleep(2)
    running = [
        c
        for c in docker_client.containers.list()
        if "sleep 1000" in " ".join(c.attrs["Config"].get("Cmd") or [])
    ]
    assert running == []


def _client() -> Any:
    client = connect()
    assert not isinstance(client, DockerFailure), client
    return client


def test_fix_verify_repairs_a_missing_server_a_missing_module_and_an_unwritable_directory(
    tmp_path: Path,
) -> None:
    root, _, _ = copy_repo(tmp_path, "repairs")
    result = fix_until_serving(lambda: load_project(root), VerifyOptions(timeout=60), _client())
    assert result.served, [f.message for f in result.report.findings]  # type: ignore[union-attr]
    steps = [(r.repair, r.files, r.static_rule) for r in result.rounds]
    assert steps == [
        ("Add `uvicorn` to what the image installs", ("requirements.txt",), "DF019"),
        ("Add `PyYAML` to what the image installs", ("requirements.txt",), "RQ011"),
        # what the app's PermissionError names, not the WORKDIR the write test may also find
        ("Create /app/data owned by uid 1000 (`user`)", ("Dockerfile",), "DF031"),
        (None, (), None),
    ]
    assert (root / "requirements.txt").read_text() == "fastapi==0.165.0\nuvicorn\nPyYAML\n"
    assert (
        "RUN mkdir -p /app/data && chown -R user /app/data\nUSER user\n"
        in (root / "Dockerfile").read_text()
    )


def test_fix_verify_creates_the_schema_and_lets_the_migration_import_the_app(
    tmp_path: Path,
) -> None:
    root, _, _ = copy_repo(tmp_path, "schema")
    result = fix_until_serving(lambda: load_project(root), VerifyOptions(timeout=60), _client())
    assert result.served, [f.message for f in result.report.findings]  # type: ignore[union-attr]
    assert [r.failure.split(" (")[0] if r.failure else None for r in result.rounds] == [
        "no such table: items",
        "The migration cannot import the app: ModuleNotFoundError: No module named 'shop'",
        None,
    ]
    assert "prepend_sys_path = ." in (root / "alembic.ini").read_text()
    assert (
        '"sh", "-c", "alembic upgrade head && exec uvicorn shop.main:app'
        in (root / "Dockerfile").read_text()
    )


def test_fix_write_verify_from_the_command_line_repairs_the_proxy_redirect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hfdeploy.cli import main

    root, _, _ = copy_repo(tmp_path, "behind_proxy")
    code = main(["fix", "--write", "--verify", "--offline", str(root)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "redirects to `http://" in out and "repair: Let uvicorn trust the Space's proxy" in out
    assert "serves" in out and "Verified after runtime repairs." in out
    assert "--forwarded-allow-ips" in (root / "Dockerfile").read_text()


def test_fix_verify_creates_the_tables_when_there_are_no_migrations(tmp_path: Path) -> None:
    root, _, _ = copy_repo(tmp_path, "schema_plain")
    result = fix_until_serving(lambda: load_project(root), VerifyOptions(timeout=60), _client())
    assert result.served, [(f.message, f.notes) for f in result.report.findings]  # type: ignore[union-attr]
    assert [r.files for r in result.rounds] == [("shop/main.py",), ()]
    assert (
        "_hfdeploy_base.metadata.create_all(bind=_hfdeploy_engine)"
        in (root / "shop" / "main.py").read_text()
    )


def test_a_typed_settings_class_starts_on_placeholders_of_each_type(
    tmp_path: Path, verify: Verify
) -> None:
    # An e-mail, a long secret, a Literal, an Enum, a bounded int, URLs and DSNs, an existing
    # directory, and HOST/PORT (not set on a Space; the owner sets them like any variable).
    root, port, _ = copy_repo(tmp_path, "typed_settings")
    code, report, _ = verify(root)
    assert code == 0, report["findings"]
    assert {
        e["name"]: e.get("kind", "") for e in report["env"] if e["source"] == "placeholder"
    } == {
        "ADMIN_EMAIL": "email",
        "ENVIRONMENT": "choice",
        "HOST": "bind address",
        "PORT": "app port",
        "POSTGRES_DSN": "url (postgresql)",
        "REDIS_DSN": "url (redis)",
        "SECRET_KEY": "",
        "SITE_URL": "url (https)",
        "TIER": "choice",
        "UPLOAD_DIR": "directory",
        "WORKERS": "int",
    }
    assert "ADMIN_EMAIL" in finding(report, "RT008")["message"]
    assert {p["path"]: p["status"] for p in report["probes"] if p["kind"] == "root"} == {"/": 200}
    assert report["app_port"] == port


def test_fix_verify_passes_verify_options_to_every_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hfdeploy.cli import main

    # The app needs a value no placeholder can guess: with --env it is repaired and serves.
    root, _, _ = copy_repo(tmp_path / "given", "needs_env")
    argv = ["fix", str(root), "--write", "--verify", "--timeout", "60"]
    code = main([*argv, "--env", "PROFILE=small", "--space", "acme/profiles", "--memory", "2g"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PROFILE (--env)" in out and "space    acme/profiles" in out
    assert "memory 2 GiB" in out, out
    assert "Verified" in out
    # The same repository without it: the round names the variable it failed on.
    bare, _, _ = copy_repo(tmp_path / "bare", "needs_env")
    code = main(["fix", str(bare), "--write", "--verify", "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "The start failed on the placeholder for PROFILE" in out


def test_fix_verify_at_the_round_limit_judges_the_last_repair_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hfdeploy.cli import main
    from hfdeploy.verify.runtime_fix import render_rounds

    # One repair allowed: it is written (uvicorn), then the image is built and run once more,
    # so the verdict is about the files as written, and names the next failure (PyYAML).
    root, _, _ = copy_repo(tmp_path / "one", "repairs")
    result = fix_until_serving(
        lambda: load_project(root), VerifyOptions(timeout=60), _client(), max_rounds=1
    )
    assert not result.served
    assert [(r.repair, r.files) for r in result.rounds] == [
        ("Add `uvicorn` to what the image installs", ("requirements.txt",)),
        (None, ()),
    ]
    last = result.rounds[-1]
    assert last.failure is not None and result.report is not None
    assert "No module named 'yaml'" in result.report.log, result.report.log[-2000:]
    assert last.stopped == "round limit reached (1 repair)"
    text = render_rounds(result)
    assert text.endswith("round limit reached (1 repair)\nStill failing.\n"), text
    assert "round 1: " in text and "changed: requirements.txt" in text
    # From the command line: the static pass locks requirements.txt (requirements.lock, which
    # the image then installs); the runtime repair adds PyYAML to requirements.txt and the lock
    # follows, else the next build would install the old set and the repair would not help.
    again, _, _ = copy_repo(tmp_path / "cli", "repairs")
    code = main(["fix", str(again), "--write", "--verify", "--rounds", "1", "--timeout", "60"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "repair: Add `PyYAML`" in out, out
    assert "changed: requirements.txt, requirements.lock" in out, out
    assert "round 2: serves" in out and out.endswith("Verified after runtime repairs.\n"), out
    assert "pyyaml==" in (again / "requirements.lock").read_text().lower()


def test_fix_verify_says_why_a_repair_was_not_written(tmp_path: Path) -> None:
    root, _, _ = copy_repo(tmp_path, "repairs")
    requirements = root / "requirements.txt"

    def load_then_edited() -> Any:
        # The file changes on disk after it was read (an editor saving meanwhile): the repair
        # computed from what was read must not be written over it.
        project = load_project(root)
        project.text("requirements.txt")  # read now, as the repair will be computed from it
        requirements.write_text(requirements.read_text() + "# edited\n")
        return project

    result = fix_until_serving(load_then_edited, VerifyOptions(timeout=60), _client())
    assert not result.served
    [only] = result.rounds
    assert only.repair is None and only.files == ()
    assert only.stopped is not None and "was not written" in only.stopped, only.stopped
    assert "uvicorn" not in requirements.read_text()
