"""Find the FastAPI application as `module:attribute` by reading the source, never importing it.

Only files whose text mentions `FastAPI` are parsed (through the shared `project.python_ast`).
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pysource.app_modules import (
    AppModule,
    bound_names,
    callee,
    is_app,
    load_module,
)

if TYPE_CHECKING:
    from hfdeploy.project import Project

SETTING_HINT = 'Name it in pyproject.toml: [tool.hfdeploy] app = "pkg.module:app"'
DISCOVERED = "discovered"

_TEST_DIRS = frozenset({"tests", "test", "testing"})
_SAMPLE_DIRS = frozenset({"examples", "example", "samples", "docs", "doc", "scripts", "benchmarks"})
_MAIN_STEMS = frozenset({"main", "app", "asgi", "server", "api"})
_DEPLOY_FILES = ("Dockerfile", "Procfile")
_REFERENCE = re.compile(r"\b([A-Za-z_][\w.]*):([A-Za-z_]\w*)\b")
_SAFE_DIR = re.compile(r"[A-Za-z0-9_.\-/]+")


@dataclass(frozen=True)
class AppTarget:
    module: str  # "app.main"
    attribute: str  # "app", or the factory's name when `factory`
    factory: bool  # serve with `uvicorn --factory`
    app_dir: str | None  # directory to import from (`--app-dir src`), relative; None: the root
    path: PurePosixPath  # the file defining it
    line: int
    source: str  # "discovered", "pyproject.toml [tool.hfdeploy]", "Dockerfile"

    @property
    def import_string(self) -> str:
        return f"{self.module}:{self.attribute}"

    def uvicorn_args(self) -> tuple[str, ...]:
        args = (self.import_string, "--factory") if self.factory else (self.import_string,)
        return args + (("--app-dir", self.app_dir) if self.app_dir else ())


@dataclass(frozen=True)
class AppDiscovery:
    target: AppTarget | None
    ambiguous: tuple[AppTarget, ...] = ()  # equally likely candidates when there is no target
    unusable: tuple[tuple[AppTarget, str], ...] = ()  # apps found that cannot be imported, and why
    setting_error: str | None = None  # what is wrong with `[tool.hfdeploy] app`


def discover_app(project: Project) -> AppTarget | None:
    """The app to serve, or None when there is none or several equally likely ones."""
    return find_app(project).target


def find_app(project: Project) -> AppDiscovery:
    return project.memo(("pysource", "app_discovery"), lambda: _discover(project))


@dataclass(frozen=True)
class _Found:
    target: AppTarget
    wired: bool


def _discover(project: Project) -> AppDiscovery:
    if project.config.app:
        return _configured(project, project.config.app)
    modules = [m for m in (load_module(project, p) for p in _files(project, ("FastAPI",))) if m]
    factories = {(m.name, f): wired for m in modules for f, (wired, _) in m.factories.items()}
    if factories:
        # `app = create_app()` in a module that never mentions FastAPI itself.
        loaded = {m.path for m in modules}
        names = tuple(name for _, name in factories)
        extra = (load_module(project, p) for p in _files(project, names) if p not in loaded)
        modules += [m for m in extra if m]
    found = [item for m in modules for item in _scan(m, factories)]
    return _choose(project, modules, list(dict.fromkeys(found)))


def _files(project: Project, needles: tuple[str, ...]) -> list[PurePosixPath]:
    out = []
    for path in project.python_files():
        if _TEST_DIRS.intersection(path.parts[:-1]) or path.name == "conftest.py":
            continue
        if path.name.startswith("test_") or path.name.endswith("_test.py"):
            continue
        text = project.text(path)
        if text is not None and any(n in text for n in needles):
            out.append(path)
    return out


def _scan(module: AppModule, factories: dict[tuple[str, str], bool]) -> list[_Found]:
    """Apps `module` defines: `app = FastAPI(...)`, `app: FastAPI = build()`, `app = create_app()`
    with a known factory, and factories callable without arguments that nothing here calls."""
    found: list[_Found] = []
    called: set[str] = set()
    for stmt in module.statements:
        if isinstance(stmt, ast.Assign):
            targets, value, annotated = stmt.targets, stmt.value, False
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
            annotated = callee(stmt.annotation) in module.kinds and isinstance(value, ast.Call)
        else:
            continue
        origin = _factory_called(module, value, factories)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            called.add(value.func.id)
        if origin is None and not (is_app(module, value) or annotated):
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in module.mounted:
                wired = target.id in module.wired or (origin is not None and factories[origin])
                found.append(_Found(_target(module, target.id, False, stmt.lineno), wired))
    for name, (wired, line) in module.factories.items():
        if line is not None and name not in called:
            found.append(_Found(_target(module, name, True, line), wired))
    return found


def _factory_called(
    module: AppModule, value: ast.expr | None, factories: dict[tuple[str, str], bool]
) -> tuple[str, str] | None:
    """The known factory `value` calls, whatever its arguments: `create_app(get_settings())`,
    `factory.create_app(settings, db)` (a module imported as `factory`), `pkg.factory.build()`."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Name):
        origin = module.imported.get(func.id, (module.name, func.id))
        return origin if origin in factories else None
    if not isinstance(func, ast.Attribute):
        return None
    owner = ast.unparse(func.value)
    head, _, tail = owner.partition(".")
    candidates = [owner, module.aliases.get(owner, owner)]
    if head in module.imported:
        base, name = module.imported[head]
        candidates.append(".".join(p for p in (base, name, tail) if p))
    for candidate in candidates:
        if (candidate, func.attr) in factories:
            return (candidate, func.attr)
    return None


