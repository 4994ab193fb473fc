"""Secrets written into the code: literal defaults of secret-named environment reads (EV010,
EV011) and credentials or generated keys assigned in code (EV012). Values are judged by
`secret_names.secret_value_kind` and shown only masked."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Applicability, Edit, Fix, Span
from hfdeploy.environment.reads import EnvRead, env_reads
from hfdeploy.secret_names import looks_secret_name, secret_value_kind

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class SecretDefault:
    read: EnvRead
    value: str  # the literal (never printed in full)
    kind: str  # "token", "random" or "literal" (see secret_value_kind)
    literal: ast.Constant  # the node holding it


def in_tests(path: PurePosixPath) -> bool:
    """Test code (`tests/`, `test_*.py`, `conftest.py`): never run on the Space, so a fixed key
    or a placeholder there is no risk (a service credential still is: it is published)."""
    return (
        bool({"tests", "test"} & set(path.parts[:-1]))
        or path.name.startswith("test_")
        or path.name.endswith("_test.py")
        or path.name == "conftest.py"
    )


def _literal(node: ast.expr | None) -> ast.Constant | None:
    """The string constant of a default: `"x"`, `SecretStr("x")`, `Field("x")`,
    `Field(default="x")`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("SecretStr", "SecretBytes", "Field"):
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            inner = node.args[0] if node.args else keywords.get("default")
            return _literal(inner) if not isinstance(inner, ast.Call) else None
    return None


def secret_defaults(project: Project) -> list[SecretDefault]:
    """Environment reads of a secret-looking variable whose default is a literal value."""

    def collect() -> list[SecretDefault]:
        found = []
        for read in env_reads(project):
            if not looks_secret_name(read.name):
                continue
            literal = _literal(read.default)
            value = literal.value if literal is not None else None
            if not isinstance(value, str) or "://" in value:  # URLs: the database rules (DB*)
                continue
            kind = secret_value_kind(value)
            if kind is not None:
                assert literal is not None
                found.append(SecretDefault(read, value, kind, literal))
        return found

    return project.memo("secret-defaults", collect)


def drop_default_fix(read: EnvRead) -> Fix | None:
    """Read the variable without a default, so that an unset secret stops the app at start
    (pydantic's validation error, `KeyError`) instead of running it with the published value."""
    module, node = read.module, read.node
    if read.kind == "settings" and isinstance(node, ast.AnnAssign):
        if not isinstance(node.value, ast.Constant):
            return None  # `Field(...)`/`SecretStr(...)`: other arguments may matter
        edit = Edit(
            module.path, Span(module.span(node.annotation).end, module.span(node.value).end), ""
        )
    elif (
        read.kind in ("getenv", "environ.get")
        and isinstance(node, ast.Call)
        and len(node.args) == 2
        and not node.keywords
    ):
        func = node.func
        name = module.segment(node.args[0])
        if isinstance(func, ast.Attribute) and func.attr == "getenv":
            replacement = f"{module.segment(func.value)}.environ[{name}]"
        elif isinstance(func, ast.Attribute) and func.attr == "get":
            replacement = f"{module.segment(func.value)}[{name}]"
        else:
            return None  # a bare `getenv` imported from os: no `os.environ` name at hand
        edit = Edit(module.path, module.span(node), replacement)
    else:
        return None
    return Fix(
        f"Read `{read.name}` without a default (set it as a Space secret)",
        (edit,),
        Applicability.UNSAFE,
    )
