"""Where the code reads environment variables: `os.environ[...]`, `os.getenv(...)`,
`os.environ.get(...)`, starlette `Config(...)` calls and pydantic-settings fields."""

from __future__ import annotations

import ast
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from hfdeploy.environment.settings import settings_fields
from hfdeploy.pycode import Located, bindings, bound_names, candidate_files, located
from hfdeploy.space import DEFAULT_APP_PORT, INJECTED_VARIABLES

if TYPE_CHECKING:
    from hfdeploy.project import Project

# "client": an API client built at start reads the variable itself (`OpenAI()`).
Kind = Literal["environ", "getenv", "environ.get", "starlette", "settings", "loader", "client"]


@dataclass(frozen=True)
class EnvRead:
    name: str
    module: Located
    node: ast.AST  # the read expression (for settings: the field's AnnAssign)
    kind: Kind
    default: ast.expr | None  # the default argument, when one is given
    required: bool  # unset on a Space, the app fails or gets None where it expects a value

    # The helper function it is read through; for a "client" read, the keyword that would give
    # the value instead. For messages.
    loader: str | None = None
    # An API client built at start that rejects its empty default (or, for a "client" read,
    # the client that reads it).
    needed_by: str | None = None

    @property
    def has_default(self) -> bool:
        if self.kind in ("starlette", "settings"):  # `default=None` is a default there
            return self.default is not None
        return self.default is not None and not (
            isinstance(self.default, ast.Constant) and self.default.value is None
        )


def env_reads(project: Project) -> list[EnvRead]:
    def collect() -> list[EnvRead]:
        reads: list[EnvRead] = []
        for module in candidate_files(project, "environ", "getenv", "starlette"):
            reads.extend(_module_reads(module))
        reads.extend(_loader_reads(project))
        for field in settings_fields(project):
            default = field.node.value if field.has_default else None
            reads.append(
                EnvRead(
                    field.env_name,
                    field.module,
                    field.node,
                    "settings",
                    default,
                    field.required,
                )
            )
        reads.extend(_client_reads(project))
        needed = _keys_clients_need(project)
        return [
            replace(read, required=True, needed_by=needed[read.name])
            if read.name in needed and not read.required and _empty_default(read)
            else read
            for read in reads
        ]

    return project.memo("env-reads", collect)


# API clients whose constructor raises when its key is None (`The api_key client option must be
# set ...`), rather than failing at the first request (openai 1.x-3.x `_client.py` and
# `lib/azure.py`, groq `_client.py`). anthropic's clients are not among them: `Anthropic()`
# builds without a key, and only a request fails.
_KEYED_CLIENTS = frozenset(
    {"OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI", "Groq", "AsyncGroq"}
)
_CLIENT_LIBRARIES = frozenset({"openai", "groq"})
_OPENAI_KEY = (("OPENAI_API_KEY", ("api_key", "admin_api_key", "workload_identity", "provider")),)
_AZURE = (
    ("AZURE_OPENAI_API_KEY", ("api_key", "azure_ad_token", "azure_ad_token_provider")),
    ("OPENAI_API_VERSION", ("api_version",)),
    ("AZURE_OPENAI_ENDPOINT", ("azure_endpoint", "base_url")),
)
_GROQ_KEY = (("GROQ_API_KEY", ("api_key",)),)
# Constructor -> (variable, keywords): the variable the client reads itself when none of those
# keywords is passed, and raises at construction when it is unset. AzureOpenAI also takes
# `AZURE_OPENAI_AD_TOKEN` instead of the key; OpenAI 3.x `OPENAI_ADMIN_KEY`.
_SELF_READ: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "OpenAI": _OPENAI_KEY,
    "AsyncOpenAI": _OPENAI_KEY,
    "AzureOpenAI": _AZURE,
    "AsyncAzureOpenAI": _AZURE,
    "Groq": _GROQ_KEY,
    "AsyncGroq": _GROQ_KEY,
}


