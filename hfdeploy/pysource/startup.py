"""What the served app's code does when the Space starts, read from the AST (never imported).

The modules are the app's own module and the local modules it imports, transitively. A call is
"at start" when it runs at import (module level, class bodies), in a startup handler
(`@app.on_event("startup")`), in a `lifespan` function, or in a module-level function that
module-level code calls. Other calls (in routes) run only when a request comes.

Facts gathered, shared by the DF and PY checks of issue 11:
- `hub_loads`: model and tokenizer loads that download into a cache (`from_pretrained`,
  `pipeline(`, `hf_hub_download`, `snapshot_download`, `SentenceTransformer`) and `nltk.download`,
  with the literal model id when there is one;
- `writes`: directories created (`os.makedirs`, `os.mkdir`, `Path(...).mkdir`) and files opened
  for writing;
- `reads`: files and directories opened or required at start (`StaticFiles(directory=...)`,
  `Jinja2Templates(directory=...)`, `open(...)` for reading, `*.load(...)`, `read_csv(...)`);
- `cors`: `add_middleware(CORSMiddleware, allow_origins=[...])` calls;
- `cookies`: `SessionMiddleware` and `set_cookie` calls;
- `builds_urls`: whether the code builds absolute URLs from the request (`url_for`,
  `request.url`, `request.base_url`, a `RedirectResponse` to a computed URL).
- `local_imports`: imports of the project's own modules, and whether they are guarded.
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pysource.app_discovery import discover_app
from hfdeploy.pysource.app_modules import AppModule, callee, load_module
from hfdeploy.pysource.writes import SQLITE_CONNECTS, SQLITE_DATABASES

if TYPE_CHECKING:
    from hfdeploy.project import Project

HUB_LOADERS = frozenset(
    {"from_pretrained", "pipeline", "hf_hub_download", "snapshot_download", "SentenceTransformer"}
)
_READERS = frozenset(
    {"load", "read_csv", "read_json", "read_parquet", "read_excel", "read_pickle", "read_text",
     "read_bytes", "load_model", "load_state_dict", "loadtxt"}
)  # fmt: skip
_REQUEST_URLS = frozenset({"url", "base_url"})  # `request.url`, `request.base_url`
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_LOG_FILES = frozenset({"FileHandler", "RotatingFileHandler", "TimedRotatingFileHandler"})


@dataclass(frozen=True)
class PathRef:
    """A path the code names: relative to the process's working directory ("cwd"), to the
    directory of the module that names it ("module"), or absolute ("absolute")."""

    base: str
    value: str  # normalised; "." for the base itself
    # `os.getenv("DATA_DIR", "data")`: (variable, the default's value); `value` extends it
    env: tuple[str, str] | None = None

    def in_image(
        self, module_dir: str | None, workdir: str, env: dict[str, str] | None = None
    ) -> str | None:
        """The absolute path inside the image (module_dir: where the module file lands; env:
        the image's environment, which overrides a default read from a variable)."""
        if self.env is not None and env is not None and self.env[0] in env:
            name, default = self.env
            rest = posixpath.relpath(self.value, default) if self.value != default else "."
            given = env[name]
            if not given or "$" in given:
                return None
            base = "absolute" if given.startswith("/") else "cwd"
            joined = posixpath.normpath(posixpath.join(given, rest))
            return PathRef(base, joined).in_image(module_dir, workdir)
        if self.base == "absolute":
            return self.value
        if self.base == "cwd":
            return posixpath.normpath(posixpath.join(workdir, self.value))
        if module_dir is None:
            return None
        return posixpath.normpath(posixpath.join(module_dir, self.value))

    def in_repo(self, module_path: PurePosixPath) -> str | None:
        """The repository path it names, when it is relative to the module's directory."""
        if self.base != "module":
            return None
        joined = posixpath.normpath(posixpath.join(str(module_path.parent), self.value))
        return None if joined.startswith("..") else joined


@dataclass(frozen=True)
class Use:
    path: PurePosixPath  # the Python file
    node: ast.AST
    kind: str  # "from_pretrained", "makedirs", "StaticFiles", "open", ...
    at_start: bool
    target: PathRef | None = None  # for writes and reads
    model_id: str | None = None  # for hub loads: the literal first argument
    local: bool = False  # a hub load from a directory of the repository: no download
    # a hub load told where its files go (`cache_dir=`, `cache_folder=`, `local_dir=`)
    names_cache: bool = False
    conditional: bool = False  # under an `if`: it may not run (the evidence is weaker)

    @property
    def certain_at_start(self) -> bool:
        return self.at_start and not self.conditional

    @property
    def line(self) -> int:
        return int(getattr(self.node, "lineno", 1))


@dataclass
class Startup:
    modules: list[AppModule] = field(default_factory=list)
    hub_loads: list[Use] = field(default_factory=list)
    writes: list[Use] = field(default_factory=list)
    reads: list[Use] = field(default_factory=list)
    cors: list[Use] = field(default_factory=list)  # node: the add_middleware call
    cookies: list[Use] = field(default_factory=list)  # SessionMiddleware / set_cookie calls
    builds_urls: bool = False
    # Objects built at start by calling a capitalised name (`OpenAI()`, `Groq(api_key=...)`):
    # a constructor that fails then stops the app.
    instances: list[Use] = field(default_factory=list)
    local_imports: list[LocalImport] = field(default_factory=list)
    # Lines of module-level functions that run at start only on a condition
    # (`os.getenv("DATABASE_URL") or _fallback()`): what they do there is conditional.
    conditional_spans: dict[PurePosixPath, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalImport:
    """An import of one of the project's own modules."""

    path: PurePosixPath  # the importing file
    node: ast.AST  # the import statement
    name: str  # dotted module name
    file: PurePosixPath  # the file it resolves to
    at_start: bool
    guarded: bool  # inside `try: ... except ImportError`: the app copes without it

    @property
    def line(self) -> int:
        return int(getattr(self.node, "lineno", 1))


def startup(project: Project) -> Startup:
    return project.memo(("pysource", "startup"), lambda: _collect(project))


def _collect(project: Project) -> Startup:
    found = Startup()
    target = discover_app(project)
    if target is None:
        return found
    from hfdeploy.pysource.import_graph import loadable_modules

    for path in loadable_modules(project):
        module = load_module(project, path)
        if module is not None:
            found.modules.append(module)
            _local_imports(project, module, found)
    for module in found.modules:
        _scan(module, found)
    found.writes = _mark_conditional(found, found.writes)
    found.reads = _mark_conditional(found, found.reads)
    found.instances = _mark_conditional(found, found.instances)
    found.hub_loads = [_mark_local(project, use) for use in found.hub_loads]
    return found


def _mark_conditional(found: Startup, uses: list[Use]) -> list[Use]:
    ranges: dict[PurePosixPath, list[tuple[int, int]]] = {}
    for module in found.modules:
        spans = ranges.setdefault(module.path, [])
        for node in ast.walk(module.tree):
            if isinstance(node, ast.If) and "__main__" not in ast.dump(node.test):
                first = node.body[0].lineno
                last = (node.orelse or node.body)[-1]
                spans.append((first, last.end_lineno or last.lineno))
        spans.extend(found.conditional_spans.get(module.path, []))
    return [
        replace(u, conditional=True)
        if any(a <= u.line <= b for a, b in ranges.get(u.path, []))
        else u
        for u in uses
    ]


def _mark_local(project: Project, use: Use) -> Use:
    """`from_pretrained("models/classifier")` reads a directory the repository has."""
    model = use.model_id
    if model is None or not (
        project.exists(model)
        or any(str(f).startswith(model.rstrip("/") + "/") for f in project.files())
    ):
        return use
    return replace(use, model_id=None, local=True)


def _local_imports(project: Project, module: AppModule, found: Startup) -> None:
    from hfdeploy.pysource.app_modules import resolve_import

    def visit(node: ast.AST, at_start: bool, guarded: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, False, guarded)
            elif isinstance(child, ast.Try):
                catches = any(
                    h.type is None or _catches_import_error(h.type) for h in child.handlers
                )
                for stmt in child.body:
                    visit_stmt(stmt, at_start, guarded or catches)
                rest: list[ast.AST] = [*child.handlers, *child.orelse, *child.finalbody]
                for other in rest:
                    visit_stmt(other, at_start, guarded)
            else:
                visit_stmt(child, at_start, guarded)

    def visit_stmt(stmt: ast.AST, at_start: bool, guarded: bool) -> None:
        names: list[str] = []
        if isinstance(stmt, ast.Import):
            names = [a.name for a in stmt.names]
        elif isinstance(stmt, ast.ImportFrom):
            base = resolve_import(module, stmt.level, stmt.module)
            names = [f"{base}.{a.name}" for a in stmt.names] + [base]
        else:
            visit(stmt, at_start, guarded)
            return
        for name in names:
            path = _local_file(project, module.root, name)
            if path is not None and path != module.path:
                found.local_imports.append(
                    LocalImport(module.path, stmt, name, path, at_start, guarded)
                )
                break

    visit(module.tree, True, False)


def _catches_import_error(node: ast.expr) -> bool:
    if isinstance(node, ast.Tuple):
        return any(_catches_import_error(e) for e in node.elts)
    return callee(node) in _IMPORT_ERRORS


def _local_file(project: Project, root: str, dotted: str) -> PurePosixPath | None:
    if not dotted:
        return None
    parts = dotted.split(".")
    base = PurePosixPath(root) if root else PurePosixPath()
    for candidate in (
        base.joinpath(*parts).with_suffix(".py"),
        base.joinpath(*parts, "__init__.py"),
    ):
        if project.exists(candidate):
            return candidate
    return None


def _start_functions(module: AppModule) -> set[str]:
    """Functions that run at start: startup handlers, lifespans, and module-level functions
    called by module-level code (one level)."""
    names: set[str] = set()
    tree = module.tree
    for stmt in module.statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in stmt.decorator_list:
                if (
                    isinstance(deco, ast.Call)
                    and callee(deco.func) == "on_event"
                    and deco.args
                    and isinstance(deco.args[0], ast.Constant)
                    and deco.args[0].value == "startup"
                ):
                    names.add(stmt.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "lifespan" and isinstance(kw.value, ast.Name):
                    names.add(kw.value.id)
            if callee(node.func) == "add_event_handler" and len(node.args) == 2:
                handler = node.args[1]
                if isinstance(handler, ast.Name):
                    names.add(handler.id)
    for stmt in module.statements:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.add(node.func.id)
    return names


def _scan(module: AppModule, found: Startup) -> None:
    consts = _path_constants(module)
    strings = {
        t.id: stmt.value.value
        for stmt in module.statements
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
        for t in stmt.targets
        if isinstance(t, ast.Name)
    }
    starting = _start_functions(module)
    only_maybe = _called_only_conditionally(module)

    def visit(node: ast.AST, at_start: bool, paths: dict[str, PathRef] = consts) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                runs = (
                    at_start
                    and isinstance(node, ast.Module | ast.If | ast.Try)
                    and (child.name in starting)
                )
                # A function may name its path through a local first (`data_dir =
                # os.getenv("DATA_DIR", "data")`, then `os.makedirs(data_dir)`), whether it
                # runs at start or per request.
                if runs and child.name in only_maybe:
                    found.conditional_spans.setdefault(module.path, []).append(
                        (child.lineno, child.end_lineno or child.lineno)
                    )
                visit(child, runs, _local_paths(child, paths))
            elif isinstance(child, ast.Lambda):
                visit(child, False, paths)
            else:
                if isinstance(child, ast.Call):
                    _call(module, child, at_start, paths, strings, found)
                elif (
                    isinstance(child, ast.Attribute)
                    and child.attr in _REQUEST_URLS
                    and isinstance(child.value, ast.Name)
                    and child.value.id in ("request", "req")
                ):
                    found.builds_urls = True
                visit(child, at_start, paths)

    visit(module.tree, True)


def _call(
    module: AppModule,
    node: ast.Call,
    at_start: bool,
    consts: dict[str, PathRef],
    strings: dict[str, str],
    found: Startup,
) -> None:
    name = callee(node.func)
    if name is None:
        return
    path = module.path
    first = node.args[0] if node.args else None
    if at_start and name[:1].isupper():
        found.instances.append(Use(path, node, name, at_start))
    if name in ("url_for", "RedirectResponse") and not (
        name == "RedirectResponse"
        and _literal_str(first if first is not None else _keyword(node, "url")) is not None
    ):
        found.builds_urls = True  # an absolute URL from the request (a literal path is relative)
    opener = _sqlite_opener(node, name)
    if opener is not None:
        database = first if first is not None else _keyword(node, "database")
        text = _literal_str(database)
        if text is not None and (text in ("", ":memory:") or text.startswith("file:")):
            return  # in memory, or a URI whose path this does not read
        ref = _path_ref(database, consts) if database is not None else None
        if ref is not None:
            # peewee opens the file at the first query, in whichever request makes it
            first_use = at_start and opener in SQLITE_CONNECTS
            found.writes.append(Use(path, node, opener, first_use, _parent(ref)))
        return
    if name in _LOG_FILES and first is not None:
        ref = _path_ref(first, consts)
        if ref is not None:
            found.writes.append(Use(path, node, name, at_start, _parent(ref)))
        return
    if name in HUB_LOADERS:

        def literal(value: ast.expr | None) -> str | None:
            if isinstance(value, ast.Name):
                return strings.get(value.id)  # a module-level constant: `MODEL = "org/name"`
            return _literal_str(value)

        model_id = literal(first)
        if name == "pipeline":
            if isinstance(node.func, ast.Name):
                source = module.imported.get(node.func.id, ("", ""))[0]
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                source = node.func.value.id
            else:
                source = ""
            if source.split(".")[0] != "transformers":
                return  # a `pipeline` that is not transformers'
            model_id = literal(_keyword(node, "model"))
        if name in ("hf_hub_download", "snapshot_download") and model_id is None:
            model_id = literal(_keyword(node, "repo_id"))
        if name == "from_pretrained" and model_id is None:
            model_id = literal(_keyword(node, "pretrained_model_name_or_path"))
        if name == "SentenceTransformer" and model_id is None:
            model_id = literal(_keyword(node, "model_name_or_path"))
        if model_id is not None and _local_looking(model_id):
            model_id = None  # a path in the repository, not a Hub id
        from hfdeploy.pysource.writes import names_its_cache

        found.hub_loads.append(
            Use(path, node, name, at_start, model_id=model_id, names_cache=names_its_cache(node))
        )
        return
    if name == "download" and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id == "nltk":
            found.hub_loads.append(Use(path, node, "nltk.download", at_start))
        return
    if (
        name in ("makedirs", "mkdir")
        and first is not None
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "os"
    ):
        ref = _path_ref(first, consts)
        if ref is not None:
            found.writes.append(Use(path, node, name, at_start, ref))
        return
    if name == "mkdir" and isinstance(node.func, ast.Attribute):
        ref = _path_ref(node.func.value, consts)
        if ref is not None:
            found.writes.append(Use(path, node, "mkdir", at_start, ref))
        return
    if name in ("StaticFiles", "Jinja2Templates"):
        value = _keyword(node, "directory")
        if value is None and name == "Jinja2Templates" and first is not None:
            value = first
        check_dir = _keyword(node, "check_dir")
        if isinstance(check_dir, ast.Constant) and check_dir.value is False:
            return
        ref = _path_ref(value, consts) if value is not None else None
        if ref is not None:
            found.reads.append(Use(path, node, name, at_start, ref))
        return
    if name == "open" and isinstance(node.func, ast.Name) and first is not None:
        mode = node.args[1] if len(node.args) > 1 else _keyword(node, "mode")
        mode_text = _literal_str(mode) if mode is not None else "r"
        ref = _path_ref(first, consts)
        if ref is None or mode_text is None:
            return
        if any(c in mode_text for c in "wax+"):
            found.writes.append(Use(path, node, "open", at_start, _parent(ref)))
        else:
            found.reads.append(Use(path, node, "open", at_start, ref))
        return
    if name in _READERS and first is not None and at_start:
        ref = _path_ref(first, consts)
        if ref is not None and ref.base != "absolute" and "." in posixpath.basename(ref.value):
            found.reads.append(Use(path, node, name, at_start, ref))
        return
    if (
        name == "Middleware"
        and first is not None
        and callee(first)
        in (
            "CORSMiddleware",
            "SessionMiddleware",
        )
    ):
        name = "add_middleware"  # `FastAPI(middleware=[Middleware(CORSMiddleware, ...)])`
    if name == "add_middleware" and first is not None and callee(first) == "CORSMiddleware":
        found.cors.append(Use(path, node, "CORSMiddleware", at_start))
        return
    if name == "add_middleware" and first is not None and callee(first) == "SessionMiddleware":
        found.cookies.append(Use(path, node, "SessionMiddleware", at_start))
        return
    if name == "set_cookie" and isinstance(node.func, ast.Attribute):
        found.cookies.append(Use(path, node, "set_cookie", at_start))


def _sqlite_opener(node: ast.Call, name: str) -> str | None:
    """`sqlite3.connect`, `aiosqlite.connect` or a peewee SQLite database class, else None."""
    if name in SQLITE_DATABASES:
        return name
    func = node.func
    if name == "connect" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        dotted = f"{func.value.id}.connect"
        return dotted if dotted in SQLITE_CONNECTS else None
    return None


def _parent(ref: PathRef) -> PathRef:
    return PathRef(ref.base, posixpath.dirname(ref.value) or ".")


def _local_looking(value: str) -> bool:
    return value.startswith((".", "/", "~")) or value.count("/") > 1 or "\\" in value


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def _literal_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_file_dunder(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "__file__"


def _module_dir(node: ast.expr, consts: dict[str, PathRef]) -> bool:
    """`os.path.dirname(__file__)`, `os.path.dirname(os.path.abspath(__file__))`,
    `Path(__file__).parent`, `Path(__file__).resolve().parent` (and names bound to them)."""
    ref = _path_ref(node, consts)
    return ref is not None and ref.base == "module" and ref.value == "."


def _path_ref(node: ast.expr | None, consts: dict[str, PathRef]) -> PathRef | None:
    """The path an expression names, when it can be read without running the code."""
    if node is None:
        return None
    text = _literal_str(node)
    if text is not None:
        if not text or "{" in text:
            return None
        if text.startswith("/"):
            return PathRef("absolute", posixpath.normpath(text))
        if text.startswith("~"):
            return None
        return PathRef("cwd", posixpath.normpath(text))
    if isinstance(node, ast.Name):
        return consts.get(node.id)
    if isinstance(node, ast.Call):
        name = callee(node.func)
        args = node.args
        if name in ("getenv", "get") and len(args) == 2 and _is_environ_read(node):
            variable, default = _literal_str(args[0]), _path_ref(args[1], consts)
            if variable is None or default is None or default.env is not None:
                return None
            return PathRef(default.base, default.value, (variable, default.value))
        if name in ("abspath", "realpath", "resolve", "absolute", "normpath", "str", "Path"):
            if name in ("resolve", "absolute") and isinstance(node.func, ast.Attribute):
                return _path_ref(node.func.value, consts)
            if len(args) == 1:
                if _is_file_dunder(args[0]):
                    return PathRef("module", "__file__")
                return _path_ref(args[0], consts)
            if name == "Path" and len(args) > 1:
                return _join([_path_ref(a, consts) for a in args])
            return None
        if name == "dirname" and len(args) == 1:
            inner = (
                PathRef("module", "__file__")
                if _is_file_dunder(args[0])
                else _path_ref(args[0], consts)
            )
            return _up(inner)
        if name == "join" and args:
            return _join([_path_ref(a, consts) for a in args])
        if name == "joinpath" and isinstance(node.func, ast.Attribute):
            return _join(
                [_path_ref(node.func.value, consts)] + [_path_ref(a, consts) for a in args]
            )
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        return _up(_path_ref(node.value, consts))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _join([_path_ref(node.left, consts), _path_ref(node.right, consts)])
    return None


def _is_environ_read(node: ast.Call) -> bool:
    """`os.getenv(...)` or `os.environ.get(...)`."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        return isinstance(func, ast.Name) and func.id == "getenv"
    owner = func.value
    if func.attr == "getenv":
        return isinstance(owner, ast.Name) and owner.id == "os"
    return isinstance(owner, ast.Attribute) and owner.attr == "environ"


def _up(ref: PathRef | None) -> PathRef | None:
    if ref is None:
        return None
    if ref.base == "module" and ref.value == "__file__":
        return PathRef("module", ".")
    if ref.value == "__file__" or "__file__" in ref.value:
        return None
    return PathRef(ref.base, posixpath.normpath(posixpath.join(ref.value, "..")))


def _join(parts: list[PathRef | None]) -> PathRef | None:
    if not parts or any(p is None for p in parts):
        return None
    head = parts[0]
    assert head is not None
    if "__file__" in head.value:
        return None
    value = head.value
    base = head.base
    if any(p is not None and p.env is not None for p in parts[1:]):
        return None
    for part in parts[1:]:
        assert part is not None
        if part.base == "absolute":
            base, value = "absolute", part.value
        elif part.base == "cwd":
            value = posixpath.normpath(posixpath.join(value, part.value))
        else:
            return None
    return PathRef(base, value, head.env)


def _called_only_conditionally(module: AppModule) -> set[str]:
    """Functions that module-level code calls only as a fallback or a branch: the right side
    of `or`/`and`, a branch of `x if c else y`, or under an `if`."""
    maybe: dict[str, bool] = {}

    def visit(node: ast.AST, conditional: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            maybe[name] = maybe.get(name, True) and conditional
        if isinstance(node, ast.BoolOp):
            visit(node.values[0], conditional)
            for value in node.values[1:]:
                visit(value, True)
            return
        if isinstance(node, ast.IfExp):
            visit(node.test, conditional)
            visit(node.body, True)
            visit(node.orelse, True)
            return
        if isinstance(node, ast.If):
            visit(node.test, conditional)
            for stmt in (*node.body, *node.orelse):
                visit(stmt, True)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, conditional)

    for stmt in module.statements:
        visit(stmt, False)
    return {name for name, conditional in maybe.items() if conditional}


def _local_paths(
    function: ast.FunctionDef | ast.AsyncFunctionDef, outer: dict[str, PathRef]
) -> dict[str, PathRef]:
    """`outer` plus the names the function's own top-level statements bind to a path
    expression (a local shadows a module constant of the same name)."""
    return _bound_paths(function.body, outer, shadow=True)


def _bound_paths(
    statements: list[ast.stmt], outer: dict[str, PathRef], *, shadow: bool
) -> dict[str, PathRef]:
    """`outer` plus the names `statements` bind to a path expression, in order (each may use
    the ones before it). `shadow`: a name rebound to something else stops naming a path."""
    bound = dict(outer)
    for stmt in statements:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if isinstance(target, ast.Name):
            ref = _path_ref(value, bound)
            if ref is not None and "__file__" not in ref.value:
                bound[target.id] = ref
            elif shadow:
                bound.pop(target.id, None)
    return bound


def _path_constants(module: AppModule) -> dict[str, PathRef]:
    """Module-level names bound to a path expression (`BASE_DIR = Path(__file__).parent`)."""
    return _bound_paths(module.statements, {}, shadow=False)
