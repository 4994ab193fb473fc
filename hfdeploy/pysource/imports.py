"""Which dotted name each local name of a module stands for, read from its import statements
(tokens, so modules that do not parse still count), and the dotted names a module is known by."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.pytokens import NAME, NEWLINE, Token, file_tokens

if TYPE_CHECKING:
    from hfdeploy.project import Project


@dataclass(frozen=True)
class Imports:
    names: dict[str, str] = field(default_factory=dict)  # local name -> "pkg.mod" or "pkg.mod.attr"
    star_modules: tuple[str, ...] = ()  # `from pkg.mod import *`
    statements: tuple[tuple[int, int], ...] = ()  # token index ranges of import statements

    def in_statement(self, index: int) -> bool:
        return any(lo <= index < hi for lo, hi in self.statements)


def module_names(path: PurePosixPath) -> tuple[str, ...]:
    """`src/app/crud.py` -> ("src.app.crud", "app.crud", "crud"): the project root, a `src/`
    layout or a subdirectory on sys.path may each be where imports start from."""
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return tuple(".".join(parts[i:]) for i in range(len(parts)))


def package_of(path: PurePosixPath) -> list[str]:
    parts = list(path.with_suffix("").parts)
    return parts[:-1]  # for `pkg/__init__.py` the package is `pkg` itself, same rule


def file_imports(project: Project, path: PurePosixPath) -> Imports:
    return project.memo(
        ("pysource.imports", path), lambda: read_imports(file_tokens(project, path), path)
    )


def imported_names(
    project: Project, path: PurePosixPath
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the module's imports bind (`Imports.names` values) and its star-import sources.

    Read from the syntax tree when the module parses (the C parser costs a fraction of the
    tokenizer), else from tokens: the same answer either way."""

    def build() -> tuple[tuple[str, ...], tuple[str, ...]]:
        tree = project.python_ast(path) if project.syntax_error(path) is None else None
        if tree is None:
            imports = file_imports(project, path)
            return tuple(imports.names.values()), imports.star_modules
        names: dict[str, str] = {}
        stars: list[str] = []
        for node in _import_statements(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]  # `import a.b.c` binds `a`
                        names[top] = top
                continue
            source = _absolute("." * node.level + (node.module or ""), path)
            if source is None:
                continue
            for alias in node.names:
                if alias.name == "*":
                    stars.append(source)
                else:
                    local = alias.asname or alias.name
                    names[local] = f"{source}.{alias.name}" if source else alias.name
        return tuple(names.values()), tuple(stars)

    return project.memo(("pysource.imported-names", path), build)


def _import_statements(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """Import statements in source order, nested ones too; only statements are visited (an
    import is never inside an expression), which is much cheaper than `ast.walk`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.append(stmt)
            continue
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, name, None)
            if isinstance(inner, list):
                found.extend(_import_statements(inner))
        for handler in getattr(stmt, "handlers", ()):
            found.extend(_import_statements(handler.body))
        for case in getattr(stmt, "cases", ()):
            found.extend(_import_statements(case.body))
    return found


def read_imports(tokens: list[Token], path: PurePosixPath) -> Imports:
    names: dict[str, str] = {}
    stars: list[str] = []
    statements = []
    for i, tok in enumerate(tokens):
        if not tok.line_start or tok.type != NAME or tok.text not in ("import", "from"):
            continue
        end = i
        while end < len(tokens) and tokens[end].type != NEWLINE and not tokens[end].is_op(";"):
            end += 1
        statements.append((i, end))
        words = [t.text for t in tokens[i:end] if t.text not in ("(", ")")]
        if tok.text == "import":
            for item in _split(words[1:]):
                if "as" in item:
                    at = item.index("as")
                    if at + 1 < len(item):
                        names[item[at + 1]] = "".join(item[:at])
                else:
                    top = item[0]  # `import a.b.c` binds `a`
                    names[top] = top
        elif "import" in words:
            source = _absolute("".join(words[1 : words.index("import")]), path)
            if source is None:
                continue
            for item in _split(words[words.index("import") + 1 :]):
                if item == ["*"]:
                    stars.append(source)
                elif item:
                    local = item[-1] if "as" in item else item[0]
                    names[local] = f"{source}.{item[0]}" if source else item[0]
    return Imports(names, tuple(stars), tuple(statements))


def _split(words: list[str]) -> list[list[str]]:
    items: list[list[str]] = [[]]
    for word in words:
        if word == ",":
            items.append([])
        else:
            items[-1].append(word)
    return [item for item in items if item]


def _absolute(source: str, path: PurePosixPath) -> str | None:
    """`..crud` seen from `app/routers/tasks.py` -> "app.crud"."""
    level = len(source) - len(source.lstrip("."))
    if not level:
        return source
    package = package_of(path)
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    rest = source[level:]
    return ".".join(base + ([rest] if rest else []))