def _empty_default(read: EnvRead) -> bool:
    """The default is absent, None or empty: unset on a Space, the value is None or ''."""
    default = read.default
    return default is None or (isinstance(default, ast.Constant) and not default.value)


def _clients_at_start(project: Project) -> list[tuple[Located, ast.Call, str]]:
    """(module, call, constructor) for each `openai`/`groq` client the app builds when it
    starts: at import of a module it loads, in a startup handler or lifespan, or in a function
    module-level code calls; not under an `if`, a conditional expression or a `try` (the app
    copes when it fails). Without an app to follow, module-level code of every file."""

    def collect() -> list[tuple[Located, ast.Call, str]]:
        from hfdeploy.pysource.startup import startup

        found: list[tuple[Located, ast.Call]] = []
        view = startup(project)
        if view.modules:
            for use in view.instances:
                module = located(project, use.path) if use.certain_at_start else None
                if module is not None and isinstance(use.node, ast.Call):
                    found.append((module, use.node))
        else:
            for module in candidate_files(project, *_CLIENT_LIBRARIES):
                for stmt in module.tree.body:
                    if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        found += [(module, n) for n in ast.walk(stmt) if isinstance(n, ast.Call)]
        return [
            (module, call, name)
            for module, call in found
            for name in [_client_constructor(module, call.func)]
            if name is not None and not _guarded(module, call)
        ]

    return project.memo("env-clients-at-start", collect)


def _client_constructor(module: Located, func: ast.expr) -> str | None:
    """The client class a call builds: `OpenAI` imported from `openai` (or `groq`), under its
    own name or an alias, or `openai.OpenAI` of `import openai`."""
    classes, libraries = _client_imports(module)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr if func.attr in _KEYED_CLIENTS and func.value.id in libraries else None
    return classes.get(func.id) if isinstance(func, ast.Name) else None


def _client_imports(module: Located) -> tuple[dict[str, str], frozenset[str]]:
    """(local name -> client class imported from `openai`/`groq`, local names of those
    libraries), read once per module."""

    def collect() -> tuple[dict[str, str], frozenset[str]]:
        classes: dict[str, str] = {}
        libraries: set[str] = set()
        if not any(library in module.text for library in _CLIENT_LIBRARIES):
            return classes, frozenset()
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom) and not node.level:
                if (node.module or "").split(".")[0] in _CLIENT_LIBRARIES:
                    for a in node.names:
                        if a.name in _KEYED_CLIENTS:
                            classes[a.asname or a.name] = a.name
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] in _CLIENT_LIBRARIES:
                        libraries.add(a.asname or a.name.split(".")[0])
        return classes, frozenset(libraries)

    return module.cached("env-client-imports", collect)


def _guarded(module: Located, node: ast.AST) -> bool:
    """Built only on a condition, or where a failure is caught: `X() if key else None`,
    `key and X()`, `if key: client = X()`, `try: client = X() except ...`."""
    child, current = node, module.parent_of(node)
    while current is not None and not isinstance(
        current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)
    ):
        if isinstance(current, (ast.IfExp, ast.BoolOp)) or (
            isinstance(current, (ast.If, ast.While)) and child is not current.test
        ):
            return True
        if isinstance(current, ast.Try) and current.handlers and child in current.body:
            return True
        child, current = current, module.parent_of(current)
    return False


