"""What kind of value the app expects in each variable it reads: an integer, a number, a
boolean, a URL of some scheme, an e-mail address, one of a few choices, a path, a JSON list or
object, or plain text, with the bounds it must respect (`Field(ge=1)`, `min_length=32`,
`pattern=...`). Read from the settings field's annotation and `Field(...)`, or from what the code
does with an `os.getenv`-style read (`int(os.getenv("X"))`, `Path(os.environ["X"])`), then from
the name. `verify` turns each type into a placeholder value the app accepts."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from hfdeploy.environment.reads import env_reads
from hfdeploy.pycode import Located, bound_names, candidate_files

if TYPE_CHECKING:
    from hfdeploy.project import Project

ValueKind = Literal[
    "int",
    "float",
    "bool",
    "url",
    "list",
    "dict",
    "str",
    "email",
    "choice",
    "uuid",
    "datetime",
    "date",
    "time",
    "duration",
    "path",
    "directory",
    "file",
    "new path",
    "ip address",
    "ip network",
    "ip interface",
]
Choice = str | int | float | bool


@dataclass(frozen=True)
class ValueType:
    """The type a variable's value must have, with the constraints the app's validation puts on
    it. `schemes` (URL): the schemes the type accepts, the first one preferred; `choices`: the
    values of a `Literal[...]` or of an `Enum` defined in the project; `version`: a UUID's or an
    IP address's version; `item`: a list's element type."""

    kind: ValueKind = "str"
    schemes: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    multiple_of: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    version: int | None = None
    timezone: bool | None = None  # datetime: True aware only, False naive only
    item: ValueType | None = None

    @property
    def label(self) -> str:
        """How the report names it: "int", "email", "URL (redis)", "choice" ..."""
        if self.kind == "url" and self.schemes:
            return f"url ({self.schemes[0].split('+')[0]})"
        return self.kind

    def constrained(self, constraints: dict[str, object]) -> ValueType:
        """This type with the bounds of a `Field(...)`, `conint(...)` or `Annotated` metadata."""
        changes: dict[str, object] = {}
        for key, value in constraints.items():
            key = _CONSTRAINT_ALIASES.get(key, key)
            if key in ("ge", "gt", "le", "lt", "multiple_of") and isinstance(value, (int, float)):
                changes[key] = value
            elif key in ("min_length", "max_length") and isinstance(value, int):
                changes[key] = value
            elif key == "pattern" and isinstance(value, str):
                changes[key] = value
        return replace(self, **changes) if changes else self  # type: ignore[arg-type]


STR = ValueType()
_CONSTRAINT_ALIASES = {
    "regex": "pattern",  # pydantic v1
    "min_items": "min_length",  # pydantic v1 conlist / Field
    "max_items": "max_length",
    "curtail_length": "max_length",
}

# pydantic's network types and the schemes each accepts (the first: the one a placeholder uses).
_URL_SCHEMES: dict[str, tuple[str, ...]] = {
    "AnyUrl": (),
    "Url": (),
    "AnyHttpUrl": ("https", "http"),
    "HttpUrl": ("https", "http"),
    "FileUrl": ("file",),
    "FtpUrl": ("ftp",),
    "WebsocketUrl": ("wss", "ws"),
    "AnyWebsocketUrl": ("wss", "ws"),
    "PostgresDsn": ("postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg"),
    "CockroachDsn": ("cockroachdb", "cockroachdb+psycopg2", "cockroachdb+asyncpg"),
    "MySQLDsn": ("mysql+pymysql", "mysql", "mysql+aiomysql", "mysql+asyncmy"),
    "MariaDBDsn": ("mariadb+pymysql", "mariadb", "mariadb+mariadbconnector"),
    "ClickHouseDsn": ("clickhouse+native", "clickhouse+asynch"),
    "SnowflakeDsn": ("snowflake",),
    "RedisDsn": ("redis", "rediss"),
    "MongoDsn": ("mongodb", "mongodb+srv"),
    "AmqpDsn": ("amqp", "amqps"),
    "KafkaDsn": ("kafka",),
    "NatsDsn": ("nats", "tls", "ws", "wss"),
}
_SIMPLE: dict[str, ValueType] = {
    "str": STR,
    "SecretStr": STR,
    "SecretBytes": STR,
    "bytes": STR,
    "StrictStr": STR,
    "constr": STR,
    "int": ValueType("int"),
    "StrictInt": ValueType("int"),
    "conint": ValueType("int"),
    "PositiveInt": ValueType("int", gt=0),
    "NegativeInt": ValueType("int", lt=0),
    "NonNegativeInt": ValueType("int", ge=0),
    "NonPositiveInt": ValueType("int", le=0),
    "float": ValueType("float"),
    "StrictFloat": ValueType("float"),
    "confloat": ValueType("float"),
    "condecimal": ValueType("float"),
    "Decimal": ValueType("float"),
    "PositiveFloat": ValueType("float", gt=0),
    "NegativeFloat": ValueType("float", lt=0),
    "NonNegativeFloat": ValueType("float", ge=0),
    "NonPositiveFloat": ValueType("float", le=0),
    "FiniteFloat": ValueType("float"),
    "bool": ValueType("bool"),
    "StrictBool": ValueType("bool"),
    "EmailStr": ValueType("email"),
    "NameEmail": ValueType("email"),
    "UUID": ValueType("uuid"),
    "UUID1": ValueType("uuid", version=1),
    "UUID3": ValueType("uuid", version=3),
    "UUID4": ValueType("uuid", version=4),
    "UUID5": ValueType("uuid", version=5),
    "datetime": ValueType("datetime"),
    "AwareDatetime": ValueType("datetime", timezone=True),
    "NaiveDatetime": ValueType("datetime", timezone=False),
    "PastDatetime": ValueType("datetime"),
    "date": ValueType("date"),
    "PastDate": ValueType("date"),
    "time": ValueType("time"),
    "timedelta": ValueType("duration"),
    "Path": ValueType("path"),
    "PurePath": ValueType("path"),
    "PosixPath": ValueType("path"),
    "DirectoryPath": ValueType("directory"),
    "FilePath": ValueType("file"),
    "NewPath": ValueType("new path"),
    "IPvAnyAddress": ValueType("ip address"),
    "IPv4Address": ValueType("ip address", version=4),
    "IPv6Address": ValueType("ip address", version=6),
    "IPvAnyNetwork": ValueType("ip network"),
    "IPv4Network": ValueType("ip network", version=4),
    "IPv6Network": ValueType("ip network", version=6),
    "IPvAnyInterface": ValueType("ip interface"),
    "IPv4Interface": ValueType("ip interface", version=4),
    "IPv6Interface": ValueType("ip interface", version=6),
    "dict": ValueType("dict"),
    "Dict": ValueType("dict"),
    "Mapping": ValueType("dict"),
    "Json": ValueType("dict"),
}
_SEQUENCES = frozenset(
    {"list", "List", "set", "Set", "tuple", "Tuple", "frozenset", "FrozenSet", "Sequence"}
)
_SEQUENCE_CONSTRAINED = frozenset({"conlist", "conset", "confrozenset"})
_ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"})
_CASTS: dict[str, ValueType] = {
    "int": ValueType("int"),
    "float": ValueType("float"),
    "bool": ValueType("bool"),
    "Decimal": ValueType("float"),
    "Path": ValueType("path"),
    "PurePath": ValueType("path"),
    "UUID": ValueType("uuid"),
    "loads": ValueType("dict"),  # json.loads
    "ip_address": ValueType("ip address"),
    "IPv4Address": ValueType("ip address", version=4),
    "ip_network": ValueType("ip network"),
    "urlparse": ValueType("url"),
    "urlsplit": ValueType("url"),
    "fromisoformat": ValueType("datetime"),  # datetime.fromisoformat; date./time. below
}
_ISO_OWNERS: dict[str, ValueType] = {"date": ValueType("date"), "time": ValueType("time")}
_URL_NAME = re.compile(r"(?:^|_)(?:URL|URI|DSN|ENDPOINT|BASE_URL|WEBHOOK)$", re.IGNORECASE)
# Names that are numbers by every convention (DB_PORT, JWT_EXPIRY_DAYS, TOKEN_TTL, MAX_WORKERS).
_INT_NAME = re.compile(
    r"(?:^|_)(?:PORT|TIMEOUT|DAYS|HOURS|MINUTES|SECONDS|TTL|SIZE|LIMIT|COUNT|WORKERS|RETRIES)$"
    r"|^(?:MAX|MIN|NUM)_",
    re.IGNORECASE,
)
_BOOL_WORDS = frozenset({"true", "1", "yes", "on", "false", "0", "no", "off"})
_CLASS = re.compile(r"^[ \t]*class[ \t]", re.MULTILINE)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node: ast.expr | None) -> object:
    """A literal, or arithmetic on literals (`60 * 24`, `-1`, `2**10`); None otherwise."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
        return None
    if isinstance(node, ast.BinOp):
        left, right = _literal(node.left), _literal(node.right)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
            return None
        return _arithmetic(node.op, left, right)  # type: ignore[arg-type]
    return None


