"""Python source positions and small code edits shared by the DB and EV fixes: ast nodes to str
offsets, plain string literals, `import os`, and module-level helper functions."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from hfdeploy.diagnostics import Edit, Span

if TYPE_CHECKING:
    from hfdeploy.project import Project
from hfdeploy.source import SourceFile

T = TypeVar("T")
_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n)*")
_LITERAL = re.compile(r"(?P<prefix>[rRuU]?)(?P<quote>'''|\"\"\"|'|\")")


class Located:
    """A parsed module with offset lookups: ast columns are UTF-8 byte offsets into a line."""

    def __init__(self, source: SourceFile, tree: ast.Module):
        self.source = source
        self.tree = tree
        self.text = source.text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        # Filled by `nodes_on`: every node it passed through, mapped to its parent.
        self.parents: dict[ast.AST, ast.AST] = {}
        self._cache: dict[str, Any] = {}

    def lines_of(self, pattern: re.Pattern[str]) -> list[int]:
        """1-based numbers of the lines where `pattern` matches, sorted."""
        return sorted(
            {bisect_right(self._line_starts, m.start()) for m in pattern.finditer(self.text)}
        )

    def nodes_on(self, lines: list[int]) -> list[ast.AST]:
        """Nodes whose line range includes one of `lines` (sorted), found by descending only into
        such nodes: a walk of the whole tree would cost as much as parsing it again."""
        found: list[ast.AST] = []
        stack: list[ast.AST] = [self.tree]
        while stack and lines:
            node = stack.pop()
            for child in ast.iter_child_nodes(node):
                start = getattr(child, "lineno", None)
                if start is not None:
                    i = bisect_left(lines, start)
                    if i == len(lines) or lines[i] > (getattr(child, "end_lineno", None) or start):
                        continue
                    found.append(child)
                self.parents[child] = node
                stack.append(child)
        return found

    def nodes_matching(self, pattern: re.Pattern[str]) -> list[ast.AST]:
        return self.nodes_on(self.lines_of(pattern))

    def cached(self, key: str, factory: Callable[[], T]) -> T:
        """A per-module view computed once (os import names, environment reads, ...)."""
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]  # type: ignore[no-any-return]

    def parent_of(self, node: ast.AST) -> ast.AST | None:
        if node not in self.parents and hasattr(node, "lineno"):
            self.nodes_on([node.lineno])
        return self.parents.get(node)

    def function_of(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The innermost function containing `node`, None at module level."""
        current = self.parent_of(node)
        while current is not None and not isinstance(
            current, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            current = self.parent_of(current)
        return current

    def statement_of(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement containing `node`."""
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.parent_of(current)
        return current

    @property
    def path(self) -> PurePosixPath:
        return self.source.path

    def offset(self, lineno: int, col: int) -> int:
        start = (
            self._line_starts[lineno - 1] if lineno - 1 < len(self._line_starts) else len(self.text)
        )
        line = self.text[start : start + col * 4 + 4]
        if line[:col].isascii():
            return start + col
        return start + len(line.encode("utf-8")[:col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> Span:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return Span(start, max(start, end))

    def segment(self, node: ast.AST) -> str:
        span = self.span(node)
        return self.text[span.start : span.end]

    def line_start(self, node: ast.AST) -> int:
        return self._line_starts[node.lineno - 1]  # type: ignore[attr-defined]

    def comment_start(self, node: ast.AST) -> int:
        """Where the node's line starts, or the comment lines right above it (same block)."""
        at = self.line_start(node)
        while at > 0:
            prev = self.text.rfind("\n", 0, at - 1) + 1
            if not self.text[prev:at].lstrip().startswith("#"):
                break
            at = prev
        return at

    def indent_of(self, node: ast.AST) -> str | None:
        """The indentation before `node`, or None when other code precedes it on its line."""
        before = self.text[self.line_start(node) : self.span(node).start]
        return before if not before.strip() else None

    def line_end(self, node: ast.AST) -> int:
        """Offset just past the newline ending the node's last line."""
        end = self.span(node).end
        nl = self.text.find("\n", end)
        return len(self.text) if nl == -1 else nl + 1

    def literal_span(self, node: ast.AST) -> Span | None:
        """Span of a plain string literal's characters (no escapes, no implicit concatenation),
        where the text written equals the value; None for anything else."""
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return None
        span = self.span(node)
        written = self.text[span.start : span.end]
        match = _LITERAL.match(written)
        if match is None:
            return None
        quote = match.group("quote")
        inner = written[match.end() : len(written) - len(quote)]
        if not written.endswith(quote) or inner != node.value or "\\" in inner:
            return None
        return Span(span.start + match.end(), span.end - len(quote))


def located(project: Project, path: PurePosixPath) -> Located | None:
    def build() -> Located | None:
        source = project.source(path)
        tree = project.python_ast(path)
        return None if source is None or tree is None else Located(source, tree)

    return project.memo(("located", path), build)


def candidate_files(project: Project, *needles: str) -> list[Located]:
    """Parsed Python files whose text contains any of `needles` (a cheap filter before ast).
    Needles that are identifiers are looked up in the project's identifier index (as whole
    words); others are searched for in every file's text."""
    found = []
    if all(needle.isidentifier() for needle in needles):
        for path in project.files_mentioning(*needles):
            module = located(project, path)
            if module is not None:
                found.append(module)
        return found
    for path, text in project.python_texts():
        if any(needle in text for needle in needles):  # `in` scans faster than a regex
            module = located(project, path)
            if module is not None:
                found.append(module)
    return found


def module_name(path: PurePosixPath) -> str | None:
    """`app/core/config.py` -> `app.core.config` (None for names that cannot be imported)."""
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def imports_os(tree: ast.Module) -> bool:
    return any(
        isinstance(stmt, ast.Import)
        and any(a.name == "os" and a.asname is None for a in stmt.names)
        for stmt in tree.body
    )


def defines(tree: ast.Module, name: str) -> bool:
    return any(
        isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name
        for stmt in tree.body
    )


def bindings(node: ast.AST) -> list[tuple[str, ast.expr]]:
    """(name, value) for each name an assignment binds to a value written in it: `x = v`,
    `x = y = v`, `x: T = v`, `x := v`, and the unpacking of a literal tuple or list of the same
    length (`a, b = v1, v2`, `[a, b] = [v1, v2]`, nested). The one answer to "which names
    hold this expression" (an unpacking of anything else, `a, b = pair`, binds no known value)."""
    if isinstance(node, ast.Assign):
        return [pair for target in node.targets for pair in _unpack(target, node.value)]
    if isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
        return _unpack(node.target, node.value)
    return []


def _unpack(target: ast.expr, value: ast.expr) -> list[tuple[str, ast.expr]]:
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if (
        isinstance(target, (ast.Tuple, ast.List))
        and isinstance(value, (ast.Tuple, ast.List))
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts))
    ):
        return [
            pair for t, v in zip(target.elts, value.elts, strict=True) for pair in _unpack(t, v)
        ]
    return []