def _keys_clients_need(project: Project) -> dict[str, str]:
    """Variables whose value code run at start passes as `api_key=` to a client that rejects a
    missing key when it is constructed: required at start whatever default they have."""
    clients = _clients_at_start(project)
    if not clients:
        return {}
    fields = {f.name: f.env_name for f in settings_fields(project)}
    needed: dict[str, str] = {}  # variable -> the client constructor
    by_module: dict[int, tuple[dict[tuple[int, str], str], dict[int, str]]] = {}
    for module, call, name in clients:
        if id(module) not in by_module:
            # (id of the enclosing function or 0, name) -> the variable it was read from
            names: dict[tuple[int, str], str] = {}
            read_at: dict[int, str] = {}  # id of a read expression -> its variable
            for node, (variable, _kind, _default) in read_nodes(module):
                read_at[id(node)] = variable
                scope = id(module.function_of(node) or module.tree)
                names.update({(scope, n): variable for n in bound_names(module, node)})
            for stmt in module.tree.body:  # `KEY = settings.KEY`
                for n, value in bindings(stmt):
                    if isinstance(value, ast.Attribute) and value.attr in fields:
                        names[(id(module.tree), n)] = fields[value.attr]
            by_module[id(module)] = (names, read_at)
        names, read_at = by_module[id(module)]
        key = next((k.value for k in call.keywords if k.arg == "api_key"), None)
        scope = id(module.function_of(call) or module.tree)
        if isinstance(key, ast.Attribute) and key.attr in fields:
            needed.setdefault(fields[key.attr], name)
        elif isinstance(key, ast.Name) and (
            (scope, key.id) in names or (id(module.tree), key.id) in names
        ):
            needed.setdefault(names.get((scope, key.id)) or names[(id(module.tree), key.id)], name)
        elif key is not None and id(key) in read_at:
            needed.setdefault(read_at[id(key)], name)
    return needed


def _client_reads(project: Project) -> list[EnvRead]:
    """The variables a client built at start reads itself (`OpenAI()` reads `OPENAI_API_KEY`)
    and raises on when unset: required, unless the code sets them in `os.environ` itself."""
    reads = []
    for module, call, name in _clients_at_start(project):
        given = {k.arg for k in call.keywords}
        if None in given or call.args:  # `**options`: what it passes is not known
            continue
        for variable, keywords in _SELF_READ[name]:
            if given.isdisjoint(keywords) and not _set_by_code(project, variable):
                reads.append(
                    EnvRead(variable, module, call, "client", None, True, keywords[0], name)
                )
    return reads


def _set_by_code(project: Project, variable: str) -> bool:
    """`os.environ["X"] = ...`, `os.environ.setdefault("X", ...)`, `os.putenv("X", ...)`:
    the code gives the variable a value before the client reads it (or may: any module)."""
    for module in candidate_files(project, variable):
        for node in module.nodes_matching(re.compile(re.escape(variable))):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and _string(node.slice) == variable
            ):
                return True
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) in ("setdefault", "putenv")
                and node.args
                and _string(node.args[0]) == variable
            ):
                return True
    return False


_OS_IMPORT = re.compile(r"^[ \t]*(?:import|from)[ \t][^\n]*\bos\b", re.MULTILINE)
_STARLETTE_IMPORT = re.compile(r"^[ \t]*from[ \t]+starlette\.config[ \t]", re.MULTILINE)


def os_bindings(module: Located) -> tuple[set[str], set[str], set[str]]:
    """Local names bound to `os`, `os.environ` and `os.getenv` by imports."""

    def collect() -> tuple[set[str], set[str], set[str]]:
        os_names, environ, getenv = {"os"}, set(), set()
        for node in module.nodes_matching(_OS_IMPORT):
            if isinstance(node, ast.Import):
                os_names |= {a.asname or a.name for a in node.names if a.name == "os"}
            elif isinstance(node, ast.ImportFrom) and node.module == "os":
                environ |= {a.asname or a.name for a in node.names if a.name == "environ"}
                getenv |= {a.asname or a.name for a in node.names if a.name == "getenv"}
        return os_names, environ, getenv

    return module.cached("os-bindings", collect)


def _starlette_configs(module: Located) -> set[str]:
    """Names bound to `Config(...)` when `Config` comes from `starlette.config`."""
    config_names = {
        a.asname or a.name
        for node in module.nodes_matching(_STARLETTE_IMPORT)
        if isinstance(node, ast.ImportFrom) and node.module == "starlette.config"
        for a in node.names
        if a.name == "Config"
    }
    if not config_names:
        return set()
    calls = re.compile("|".join(rf"\b{re.escape(n)}\(" for n in config_names))
    return {
        t.id
        for node in module.nodes_matching(calls)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id in config_names
        for t in node.targets
        if isinstance(t, ast.Name)
    }


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_environ(node: ast.expr, os_names: set[str], environ: set[str]) -> bool:
    if isinstance(node, ast.Attribute):
        return (
            node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id in os_names
        )
    return isinstance(node, ast.Name) and node.id in environ


