"""The running container: wait until it answers (or crashes), then probe it route by route."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from hfdeploy.diagnostics import Diagnostic
from hfdeploy.verify import probe
from hfdeploy.verify.docker_client import ContainerState, DockerClient, DockerFailure
from hfdeploy.verify.findings import finding
from hfdeploy.verify.report import Probe

POLL_SECONDS = 0.3
ANNOUNCE_GRACE = 3.0  # after the log names another address, how long the right port may still open
LOG_SETTLE = 0.3  # let the server write its traceback before reading the log
# Under load the traceback may come later than the 5xx answer (the server logs it after
# sending the response, line by line): read again, up to this long, until a whole one is there.
LOG_WAIT = 5.0


@dataclass(frozen=True)
class Target:
    container: str
    host: str  # where the probes connect
    port: int  # ... and on which port
    container_port: int  # the port the server must listen on inside the container
    host_network: bool


@dataclass(frozen=True)
class Up:
    seconds: float
    log: str


@dataclass(frozen=True)
class Exited:
    exit_code: int | None
    oom_killed: bool
    log: str


@dataclass(frozen=True)
class Elsewhere:
    """The server announced an address the Space proxy (or we) cannot reach."""

    addresses: list[probe.Announced]
    log: str


@dataclass(frozen=True)
class NoAnswer:
    seconds: float
    log: str


Started = Up | Exited | Elsewhere | NoAnswer


def wait_until_serving(
    client: DockerClient, target: Target, timeout: float
) -> Started | DockerFailure:
    started = time.monotonic()
    deadline = started + timeout
    give_up_at: float | None = None
    while True:
        state = client.state(target.container)
        if isinstance(state, DockerFailure):
            return state
        if not state.running:
            return Exited(state.exit_code, state.oom_killed, client.logs(target.container))
        answer = probe.get(target.host, target.port, "/", timeout=5.0)
        if isinstance(answer, probe.Response):
            seconds = time.monotonic() - started
            # With host networking another server on this port could have answered: an answer
            # counts only while the container still runs.
            after = client.state(target.container)
            if isinstance(after, ContainerState) and not after.running:
                return Exited(after.exit_code, after.oom_killed, client.logs(target.container))
            return Up(seconds, client.logs(target.container))
        log = client.logs(target.container)
        wrong = unreachable_addresses(log, target)
        if wrong:
            give_up_at = give_up_at or time.monotonic() + ANNOUNCE_GRACE
            if time.monotonic() >= give_up_at:
                return Elsewhere(wrong, log)
        if time.monotonic() >= deadline:
            return NoAnswer(time.monotonic() - started, log)
        time.sleep(POLL_SECONDS)


def unreachable_addresses(log: str, target: Target) -> list[probe.Announced]:
    announced = probe.announced_addresses(log)
    if any(a.port == target.container_port and not a.loopback for a in announced):
        return []
    # With host networking a loopback listener still answers our probe; the Space proxy could
    # not reach it, which the caller reports once the probe has succeeded.
    return [a for a in announced if a.port != target.container_port or not target.host_network]


class Prober:
    """Sends the probes and turns 5xx answers into findings carrying the log's traceback."""

    def __init__(
        self,
        client: DockerClient,
        target: Target,
        on_probe: Callable[[Probe], None],
        space_host: str | None = None,
    ) -> None:
        self.client = client
        self.target = target
        self.on_probe = on_probe
        self.space_host = space_host
        self.probes: list[Probe] = []
        self.findings: list[Diagnostic] = []
        self.crashed = False
        self._mark: int | None = None  # log length when last read: a failure's log starts there

    def visit(self, path: str, kind: str) -> probe.Response | None:
        # The log is read once, then again only after a failure (each read is an engine call);
        # the slice after the mark may then hold access lines of earlier requests, never an
        # earlier failure's traceback.
        if self._mark is None:
            self._mark = len(self.client.logs(self.target.container))
        mark = self._mark
        answer = probe.get(self.target.host, self.target.port, path)
        if isinstance(answer, probe.RequestError):
            self._record(Probe(path, kind, None, 0.0, answer.reason))
            self._request_failed(path, answer, mark)
            return None
        self._record(Probe(path, kind, answer.status, answer.seconds))
        if answer.status >= 500:
            log = self._log_with_traceback(mark)
            self._mark = len(log)
            tail = probe.traceback_tail(log[mark:])
            self.findings.append(
                finding(
                    "RT005",
                    f"GET {path} answered {answer.status}",
                    tail or ["(nothing in the log)"],
                )
            )
        return answer

    def _log_with_traceback(self, mark: int) -> str:
        """The container's log once a whole traceback follows `mark` and the log has stopped
        growing (the traceback's last lines come after its exception line: SQLAlchemy's
        `[SQL: ...]`), or as it is after LOG_WAIT."""
        deadline = time.monotonic() + LOG_WAIT
        previous = None
        while True:
            time.sleep(LOG_SETTLE)
            log = self.client.logs(self.target.container)
            whole = probe.traceback_complete(log[mark:]) and log == previous
            if whole or time.monotonic() >= deadline:
                return log
            previous = log

    def _record(self, result: Probe) -> None:
        self.probes.append(result)
        self.on_probe(result)

    def _request_failed(self, path: str, error: probe.RequestError, mark: int) -> None:
        state = self.client.state(self.target.container)
        if not isinstance(state, DockerFailure) and not state.running:
            self.crashed = True
            log = self.client.logs(self.target.container)[mark:]
            self.findings.append(
                finding(
                    "RT003",
                    f"The container exited (code {state.exit_code}) while serving GET {path}",
                    probe.traceback_tail(log),
                )
            )
        elif error.reason == "timed out":
            self.findings.append(
                finding("RT012", f"GET {path} did not answer within {probe.REQUEST_TIMEOUT:.0f}s")
            )
        else:
            self.findings.append(finding("RT005", f"GET {path} failed: {error.reason}"))

    def run_all(self) -> None:
        root = self.visit("/", "root")
        if root is not None and root.status == 404:
            self.findings.append(
                finding(
                    "RT013",
                    "GET / answered 404; the Space's page opens the app at `/`",
                    ["Hint: add a route for `/` (a redirect to /docs is enough)."],
                )
            )
        for path in probe.HEALTH_PATHS:
            if self.crashed:
                return
            mark = len(self.probes)
            answer = self.visit(path, "health")
            if answer is not None and answer.status == 404:
                del self.probes[mark:]  # absent health routes are not worth listing
        if not self.crashed:
            self._smoke()
        if not self.crashed and root is not None:
            self._behind_the_proxy(root)

    def _proxy_request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> probe.Response | None:
        """A request as the Space's proxy forwards it: from an address that is not loopback
        (with host networking), with the Space's Host and the X-Forwarded-* headers."""
        host, source = self.target.host, None
        if self.target.host_network and host.startswith("127."):
            outside = probe.outside_address()
            if outside is not None:
                host, source = outside, outside
        extra = {"Host": self.space_host} if self.space_host else {}
        answer = probe.get(
            host,
            self.target.port,
            path,
            method=method,
            headers={**extra, **(headers or {})},
            source=source,
        )
        if isinstance(answer, probe.RequestError) and source is not None:
            answer = probe.get(  # the outside address is not reachable here: from loopback
                self.target.host,
                self.target.port,
                path,
                method=method,
                headers={**extra, **(headers or {})},
            )
        if isinstance(answer, probe.RequestError):
            return None
        self._record(Probe(path, f"proxy {method}", answer.status, answer.seconds))
        return answer

    def _behind_the_proxy(self, root: probe.Response) -> None:
        got = self._proxy_request("GET", "/")
        if got is None:
            return
        if got.status in (400, 421) and root.status < 400:
            self.findings.append(
                finding(
                    "RT020",
                    f"GET / with the Space's Host `{self.space_host}` answered {got.status} "
                    f"(without it: {root.status}): the app only accepts other host names",
                    [
                        "Hint: allow `*.hf.space` (TrustedHostMiddleware `allowed_hosts`, "
                        "ALLOWED_HOSTS)."
                    ],
                )
            )
            return
        self._check_redirect("GET /", got)
        head = self._proxy_request("HEAD", "/")
        if head is not None:
            self._check_redirect("HEAD /", head)
            if head.status >= 400 and got.status < 400:
                self.findings.append(
                    finding(
                        "RT016",
                        f"HEAD / answered {head.status} while GET / answered {got.status}",
                        [
                            'Hint: serve HEAD on `/` as well (`@app.api_route("/", methods=["GET", "HEAD"])`).'
                        ],
                    )
                )
        routes = [p.path for p in self.probes if p.kind == "route" and p.status == 200]
        if routes and not any(f.code == "RT015" for f in self.findings):
            path = routes[0]
            toggled = path[:-1] if path.endswith("/") and len(path) > 1 else path + "/"
            answer = self._proxy_request("GET", toggled)
            if answer is not None:
                self._check_redirect(f"GET {toggled}", answer)
        self._check_cors()

    def _check_redirect(self, request: str, answer: probe.Response) -> None:
        location = answer.header("location") or ""
        if 300 <= answer.status < 400 and location.lower().startswith("http://"):
            self.findings.append(
                finding(
                    "RT015",
                    f"Behind the Space's HTTPS proxy, {request} redirects to `{location}`: the "
                    "browser blocks it as mixed content (or leaves HTTPS)",
                    [
                        "The server does not trust the proxy's X-Forwarded-Proto header.",
                        "Hint: uvicorn `--proxy-headers --forwarded-allow-ips='*'` (gunicorn: "
                        "`--forwarded-allow-ips='*'`).",
                    ],
                )
            )

    def _check_cors(self) -> None:
        """A browser's preflight from the Space's own origin must be answered with that origin."""
        if not self.space_host:
            return
        origin = f"https://{self.space_host}"
        answer = self._proxy_request(
            "OPTIONS", "/", {"Origin": origin, "Access-Control-Request-Method": "GET"}
        )
        if answer is None:
            return
        allowed = answer.header("access-control-allow-origin")
        cors_in_use = (
            allowed is not None
            or any(k.startswith("access-control-") for k in answer.headers)
            or b"cors" in answer.body.lower()
        )
        if not cors_in_use or allowed in ("*", origin):
            return
        self.findings.append(
            finding(
                "RT018",
                f"A browser preflight from the Space's origin `{origin}` answered "
                f"{answer.status} without `Access-Control-Allow-Origin: {origin}`: a browser "
                "front end that calls this API from another page (a static Space, or the page "
                "embedding it) is blocked",
                [
                    "Hint: add `https://<owner>-<name>.hf.space` (from SPACE_HOST) to the CORS "
                    "allowed origins."
                ],
            )
        )

    def _smoke(self) -> None:
        routes = None
        for path in probe.OPENAPI_PATHS:
            answer = self.visit(path, "openapi")
            if self.crashed:
                return
            if answer is not None and answer.status == 200:
                routes = probe.openapi_get_routes(probe.parse_json(answer.body))
                if routes is not None:
                    break
            self.probes.pop()  # only the document that was found is worth listing
        if routes is None:
            self.findings.append(
                finding(
                    "RT011",
                    "No OpenAPI document at "
                    + ", ".join(probe.OPENAPI_PATHS)
                    + "; GET routes were not smoke-tested",
                )
            )
            return
        visited = {p.path for p in self.probes}
        for path in routes:
            if self.crashed:
                return
            if path not in visited:
                self.visit(path, "route")
