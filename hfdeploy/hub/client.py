"""The one way into `huggingface_hub`, the Hub's own client: every remote step of `push` and
`logs` goes through `HubClient`, and every failure comes out as a `HubError` with one line to
print. The token is found where `huggingface_hub` looks (HF_TOKEN, the login cache) and never
leaves this module in any message."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class HubError(Exception):
    """A remote step failed; `kind` is auth, not-found, conflict, network or hub."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Runtime:
    stage: str  # BUILDING, APP_STARTING, RUNNING, BUILD_ERROR, RUNTIME_ERROR, ...
    error: str | None  # the Hub's own error message, when it gives one


# Stages after which the Space no longer changes on its own (huggingface_hub's list, plus
# the ones a failed Space stays in).
RUNNING_STAGES = frozenset({"RUNNING"})
WAITING_STAGES = frozenset(
    {"BUILDING", "RUNNING_BUILDING", "APP_STARTING", "RUNNING_APP_STARTING", "NO_APP_FILE_YET"}
)


def hub_timeout() -> float:
    """Seconds without progress after which a Hub call fails (`HFDEPLOY_HUB_TIMEOUT`, 60)."""
    try:
        return max(1.0, float(os.environ.get("HFDEPLOY_HUB_TIMEOUT", "60")))
    except ValueError:
        return 60.0


def _bound_session() -> None:
    """huggingface_hub's shared HTTP client is made without a timeout, so a Hub that accepts
    the connection and never answers would hang `push` forever. Give it one; calls that pass
    their own (the log stream) keep theirs."""
    from huggingface_hub import get_session

    session = get_session()
    timeout = getattr(session, "timeout", None)
    if timeout is not None and getattr(timeout, "read", 0) is None:
        session.timeout = hub_timeout()


def find_token() -> str | None:
    from huggingface_hub import get_token

    return get_token()


class HubClient:
    def __init__(self, token: str, endpoint: str | None = None):
        from huggingface_hub import HfApi

        self._token = token
        self.endpoint = (
            endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
        ).rstrip("/")
        self._api = HfApi(endpoint=self.endpoint, token=token)
        _bound_session()

    def _call(self, doing: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            raise self._translate(doing, exc) from None

    def _translate(self, doing: str, exc: Exception) -> HubError:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        detail = _server_message(response)
        if status == 401:
            return HubError(
                "auth",
                f"{doing}: the Hub refused the token (401 Unauthorized); "
                "log in again (`hf auth login`) or set HF_TOKEN",
            )
        if status == 403:
            return HubError(
                "auth",
                f"{doing}: the token may not do this (403 Forbidden){detail}; "
                "use a token with write access",
            )
        if status == 404:
            return HubError("not-found", f"{doing}: not found on the Hub (404){detail}")
        if status == 409:
            return HubError("conflict", f"{doing}: conflict on the Hub (409){detail}")
        if status is not None:
            return HubError("hub", f"{doing}: the Hub answered {status}{detail}")
        text = _scrub(
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            self._token,
        )
        if _is_network(exc):
            return HubError("network", f"{doing}: cannot reach {self.endpoint} ({text})")
        return HubError("hub", f"{doing}: {text}")

    # -- account and repository --------------------------------------------------------------
    def whoami(self) -> str:
        info = self._call("checking the token", self._api.whoami)
        return str(info.get("name", "?"))

    def space_exists(self, repo_id: str) -> bool:
        try:
            self._api.space_info(repo_id)
            return True
        except Exception as exc:
            error = self._translate(f"looking up Space {repo_id}", exc)
            if error.kind == "not-found":
                return False
            raise error from None

    def create_space(self, repo_id: str, *, private: bool) -> None:
        self._call(
            f"creating Space {repo_id}",
            self._api.create_repo,
            repo_id,
            repo_type="space",
            space_sdk="docker",
            private=private,
            exist_ok=True,
        )

    def commit(self, repo_id: str, files: list[tuple[str, bytes]], message: str) -> str:
        from huggingface_hub import CommitOperationAdd

        operations = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=data) for p, data in files]
        info = self._call(
            f"uploading to Space {repo_id}",
            self._api.create_commit,
            repo_id,
            operations,
            commit_message=message,
            repo_type="space",
        )
        return str(getattr(info, "oid", "") or "")

    def add_secret(self, repo_id: str, name: str, value: str) -> None:
        self._call(f"setting secret {name}", self._api.add_space_secret, repo_id, name, value)

    def add_variable(self, repo_id: str, name: str, value: str) -> None:
        self._call(f"setting variable {name}", self._api.add_space_variable, repo_id, name, value)

    # -- the running Space ---------------------------------------------------------------------
    def runtime(self, repo_id: str) -> Runtime:
        info = self._call(
            f"reading the state of Space {repo_id}", self._api.get_space_runtime, repo_id
        )
        raw = getattr(info, "raw", {}) or {}
        error = raw.get("errorMessage") if isinstance(raw, dict) else None
        stage = getattr(info.stage, "value", info.stage)
        return Runtime(stage=str(stage), error=str(error) if error else None)

    def logs(self, repo_id: str, *, build: bool, follow: bool = False) -> Iterator[str]:
        kind = "build" if build else "run"
        try:
            yield from self._api.fetch_space_logs(repo_id, build=build, follow=follow)
        except Exception as exc:
            raise self._translate(f"reading the {kind} log of Space {repo_id}", exc) from None


_NETWORK_MODULES = frozenset({"httpx", "httpcore", "requests", "urllib3", "socket", "ssl"})


def _is_network(exc: BaseException) -> bool:
    """A connection, DNS, TLS or timeout failure, whichever library raised it (or wrapped it)."""
    seen: BaseException | None = exc
    while seen is not None:
        for cls in type(seen).__mro__:
            if cls.__module__.split(".")[0] in _NETWORK_MODULES or cls in (OSError, TimeoutError):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


def _server_message(response: Any) -> str:
    if response is None:
        return ""
    try:
        body = response.json()
    except Exception:
        return ""
    message = body.get("error") if isinstance(body, dict) else None
    return f": {str(message).splitlines()[0]}" if message else ""


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text
