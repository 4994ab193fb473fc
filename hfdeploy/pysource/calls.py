"""Where a function is used across the project, found from tokens (so modules that do not parse
count too): calls that resolve to it, same-named calls on objects nobody can resolve statically,
and places that pass it around as a value."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Span
from hfdeploy.pysource.imports import Imports, file_imports, imported_names, module_names
from hfdeploy.pytokens import (
    CLOSERS,
    NAME,
    OP,
    OPENERS,
    STRING,
    Token,
    file_tokens,
    matching,
    split_items,
    top_level,
)
from hfdeploy.signatures import Signature

if TYPE_CHECKING:
    from hfdeploy.project import Project

# FastAPI calls these values with keyword arguments: `Depends(f)`, `Security(f)`,
# `router.add_api_route("/", f)`, `app.dependency_overrides[f] = g`.
KEYWORD_CALLERS = frozenset({"Depends", "Security", "add_api_route", "add_api_websocket_route"})
_DEF_BEFORE = re.compile(r"\bdef\s+$")
_FSTRING_PREFIX = re.compile(r"[a-zA-Z]*[fF][a-zA-Z]*['\"]")
_FSTRING_ANY = re.compile(r"(?<![\w'\"])(?:[fF][rR]?|[rR][fF])['\"]")


@dataclass(frozen=True, slots=True)
class Argument:
    kind: str  # "positional" | "keyword" | "star" | "double-star"
    span: Span
    pure: bool  # cannot have side effects (see `side_effect_free`): moving it is harmless
    needs_parens: bool  # `x := 1`, `yield x` or a bare generator, to become `name=(...)`
    name: str | None = None  # of a keyword argument


@dataclass(frozen=True, slots=True)
class Call:
    path: PurePosixPath
    at: int  # offset of the called name
    args: tuple[Argument, ...] | None  # None: the argument list could not be read
    implicit: int  # leading parameters bound without an argument (`self`, `cls`)


@dataclass
class References:
    calls: list[Call] = field(default_factory=list)  # resolve to the function
    unknown_calls: list[Call] = field(default_factory=list)  # `obj.name(...)`, `obj` unknown
    values: list[tuple[PurePosixPath, int]] = field(default_factory=list)  # passed as a value
    # f-strings this Python tokenizes as one string (before 3.12) that seem to call it
    hidden: list[tuple[PurePosixPath, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    sig: Signature
    home: PurePosixPath
    leaf: str  # the name imports refer to: the function, or the class owning the method
    term: str  # the name its callers write: the function's, or the class's for a constructor
    wanted: frozenset[str]  # its dotted names: "app.crud.create", "crud.create"
    parents: frozenset[str]  # packages that may re-export it: "app"

    def is_it(self, dotted: str) -> bool:
        parent, _, last = dotted.rpartition(".")
        return dotted in self.wanted or (last == self.leaf and parent in self.parents)


def find_references(project: Project, home: PurePosixPath, sig: Signature) -> References:
    refs = References()
    if sig.name is None:
        return refs
    owner = sig.owner_class
    leaf = owner.name if owner is not None else sig.name
    modules = module_names(home)
    target = _Target(
        sig,
        home,
        leaf,
        # Constructors are called through the class: `Task(...)` runs `Task.__init__`.
        leaf if _is_constructor(sig) else sig.name,
        frozenset(f"{m}.{leaf}" for m in modules),
        frozenset(m.rsplit(".", 1)[0] for m in modules if "." in m),
    )
    for path in [home] if sig.is_nested else _candidates(project, target):
        text = project.text(path)
        if text and not (path == home and _named_only_where_defined(text, sig)):
            _scan_file(project, file_imports(project, path), path, target, refs)
    return refs


# What may follow a parameter list's last parameter up to its `)`, and what must not follow
# that `)` for the `def` name to be skipped unread (`_echoed_in_fstring` looks for `=` there).
_TO_CLOSE = re.compile(r"(?:[ \t\f\r\n,]|\\\r?\n|#[^\r\n]*)*\)")
_EQUALS_NEXT = re.compile(r"[ \t\f\r\n\\]*=")


def _named_only_where_defined(text: str, sig: Signature) -> bool:
    """A module-level or nested function whose name appears once in its module's text, at its
    `def`: scanning the module finds no reference to it (the `def` name is skipped, aliases and
    f-string calls would name it again), so it is not tokenized for that. `str.count` counts
    every occurrence, inside words, strings and comments too: only ever too many."""
    if sig.kind != "def" or sig.name is None or sig.owner_class is not None or not sig.params:
        return False
    if text.count(sig.name) != 1:
        return False
    close = _TO_CLOSE.match(text, sig.params[-1].span.end)
    return close is not None and _EQUALS_NEXT.match(text, close.end()) is None


@dataclass(frozen=True)
class _Sites:
    """The files that may refer to any function named `term`, found once per name (however
    many findings share it) from the project's identifier index."""

    anywhere: tuple[PurePosixPath, ...]  # `obj.term`, or an f-string calling it: always scanned
    by_import: dict[str, frozenset[PurePosixPath]]  # dotted name imported -> files using `term`
    by_star: dict[str, frozenset[PurePosixPath]]  # `from module import *` -> files using `term`


