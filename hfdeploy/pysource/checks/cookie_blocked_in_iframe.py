from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.pycode import Located, located
from hfdeploy.pysource.startup import startup

if TYPE_CHECKING:
    from hfdeploy.project import Project

# keyword -> (value the iframe needs, as Python source), per call kind
WANTED = {
    "SessionMiddleware": (("same_site", '"none"'), ("https_only", "True")),
    "set_cookie": (("samesite", '"none"'), ("secure", "True")),
}


def _is(value: ast.expr | None, source: str) -> bool:
    if not isinstance(value, ast.Constant):
        return False
    wanted = ast.literal_eval(source)
    if isinstance(wanted, str):
        return isinstance(value.value, str) and value.value.lower() == wanted
    return value.value is wanted


class CookieBlockedInIframe(Check):
    """## What it does
    Reports session middleware (`SessionMiddleware`) and `response.set_cookie(...)` calls
    whose cookies are not `SameSite=None; Secure`.

    ## Why is this bad?
    The Space page on huggingface.co shows the app in an iframe from another site
    (`*.hf.space`). Browsers send a `SameSite=Lax` cookie (Starlette's default) only to the
    top-level site, so inside the iframe the session cookie is never sent back: logins "just
    reload", forms lose their state. Only `SameSite=None` cookies, which must be `Secure`,
    work there (the Space is served over HTTPS).

    ## Example
    ```python
    import os

    from fastapi import FastAPI
    from starlette.middleware.sessions import SessionMiddleware

    app = FastAPI()
    app.add_middleware(SessionMiddleware, secret_key=os.environ["SESSION_SECRET"])
    ```

    Use instead:
    ```python
    import os

    from fastapi import FastAPI
    from starlette.middleware.sessions import SessionMiddleware

    app = FastAPI()
    app.add_middleware(
        SessionMiddleware, secret_key=os.environ["SESSION_SECRET"], same_site="none", https_only=True
    )
    ```

    ## Fix safety
    Unsafe: `SameSite=None` lets other sites' pages send the cookie along (protect state
    changing routes against CSRF), and `Secure` cookies are not kept over plain `http://`
    except on `localhost`. Apply with `--unsafe-fixes` once that is what you want.
    """

    code = "PY011"
    name = "cookie-blocked-in-iframe"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for use in startup(project).cookies:
            module = located(project, use.path)
            if module is None or not isinstance(use.node, ast.Call):
                continue
            call = use.node
            if any(k.arg is None for k in call.keywords):
                continue  # **options: not readable
            wanted = WANTED[use.kind]
            given = {k.arg: k for k in call.keywords}
            wrong = [(n, v) for n, v in wanted if not (n in given and _is(given[n].value, v))]
            if not wrong:
                continue
            what = "the session cookie" if use.kind == "SessionMiddleware" else "this cookie"
            yield self.diagnostic(
                f"{what} is not `SameSite=None; Secure` "
                f"(needs {', '.join(f'`{n}={v}`' for n, v in wrong)}): inside the "
                "huggingface.co iframe the browser does not send it back, so logins and "
                "sessions are lost",
                path=use.path,
                span=module.span(call),
                fix=_fix(module, call, wrong),
            )


def _fix(module: Located, call: ast.Call, wrong: list[tuple[str, str]]) -> Fix | None:
    edits: list[Edit] = []
    missing: list[str] = []
    for name, value in wrong:
        keyword = next((k for k in call.keywords if k.arg == name), None)
        if keyword is None:
            missing.append(f"{name}={value}")
        else:
            edits.append(Edit(module.path, module.span(keyword.value), value))
    if missing:
        span = module.span(call)
        close = span.end - 1
        if module.text[close] != ")":
            return None
        before = module.text[span.start : close].rstrip()
        at = span.start + len(before)
        lead = "" if before.endswith(("(", ",")) else ", "
        if before.endswith(","):
            lead = " "
        edits.append(Edit.insert(module.path, at, lead + ", ".join(missing)))
    return Fix("Send the cookie as `SameSite=None; Secure`", tuple(edits), Applicability.UNSAFE)
