"""What the app's database needs from the environment: the dialect family its engine speaks,
whether the engine is async, the variables whose whole value becomes the engine URL, and the
variables that fill the URL's parts when the code assembles it (`f"postgresql://{user}:..."`).

Found by following each URL back from where it is used — `create_engine(...)`,
`create_async_engine(...)`, Alembic's `config.set_main_option("sqlalchemy.url", ...)`, and the
address a driver's own call takes as keywords (`pymysql.connect(host=..., user=...)`,
`aiomysql.create_pool(...)`, `asyncpg.connect(...)`: the connects module) — through
assignments, imports, settings fields and properties, string methods (`.replace(...)`),
f-strings, `str.format`, `%`, concatenation and `URL.create(...)`, down to the environment
reads the environment domain finds. The variable's name does not matter.

`verify` asks this to give the app a database it can reach (a throwaway server and the URL or
parts that point at it)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal, cast

from hfdeploy.database.connects import driver_calls
from hfdeploy.database.dependencies import (
    DRIVERS,
    sqlalchemy_allows_21,
    sqlalchemy_dependents,
    sqlalchemy_series,
)
from hfdeploy.database.engines import engine_calls
from hfdeploy.database.sources import database_urls, is_test_file
from hfdeploy.database.urls import parse_url
from hfdeploy.environment.reads import classify, os_bindings
from hfdeploy.environment.settings import settings_classes, settings_fields
from hfdeploy.pycode import Located, bindings, candidate_files, located

if TYPE_CHECKING:
    from hfdeploy.project import Project

Part = Literal["user", "password", "host", "port", "database"]
Family = Literal["postgresql", "mysql", "sqlite", "unknown"]
MAX_DEPTH = 8

_FAMILIES: dict[str, Family] = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "cockroachdb": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}
# Drivers SQLAlchemy can use from an async engine, and from a plain one, per family.
ASYNC_DRIVERS: dict[Family, tuple[str, ...]] = {
    "postgresql": ("asyncpg", "psycopg"),
    "mysql": ("aiomysql", "asyncmy"),
    "sqlite": ("aiosqlite",),
}
SYNC_DRIVERS: dict[Family, tuple[str, ...]] = {
    "postgresql": ("psycopg2", "psycopg", "pg8000"),
    "mysql": ("pymysql", "mysqldb", "mysqlconnector"),
    "sqlite": ("pysqlite",),
}
# `dialect://` without `+driver`: the driver SQLAlchemy loads (postgresql: psycopg2 before 2.1,
# psycopg from 2.1, so either one installed will do).
_DEFAULT_DRIVER: dict[str, tuple[str, ...]] = {
    "postgresql": ("psycopg2", "psycopg"),
    "mysql": ("mysqldb",),
    "mariadb": ("mysqldb",),
    "sqlite": ("pysqlite",),
}
_STRING_METHODS = frozenset(
    {"strip", "rstrip", "lstrip", "removeprefix", "removesuffix", "render_as_string"}
)
# SQLAlchemy's own URL pattern (sqlalchemy.engine.url._parse_url), enough to tell parts apart.
_URL_SHAPE = re.compile(
    r"(?P<scheme>[\w+]+)://"
    r"(?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?"
    r"(?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?"
    r"(?:/(?P<database>[^?]*))?"
    r"(?:\?(?P<query>.*))?$",
    re.DOTALL,
)
_MARK = re.compile("\x01(\\d+)\x02")
_URL_CREATE_PARTS: dict[str, Part] = {
    "username": "user",
    "password": "password",
    "host": "host",
    "port": "port",
    "database": "database",
}


@dataclass(frozen=True)
class Whole:
    """The variable's whole value is (after `edits`, `.replace(old, new)` in order) the URL."""

    variable: str
    edits: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Assembled:
    """The code builds the URL from parts: `scheme` as written, and the variables in each part."""

    scheme: str | None
    parts: tuple[tuple[str, Part], ...]
    # Where it is assembled, and whether nothing stands between `://` and the path
    # (`postgresql:///{user}:{password}@{host}/{db}`: every part lands in the database name).
    module: Located | None = field(default=None, compare=False)
    node: ast.expr | None = field(default=None, compare=False)
    no_server: bool = False
    # The address is a driver call's keywords and names no port: the server must listen on the
    # family's default port (a host keyword takes no `host:port`).
    default_port: bool = False
    call: str = field(default="", compare=False)  # the driver's call, when it is one


