"""Third-party imports of the app's own Python files, and the FastAPI features that need an
optional package (`Form(...)` needs python-multipart).

Only unconditional imports count: module level, class and function bodies, `with` blocks. An
import under `try:`, `if ...:` (TYPE_CHECKING, version or feature switches) may never run."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Directories and files that are not the running app.
_NOT_THE_APP_DIRS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "docs",
        "doc",
        "examples",
        "example",
        "scripts",
        "alembic",
        "migrations",
        "notebooks",
        "benchmarks",
        "tools",
        "venv",
        ".venv",
        "env",
        "site-packages",
        "node_modules",
        "build",
        "dist",
    }
)
_NOT_THE_APP_FILES = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py"})
# Modules present in every Python image besides the standard library.
_ALWAYS_PRESENT = frozenset({"pip", "__future__", "_typeshed", "typing_extensions_stub"})
_NAMESPACES = frozenset(
    {"google", "azure", "zope", "backports", "jaraco", "sphinxcontrib", "ruamel"}
)


@dataclass(frozen=True)
class ExtraNeed:
    """A name from a FastAPI/Starlette/pydantic module that only works with an optional package."""

    feature: str  # as shown: "Form(...)"
    module: str  # import name of the package it needs
    distribution: str
    consequence: str


# (module imported from, name) -> what it needs. Matched when the name is used, not just imported.
_FORM = 'FastAPI refuses to register the route (RuntimeError: Form data requires "python-multipart" to be installed)'
EXTRAS: dict[tuple[str, str], ExtraNeed] = {
    ("fastapi", "Form"): ExtraNeed("Form(...)", "multipart", "python-multipart", _FORM),
    ("fastapi", "File"): ExtraNeed("File(...)", "multipart", "python-multipart", _FORM),
    ("fastapi", "UploadFile"): ExtraNeed("UploadFile", "multipart", "python-multipart", _FORM),
    ("fastapi.security", "OAuth2PasswordRequestForm"): ExtraNeed(
        "OAuth2PasswordRequestForm", "multipart", "python-multipart", _FORM
    ),
    ("fastapi.templating", "Jinja2Templates"): ExtraNeed(
        "Jinja2Templates",
        "jinja2",
        "Jinja2",
        "creating it fails (AssertionError: jinja2 must be installed)",
    ),
    ("starlette.templating", "Jinja2Templates"): ExtraNeed(
        "Jinja2Templates",
        "jinja2",
        "Jinja2",
        "creating it fails (AssertionError: jinja2 must be installed)",
    ),
    ("starlette.middleware.sessions", "SessionMiddleware"): ExtraNeed(
        "SessionMiddleware",
        "itsdangerous",
        "itsdangerous",
        "importing it fails (ModuleNotFoundError: No module named 'itsdangerous')",
    ),
    ("pydantic", "EmailStr"): ExtraNeed(
        "EmailStr",
        "email_validator",
        "email-validator",
        "defining the model fails (ImportError: email-validator is not installed)",
    ),
}


@dataclass(frozen=True)
class FoundImport:
    module: str  # top-level name
    node: ast.stmt


@dataclass(frozen=True)
class FoundExtra:
    need: ExtraNeed
    node: ast.stmt  # the import that brings the name in


def app_python_files(project: Project) -> list[PurePosixPath]:
    return [
        p
        for p in project.python_files()
        if not (set(p.parts[:-1]) & _NOT_THE_APP_DIRS)
        and p.name not in _NOT_THE_APP_FILES
        and not p.name.startswith("test_")
        and not p.name.endswith("_test.py")
    ]


def local_names(project: Project) -> frozenset[str]:
    """Every module or package name of the repository, at any depth: an app started from its
    own directory (`cd backend && uvicorn main:app`) imports its siblings as top-level names."""

    def collect() -> frozenset[str]:
        names: set[str] = set()
        for path in project.files():
            names.update(path.parts[:-1])
            if path.suffix in (".py", ".pyi", ".so", ".pyd"):
                names.add(path.name.split(".", 1)[0])
        return frozenset(names)

    return project.memo("rq-local-module-names", collect)


def unconditional_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.With, ast.AsyncWith)
        ):
            pending.extend(node.body)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _third_party(top: str, local: frozenset[str]) -> bool:
    return not (
        top in sys.stdlib_module_names
        or top in _ALWAYS_PRESENT
        or top in _NAMESPACES
        or top in local
        or top.startswith("_")
    )


# `import a.b, c as d` / `from a.b import c` at the start of a line, read from the text alone.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:import[ \t]+(?P<names>[\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+"
    r"(?:[ \t]+as[ \t]+\w+)?)*)|from[ \t]+(?P<module>\w[\w.]*)[ \t]+import\b)",
    re.MULTILINE,
)


def _import_lines(text: str) -> Iterator[re.Match[str]]:
    """`_IMPORT_LINE.finditer(text)`, tried only at the start of the lines that contain
    `import` (every match does, and lies within one line): a few `str.find`s instead of the
    pattern tried at every line of the file."""
    pos = text.find("import")
    while pos != -1:
        match = _IMPORT_LINE.match(text, text.rfind("\n", 0, pos) + 1)
        if match is not None:
            yield match
        end = text.find("\n", pos)
        if end == -1:
            return
        pos = text.find("import", end)


def imported_tops_in_text(text: str, local: frozenset[str]) -> set[str]:
    """Third-party top-level names the text seems to import: a cheap filter that decides which
    files are worth parsing (every real import statement starts a line this matches)."""
    tops: set[str] = set()
    for m in _import_lines(text):
        if m.group("module"):
            tops.add(m.group("module").split(".")[0])
        else:
            tops.update(part.split()[0].split(".")[0] for part in m.group("names").split(","))
    return {top for top in tops if _third_party(top, local)}


def third_party_imports(tree: ast.Module, local: frozenset[str]) -> list[FoundImport]:
    found: list[FoundImport] = []
    for node in unconditional_imports(tree):
        if isinstance(node, ast.ImportFrom):
            tops = [node.module.split(".")[0]] if node.module and not node.level else []
        else:
            tops = [alias.name.split(".")[0] for alias in node.names]
        for top in dict.fromkeys(tops):
            if _third_party(top, local):
                found.append(FoundImport(top, node))
    return found


def used_extras(tree: ast.Module) -> list[FoundExtra]:
    """Names of `EXTRAS` imported (unconditionally) and then used in the module."""
    imported: dict[str, tuple[ExtraNeed, ast.stmt]] = {}
    for node in unconditional_imports(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                need = EXTRAS.get((node.module, alias.name))
                if need is not None:
                    imported[alias.asname or alias.name] = (need, node)
    if not imported:
        return []
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in imported}
    return [FoundExtra(*imported[name]) for name in imported if name in used]


def project_imports(project: Project) -> frozenset[str]:
    """Third-party top-level names the app's Python files import."""

    def collect() -> frozenset[str]:
        local = local_names(project)
        tops: set[str] = set()
        for path in app_python_files(project):
            tops |= imported_tops_in_text(project.text(path) or "", local)
        return frozenset(tops)

    return project.memo("rq-project-imports", collect)