def _sites(project: Project, term: str) -> _Sites:
    def build() -> _Sites:
        called = re.compile(rf"(?<!\w){re.escape(term)}\s*\(")
        anywhere: list[PurePosixPath] = []
        by_import: dict[str, set[PurePosixPath]] = {}
        by_star: dict[str, set[PurePosixPath]] = {}
        for path in project.files_mentioning(term):
            text = project.text(path)
            if not text:
                continue
            on_object, used = _uses(text, term)
            if on_object or (used and _FSTRING_ANY.search(text) and called.search(text)):
                anywhere.append(path)
            elif used:
                # A bare `term` elsewhere is the function only where an import binds it.
                bound, stars = imported_names(project, path)
                for dotted in bound:
                    by_import.setdefault(dotted, set()).add(path)
                for module in stars:
                    by_star.setdefault(module, set()).add(path)
        return _Sites(
            tuple(anywhere),
            {k: frozenset(v) for k, v in by_import.items()},
            {k: frozenset(v) for k, v in by_star.items()},
        )

    return project.memo(("pysource.call-sites", term), build)


def _candidates(project: Project, target: _Target) -> list[PurePosixPath]:
    """The files that may refer to the target: its own module, files that use the name on an
    object, and files whose imports bind it; looked up, never scanned per finding."""
    sites = _sites(project, target.term)
    found = {target.home, *sites.anywhere}
    for dotted in (*target.wanted, *(f"{p}.{target.leaf}" for p in target.parents)):
        found.update(sites.by_import.get(dotted, ()))
    for module in module_names(target.home):
        found.update(sites.by_star.get(module, ()))
    return sorted(found, key=str)


def _is_constructor(sig: Signature) -> bool:
    return sig.owner_class is not None and sig.name in ("__init__", "__new__")


def _uses(text: str, term: str) -> tuple[bool, bool]:
    """(`obj.term` appears, `term` appears other than as a `def` name): a cheap pre-filter
    before tokenizing, with `str.find` (a regex that starts with a look-behind scans slower)."""
    used = False
    start = text.find(term)
    while start != -1:
        end = start + len(term)
        if (start == 0 or not _word_char(text[start - 1])) and (
            end == len(text) or not _word_char(text[end])
        ):
            before = start - 1
            while before >= 0 and text[before] in " \t\r\n\\":
                before -= 1
            if before >= 0 and text[before] == ".":
                return True, True
            if not _DEF_BEFORE.search(text, max(0, start - 16), start):
                used = True
        start = text.find(term, end)
    return False, used


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class _Positions:
    names: dict[str, list[int]]  # token indices of each name
    fstrings: list[int]  # token indices of f-strings this Python reads as one string


def _positions(project: Project, path: PurePosixPath) -> _Positions:
    def build() -> _Positions:
        names: dict[str, list[int]] = {}
        fstrings = []
        for i, tok in enumerate(file_tokens(project, path)):
            if tok.type == NAME:
                names.setdefault(tok.text, []).append(i)
            elif tok.type == STRING and _FSTRING_PREFIX.match(tok.text):
                fstrings.append(i)
        return _Positions(names, fstrings)

    return project.memo(("pysource.name-positions", path), build)