def _target(module: AppModule, attribute: str, factory: bool, line: int) -> AppTarget:
    return AppTarget(
        module.name, attribute, factory, module.root or None, module.path, line, DISCOVERED
    )


def _choose(project: Project, modules: list[AppModule], found: list[_Found]) -> AppDiscovery:
    unusable: list[tuple[AppTarget, str]] = []
    usable: list[_Found] = []
    for item in found:
        reason = _unimportable(project, item.target)
        if reason:
            unusable.append((item.target, reason))
        else:
            usable.append(item)
    # An app whose module another app's module imports is part of that one (mounted, reused).
    importers = {m.name: m.imports for m in modules}
    names = {f.target.module for f in usable}
    entry_points = [
        f
        for f in usable
        if not any(f.target.module in importers.get(n, ()) for n in names - {f.target.module})
    ]
    usable = entry_points or usable
    referenced = _deploy_references(project)
    if not usable:
        for module, attribute, where in referenced:
            fallback = _resolve(project, module, attribute, where)
            if isinstance(fallback, AppTarget):
                return AppDiscovery(fallback, unusable=tuple(unusable))
        return AppDiscovery(None, unusable=tuple(unusable))

    def rank(item: _Found) -> tuple[bool, ...]:
        t = item.target
        return (
            any((t.module, t.attribute) == ref[:2] for ref in referenced),
            not _SAMPLE_DIRS.intersection(t.path.parts[:-1]),
            item.wired,
            t.attribute == "app" or (t.factory and t.attribute == "create_app"),
            t.path.stem in _MAIN_STEMS,
        )

    best = max(rank(item) for item in usable)
    top = [item.target for item in usable if rank(item) == best]
    if len(top) == 1:
        return AppDiscovery(top[0], unusable=tuple(unusable))
    return AppDiscovery(None, ambiguous=tuple(top), unusable=tuple(unusable))


def _unimportable(project: Project, target: AppTarget) -> str | None:
    parts = target.module.split(".")
    if not all(p.isidentifier() and p.isascii() and not keyword.iskeyword(p) for p in parts):
        return f"`{target.module}` is not an importable module name"
    if target.app_dir and not _SAFE_DIR.fullmatch(target.app_dir):
        return f"the directory `{target.app_dir}` has characters hfdeploy will not put in a command"
    base = PurePosixPath(target.app_dir or ".")
    for i, _part in enumerate(parts[:-1]):
        package = base.joinpath(*parts[: i + 1])
        if not project.exists(package / "__init__.py") and project.exists(
            package.with_suffix(".py")
        ):
            return f"`{package.with_suffix('.py')}` shadows the package `{package}/`"
    if target.path.name != "__init__.py":
        package = base.joinpath(*parts)
        if project.exists(package / "__init__.py"):
            return (
                f"the package `{package}/` shadows `{target.path}`: "
                f"`import {target.module}` loads `{package}/__init__.py`"
            )
    return None


def _deploy_references(project: Project) -> list[tuple[str, str, str]]:
    """`module:attribute` strings in the Dockerfile or Procfile, with the file's name."""
    return [
        (module, attribute, name)
        for name in _DEPLOY_FILES
        for module, attribute in _REFERENCE.findall(project.text(name) or "")
    ]


def _configured(project: Project, setting: str) -> AppDiscovery:
    """`[tool.hfdeploy] app`: "pkg.module:app", or "path/to/module.py:app" when the module name
    alone is not unique (two services each with a `main.py`)."""
    match = re.fullmatch(r"\s*([\w./-]+\.py|[A-Za-z_][\w.]*):([A-Za-z_]\w*)\s*", setting)
    if match is None:
        form = '"pkg.module:app" or "path/to/module.py:app"'
        return AppDiscovery(None, setting_error=f'`app = "{setting}"` is not in the form {form}')
    where, attribute = match.groups()
    source = project.config.source
    if where.endswith(".py"):
        module = load_module(project, PurePosixPath(where)) if project.exists(where) else None
        found = (
            _bound(project, module.path, module.name, module.root, attribute, source)
            if module is not None
            else f"no file `{where}` that parses"
        )
    else:
        found = _resolve(project, where, attribute, source)
    if isinstance(found, AppTarget):
        problem = _unimportable(project, found)
        return AppDiscovery(found) if problem is None else AppDiscovery(None, setting_error=problem)
    return AppDiscovery(None, setting_error=found)


def _resolve(project: Project, module: str, attribute: str, source: str) -> AppTarget | str:
    """The target `module:attribute` names, or why it names nothing."""
    relative = module.replace(".", "/")
    matches = []
    for path in project.python_files():
        for suffix in (f"{relative}.py", f"{relative}/__init__.py"):
            text = str(path)
            if text == suffix or text.endswith("/" + suffix):
                matches.append((text[: len(text) - len(suffix)].rstrip("/"), path))
    if not matches:
        return f"no module `{module}` (looked for `{relative}.py` and `{relative}/__init__.py`)"
    root, path = min(matches, key=lambda m: (m[0].count("/"), len(m[0])))
    return _bound(project, path, module, root, attribute, source)


def _bound(
    project: Project, path: PurePosixPath, module: str, root: str, attribute: str, source: str
) -> AppTarget | str:
    """The target if `attribute` is bound at the top of `path` (or may be, after `import *`)."""
    tree = project.python_ast(path)
    bound = bound_names(tree) if tree is not None else {}
    if tree is not None and attribute not in bound and "*" not in bound:
        return f"`{path}` does not define `{attribute}`"
    binding = bound.get(attribute)
    factory = isinstance(binding, ast.FunctionDef)
    line = binding.lineno if binding is not None else 1
    return AppTarget(module, attribute, factory, root or None, path, line, source)