@dataclass(frozen=True)
class Written:
    url: str


Flow = Whole | Assembled | Written


@dataclass(frozen=True)
class Sink:
    """Where a URL is used: an engine (async or not) or Alembic's configuration."""

    path: PurePosixPath
    line: int
    is_async: bool
    flows: tuple[Flow, ...]


@dataclass(frozen=True)
class DatabaseInputs:
    family: Family
    is_async: bool
    # Variable -> the scheme to give it (`postgresql`, `postgresql+asyncpg`): one every use of
    # the variable accepts after the code's own rewrites.
    url_variables: dict[str, str] = field(default_factory=dict)
    part_variables: dict[str, Part] = field(default_factory=dict)  # variable -> URL part
    evidence: tuple[str, ...] = ()  # where the family was read, for messages
    sinks: tuple[Sink, ...] = ()
    # Host variables that go into a URL string with no port after them
    # (`f"postgresql://{user}:{pw}@{host}/{db}"`): a server on another port than the default
    # must be given to them as `host:port`.
    portless_hosts: frozenset[str] = frozenset()
    # Host variables a driver call takes with no port keyword (`pymysql.connect(host=HOST,
    # user=...)`): the app reaches a server on the family's default port only.
    default_port_hosts: frozenset[str] = frozenset()

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(self.url_variables) | frozenset(self.part_variables)


def database_inputs(project: Project) -> DatabaseInputs:
    return project.memo("db-inputs", lambda: _analyse(project))


# -- the data flow ----------------------------------------------------------------------------


@dataclass
class _Scope:
    """Where a name is looked up: the enclosing function, the enclosing class body."""

    module: Located
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    cls: ast.ClassDef | None = None