def _arithmetic(op: ast.operator, a: float, b: float) -> float | None:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.FloorDiv) and b:
        return a // b
    if isinstance(op, ast.Div) and b:
        return a / b
    if isinstance(op, ast.Pow) and abs(b) < 64:
        return float(a**b) if isinstance(a, float) or b < 0 else int(a**b)
    return None


def _keywords(call: ast.Call) -> dict[str, object]:
    return {k.arg: _literal(k.value) for k in call.keywords if k.arg}


def project_enums(project: Project) -> dict[str, tuple[Choice, ...]]:
    """Enum classes the project defines (also through its own enum bases) and their values."""

    def collect() -> dict[str, tuple[Choice, ...]]:
        classes = [
            node
            for module in candidate_files(project, "Enum", "StrEnum", "IntEnum")
            for node in module.nodes_matching(_CLASS)
            if isinstance(node, ast.ClassDef)
        ]
        enums = set(_ENUM_BASES)
        changed = True
        while changed:
            changed = False
            for node in classes:
                if node.name not in enums and any(_name(b) in enums for b in node.bases):
                    enums.add(node.name)
                    changed = True
        found: dict[str, tuple[Choice, ...]] = {}
        for node in classes:
            if node.name in _ENUM_BASES or node.name not in enums:
                continue
            str_enum = any(_name(b) in ("str", "StrEnum") for b in node.bases)
            values: list[Choice] = []
            for stmt in node.body:
                if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
                    continue
                target = stmt.targets[0]
                if not isinstance(target, ast.Name) or target.id.startswith("_"):
                    continue
                value = _literal(stmt.value)
                if isinstance(stmt.value, ast.Call) and _name(stmt.value.func) == "auto":
                    value = target.id.lower() if str_enum else len(values) + 1
                if isinstance(value, (str, int, float, bool)):
                    values.append(value)
            if values:
                found.setdefault(node.name, tuple(values))
        return found

    return project.memo("env-project-enums", collect)


