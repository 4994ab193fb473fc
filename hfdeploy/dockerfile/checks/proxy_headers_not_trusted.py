from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity, Span
from hfdeploy.dockerfile.server import Server, find_server
from hfdeploy.dockerfile.stage import runtime
from hfdeploy.pysource.startup import startup

if TYPE_CHECKING:
    from hfdeploy.project import Project

_TRUSTING = ("uvicorn", "gunicorn", "uvicorn.run", "fastapi run")


def trusts_proxy(project: Project, server: Server, env: dict[str, str]) -> bool:
    if "FORWARDED_ALLOW_IPS" in env:
        return True
    if server.form == "python":
        call = (project.text(server.path) or "")[server.start : server.insert_at]
        return "forwarded_allow_ips" in call
    names = {o.split("=", 1)[0] for o in server.options}
    return "--forwarded-allow-ips" in names and "--no-proxy-headers" not in names


def proxy_edit(server: Server) -> Edit | None:
    if server.form == "exec":
        text = ', "--proxy-headers", "--forwarded-allow-ips", "*"'
        if server.tool == "gunicorn":
            text = ', "--forwarded-allow-ips", "*"'
    elif server.form == "shell":
        text = " --proxy-headers --forwarded-allow-ips '*'"
        if server.tool == "gunicorn":
            text = " --forwarded-allow-ips '*'"
    elif server.form == "python" and server.tool == "uvicorn.run":
        text = ', proxy_headers=True, forwarded_allow_ips="*"'
    else:
        return None
    return Edit.insert(server.path, server.insert_at, text)


class ProxyHeadersNotTrusted(Check):
    """## What it does
    Reports a server command (uvicorn, gunicorn, `uvicorn.run(...)`, `fastapi run`) that does
    not trust the Space proxy's `X-Forwarded-Proto`/`X-Forwarded-For` headers, in an app that
    builds absolute URLs or redirects (`RedirectResponse`, `url_for`, `request.url`,
    `base_url`).

    ## Why is this bad?
    A Space is served over HTTPS by a proxy that talks plain HTTP to the container. Uvicorn and
    gunicorn trust forwarded headers only from `127.0.0.1` by default, and the proxy is not
    there, so the app believes it is on `http://`: redirects (also FastAPI's trailing-slash
    redirect) and `url_for` links point to `http://<owner>-<name>.hf.space/...`, which the
    browser blocks as mixed content inside the `https://huggingface.co` page, and OAuth
    callbacks do not match.

    ## Example
    ```dockerfile
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    Use instead:
    ```dockerfile
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860", "--proxy-headers", "--forwarded-allow-ips", "*"]
    ```

    ## Fix safety
    Safe: the options are appended to the uvicorn or gunicorn command (or `proxy_headers=True,
    forwarded_allow_ips="*"` to `uvicorn.run(...)`); only the Space's proxy can reach the
    container, so trusting every forwarder trusts that proxy. `fastapi run` and hypercorn get
    no fix: set `ENV FORWARDED_ALLOW_IPS=*` (uvicorn reads it).
    """

    code = "DF035"
    name = "proxy-headers-not-trusted"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        server = find_server(project)
        rt = runtime(project)
        if (
            server is None
            or rt is None
            or server.tool not in _TRUSTING
            or not server.settings_known
        ):
            return
        if not startup(project).builds_urls or trusts_proxy(project, server, rt.env):
            return
        edit = proxy_edit(server) if server.tool != "fastapi run" else None
        fix = Fix("Trust the Space proxy's forwarded headers", (edit,)) if edit else None
        yield self.diagnostic(
            f"`{server.tool}` ({server.origin}) ignores the Space proxy's `X-Forwarded-Proto`, "
            "and the app builds URLs or redirects: they go to `http://` and the browser blocks "
            "them inside the https page",
            path=server.path,
            span=Span(server.start, server.insert_at),
            fix=fix,
            notes=()
            if fix
            else ("Set `ENV FORWARDED_ALLOW_IPS=*` in the Dockerfile (uvicorn reads it)",),
        )