def classify(
    node: ast.AST,
    os_names: set[str],
    environ: set[str],
    getenv: set[str],
    configs: Collection[str] = (),
) -> tuple[str, Kind, ast.expr | None] | None:
    """(variable, kind, default) when `node` reads one environment variable by a literal name."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and _is_environ(node.value, os_names, environ)
    ):
        name = _string(node.slice)
        return (name, "environ", None) if name else None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    name = _string(node.args[0])
    if name is None:
        return None
    func = node.func
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    second = node.args[1] if len(node.args) > 1 else None
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "getenv"
        and isinstance(func.value, ast.Name)
        and func.value.id in os_names
    ) or (isinstance(func, ast.Name) and func.id in getenv):
        return name, "getenv", second or keywords.get("default")
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and _is_environ(func.value, os_names, environ)
    ):
        return name, "environ.get", second or keywords.get("default")
    if isinstance(func, ast.Name) and func.id in configs:
        return (
            name,
            "starlette",
            keywords.get("default", node.args[2] if len(node.args) > 2 else None),
        )
    return None


def read_nodes(module: Located) -> list[tuple[ast.AST, tuple[str, Kind, ast.expr | None]]]:
    """Every environment read in the module, in source order."""

    def collect() -> list[tuple[ast.AST, tuple[str, Kind, ast.expr | None]]]:
        os_names, environ, getenv = os_bindings(module)
        configs = _starlette_configs(module) if "starlette" in module.text else set()
        words = {"getenv", "environ", *environ, *getenv, *configs}
        pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in sorted(words)))
        found = []
        for node in module.nodes_matching(pattern):
            read = classify(node, os_names, environ, getenv, configs)
            if read is not None:
                found.append((node, read))
        found.sort(key=lambda item: (item[0].lineno, item[0].col_offset))  # type: ignore[attr-defined]
        return found

    return module.cached("env-read-nodes", collect)


def _module_reads(module: Located) -> list[EnvRead]:
    reads = []
    for node, (name, kind, default) in read_nodes(module):
        read = EnvRead(name, module, node, kind, default, False)
        required = kind in ("environ", "starlette") and not read.has_default
        if kind in ("getenv", "environ.get") and not read.has_default:
            required = _required(module, node)
        elif kind in ("getenv", "environ.get") and _falsy(default):
            # `X = os.getenv("X", "")` then `if not X: raise ...`: the empty default only
            # postpones the failure to the check right below it.
            required = _raises_when_unset(module, node)
        reads.append(EnvRead(name, module, node, kind, default, required))
    return reads


def _is_test(module: Located, node: ast.AST) -> bool:
    """`node` is tested rather than used: `x or y`, `x is None`, `not x`, `if x:`."""
    parent = module.parent_of(node)
    if isinstance(parent, (ast.BoolOp, ast.Compare, ast.NamedExpr)) or (
        isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)
    ):
        return True
    return isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is node


def _raises_when_tested(module: Located, node: ast.AST) -> bool:
    """`if not x: raise ...` or `assert x`: the value is required after all."""
    stmt = module.statement_of(node)
    if isinstance(stmt, ast.Assert):
        return True
    return isinstance(stmt, ast.If) and any(isinstance(n, ast.Raise) for n in ast.walk(stmt))


def _falsy(default: ast.expr | None) -> bool:
    return isinstance(default, ast.Constant) and not default.value


def _raises_when_unset(module: Located, node: ast.AST) -> bool:
    """The read (or the name it is assigned to) is tested by `if not x: raise` / `assert x`."""
    if _is_test(module, node):
        return _raises_when_tested(module, node)
    uses = _uses_of_assigned(module, node)
    return any(_is_test(module, n) and _raises_when_tested(module, n) for n in uses or ())


def _uses_of_assigned(module: Located, node: ast.AST) -> list[ast.Name] | None:
    """Where the names the read is assigned to are loaded (None: not assigned to a name)."""
    names = set(bound_names(module, node))
    if not names:
        return None
    return [
        n
        for n in module.nodes_matching(re.compile("|".join(rf"\b{re.escape(n)}\b" for n in names)))
        if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load)
    ]


def _required(module: Located, node: ast.AST) -> bool:
    """A value read without a default is required unless the code checks it before use."""
    if _is_test(module, node):
        return _raises_when_tested(module, node)
    uses = _uses_of_assigned(module, node)
    if uses is None:
        return True
    tested = [n for n in uses if _is_test(module, n)]
    return not tested or any(_raises_when_tested(module, n) for n in tested)


def dockerfile_env_names(project: Project) -> frozenset[str]:
    """Variables the final stage's `ENV` sets to a value (so the Space has them without any
    setting), as the Dockerfile domain expands them: `ENV PORT=${PORT}` with no such ARG sets
    an empty string, which the app reads as if the variable were unset (`int("")` fails)."""

    def collect() -> frozenset[str]:
        from hfdeploy.dockerfile.stage import runtime

        rt = runtime(project)
        if rt is None:
            return frozenset()
        return frozenset(name for name, value in rt.env.items() if value != "")

    return project.memo("dockerfile-env-names", collect)


@dataclass(frozen=True)
class Loader:
    """A function that reads the variable its argument names: `def env(name, default=None):
    return os.getenv(name, default)`."""

    module: Located
    name: str
    position: int  # index of the parameter holding the variable's name
    default_position: int | None  # index of the parameter passed on as the default
    default_name: str | None
    raises: bool  # fails when the variable is unset (`os.environ[name]`, or a `raise`)


def _loaders(project: Project) -> list[Loader]:
    def collect() -> list[Loader]:
        found = []
        for module in candidate_files(project, "environ", "getenv"):
            os_names, environ, getenv = os_bindings(module)
            for stmt in module.tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    loader = _loader(module, stmt, os_names, environ, getenv)
                    if loader is not None:
                        found.append(loader)
        return found

    return project.memo("env-loaders", collect)


def _loader(
    module: Located,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    os_names: set[str],
    environ: set[str],
    getenv: set[str],
) -> Loader | None:
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if not params:
        return None
    for node in ast.walk(func):
        key: ast.expr | None = None
        default: ast.expr | None = None
        subscript = False
        if isinstance(node, ast.Subscript) and _is_environ(node.value, os_names, environ):
            key, subscript = node.slice, True
        elif isinstance(node, ast.Call) and node.args:
            f = node.func
            is_getenv = (
                isinstance(f, ast.Attribute)
                and f.attr == "getenv"
                and isinstance(f.value, ast.Name)
                and f.value.id in os_names
            ) or (isinstance(f, ast.Name) and f.id in getenv)
            is_get = (
                isinstance(f, ast.Attribute)
                and f.attr == "get"
                and _is_environ(f.value, os_names, environ)
            )
            if not (is_getenv or is_get):
                continue
            key = node.args[0]
            default = node.args[1] if len(node.args) > 1 else None
        if not (isinstance(key, ast.Name) and key.id in params):
            continue
        default_name = default.id if isinstance(default, ast.Name) else None
        default_position = params.index(default_name) if default_name in params else None
        raises = subscript or any(isinstance(n, ast.Raise) for n in ast.walk(func))
        return Loader(
            module, func.name, params.index(key.id), default_position, default_name, raises
        )
    return None


def _loader_reads(project: Project) -> list[EnvRead]:
    loaders = _loaders(project)
    if not loaders:
        return []
    by_name = {loader.name: loader for loader in loaders}
    reads = []
    for module in candidate_files(project, *by_name):
        imported: dict[str, str] = {}  # local name -> the name it was imported as
        for stmt in module.tree.body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for a in stmt.names:
                    imported[a.asname or a.name.split(".")[-1]] = a.name.split(".")[-1]
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            loader = _called_loader(module, node.func, by_name, imported)
            if loader is None:
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            key = node.args[loader.position] if len(node.args) > loader.position else None
            name = _string(key)
            if name is None:
                continue
            default = None
            if loader.default_position is not None and len(node.args) > loader.default_position:
                default = node.args[loader.default_position]
            elif loader.default_name is not None:
                default = keywords.get(loader.default_name)
            read = EnvRead(name, module, node, "loader", default, False, loader.name)
            if read.has_default:
                required = False
            else:
                required = loader.raises or _required(module, node)
            reads.append(EnvRead(name, module, node, "loader", default, required, loader.name))
    return reads


def _called_loader(
    module: Located, func: ast.expr, by_name: dict[str, Loader], imported: dict[str, str]
) -> Loader | None:
    if isinstance(func, ast.Name):
        if func.id in imported:
            return by_name.get(imported[func.id])
        loader = by_name.get(func.id)
        return loader if loader is not None and loader.module is module else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        loader = by_name.get(func.attr)
        owner = imported.get(func.value.id, func.value.id)
        if loader is not None and loader.module.path.stem == owner:
            return loader
    return None


# Set by Docker or the image for every process: reading them without a default is fine.
CONTAINER_VARIABLES = frozenset(
    {"HOME", "PATH", "HOSTNAME", "PWD", "SHELL", "LANG", "LC_ALL", "TERM", "LOGNAME"}
)
# Not set on a Space, but never a secret to add there: the app or the Dockerfile gives the
# value (`PORT` is `app_port`, `HOST` the bind address, `USER` the process's own user).
DEFAULT_INSTEAD = frozenset({"PORT", "HOST", "USER"})
BIND_ADDRESS = "0.0.0.0"  # every interface: the Space proxy reaches the app from outside
SPACE_USER_NAME = "user"  # the uid-1000 account of the Spaces docs' Dockerfile


def default_values(project: Project, port: int | None = None) -> dict[str, str]:
    """Each `DEFAULT_INSTEAD` name -> the value it must have on a Space: the port the proxy
    sends traffic to (`port`, else the front matter's `app_port`), every interface, the Space's
    user. EV001 advises these values and `verify` starts the container with them."""
    if port is None:
        try:
            from hfdeploy.space_config.app_port import app_port_info
        except ImportError:  # the front matter reader is optional here
            port = DEFAULT_APP_PORT
        else:
            port = app_port_info(project).port
    return {"PORT": str(port), "HOST": BIND_ADDRESS, "USER": SPACE_USER_NAME}


# Reported by EV004 instead: the app should derive it, not ask for it.
_DERIVED = frozenset({"HF_SPACE_URL"})
_TEST_DIRS = frozenset({"tests", "test"})


def required_variables(project: Project) -> dict[str, list[EnvRead]]:
    """Variable -> the reads that need it, for the variables a Space must be given: no default,
    not injected by the platform, not set by the Dockerfile. Also used by `verify`."""
    skip = INJECTED_VARIABLES | _DERIVED | CONTAINER_VARIABLES | DEFAULT_INSTEAD
    return _needed(project, skip)


def variables_needing_a_default(project: Project) -> dict[str, list[EnvRead]]:
    """`PORT`, `HOST`, `USER` read without a default while nothing sets them: the fix is a
    default in the code or an `ENV` line, never a Space secret."""
    skip = INJECTED_VARIABLES | _DERIVED | CONTAINER_VARIABLES
    return {k: v for k, v in _needed(project, skip).items() if k in DEFAULT_INSTEAD}


def _needed(project: Project, skip: frozenset[str]) -> dict[str, list[EnvRead]]:
    skip = skip | dockerfile_env_names(project)
    needed: dict[str, list[EnvRead]] = {}
    for read in env_reads(project):
        path = read.module.path
        if read.name in skip or _TEST_DIRS & set(path.parts[:-1]) or path.name.startswith("test_"):
            continue
        if read.required:
            needed.setdefault(read.name, []).append(read)
    return needed