def annotation_type(
    annotation: ast.expr, enums: dict[str, tuple[Choice, ...]] | None = None
) -> ValueType | None:
    """The type a pydantic field of this annotation parses (`Optional[...]`, `X | None`,
    `Union[...]` and `Annotated[...]` looked through; `Annotated` metadata and `conint(...)`
    arguments become bounds). None when the annotation says nothing known."""
    enums = enums or {}
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        for side in (annotation.left, annotation.right):
            if not (isinstance(side, ast.Constant) and side.value is None):
                return annotation_type(side, enums)
        return None
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return annotation_type(ast.parse(annotation.value, mode="eval").body, enums)
        except SyntaxError:
            return None
    if isinstance(annotation, ast.Call):  # conint(gt=0), constr(min_length=32), conlist(int)
        func = _name(annotation.func) or ""
        if func in _SEQUENCE_CONSTRAINED:
            item = annotation_type(annotation.args[0], enums) if annotation.args else None
            item_kw = next((k.value for k in annotation.keywords if k.arg == "item_type"), None)
            if item is None and item_kw is not None:
                item = annotation_type(item_kw, enums)
            return ValueType("list", item=item).constrained(_keywords(annotation))
        base = _SIMPLE.get(func)
        return base.constrained(_keywords(annotation)) if base is not None else None
    if isinstance(annotation, ast.Subscript):
        outer = _name(annotation.value) or ""
        args = (
            list(annotation.slice.elts)
            if isinstance(annotation.slice, ast.Tuple)
            else [annotation.slice]
        )
        if outer in ("Optional", "Union"):
            for arg in args:
                if not (isinstance(arg, ast.Constant) and arg.value is None):
                    return annotation_type(arg, enums)
            return None
        if outer == "Annotated":
            inner = annotation_type(args[0], enums) if args else None
            if inner is None:
                return None
            for meta in args[1:]:
                inner = inner.constrained(_metadata(meta))
            return inner
        if outer == "Literal":
            choices = tuple(
                v for v in (_literal(a) for a in args) if isinstance(v, (str, int, float, bool))
            )
            return ValueType("choice", choices=choices) if choices else None
        if outer in _SEQUENCES:
            item = annotation_type(args[0], enums) if args else None
            return ValueType("list", item=item)
        if outer == "Json" and args:  # Json[list[int]]: the JSON text of that type
            return annotation_type(args[0], enums) or _SIMPLE["Json"]
        simple = _SIMPLE.get(outer)
        if simple is not None:
            return simple
        return ValueType("url", schemes=_URL_SCHEMES[outer]) if outer in _URL_SCHEMES else None
    name = _name(annotation) or ""
    if name in _SEQUENCES:
        return ValueType("list")
    if name in _URL_SCHEMES:
        return ValueType("url", schemes=_URL_SCHEMES[name])
    if name in enums:
        return ValueType("choice", choices=enums[name])
    return _SIMPLE.get(name)


