"""What one Python module says about FastAPI apps, read from its AST: its import name, the
apps and factories it defines, what it imports and which names routes are attached to."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pyparse import PARSE_FAILURES, parse_python

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Methods whose call on an app means it is the one being wired up, not a throwaway instance.
# fmt: off
WIRING = frozenset(
    {"include_router", "mount", "add_middleware", "add_api_route", "exception_handler",
     "middleware", "on_event", "get", "post", "put", "patch", "delete", "api_route", "websocket"}
)
# fmt: on


@dataclass
class AppModule:
    path: PurePosixPath
    tree: ast.Module
    name: str = ""
    root: str = ""
    statements: list[ast.stmt] = field(default_factory=list)  # module level, see top_level
    imports: set[str] = field(default_factory=set)  # absolute names of imported modules
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, name)
    aliases: dict[str, str] = field(default_factory=dict)  # `import a.b as c`: c -> a.b
    wired: set[str] = field(default_factory=set)  # names that routes/routers are attached to
    mounted: set[str] = field(default_factory=set)  # names passed to `.mount(...)`
    kinds: set[str] = field(default_factory=lambda: {"FastAPI"})  # FastAPI and local subclasses
    # Functions returning an app: name -> (routes wired inside, line if callable without args).
    factories: dict[str, tuple[bool, int | None]] = field(default_factory=dict)


def load_module(project: Project, path: PurePosixPath) -> AppModule | None:
    tree = project.python_ast(path) or parse_around_errors(project.text(path))
    if tree is None:
        return None
    module = AppModule(path, tree, statements=top_level(tree.body))
    level, absolute = 0, set[str]()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            absolute.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            level = max(level, node.level)
            if node.level == 0 and node.module:
                absolute.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in WIRING and isinstance(node.func.value, ast.Name):
                module.wired.add(node.func.value.id)
            if node.func.attr == "mount":
                module.mounted.update(a.id for a in node.args if isinstance(a, ast.Name))
    module.root, module.name = module_name(project, path, level, absolute)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            module.imports.update(a.name for a in node.names)
            module.aliases.update((a.asname, a.name) for a in node.names if a.asname)
        elif isinstance(node, ast.ImportFrom):
            base = resolve_import(module, node.level, node.module)
            module.imports.add(base)
            for alias in node.names:
                module.imports.add(f"{base}.{alias.name}")
                module.imported[alias.asname or alias.name] = (base, alias.name)
    module.kinds |= {
        s.name
        for s in module.statements
        if isinstance(s, ast.ClassDef) and any(callee(b) == "FastAPI" for b in s.bases)
    }
    for stmt in module.statements:
        if isinstance(stmt, ast.FunctionDef) and returns_app(module, stmt):
            wired = any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in WIRING
                for n in ast.walk(stmt)
            )
            args = stmt.args
            no_args = len(args.posonlyargs) + len(args.args) <= len(args.defaults) and all(
                d is not None for d in args.kw_defaults
            )
            module.factories[stmt.name] = (wired, stmt.lineno if no_args else None)
    return module


def module_name(
    project: Project, path: PurePosixPath, level: int, absolute: set[str]
) -> tuple[str, str]:
    """(import root, dotted name): the root is the first directory up without `__init__.py`,
    raised when relative imports or imports of an enclosing directory's name need it."""
    dirs = list(path.parts[:-1])
    top = len(dirs)
    while top > 0 and project.exists(PurePosixPath(*dirs[:top], "__init__.py")):
        top -= 1
    if len(dirs) - top < level:
        top = max(0, len(dirs) - level)
    enclosing = [j for j in range(top) if dirs[j] in absolute]
    if enclosing:
        top = min(enclosing)
    parts = dirs[top:] + ([] if path.name == "__init__.py" else [path.stem])
    return "/".join(dirs[:top]), ".".join(parts)


def resolve_import(module: AppModule, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    package = module.name.split(".")
    if module.path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def callee(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value  # a string annotation: `-> "FastAPI"`
    return None


def is_app(module: AppModule, value: ast.expr | None) -> bool:
    return isinstance(value, ast.Call) and callee(value.func) in module.kinds


def returns_app(module: AppModule, function: ast.FunctionDef) -> bool:
    if function.returns is not None and callee(function.returns) in module.kinds:
        return True
    inner = {
        t.id
        for n in ast.walk(function)
        if isinstance(n, ast.Assign) and is_app(module, n.value)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    return any(
        isinstance(n, ast.Return)
        and (is_app(module, n.value) or (isinstance(n.value, ast.Name) and n.value.id in inner))
        for n in ast.walk(function)
    )


def top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Module-level statements, including those under `try:` and `if` (not `__main__`)."""
    out: list[ast.stmt] = []
    for stmt in body:
        if (isinstance(stmt, ast.If) and "__main__" not in ast.dump(stmt.test)) or isinstance(
            stmt, ast.Try
        ):
            out += top_level(stmt.body) + top_level(stmt.orelse)
        else:
            out.append(stmt)
    return out


MAX_BLANKED = 20


def parse_around_errors(text: str | None) -> ast.Module | None:
    """Parse `text` with each top-level statement that has a syntax error blanked out (line
    numbers kept), so that an app defined next to a broken route (a PY001 SyntaxError) is
    still found while that error waits for its fix."""
    if not text:
        return None
    lines = text.splitlines(keepends=True)
    for _ in range(MAX_BLANKED):
        try:
            return parse_python("".join(lines))
        except SyntaxError as exc:
            error = min(max((exc.lineno or 1) - 1, 0), len(lines) - 1)
        except PARSE_FAILURES:
            return None
        start = error
        while start > 0 and (lines[start][:1].isspace() or not lines[start].strip()):
            start -= 1
        while start > 0 and lines[start - 1].startswith("@"):
            start -= 1  # the decorators belong to the broken definition
        end = error + 1
        while end < len(lines) and (lines[end][:1].isspace() or not lines[end].strip()):
            end += 1
        if all(not line.strip() for line in lines[start:end]):
            return None
        lines[start:end] = ["\n"] * (end - start)
    return None


def bound_names(tree: ast.Module) -> dict[str, ast.stmt]:
    """Names bound at module level, each with the statement binding it (`*` for `import *`)."""
    bound: dict[str, ast.stmt] = {}
    for stmt in top_level(tree.body):
        names: list[str] = []
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [stmt.name]
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names = [a.asname or a.name.split(".")[0] for a in stmt.names]
        bound.update({n: stmt for n in names})
    return bound
