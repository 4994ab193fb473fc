"""Shared pytest set-up. Tests marked `docker` need a reachable Docker engine: they are skipped
with the reason when none answers, and fail instead when HFDEPLOY_REQUIRE_DOCKER=1 (CI sets it,
so a broken engine set-up cannot pass as a green run of skips)."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

import pytest

REQUIRE_DOCKER = "HFDEPLOY_REQUIRE_DOCKER"


@functools.lru_cache(maxsize=1)
def docker_engine_problem() -> str | None:
    """Why no engine can be used, or None. Asked once per session, and only if a test needs it."""
    try:
        import docker
        import requests
    except ImportError:
        return "the `docker` Python package is not installed"
    host = os.environ.get("DOCKER_HOST") or "the default socket"
    try:
        client = docker.from_env(timeout=10)
        try:
            client.ping()
        finally:
            client.close()
    except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
        first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
        return f"no Docker engine answers at {host} ({first_line[:120]})"
    return None


def require_docker() -> None:
    problem = docker_engine_problem()
    if problem is None:
        return
    if os.environ.get(REQUIRE_DOCKER) == "1":
        pytest.fail(f"{problem}; {REQUIRE_DOCKER}=1 requires a Docker engine", pytrace=False)
    pytest.skip(f"{problem} (set {REQUIRE_DOCKER}=1 to fail instead of skipping)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("docker") is not None:
        require_docker()


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A docker SDK client for the engine DOCKER_HOST names. Builds and containers made with it
    must use host networking (network_mode="host"); never create networks."""
    require_docker()
    import docker

    client = docker.from_env(timeout=120)
    yield client
    client.close()