def _metadata(node: ast.expr) -> dict[str, object]:
    """Bounds in `Annotated` metadata: `Field(ge=1)`, `annotated_types.Ge(1)`, `MinLen(32)`,
    `StringConstraints(min_length=32)`."""
    if not isinstance(node, ast.Call):
        return {}
    func = _name(node.func) or ""
    first = _literal(node.args[0]) if node.args else None
    positional = {
        "Ge": "ge",
        "Gt": "gt",
        "Le": "le",
        "Lt": "lt",
        "MultipleOf": "multiple_of",
        "MinLen": "min_length",
        "MaxLen": "max_length",
    }
    if func in positional:
        return {positional[func]: first}
    if func == "Len":
        found = {"min_length": first}
        if len(node.args) > 1:
            found["max_length"] = _literal(node.args[1])
        return {**found, **{k: v for k, v in _keywords(node).items() if k in found}}
    if func in ("Interval", "Field", "StringConstraints", "FieldInfo"):
        return _keywords(node)
    return {}


def annotation_kind(annotation: ast.expr) -> ValueKind | None:
    """The coarse kind a pydantic field of this annotation parses (`Optional[...]` looked
    through); `annotation_type` has its bounds and schemes."""
    found = annotation_type(annotation)
    return found.kind if found is not None else None


