"""What kind of value the app expects in each variable it reads: an integer, a number, a
boolean, a URL, a JSON list or object, or plain text. Read from the settings field's annotation, or from the
call that wraps an `os.getenv`-style read (`int(os.getenv("X"))`), then from the name."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Literal

from hfdeploy.environment.reads import env_reads

if TYPE_CHECKING:
    from hfdeploy.project import Project

ValueKind = Literal["int", "float", "bool", "url", "list", "dict", "str"]

_ANNOTATIONS: dict[str, ValueKind] = {
    "int": "int",
    "PositiveInt": "int",
    "NonNegativeInt": "int",
    "conint": "int",
    "float": "float",
    "PositiveFloat": "float",
    "confloat": "float",
    "Decimal": "float",
    "bool": "bool",
    "StrictBool": "bool",
    "AnyUrl": "url",
    "HttpUrl": "url",
    "AnyHttpUrl": "url",
    "Url": "url",
    "WebsocketUrl": "url",
    "PostgresDsn": "url",
    "MySQLDsn": "url",
    "RedisDsn": "url",
    "MongoDsn": "url",
    "AmqpDsn": "url",
    "KafkaDsn": "url",
    "CockroachDsn": "url",
    "AnyWebsocketUrl": "url",
    "list": "list",
    "List": "list",
    "set": "list",
    "Set": "list",
    "tuple": "list",
    "Tuple": "list",
    "frozenset": "list",
    "dict": "dict",
    "Dict": "dict",
}
_CASTS: dict[str, ValueKind] = {"int": "int", "float": "float", "bool": "bool", "Decimal": "float"}
_URL_NAME = re.compile(r"(?:^|_)(?:URL|URI|DSN|ENDPOINT|BASE_URL|WEBHOOK)$", re.IGNORECASE)
# Names that are numbers by every convention (DB_PORT, JWT_EXPIRY_DAYS, TOKEN_TTL, MAX_WORKERS).
_INT_NAME = re.compile(
    r"(?:^|_)(?:PORT|TIMEOUT|DAYS|HOURS|MINUTES|SECONDS|TTL|SIZE|LIMIT|COUNT|WORKERS|RETRIES)$"
    r"|^(?:MAX|MIN|NUM)_",
    re.IGNORECASE,
)
_BOOL_WORDS = frozenset({"true", "1", "yes", "on", "false", "0", "no", "off"})


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def annotation_kind(annotation: ast.expr) -> ValueKind | None:
    """The kind a pydantic field of this annotation parses (`Optional[...]` looked through)."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        for side in (annotation.left, annotation.right):
            if not (isinstance(side, ast.Constant) and side.value is None):
                return annotation_kind(side)
        return None
    if isinstance(annotation, ast.Subscript):
        outer = _name(annotation.value)
        if outer == "Optional":
            return annotation_kind(annotation.slice)
        if outer == "Annotated":
            first = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else None
            return annotation_kind(first) if first is not None else None
        return _ANNOTATIONS.get(outer or "")
    if isinstance(annotation, ast.Call):  # conint(gt=0)
        return _ANNOTATIONS.get(_name(annotation.func) or "")
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return annotation_kind(ast.parse(annotation.value, mode="eval").body)
        except SyntaxError:
            return None
    return _ANNOTATIONS.get(_name(annotation) or "")


def _read_kind(read_node: ast.AST, parent: ast.AST | None) -> ValueKind | None:
    if isinstance(parent, ast.Call) and read_node in parent.args:
        return _CASTS.get(_name(parent.func) or "")
    if isinstance(parent, ast.Compare) and any(
        isinstance(c, ast.Constant) and str(c.value).lower() in _BOOL_WORDS
        for c in parent.comparators
    ):
        return "bool"
    return None


def variable_kinds(project: Project) -> dict[str, ValueKind]:
    """Variable name -> the kind of value the app parses it as ("str" when nothing says more)."""

    def collect() -> dict[str, ValueKind]:
        kinds: dict[str, ValueKind] = {}
        for read in env_reads(project):
            kind: ValueKind | None = None
            if read.kind == "settings" and isinstance(read.node, ast.AnnAssign):
                kind = annotation_kind(read.node.annotation)
            else:
                node: ast.AST = read.node
                parent = read.module.parent_of(node)
                # `.lower()` / `.strip()` between the read and the comparison
                while isinstance(parent, ast.Attribute) and isinstance(
                    read.module.parent_of(parent), ast.Call
                ):
                    node = read.module.parent_of(parent)  # type: ignore[assignment]
                    parent = read.module.parent_of(node)
                kind = _read_kind(node, parent)
            if kind is None and _URL_NAME.search(read.name):
                kind = "url"
            elif kind is None and read.kind != "settings" and _INT_NAME.search(read.name):
                kind = "int"  # an annotated settings field says its own type
            if kind is not None and kinds.get(read.name, "str") == "str":
                kinds[read.name] = kind
            kinds.setdefault(read.name, "str")
        return kinds

    return project.memo("env-value-kinds", collect)
