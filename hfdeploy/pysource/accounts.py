"""Where the served app asks the operating system for the account of the user it runs as, read
from its AST (never run): `getpass.getuser()` and `pwd.getpwuid(...)`. On a Space the container
runs as uid 1000; when the image has no passwd entry for that uid, `pwd.getpwuid` raises
`KeyError: 'getpwuid(): uid not found: 1000'` (and `getpass.getuser()` with it, unless `LOGNAME`,
`USER`, `LNAME` or `USERNAME` is set). Only the modules the served app imports at start count
(every module when no app is found), tests and scripts aside.

Public API: `account_lookups(project) -> list[AccountLookup]`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hfdeploy.project import Project

_SKIPPED_DIRS = frozenset(
    {"tests", "test", "testing", "examples", "example", "docs", "doc", "scripts", "benchmarks"}
)
# module -> functions of it that look the account up
_LOOKUPS = {"getpass": frozenset({"getuser"}), "pwd": frozenset({"getpwuid"})}


@dataclass(frozen=True)
class AccountLookup:
    path: PurePosixPath
    line: int
    what: str  # "getpass.getuser()", "pwd.getpwuid()"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def account_lookups(project: Project) -> list[AccountLookup]:
    return project.memo(("pysource", "account_lookups"), lambda: _collect(project))


def _collect(project: Project) -> list[AccountLookup]:
    from hfdeploy.pysource.import_graph import startup_modules

    started = set(startup_modules(project))
    found: list[AccountLookup] = []
    for path, text in project.python_texts():
        if started and path not in started:
            continue
        if _SKIPPED_DIRS.intersection(path.parts[:-1]) or path.name == "conftest.py":
            continue
        if "getuser" not in text and "getpwuid" not in text:
            continue
        tree = project.python_ast(path)
        if tree is None:
            continue
        found.extend(AccountLookup(path, line, what) for line, what in _calls(tree))
    return sorted(found, key=lambda f: (str(f.path), f.line))


def _calls(tree: ast.Module) -> list[tuple[int, str]]:
    modules: dict[str, str] = {}  # local name -> "getpass" / "pwd"
    functions: dict[str, str] = {}  # local name -> "getpass.getuser"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in _LOOKUPS:
                    modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in _LOOKUPS:
            for alias in node.names:
                if alias.name in _LOOKUPS[node.module]:
                    functions[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = None
        if isinstance(func, ast.Name):
            name = functions.get(func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = modules.get(func.value.id)
            if module is not None and func.attr in _LOOKUPS[module]:
                name = f"{module}.{func.attr}"
        if name is not None:
            out.append((node.lineno, f"{name}()"))
    return out
