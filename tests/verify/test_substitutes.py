"""Stand-ins for images the engine cannot pull (verify/substitutes.py, RT034)."""

from __future__ import annotations

import io
import json
import platform
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from packaging.version import Version

from hfdeploy.dockerfile.parse import parse_dockerfile
from hfdeploy.verify.substitutes import UvImage, _matches, uv_image


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("ghcr.io/astral-sh/uv:latest", UvImage("ghcr.io/astral-sh/uv:latest", "", "scratch", "/")),
        ("ghcr.io/astral-sh/uv", UvImage("ghcr.io/astral-sh/uv", "", "scratch", "/")),
        (
            "ghcr.io/astral-sh/uv:0.5.11",
            UvImage("ghcr.io/astral-sh/uv:0.5.11", "0.5.11", "scratch", "/"),
        ),
        (
            "ghcr.io/astral-sh/uv:0.9-python3.12-bookworm-slim",
            UvImage(
                "ghcr.io/astral-sh/uv:0.9-python3.12-bookworm-slim",
                "0.9",
                "python:3.12-slim-bookworm",
                "/usr/local/bin",
            ),
        ),
        (
            "ghcr.io/astral-sh/uv:python3.11-bookworm",
            UvImage(
                "ghcr.io/astral-sh/uv:python3.11-bookworm",
                "",
                "python:3.11-bookworm",
                "/usr/local/bin",
            ),
        ),
        (
            "ghcr.io/astral-sh/uv:bookworm-slim",
            UvImage(
                "ghcr.io/astral-sh/uv:bookworm-slim", "", "debian:bookworm-slim", "/usr/local/bin"
            ),
        ),
        ("ghcr.io/astral-sh/uv:0.5-alpine", None),  # musl: the manylinux wheel does not fit
        ("ghcr.io/astral-sh/uv:python3.12-alpine", None),
        ("ghcr.io/astral-sh/ruff:latest", None),
        ("python:3.12-slim", None),
    ],
)
def test_which_uv_images_get_a_stand_in(reference: str, expected: UvImage | None) -> None:
    assert uv_image(reference) == expected


def test_a_version_tag_takes_that_release_or_series() -> None:
    assert _matches(Version("0.5.11"), "0.5")
    assert _matches(Version("0.5.11"), "0.5.11")
    assert not _matches(Version("0.5.1"), "0.5.11")
    assert not _matches(Version("0.50.0"), "0.5")
    assert _matches(Version("0.13.9"), "")


def test_the_dockerfile_lists_the_images_it_needs_from_a_registry() -> None:
    text = (
        "ARG PY=3.12\n"
        "FROM python:${PY}-slim AS build\n"
        "COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/\n"
        "RUN --mount=type=cache,target=/root/.cache --mount=from=busybox:1,target=/bb true\n"
        "FROM build AS test\n"
        "COPY --from=build /app /app\n"
        "COPY --from=0 /app /again\n"
        "FROM scratch\n"
        "COPY --from=test /app /app\n"
        "COPY --from=$OTHER /x /x\n"
    )
    parsed = parse_dockerfile(PurePosixPath("Dockerfile"), text)
    assert parsed.external_images() == [
        "python:3.12-slim",
        "ghcr.io/astral-sh/uv:0.5",
        "busybox:1",
    ]


def fake_uv_wheel(version: str) -> tuple[str, bytes]:
    """A wheel shaped like uv's: the two binaries (shell scripts here) in its scripts folder."""
    machine = {"arm64": "aarch64"}.get(platform.machine(), platform.machine())
    name = f"uv-{version}-py3-none-manylinux_2_17_{machine}.manylinux2014_{machine}.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for binary in ("uv", "uvx"):
            archive.writestr(
                f"uv-{version}.data/scripts/{binary}", f"#!/bin/sh\necho {binary} {version}\n"
            )
        archive.writestr(
            f"uv-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: uv\nVersion: {version}\n",
        )
        archive.writestr(
            f"uv-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
        )
        archive.writestr(f"uv-{version}.dist-info/RECORD", "")
    return name, buffer.getvalue()


def file_index(tmp_path: Path, version: str) -> str:
    name, data = fake_uv_wheel(version)
    project = tmp_path / "index" / "uv"
    project.mkdir(parents=True)
    (project / name).write_bytes(data)
    (project / "index.html").write_text(f'<html><body><a href="{name}">{name}</a></body></html>\n')
    return (tmp_path / "index").as_uri()


@pytest.mark.docker
def test_verify_builds_the_uv_image_it_cannot_pull_from_the_index(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    docker_client: Any,
) -> None:
    from hfdeploy.cli import main
    from tests.verify.test_verify_docker import copy_repo

    version = "0.0.1"  # a release no registry has: the pull fails everywhere
    reference = f"ghcr.io/astral-sh/uv:{version}"

    def drop_image() -> None:
        try:
            docker_client.images.remove(reference, force=True)
        except Exception:
            pass

    drop_image()
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", file_index(tmp_path, version))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root, _, _ = copy_repo(tmp_path, "passing")
    dockerfile = root / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace(
            "RUN useradd",
            f"COPY --from={reference} /uv /uvx /bin/\nRUN uv | grep -qx 'uv {version}'\nRUN useradd",
            1,
        )
    )
    try:
        code = main(["verify", str(root), "--format", "json", "--timeout", "60"])
        report = json.loads(capsys.readouterr().out)
        assert code == 0, report["findings"]
        told = [f for f in report["findings"] if f["code"] == "RT034"]
        assert len(told) == 1 and f"the `uv` {version} wheel" in told[0]["message"], told
        labels = docker_client.images.get(reference).attrs["Config"]["Labels"]
        assert "hfdeploy.substitute" in labels

        # The next run finds the stand-in and says so again (it is not the registry's image).
        code = main(["verify", str(root), "--format", "json", "--timeout", "60"])
        report = json.loads(capsys.readouterr().out)
        assert code == 0, report["findings"]
        assert any(
            f["code"] == "RT034" and "built earlier" in f["message"] for f in report["findings"]
        )
    finally:
        drop_image()
