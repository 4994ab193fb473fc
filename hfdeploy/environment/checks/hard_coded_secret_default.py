"""EV010: a secret-named variable falls back to a real-looking secret written in the code."""

from __future__ import annotations

from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, FixAvailability, Severity
from hfdeploy.environment.secret_defaults import drop_default_fix, in_tests, secret_defaults
from hfdeploy.project import Project
from hfdeploy.redact import mask


class HardCodedSecretDefault(Check):
    """## What it does
    Finds environment reads of a secret-looking variable (`SECRET_KEY`, `JWT_SECRET`,
    `OPENAI_API_KEY`, `HF_TOKEN`, ...) whose default, written in the code, looks like a real
    secret: a credential of a known service by its shape (`hf_...`, `sk-...`, `ghp_...`,
    `AKIA...`, a private key block), or a long random-looking string such as a generated
    signing key. Reads are `os.getenv("X", "...")`, `os.environ.get("X", "...")`, starlette
    `config("X", default="...")` and pydantic-settings fields (`SECRET_KEY: str = "..."`).
    Placeholders (`"changeme"`) are EV011; a generated key in test code (`tests/`,
    `test_*.py`, `conftest.py`), which never runs on the Space, is not reported.

    ## Why is this bad?
    The code of a public Space is public. A service credential in it is leaked the moment it
    is pushed: anyone can use it, whatever the Space's settings (an error: rotate it). A
    generated key as a default is known to everyone too: whenever the Space does not set the
    variable as a secret, the app signs sessions and tokens with a key anyone can use to forge
    them (a warning: it depends on the Space's settings).

    ## Example
    ```python
    SECRET_KEY = os.getenv("SECRET_KEY", "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4c")
    ```

    Use instead (and set `SECRET_KEY` in the Space's Settings, Variables and secrets):
    ```python
    SECRET_KEY = os.environ["SECRET_KEY"]
    ```

    ## Fix safety
    Unsafe: the default is removed (`os.getenv("X", "...")` becomes `os.environ["X"]`, a
    settings field loses its `= "..."`), so the app refuses to start until the secret is set,
    instead of running with the published value. A bare `getenv` imported from `os`, a
    starlette `config(...)` and `Field(...)`/`SecretStr(...)` defaults are not rewritten
    (other arguments may matter): remove the default by hand. Either way the value stays in
    the repository's history: rotate it.
    """

    code = "EV010"
    name = "hard-coded-secret-default"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        for found in secret_defaults(project):
            read = found.read
            value = mask(found.value)
            if found.kind == "token":
                message = (
                    f"`{read.name}` defaults to a credential written in the code (`{value}`): "
                    "the code of a public Space is public, so it is leaked; rotate it and set "
                    f"`{read.name}` as a Space secret"
                )
                severity = Severity.ERROR
            elif found.kind == "random" and not in_tests(read.module.path):
                message = (
                    f"`{read.name}` defaults to a fixed key written in the code (`{value}`): "
                    f"whenever the Space does not set `{read.name}` as a secret, the app uses "
                    "a key everyone can read in the public repository (sessions and tokens "
                    "signed with it can be forged)"
                )
                severity = Severity.WARNING
            else:
                continue
            yield self.diagnostic(
                message,
                path=read.module.path,
                span=read.module.span(found.literal),
                fix=drop_default_fix(read),
                severity=severity,
            )