def _scan_file(
    project: Project, imports: Imports, path: PurePosixPath, target: _Target, refs: References
) -> None:
    sig = target.sig
    local = {name for name, dotted in imports.names.items() if target.is_it(dotted)}
    if path == target.home or any(m in module_names(target.home) for m in imports.star_modules):
        local.add(target.leaf)
    called = re.compile(rf"(?<![\w]){re.escape(target.term)}\s*\(")
    tokens = file_tokens(project, path)
    text = project.text(path) or ""
    positions = _positions(project, path)
    # Only the tokens that can refer to the target: names it may be called by, and f-strings.
    wanted = {*local, target.leaf, "cls", *([sig.name] if sig.name else [])}
    indices = sorted(
        [*positions.fstrings, *(i for name in wanted for i in positions.names.get(name, ()))]
    )
    for i in indices:
        tok = tokens[i]
        if tok.type == STRING and called.search(tok.text):
            refs.hidden.append((path, tok.start))
        if tok.type != NAME or imports.in_statement(i):
            continue
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        attribute = prev is not None and prev.is_op(".")
        named = tok.text == target.leaf if attribute else tok.text in local
        if nxt is not None and nxt.is_op("(") and _echoed_in_fstring(tokens, i + 1):
            if tok.text in local or tok.text == sig.name or tok.text == "cls":
                refs.hidden.append((path, tok.start))  # rewriting it would change the text
            continue
        if _is_constructor(sig) and nxt is not None and nxt.is_op("("):
            if named and _is_class_call(tokens, i, attribute, imports, target):
                refs.calls.append(Call(path, tok.start, read_arguments(tokens, i + 1, text), 1))
                continue
            if _is_own_cls_call(tokens, i, path, target):
                # `return cls(size, ceiling)` in a classmethod builds the class as well
                refs.calls.append(Call(path, tok.start, read_arguments(tokens, i + 1, text), 1))
                continue
            if named:
                continue
        is_alias = tok.text in local and not attribute and sig.owner_class is None
        if tok.text != sig.name and not is_alias:
            continue
        if prev is not None and (prev.is_name("def") or prev.is_name("class")):
            continue
        if (nxt is not None and nxt.is_op("=")) or (attribute and sig.is_nested):
            continue  # a keyword argument, an assignment, or not reachable as an attribute
        if attribute:
            resolved, implicit = _resolve_attribute(tokens, i, local, imports, target, path)
        else:
            resolved, implicit = (True, 0) if is_alias else (None, 0)
        if resolved is None:
            continue  # something else with the same name
        if nxt is not None and nxt.is_op("("):
            call = Call(path, tok.start, read_arguments(tokens, i + 1, text), implicit)
            (refs.calls if resolved else refs.unknown_calls).append(call)
        elif resolved and not _harmless_value_use(tokens, i, prev, nxt):
            refs.values.append((path, tok.start))


def _echoed_in_fstring(tokens: list[Token], open_index: int) -> bool:
    """`f"{name(1, 2)=}"` (Python 3.12+ tokenizes inside f-strings): the call's own text is
    printed, so a rewrite would change the output. A call is never followed by a plain `=`
    anywhere else."""
    close = matching(tokens, open_index)
    return close is not None and close + 1 < len(tokens) and tokens[close + 1].is_op("=")


def _is_class_call(
    tokens: list[Token], i: int, attribute: bool, imports: Imports, target: _Target
) -> bool:
    """`Task(...)` or `models.Task(...)` where the name is bound to the class."""
    if not attribute:
        return not (i and tokens[i - 1].is_name("class"))
    owner = _owner(tokens, i)
    first = owner.split(".")[0] if owner else ""
    if owner is None or first not in imports.names:
        return False
    return target.is_it(imports.names[first] + owner[len(first) :] + "." + tokens[i].text)


def _is_own_cls_call(tokens: list[Token], i: int, path: PurePosixPath, target: _Target) -> bool:
    """`cls(...)` inside the class that owns the constructor."""
    klass = target.sig.owner_class
    return (
        tokens[i].text == "cls"
        and not (i and tokens[i - 1].is_op("."))
        and path == target.home
        and klass is not None
        and klass.contains(tokens[i].start)
    )