class _Tracer:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.fields = settings_fields(project)
        self.classes = _class_index(project)

    def trace(self, scope: _Scope, expr: ast.expr, depth: int = 0) -> list[Flow]:
        if depth > MAX_DEPTH:
            return []
        module = scope.module
        read = classify(expr, *os_bindings(module))
        if read is not None:
            return [Whole(read[0])]
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str) and parse_url(expr.value) is not None:
                return [Written(expr.value)]
            return []
        if isinstance(expr, (ast.JoinedStr, ast.BinOp)):
            pieces = _pieces(expr)
            if pieces is None:
                return []
            return self._template(scope, pieces, depth, expr)
        if isinstance(expr, ast.BoolOp):
            return [f for v in expr.values for f in self.trace(scope, v, depth + 1)]
        if isinstance(expr, ast.IfExp):
            return self.trace(scope, expr.body, depth + 1) + self.trace(
                scope, expr.orelse, depth + 1
            )
        if isinstance(expr, ast.Call):
            return self._call(scope, expr, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute(scope, expr, depth)
        if isinstance(expr, ast.Name):
            return self._name(scope, expr.id, expr, depth)
        return []

    # `str(x)`, `x.replace(a, b)`, `"...".format(...)`, `URL.create(...)`, `get_url()`
    def _call(self, scope: _Scope, call: ast.Call, depth: int) -> list[Flow]:
        func = call.func
        if isinstance(func, ast.Name) and func.id == "str" and len(call.args) == 1:
            return self.trace(scope, call.args[0], depth + 1)
        if isinstance(func, ast.Attribute):
            if (
                func.attr == "format"
                and isinstance(func.value, ast.Constant)
                and isinstance(func.value.value, str)
            ):
                return self._format(scope, func.value.value, call, depth)
            if func.attr == "create" and _name_of(func.value) == "URL":
                return self._url_create(scope, call, depth)
            if func.attr == "replace" and len(call.args) >= 2:
                old, new = (_text(a) for a in call.args[:2])
                inner = self.trace(scope, func.value, depth + 1)
                if old is None or new is None:
                    return inner
                return [
                    Whole(f.variable, (*f.edits, (old, new))) if isinstance(f, Whole) else f
                    for f in inner
                ]
            if func.attr in _STRING_METHODS:
                return self.trace(scope, func.value, depth + 1)
            # `settings.get_url()`: a method of a class of the project
            return [
                f
                for owner_scope, method in self.classes.methods(func.attr)
                for f in self._returns(owner_scope, method, depth)
            ]
        if isinstance(func, ast.Name):
            defined = _function(scope.module, func.id)
            if defined is not None:
                return self._returns(_Scope(scope.module, defined), defined, depth)
        return []

    def _returns(
        self, scope: _Scope, func: ast.FunctionDef | ast.AsyncFunctionDef, depth: int
    ) -> list[Flow]:
        inner = _Scope(scope.module, func, scope.cls)
        return [
            f
            for node in ast.walk(func)
            if isinstance(node, ast.Return) and node.value is not None
            for f in self.trace(inner, node.value, depth + 1)
        ]

    def _attribute(self, scope: _Scope, expr: ast.Attribute, depth: int) -> list[Flow]:
        name = expr.attr
        if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls") and scope.cls:
            found = self._class_member(scope, scope.cls, name, depth)
            if found is not None:
                return found
        fields = [f for f in self.fields if f.name == name]
        if len({f.env_name for f in fields}) == 1:
            return [Whole(fields[0].env_name)]
        flows: list[Flow] = []
        for owner_scope, cls in self.classes.with_member(name):
            flows += self._class_member(owner_scope, cls, name, depth) or []
        return flows

    def _class_member(
        self, scope: _Scope, cls: ast.ClassDef, name: str, depth: int
    ) -> list[Flow] | None:
        """A settings field, a `@property` (or method), or a plain class attribute."""
        for settings in settings_classes(self.project):
            if settings.node is cls:
                for f in settings.fields:
                    if f.name == name:
                        return [Whole(f.env_name)]
        inner = _Scope(scope.module, None, cls)
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return self._returns(inner, stmt, depth)
            value = _value(stmt, name)
            if value is not None:
                return self.trace(inner, value, depth + 1)
        return None

    def _name(self, scope: _Scope, name: str, at: ast.AST, depth: int) -> list[Flow]:
        module = scope.module
        if scope.function is not None:
            values = [
                value
                for stmt in ast.walk(scope.function)
                if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
                and getattr(stmt, "lineno", 0) < getattr(at, "lineno", 1 << 30)
                for value in [_value(stmt, name)]
                if value is not None
            ]
            if values:
                outer = _Scope(module, None, scope.cls)
                return [f for v in values for f in self.trace(outer, v, depth + 1)]
        if scope.cls is not None:
            for stmt in scope.cls.body:
                value = _value(stmt, name)
                if value is not None:
                    return self.trace(scope, value, depth + 1)
        return self._module_name(module, name, depth)

    def _module_name(self, module: Located, name: str, depth: int) -> list[Flow]:
        """Every module-level assignment of `name` (in `if`/`try` blocks too), or its import."""
        scope = _Scope(module)
        flows: list[Flow] = []
        for stmt in _module_statements(module.tree):
            value = _value(stmt, name)
            if value is not None:
                flows += self.trace(scope, value, depth + 1)
            elif isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if (alias.asname or alias.name) == name:
                        other = _imported_module(self.project, module, stmt)
                        if other is not None and depth < MAX_DEPTH:
                            flows += self._module_name(other, alias.name, depth + 1)
        return flows

    # -- assembled URLs ---------------------------------------------------------------------

    def _template(
        self, scope: _Scope, pieces: list[str | ast.expr], depth: int, node: ast.expr
    ) -> list[Flow]:
        text = "".join(p if isinstance(p, str) else f"\x01{i}\x02" for i, p in enumerate(pieces))
        exprs = {i: p for i, p in enumerate(pieces) if not isinstance(p, str)}
        return self._shape(scope, text, exprs, depth, node)

    def _format(self, scope: _Scope, template: str, call: ast.Call, depth: int) -> list[Flow]:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        exprs: dict[int, ast.expr] = {}
        position = 0

        def mark(match: re.Match[str]) -> str:
            nonlocal position
            key = match.group(1).split("!")[0].split(":")[0]
            if key == "":
                key, position = str(position), position + 1
            value = (
                call.args[int(key)]
                if key.isdigit() and int(key) < len(call.args)
                else keywords.get(key)
            )
            if value is None:
                return "x"
            exprs[len(exprs)] = value
            return f"\x01{len(exprs) - 1}\x02"

        text = re.sub(r"\{([^{}]*)\}", mark, template)
        return self._shape(scope, text, exprs, depth, call)

    def _shape(
        self, scope: _Scope, text: str, exprs: dict[int, ast.expr], depth: int, node: ast.expr
    ) -> list[Flow]:
        whole = _MARK.fullmatch(text.split("?", 1)[0])
        if whole is not None:  # f"{url}" or f"{url}?sslmode=require": the value is the URL
            return self.trace(scope, exprs[int(whole.group(1))], depth + 1)
        match = _URL_SHAPE.match(text)
        if match is None or _MARK.search(match.group("scheme")):
            return []
        parts: list[tuple[str, Part]] = []
        for part in ("user", "password", "host", "port", "database"):
            segment = match.group(part)
            if part == "host":
                segment = segment or match.group("ipv6host")
            for mark in _MARK.finditer(segment or ""):
                for flow in self.trace(scope, exprs[int(mark.group(1))], depth + 1):
                    if isinstance(flow, Whole):
                        parts.append((flow.variable, part))
        no_server = (
            match.group("host") is None
            and match.group("ipv6host") is None
            and match.group("user") is None
            and bool(_MARK.search(match.group("database") or ""))
        )
        return [
            Assembled(
                match.group("scheme"),
                tuple(dict.fromkeys(parts)),
                scope.module,
                node,
                no_server,
            )
        ]

    def _url_create(self, scope: _Scope, call: ast.Call, depth: int) -> list[Flow]:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        driver = call.args[0] if call.args else keywords.get("drivername")
        scheme = _text(driver) if driver is not None else None
        parts: list[tuple[str, Part]] = []
        for keyword, part in _URL_CREATE_PARTS.items():
            value = keywords.get(keyword)
            if value is None:
                continue
            if isinstance(value, ast.Call) and _name_of(value.func) == "int" and value.args:
                value = value.args[0]
            for flow in self.trace(scope, value, depth + 1):
                if isinstance(flow, Whole):
                    parts.append((flow.variable, part))
        return [Assembled(scheme, tuple(dict.fromkeys(parts)))]


def _pieces(expr: ast.expr) -> list[str | ast.expr] | None:
    """An f-string, a `+` concatenation or a `%` formatting as text and expressions in order."""
    if isinstance(expr, ast.JoinedStr):
        out: list[str | ast.expr] = []
        for value in expr.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                out.append(value.value)
        return out
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = _pieces(expr.left), _pieces(expr.right)
        return [*(left or [expr.left]), *(right or [expr.right])]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
        template = _text(expr.left)
        if template is None:
            return None
        values = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
        chunks = re.split(r"%[sdr]", template)
        out = []
        for i, chunk in enumerate(chunks):
            out.append(chunk)
            if i < len(chunks) - 1:
                out.append(values[i] if i < len(values) else "x")
        return out
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    return None


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name_of(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def _value(stmt: ast.AST, name: str) -> ast.expr | None:
    """The value `stmt` binds to `name` (`name = v`, `name: T = v`, `a, name = u, v`)."""
    return next((value for bound, value in bindings(stmt) if bound == name), None)


def _module_statements(tree: ast.Module) -> list[ast.stmt]:
    """Module-level statements, looking into `if`/`try`/`with` blocks but not functions."""
    out: list[ast.stmt] = []
    stack = list(reversed(tree.body))
    while stack:
        stmt = stack.pop()
        out.append(stmt)
        if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            blocks = [stmt.body, getattr(stmt, "orelse", [])]
            if isinstance(stmt, ast.Try):
                blocks += [stmt.finalbody, *(h.body for h in stmt.handlers)]
            for block in reversed(blocks):
                stack.extend(reversed(block))
    return out


def _function(module: Located, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for stmt in module.tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return stmt
    return None


def _imported_module(project: Project, module: Located, stmt: ast.ImportFrom) -> Located | None:
    from hfdeploy.pysource.import_graph import resolve_module

    if stmt.level:
        base = module.path.parent
        for _ in range(stmt.level - 1):
            base = base.parent
        roots = [base]
    else:
        # absolute: from the root, from `src/`, or from the directories above the importer
        roots = list(
            dict.fromkeys([PurePosixPath("."), PurePosixPath("src"), *module.path.parents])
        )
    found = resolve_module(project, roots, stmt.module or "")
    return located(project, found) if found is not None else None


class _ClassIndex:
    def __init__(self, entries: list[tuple[_Scope, ast.ClassDef]]) -> None:
        self.entries = entries

    def with_member(self, name: str) -> list[tuple[_Scope, ast.ClassDef]]:
        found = []
        for scope, cls in self.entries:
            for stmt in cls.body:
                if _value(stmt, name) is not None or (
                    isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name
                ):
                    found.append((scope, cls))
                    break
        return found

    def methods(self, name: str) -> list[tuple[_Scope, ast.FunctionDef | ast.AsyncFunctionDef]]:
        return [
            (_Scope(scope.module, None, cls), stmt)
            for scope, cls in self.entries
            for stmt in cls.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name
        ]


_CLASS = re.compile(r"^[ \t]*class[ \t]", re.MULTILINE)


def _class_index(project: Project) -> _ClassIndex:
    """Classes of modules that read the environment or define settings (where URLs are kept)."""
    entries = []
    for module in candidate_files(project, "environ", "getenv", "BaseSettings", "://"):
        if is_test_file(module.path):
            continue
        for node in module.nodes_matching(_CLASS):
            if isinstance(node, ast.ClassDef):
                entries.append((_Scope(module), node))
    return _ClassIndex(entries)


# -- the uses ---------------------------------------------------------------------------------

_ALEMBIC_SET = re.compile(r"set_main_option|set_section_option|sqlalchemy\.url")


def sinks(project: Project) -> list[Sink]:
    def collect() -> list[Sink]:
        tracer = _Tracer(project)
        found = []
        for call in engine_calls(project):
            if is_test_file(call.module.path):
                continue
            scope = _enclosing(call.module, call.call)
            flows = tracer.trace(scope, call.url_arg)
            found.append(Sink(call.module.path, call.call.lineno, call.is_async, tuple(flows)))
        for connect in driver_calls(project):
            if is_test_file(connect.module.path):
                continue
            scope = _enclosing(connect.module, connect.call)
            parts: list[tuple[str, Part]] = []
            for part, passed in connect.parts:
                if isinstance(passed, ast.Call) and _name_of(passed.func) == "int" and passed.args:
                    passed = passed.args[0]  # `port=int(os.environ["DB_PORT"])`
                for flow in tracer.trace(scope, passed):
                    if isinstance(flow, Whole):
                        parts.append((flow.variable, cast(Part, part)))
            driver = connect.driver
            assembled = Assembled(
                f"{driver.family}+{driver.name}",
                tuple(dict.fromkeys(parts)),
                default_port=not connect.has_port,
                call=connect.function,
            )
            line = connect.call.lineno
            found.append(Sink(connect.module.path, line, driver.is_async, (assembled,)))
        for module in candidate_files(project, "sqlalchemy.url"):
            if is_test_file(module.path):
                continue
            is_async = "async_engine_from_config" in module.text or "AsyncEngine" in module.text
            for node in module.nodes_matching(_ALEMBIC_SET):
                value = _alembic_value(node)
                if value is not None:
                    flows = tracer.trace(_enclosing(module, node), value)
                    line = getattr(node, "lineno", 0)
                    found.append(Sink(module.path, line, is_async, tuple(flows)))
        return found

    return project.memo("db-sinks", collect)


def _alembic_value(node: ast.AST) -> ast.expr | None:
    """`config.set_main_option("sqlalchemy.url", X)` or `section["sqlalchemy.url"] = X`."""
    if (
        isinstance(node, ast.Call)
        and _name_of(node.func) in ("set_main_option", "set_section_option")
        and len(node.args) >= 2
        and _text(node.args[-2]) == "sqlalchemy.url"
    ):
        return node.args[-1]
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Subscript)
        and _text(node.targets[0].slice) == "sqlalchemy.url"
    ):
        return node.value
    return None


def _enclosing(module: Located, node: ast.AST) -> _Scope:
    function = None
    cls = None
    current = module.parent_of(node)
    while current is not None:
        if function is None and isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = current
        if cls is None and isinstance(current, ast.ClassDef):
            cls = current
        current = module.parent_of(current)
    return _Scope(module, function, cls)


# -- the answer -------------------------------------------------------------------------------


def _analyse(project: Project) -> DatabaseInputs:
    found = sinks(project)
    evidence: list[tuple[Family, str]] = []
    whole: dict[str, list[tuple[tuple[tuple[str, str], ...], bool]]] = {}
    assembled_parts: list[tuple[Family, str, Part]] = []
    portless: set[str] = set()
    ported: set[str] = set()
    default_port: set[str] = set()
    is_async = False
    for sink in found:
        where = f"{sink.path}:{sink.line}"
        for flow in sink.flows:
            if isinstance(flow, Whole):
                whole.setdefault(flow.variable, []).append((flow.edits, sink.is_async))
                is_async = is_async or sink.is_async
            elif isinstance(flow, Assembled):
                assembled = _family(flow.scheme)
                assembled_parts += [(assembled, v, p) for v, p in flow.parts]
                hosts = {v for v, p in flow.parts if p == "host"}
                if flow.default_port:
                    default_port |= hosts
                # Only a string template takes `host:port` in its host (URL.create does not).
                if flow.module is None or any(p == "port" for _v, p in flow.parts):
                    ported |= hosts
                else:
                    portless |= hosts
                if assembled != "unknown":
                    what = f"the {flow.call}(...) call" if flow.call else "the URL assembled"
                    evidence.append((assembled, f"{what} at {where}"))
                is_async = is_async or sink.is_async
            elif isinstance(flow, Written):
                written = _family(flow.url)
                if written != "unknown":
                    evidence.append((written, f"the URL written at {where}"))
    evidence += _variable_evidence(project, whole)
    installed = _installed_drivers(project)
    # A server named anywhere wins over SQLite: a SQLite URL next to it is a fallback for
    # when the variable is unset (`os.getenv("DATABASE_URL") or "sqlite:///..."`).
    servers = [f for f, _why in evidence if f in ("postgresql", "mysql")]
    family: Family = servers[0] if servers else evidence[0][0] if evidence else "unknown"
    if family == "unknown" and (whole or assembled_parts):
        family = _installed_family(installed)
        if family != "unknown":
            evidence.append((family, "the database drivers the image installs"))
    parts: dict[str, Part] = {}
    for of, variable, part in assembled_parts:  # a SQLite fallback's directory is no part
        if of in (family, "unknown") and family != "sqlite":
            parts.setdefault(variable, part)
    defaults = _default_drivers(project)
    schemes = {
        variable: _scheme_for(family, uses, installed, example_schemes(project, variable), defaults)
        for variable, uses in whole.items()
    }
    return DatabaseInputs(
        family,
        is_async,
        schemes,
        parts,
        tuple(dict.fromkeys(why for f, why in evidence if f == family)),
        tuple(found),
        frozenset(portless - ported),
        frozenset(default_port),
    )


def _family(url: str | None) -> Family:
    if not url:
        return "unknown"
    dialect = url.split("://", 1)[0].split("+", 1)[0].lower()
    return _FAMILIES.get(dialect, "unknown")


def _variable_evidence(
    project: Project, whole: dict[str, list[tuple[tuple[tuple[str, str], ...], bool]]]
) -> list[tuple[Family, str]]:
    """What the URL variables hold in example env files and code defaults, then what the code's
    own rewrites (`.replace("postgres://", ...)`) say they hold."""
    names = set(whole)
    field_names = {f.name: f.env_name for f in settings_fields(project)}
    found: list[tuple[Family, str]] = []
    for url in database_urls(project):
        variable = field_names.get(url.name or "", url.name)
        if variable in names:
            family = _family(url.url.text)
            if family != "unknown":
                found.append((family, f"{variable} in {url.path}"))
    for variable, uses in whole.items():
        for edits, _is_async in uses:
            for old, new in edits:
                for text in (old, new):
                    family = _family(text) if "://" in text or text.endswith(":") else "unknown"
                    if family == "unknown" and text.rstrip(":/") in _FAMILIES:
                        family = _FAMILIES[text.rstrip(":/")]
                    if family != "unknown":
                        found.append((family, f"the code's rewrite of {variable}"))
    return found


def example_schemes(project: Project, variable: str) -> list[str]:
    """The schemes of the URLs example env files and code defaults give `variable`."""
    field_names = {f.name: f.env_name for f in settings_fields(project)}
    return [
        url.url.text.split("://", 1)[0]
        for url in database_urls(project)
        if field_names.get(url.name or "", url.name) == variable
    ]


def _default_drivers(project: Project) -> dict[str, tuple[str, ...]]:
    """The driver `dialect://` loads: `postgresql://` is psycopg2 before SQLAlchemy 2.1 and
    psycopg from 2.1; either when the version the image installs is not known (unpinned
    SQLAlchemy next to a requirement that may cap it, such as sqlmodel)."""
    defaults = dict(_DEFAULT_DRIVER)
    series = sqlalchemy_series(project)
    if series is not None and "2.1" not in series:
        defaults["postgresql"] = ("psycopg2",)
    elif (series == frozenset({"2.1"}) or sqlalchemy_allows_21(project)) and not (
        sqlalchemy_dependents(project)
    ):
        defaults["postgresql"] = ("psycopg",)
    return defaults


def _installed_drivers(project: Project) -> frozenset[str] | None:
    """SQLAlchemy driver names (`psycopg2`, `asyncpg`, ...) the image installs; None: unknown."""
    try:
        from hfdeploy.image import image
        from hfdeploy.requirements.providers import closure

        dists = image(project).distributions()
        names = closure(dists.names)
    except (ImportError, AttributeError, ValueError):
        return None
    if not dists.readable and not names:
        return None
    drivers = {name for name, driver in DRIVERS.items() if driver.provided_by & frozenset(names)}
    drivers.add("pysqlite")  # in the standard library
    return frozenset(drivers)


def _installed_family(installed: frozenset[str] | None) -> Family:
    if not installed:
        return "unknown"
    for family in ("postgresql", "mysql"):
        if set(ASYNC_DRIVERS[family] + SYNC_DRIVERS[family]) & installed:
            return family
    return "unknown"


def _scheme_for(
    family: Family,
    uses: list[tuple[tuple[tuple[str, str], ...], bool]],
    installed: frozenset[str] | None,
    examples: list[str],
    defaults: dict[str, tuple[str, ...]],
) -> str:
    """The first scheme every use accepts after its rewrites (else the one most uses accept):
    the examples' own first, then the family's plain scheme, then each driver."""
    if family == "unknown":
        return examples[0] if examples else ""
    dialect = "postgresql" if family == "postgresql" else family
    drivers = ASYNC_DRIVERS[family] + SYNC_DRIVERS[family]
    candidates: list[str] = [
        *(e for e in examples if _family(e + "://") == family),
        dialect,
        *(f"{dialect}+{d}" for d in dict.fromkeys(drivers) if d != "pysqlite"),
        *(("postgres",) if family == "postgresql" else ()),
    ]
    ranked = sorted(
        dict.fromkeys(candidates),
        key=lambda c: (
            -sum(_accepts(c, edits, is_async, installed, defaults) for edits, is_async in uses)
        ),
    )
    return ranked[0]


def _accepts(
    scheme: str,
    edits: tuple[tuple[str, str], ...],
    is_async: bool,
    installed: frozenset[str] | None,
    defaults: dict[str, tuple[str, ...]],
) -> bool:
    text = f"{scheme}://user:password@127.0.0.1:5432/app"
    for old, new in edits:
        text = text.replace(old, new)
    parsed = parse_url(text)
    if parsed is None or parsed.dialect == "postgres":  # SQLAlchemy 1.4+ refuses `postgres://`
        return False
    family = _FAMILIES.get(parsed.dialect, "unknown")
    if family == "unknown":
        return False
    drivers = (parsed.driver.lower(),) if parsed.driver else defaults.get(parsed.dialect, ())
    allowed = (ASYNC_DRIVERS if is_async else SYNC_DRIVERS)[family]
    usable = [d for d in drivers if d in allowed]
    if not usable:
        return False
    return installed is None or any(d in installed for d in usable)