def _read_type(
    read_node: ast.AST, parent: ast.AST | None, enums: dict[str, tuple[Choice, ...]]
) -> ValueType | None:
    if isinstance(parent, ast.Call) and read_node in parent.args:
        func = _name(parent.func) or ""
        if func == "fromisoformat" and isinstance(parent.func, ast.Attribute):
            owner = _name(parent.func.value) or ""
            return _ISO_OWNERS.get(owner, _CASTS[func])
        if func in enums:  # Mode(os.environ["MODE"]): one of the enum's values
            return ValueType("choice", choices=enums[func])
        return _CASTS.get(func)
    if isinstance(parent, ast.Compare) and any(
        isinstance(c, ast.Constant) and str(c.value).lower() in _BOOL_WORDS
        for c in parent.comparators
    ):
        return ValueType("bool")
    if (
        isinstance(parent, ast.Compare)
        and parent.left is read_node
        and len(parent.ops) == 1
        and isinstance(parent.ops[0], (ast.In, ast.NotIn))
        and isinstance(parent.comparators[0], (ast.Tuple, ast.List, ast.Set))
    ):  # `os.environ["MODE"] in ("dev", "prod")`: one of these is expected
        choices = tuple(
            e.value
            for e in parent.comparators[0].elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
        return ValueType("choice", choices=choices) if choices else None
    return None


def _field_constraints(node: ast.AnnAssign) -> dict[str, object]:
    """`x: int = Field(3, ge=1)` -> {"ge": 1} (pydantic v1 and v2 keyword names)."""
    value = node.value
    if isinstance(value, ast.Call) and _name(value.func) == "Field":
        return _keywords(value)
    return {}


def variable_types(project: Project) -> dict[str, ValueType]:
    """Variable name -> the type of value the app parses it as (plain text when nothing says
    more). The first read that says something more than text decides."""

    def collect() -> dict[str, ValueType]:
        enums = project_enums(project)
        types: dict[str, ValueType] = {}
        for read in env_reads(project):
            found: ValueType | None = None
            if read.kind == "settings" and isinstance(read.node, ast.AnnAssign):
                found = annotation_type(read.node.annotation, enums)
                constraints = _field_constraints(read.node)
                if constraints:
                    found = (found or STR).constrained(constraints)
            elif read.kind == "client":  # read by a library: its key, version, endpoint
                found = None
            elif read.kind == "starlette" and isinstance(read.node, ast.Call):
                found = _starlette_cast(read.node) or _code_type(read.module, read.node, enums)
            else:
                found = _code_type(read.module, read.node, enums)
            if found == STR:
                found = None  # plain text: the name may say more
            if found is None and _URL_NAME.search(read.name):
                found = ValueType("url")
            elif found is None and read.kind != "settings" and _INT_NAME.search(read.name):
                found = ValueType("int")  # an annotated settings field says its own type
            if found is not None and types.get(read.name, STR) == STR:
                types[read.name] = found
            types.setdefault(read.name, STR)
        return types

    return project.memo("env-value-types", collect)


def _code_type(
    module: Located, node: ast.AST, enums: dict[str, tuple[Choice, ...]]
) -> ValueType | None:
    """What the code does with the value: a cast or a comparison around the read, or the
    same done to the name it is assigned to (`port = os.getenv("DB_PORT")` ... `int(port)`)
    in that module."""
    found = _use_type(module, node, enums)
    if found is not None:
        return found
    for name in bound_names(module, node):
        uses = module.nodes_matching(re.compile(rf"\b{re.escape(name)}\b"))
        for use in uses:
            if isinstance(use, ast.Name) and use.id == name and isinstance(use.ctx, ast.Load):
                found = _use_type(module, use, enums)
                if found is not None:
                    return found
    return None


def _use_type(
    module: Located, node: ast.AST, enums: dict[str, tuple[Choice, ...]]
) -> ValueType | None:
    parent = module.parent_of(node)
    # `.lower()` / `.strip()` between the read and the comparison
    while isinstance(parent, ast.Attribute) and isinstance(module.parent_of(parent), ast.Call):
        node = module.parent_of(parent)  # type: ignore[assignment]
        parent = module.parent_of(node)
    return _read_type(node, parent, enums)


# starlette's `config("X", cast=...)`: what each cast parses.
_STARLETTE_CASTS: dict[str, ValueType] = {
    **_CASTS,
    "URL": ValueType("url"),
    "DatabaseURL": ValueType("url"),
    "Secret": STR,
    "CommaSeparatedStrings": STR,
}


def _starlette_cast(call: ast.Call) -> ValueType | None:
    cast = next((k.value for k in call.keywords if k.arg == "cast"), None)
    if cast is None and len(call.args) > 1:
        cast = call.args[1]
    return _STARLETTE_CASTS.get(_name(cast) or "") if cast is not None else None


def variable_kinds(project: Project) -> dict[str, ValueKind]:
    """Variable name -> the kind of value the app parses it as ("str" when nothing says more)."""
    return {name: found.kind for name, found in variable_types(project).items()}
