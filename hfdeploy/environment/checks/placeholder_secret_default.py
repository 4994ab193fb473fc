"""EV011: a secret-named variable falls back to a placeholder written in the code."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.environment.secret_defaults import drop_default_fix, in_tests, secret_defaults
from hfdeploy.project import Project
from hfdeploy.redact import mask


class PlaceholderSecretDefault(Check):
    """## What it does
    Finds environment reads of a secret-looking variable (`SECRET_KEY`, `JWT_SECRET`,
    `ADMIN_PASSWORD`, ...) whose default, written in the code, is a placeholder or a readable
    passphrase (`"changeme"`, `"my-jwt-secret"`, `"admin123"`): any literal that does not look
    like a real secret (those are EV010). Empty defaults, `None`, numbers, booleans and URLs
    (the database rules look at those) are not reported, nor test code (`tests/`,
    `test_*.py`, `conftest.py`), which never runs on the Space.

    ## Why is this bad?
    When the Space does not set the variable as a secret, the app starts anyway and uses the
    placeholder, which everyone can read in the public repository: sessions and tokens signed
    with it can be forged, an admin password is open. Nothing tells that the secret is
    missing.

    ## Example
    ```python
    class Settings(BaseSettings):
        jwt_secret: str = "change-me"
    ```

    Use instead (and set `JWT_SECRET` in the Space's Settings, Variables and secrets):
    ```python
    class Settings(BaseSettings):
        jwt_secret: str
    ```

    ## Fix safety
    Unsafe: the default is removed (`os.getenv("X", "...")` becomes `os.environ["X"]`, a
    settings field loses its `= "..."`), so the app refuses to start until the secret is set;
    local runs need the variable too (a `.env` file). A bare `getenv` imported from `os`, a
    starlette `config(...)` and `Field(...)`/`SecretStr(...)` defaults are not rewritten.
    """

    code = "EV011"
    name = "placeholder-secret-default"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for found in secret_defaults(project):
            if found.kind != "literal" or in_tests(found.read.module.path):
                continue
            read = found.read
            yield self.diagnostic(
                f"`{read.name}` falls back to `{mask(found.value)}` written in the code: when "
                f"the Space does not set `{read.name}` as a secret, the app runs with a value "
                "everyone can read in the public repository",
                path=read.module.path,
                span=read.module.span(found.literal),
                fix=drop_default_fix(read),
            )
