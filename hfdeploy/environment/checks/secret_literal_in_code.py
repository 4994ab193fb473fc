"""EV012: a credential or a generated key written as a literal in the code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.environment.secret_defaults import in_tests, secret_defaults
from hfdeploy.project import Project
from hfdeploy.pycode import located
from hfdeploy.redact import mask
from hfdeploy.secret_names import (
    TOKEN_SHAPE,
    looks_secret_name,
    search_token_shape,
    secret_value_kind,
)

# A cheap filter before parsing: a token shape, or a secret-looking name given a value.
_ASSIGNED = re.compile(
    r"(?i)(?:secret|token|passw|api_?key|private_?key|signing_?key|credential)\w*[\"']?\s*[:=]"
)
# Lower-cased, an ASCII text `_ASSIGNED` matches holds one of these (a cheaper test first).
_ASSIGNED_MARKERS = (
    "secret",
    "token",
    "passw",
    "apikey",
    "api_key",
    "privatekey",
    "private_key",
    "signingkey",
    "signing_key",
    "credential",
)


def _may_hold_secret(text: str) -> bool:
    """`TOKEN_SHAPE` or `_ASSIGNED` matches somewhere in the text."""
    if search_token_shape(text) is not None:
        return True
    if text.isascii():  # `(?i)` also folds a few non-ASCII letters (the long s, the Kelvin sign)
        lowered = text.lower()
        if not any(marker in lowered for marker in _ASSIGNED_MARKERS):
            return False
    return _ASSIGNED.search(text) is not None


class SecretLiteralInCode(Check):
    """## What it does
    Finds secrets written as string literals in Python code: a credential of a known service
    anywhere (`hf_...`, `sk-...`, `ghp_...`, `github_pat_...`, `AKIA...`, `xoxb-...`, a
    private key block), and a long random-looking string (a generated key) given to a
    secret-looking name: `SECRET_KEY = "..."`, `app.secret_key = "..."`,
    `OpenAI(api_key="...")`, `{"token": "..."}`. Defaults of environment reads are EV010 and
    EV011; placeholders such as `"changeme"` given to a name are not reported here, nor a
    generated key in test code (`tests/`, `test_*.py`, `conftest.py`), which never runs on the
    Space (a service credential there is: it is published all the same).

    ## Why is this bad?
    The code of a public Space is public. A service credential in it is leaked the moment it
    is pushed: anyone can use it (an error). A signing key written in the code is known to
    everyone, and cannot differ between the Space and a local run: sessions and tokens signed
    with it can be forged (a warning).

    ## Example
    ```python
    client = InferenceClient(token="hf_AbCdEf...")
    ```

    Use instead (and set `HF_TOKEN` in the Space's Settings, Variables and secrets):
    ```python
    client = InferenceClient(token=os.environ["HF_TOKEN"])
    ```

    ## Fix safety
    No automatic fix: the variable the value should come from is a choice (a name for the
    Space secret), the value must be rotated anyway (it stays in the repository's history),
    and the code around it may need it at import.
    """

    code = "EV012"
    name = "secret-literal-in-code"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        defaults = {(d.read.module.path, id(d.literal)) for d in secret_defaults(project)}
        for path, text in project.python_texts():
            if not _may_hold_secret(text):
                continue
            module = located(project, path)
            if module is None:
                continue
            named = _named_literals(module.tree)
            for node in ast.walk(module.tree):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                    continue
                if (path, id(node)) in defaults or len(node.value) > 4096:
                    continue
                kind = secret_value_kind(node.value)
                if kind == "token":
                    yield self.diagnostic(
                        f"a credential is written in the code (`{_masked(node.value)}`): the "
                        "code of a public Space is public, so it is leaked; rotate it and read "
                        "it from a Space secret (`os.environ[...]`)",
                        path=path,
                        span=module.span(node),
                    )
                elif kind == "random" and id(node) in named and not in_tests(path):
                    name = named[id(node)]
                    yield self.diagnostic(
                        f"`{name}` is a fixed key written in the code (`{mask(node.value)}`): "
                        "everyone can read it in the public repository, so sessions and "
                        f"tokens signed with it can be forged; read `{name}` from a Space "
                        "secret instead",
                        path=path,
                        span=module.span(node),
                        severity=Severity.WARNING,
                    )


def _masked(value: str) -> str:
    token = TOKEN_SHAPE.search(value)
    return mask(token.group()) if token is not None else mask(value)


def _target_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


_KEY_QUALIFIERS = frozenset(
    {
        "API",
        "SECRET",
        "PRIVATE",
        "SIGNING",
        "ENCRYPTION",
        "ACCESS",
        "MASTER",
        "SESSION",
        "JWT",
        "HMAC",
        "AUTH",
        "CLIENT",
        "APP",
        "FERNET",
        "CRYPT",
    }
)


def _secret_target(name: str) -> bool:
    """A secret-looking name; a bare `key` (`cache.set(key=...)`, `cache_key`) only with a word
    that makes it a credential: `api_key`, `secret_key`, `signing_key`, ..."""
    if not looks_secret_name(name):
        return False
    parts = [p for p in re.split(r"[_\-.]+", name.upper()) if p]
    if parts and parts[-1] in ("KEY", "KEYS"):
        others = set(parts) - {"KEY", "KEYS"}
        if not others & _KEY_QUALIFIERS and not any(
            p.endswith(("SECRET", "TOKEN", "PASSWORD")) for p in others
        ):
            return False
    return True


def _named_literals(tree: ast.Module) -> dict[int, str]:
    """String constants given to a secret-looking name, by node id: assignments, keyword
    arguments and dictionary entries."""
    named: dict[int, str] = {}

    def give(name: str | None, value: ast.expr | None) -> None:
        if name and _secret_target(name) and isinstance(value, ast.Constant):
            named[id(value)] = name

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                give(_target_name(target), node.value)
        elif isinstance(node, ast.AnnAssign):
            give(_target_name(node.target), node.value)
        elif isinstance(node, ast.keyword):
            give(node.arg, node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is not None:
                    give(_target_name(key), value)
    return named
