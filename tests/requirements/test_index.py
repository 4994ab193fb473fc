"""The index client over real HTTP: JSON and HTML pages, the disk cache, failures as values;
and the index settings read from pip's configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.requirements.index import IndexClient
from hfdeploy.requirements.pipconfig import PYPI_SIMPLE, index_settings
from hfdeploy.requirements.releases import releases
from tests.requirements.conftest import FakeIndex


def versions(client: IndexClient, name: str) -> list[str]:
    page = client.lookup(name).page
    assert page is not None
    return [str(v) for v in releases(page)]


def test_json_page_carries_upload_times_and_yanks(fake_index: FakeIndex) -> None:
    lookup = IndexClient((fake_index.url,)).lookup("YankedPkg")
    assert lookup.page is not None and lookup.page.upload_times
    found = releases(lookup.page)
    assert [(str(v), r.yanked, r.yank_reason) for v, r in found.items()] == [
        ("1.0", True, "broken wheel"),
        ("1.1", False, ""),
    ]


def test_html_fallback_gives_the_same_releases(fake_index: FakeIndex) -> None:
    json_versions = versions(
        IndexClient((fake_index.url,), cache_dir=Path("/nonexistent-a")), "newpy"
    )
    fake_index.html_only = True
    client = IndexClient((fake_index.url,), cache_dir=Path("/nonexistent-b"))
    page = client.lookup("newpy").page
    assert page is not None and not page.upload_times
    assert versions(client, "newpy") == json_versions == ["0.9", "1.0"]
    assert releases(page)[max(releases(page))].requires_python("3.11") == ">=3.12"


def test_missing_only_when_every_index_answered_404(fake_index: FakeIndex) -> None:
    assert IndexClient((fake_index.url,)).lookup("nope").missing
    dead = "http://127.0.0.1:9/simple"  # nothing listens on port 9
    lookup = IndexClient((fake_index.url, dead)).lookup("nope")
    assert not lookup.missing and "connection refused" in (lookup.error or "")


def test_server_errors_are_retried_then_reported(fake_index: FakeIndex) -> None:
    fake_index.down = True
    lookup = IndexClient((fake_index.url,)).lookup("requests")
    assert lookup.page is None and not lookup.missing and "HTTP 503" in (lookup.error or "")
    assert len(fake_index.requests_for("requests")) == 3


def test_fresh_cache_answers_without_a_request(fake_index: FakeIndex) -> None:
    IndexClient((fake_index.url,)).lookup_many(["requests", "newpy"])
    fake_index.log.clear()
    assert versions(IndexClient((fake_index.url,)), "requests") == ["2.31.0"]
    assert fake_index.log == []


def test_expired_cache_is_revalidated_with_the_etag(fake_index: FakeIndex) -> None:
    fake_index.max_age = 0
    IndexClient((fake_index.url,)).lookup("requests")
    assert versions(IndexClient((fake_index.url,)), "requests") == ["2.31.0"]
    [(_, etag1, first), (_, etag2, second)] = fake_index.requests_for("requests")
    assert (etag1, first, second) == ("", 200, 304) and etag2.startswith('"')


def test_offline_uses_stale_cache_and_reports_misses(fake_index: FakeIndex) -> None:
    fake_index.max_age = 0
    IndexClient((fake_index.url,)).lookup("requests")
    fake_index.down = True
    offline = IndexClient((fake_index.url,), offline=True)
    assert versions(offline, "requests") == ["2.31.0"]
    assert offline.lookup("newpy").error == "offline, and not in the cache"
    assert all(path != "/simple/newpy/" for path, _, _ in fake_index.log)


def test_file_index(tmp_path: Path) -> None:
    (tmp_path / "simple" / "demo").mkdir(parents=True)
    (tmp_path / "simple" / "demo" / "index.html").write_text(
        '<a href="../../files/demo-1.0-py3-none-any.whl#sha256=00" data-yanked="">demo-1.0-py3-none-any.whl</a>'
    )
    client = IndexClient(((tmp_path / "simple").as_uri(),))
    assert (
        versions(client, "demo") == ["1.0"]
        and releases(client.lookup("demo").page)[max(releases(client.lookup("demo").page))].yanked
    )  # type: ignore[arg-type]
    assert client.lookup("other").missing


def test_index_that_is_not_a_url_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    # `--index-url notaurl`: said plainly, never "does not exist", and nothing is sent.
    client = IndexClient(("notaurl",), cache_dir=tmp_path)
    found = client.lookup("fastapi")
    assert not found.missing and found.error == "`notaurl` is not an http(s) or file: URL"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path),
        "XDG_CONFIG_DIRS": str(tmp_path / "xdg"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }


def test_pip_config_precedence(home: dict[str, str], tmp_path: Path) -> None:
    assert index_settings(env=home).index_url == PYPI_SIMPLE
    _write(tmp_path / "xdg/pip/pip.conf", "[global]\nindex-url = https://global/simple\n")
    assert index_settings(env=home).index_url == "https://global/simple"
    _write(
        tmp_path / "cfg/pip/pip.conf",
        "[global]\nindex-url = https://user/simple\nextra-index-url =\n  https://a/simple\n  https://b/simple\n[install]\nindex-url = https://user-install/simple\n",
    )
    settings = index_settings(env=home)
    assert settings.index_url == "https://user-install/simple"
    assert settings.extra_index_urls == ("https://a/simple", "https://b/simple")
    assert (
        index_settings(env={**home, "PIP_INDEX_URL": "https://env/simple"}).index_url
        == "https://env/simple"
    )
    assert (
        index_settings(env=home, option_url="https://option/simple").index_url
        == "https://option/simple"
    )
    assert (
        index_settings(
            env=home, option_url="https://option/simple", file_url="https://file/simple"
        ).index_url
        == "https://file/simple"
    )


def test_pip_config_file_variable(home: dict[str, str], tmp_path: Path) -> None:
    _write(tmp_path / "cfg/pip/pip.conf", "[global]\nindex-url = https://user/simple\n")
    chosen = _write(tmp_path / "chosen.conf", "[global]\nextra-index-url = https://chosen/simple\n")
    settings = index_settings(env={**home, "PIP_CONFIG_FILE": str(chosen)})
    # an existing PIP_CONFIG_FILE replaces the user files, as in pip
    assert (settings.index_url, settings.extra_index_urls) == (
        PYPI_SIMPLE,
        ("https://chosen/simple",),
    )
    assert index_settings(env={**home, "PIP_CONFIG_FILE": "/dev/null"}).index_url == PYPI_SIMPLE


def test_no_index_leaves_nothing_to_ask(home: dict[str, str]) -> None:
    assert index_settings(env=home, file_no_index=True).urls == ()
    assert "no package index" in (IndexClient(()).lookup("x").error or "")


def test_a_pin_matches_every_spelling_of_its_version() -> None:
    from packaging.version import Version

    from hfdeploy.requirements.simple_api import ProjectPage

    page = ProjectPage.of(
        "demo",
        [
            ["demo-1.0.0-py3-none-any.whl", "u", None, None, None, False],
            ["demo-1.0.tar.gz", "u", None, None, None, False],
            ["demo-1.0.1.tar.gz", "u", None, None, None, False],
        ],
        False,
    )
    found = releases(page)
    assert [f.filename for f in found[Version("1")].files] == [
        "demo-1.0.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
    ]
    assert Version("1.0.2") not in found and list(found) == [Version("1.0"), Version("1.0.1")]


def test_wheels_for_other_platforms_are_dropped_but_one_marks_a_compiled_release() -> None:
    from hfdeploy.requirements.simple_api import ProjectPage

    names = [
        "c-1.0-cp311-cp311-win_amd64.whl",
        "c-1.0-cp311-cp311-macosx_11_0_arm64.whl",
        "c-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "c-1.0.tar.gz",
    ]
    page = ProjectPage.of("c", [[n, "u", None, None, None, False] for n in names], False)
    assert [r[0] for r in page.rows] == [names[0], names[2], names[3]]