def _resolve_attribute(
    tokens: list[Token],
    i: int,
    local: set[str],
    imports: Imports,
    target: _Target,
    path: PurePosixPath,
) -> tuple[bool | None, int]:
    """(True: it is the function, False: an unknown object, None: something else; implicit)."""
    binding = target.sig.binding
    bound = 0 if binding in ("function", "staticmethod") else 1
    owner = _owner(tokens, i)
    if owner is None:
        return False, bound  # `get_repo().save(...)`, `super().save(...)`
    first = owner.split(".")[0]
    full = imports.names[first] + owner[len(first) :] if first in imports.names else None
    klass = target.sig.owner_class
    if klass is None:
        if full is None:
            return False, 0
        return (True, 0) if target.is_it(f"{full}.{target.sig.name}") else (None, 0)
    if owner in ("self", "cls") and path == target.home and klass.contains(tokens[i].start):
        return True, bound
    if owner in local or (full is not None and target.is_it(full)):
        return True, 1 if binding == "classmethod" else 0  # `Repo.save(repo, ...)`
    if full is not None:
        return None, 0  # an imported name that is not the class
    return False, bound


def _owner(tokens: list[Token], i: int) -> str | None:
    """`a.b` for `a.b.name`; None when the object is a call result, a subscript or a literal."""
    parts: list[str] = []
    j = i - 1
    while j >= 1 and tokens[j].is_op(".") and tokens[j - 1].type == NAME:
        parts.append(tokens[j - 1].text)
        j -= 2
    before = tokens[j] if j >= 0 and parts else None
    if not parts or (before is not None and (before.is_op(".") or before.text in CLOSERS)):
        return None
    return ".".join(reversed(parts))


def _harmless_value_use(tokens: list[Token], i: int, prev: Token | None, nxt: Token | None) -> bool:
    if nxt is not None and nxt.is_op("."):
        return True  # `f.__name__`, `f.cache_clear()`
    if prev is not None and prev.is_op("@"):
        return True  # `@f` passes only the decorated function: the first parameter
    start = i
    while start > 0 and not tokens[start].line_start:
        start -= 1
    if any(t.is_name("dependency_overrides") for t in tokens[start:i]):
        return True
    depth = 0
    for j in range(i - 1, start - 1, -1):
        tok = tokens[j]
        if tok.type == OP and tok.text in CLOSERS:
            depth += 1
        elif tok.type == OP and tok.text in OPENERS:
            if depth == 0:
                callee = tokens[j - 1] if j else None
                return (
                    tok.text == "("
                    and callee is not None
                    and callee.type == NAME
                    and callee.text in KEYWORD_CALLERS
                )
            depth -= 1
    return False


def read_arguments(tokens: list[Token], open_index: int, text: str) -> tuple[Argument, ...] | None:
    close = matching(tokens, open_index)
    if close is None:
        return None
    lo = open_index + 1
    if lo < close and any(t.is_name("for") for t in top_level(tokens, lo, close)):
        # `f(x for x in y)`: one argument, whatever commas the `for` target holds
        return (Argument("positional", Span(tokens[lo].start, tokens[close - 1].end), False, True),)
    items, _ = split_items(tokens, lo, close)
    args = []
    for a, b in items:
        if a == b:
            return None  # `f(a, , b)`
        first = tokens[a]
        if first.is_op("*") or first.is_op("**"):
            kind = "star" if first.text == "*" else "double-star"
        elif first.type == NAME and b > a + 1 and tokens[a + 1].is_op("="):
            kind = "keyword"
        else:
            kind = "positional"
        skip = {"positional": 0, "keyword": 2}.get(kind, 1)  # `name=`, `**`
        pure = (
            kind != "star"
            and a + skip < b
            and side_effect_free(text[tokens[a + skip].start : tokens[b - 1].end])
        )
        wrap = any(t.is_op(":=") or t.is_name("yield") for t in top_level(tokens, a, b))
        name = first.text if kind == "keyword" else None
        args.append(Argument(kind, Span(first.start, tokens[b - 1].end), pure, wrap, name))
    return tuple(args)


def side_effect_free(expression: str) -> bool:
    """True when evaluating `expression` cannot run code or change anything, so evaluating it
    earlier or later in a call is unobservable: literals, names, lambdas (only their defaults
    are evaluated) and tuples, lists, sets and dicts of those. Attribute reads (a property or
    `__getattr__` may run), calls, subscripts, operators, f-strings, `*`-unpacking and walrus
    assignments are not."""
    try:
        node = ast.parse(f"(\n{expression}\n)", mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return _pure(node)


def _pure(node: ast.expr) -> bool:
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.UnaryOp):  # `-1`, not `-x` (which runs `x.__neg__`)
        return isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Lambda):
        defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
        return all(_pure(d) for d in defaults)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_pure(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _pure(k) for k in node.keys) and all(
            _pure(v) for v in node.values
        )
    return False