def bound_names(module: Located, node: ast.AST) -> list[str]:
    """The names an assignment binds `node` to (see `bindings`): `X = os.getenv("X")`,
    `user, pw = os.environ["U"], os.environ["P"]`, `if (x := os.getenv("X")):`."""
    holder = module.parent_of(node)
    while isinstance(holder, (ast.Tuple, ast.List)):
        holder = module.parent_of(holder)
    if holder is None:
        return []
    return [name for name, value in bindings(holder) if value is node]


def top_statement(tree: ast.Module, node: ast.AST) -> ast.stmt | None:
    """The module-level statement containing `node`."""
    line = node.lineno  # type: ignore[attr-defined]
    for stmt in tree.body:
        if stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
            return stmt
    return None


def _leading(tree: ast.Module) -> Iterator[ast.stmt]:
    """The docstring and `from __future__` imports, which must stay first."""
    for i, stmt in enumerate(tree.body):
        is_doc = (
            i == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        )
        if is_doc or (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
            yield stmt
        else:
            return


def import_os_edit(module: Located) -> Edit | None:
    """`import os` before the first import (after a docstring and `__future__` imports)."""
    if imports_os(module.tree):
        return None
    nl = module.source.newline
    leading = list(_leading(module.tree))
    first_import = next(
        (
            s
            for s in module.tree.body[len(leading) :]
            if isinstance(s, (ast.Import, ast.ImportFrom))
        ),
        None,
    )
    if first_import is not None and module.indent_of(first_import) == "":
        return Edit.insert(module.path, module.line_start(first_import), "import os" + nl)
    if leading:
        at = module.line_end(leading[-1])
        prefix = "" if module.text[:at].endswith("\n") else nl
        return Edit.insert(module.path, at, prefix + nl + "import os" + nl)
    return Edit.insert(module.path, 0, "import os" + nl + nl)


def helper_edits(module: Located, use: ast.AST, name: str, body: str) -> list[Edit]:
    """Define module-level function `name` (source `body`, "\\n" newlines) before the top-level
    statement that uses it: after the imports above that statement. Adds `import os` too."""
    edits: list[Edit] = []
    os_edit = import_os_edit(module)
    if defines(module.tree, name):
        return [os_edit] if os_edit else []
    nl = module.source.newline
    stmt = top_statement(module.tree, use)
    assert stmt is not None
    leading = list(_leading(module.tree))
    before = [s for s in module.tree.body if s.lineno < stmt.lineno]
    imports = [s for s in before if isinstance(s, (ast.Import, ast.ImportFrom))]
    anchor = imports[-1] if imports else (leading[-1] if leading else None)
    helper = body.rstrip("\n").replace("\n", nl) + nl
    if anchor is None:
        at = module.line_start(stmt)
        text = helper + nl + nl
    else:
        at = module.line_end(anchor)
        # Two blank lines around a top-level def (PEP 8), counting those already there.
        blank_lines = _BLANK_LINES.match(module.text, at)
        blank = blank_lines.group(0).count("\n") if blank_lines else 0
        text = ("" if module.text[:at].endswith("\n") else nl) + nl + nl + helper
        text += nl * max(0, 2 - blank)
    if os_edit is not None and os_edit.span.start == at:
        text = os_edit.replacement + text
        os_edit = None
    edits.append(Edit.insert(module.path, at, text))
    if os_edit is not None:
        edits.append(os_edit)
    return edits
