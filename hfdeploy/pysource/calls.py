"""Where a function is used across the project, found from tokens (so modules that do not parse
count too): calls that resolve to it, same-named calls on objects nobody can resolve statically,
and places that pass it around as a value."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Span
from hfdeploy.pysource.imports import Imports, file_imports, module_names
from hfdeploy.pysource.signatures import Signature
from hfdeploy.pysource.tokens import (
    CLOSERS,
    NAME,
    NUMBER,
    OP,
    OPENERS,
    STRING,
    Token,
    file_tokens,
    matching,
    split_items,
    top_level,
)

if TYPE_CHECKING:
    from hfdeploy.project import Project

# FastAPI calls these values with keyword arguments: `Depends(f)`, `Security(f)`,
# `router.add_api_route("/", f)`, `app.dependency_overrides[f] = g`.
KEYWORD_CALLERS = frozenset({"Depends", "Security", "add_api_route", "add_api_websocket_route"})
_LITERAL_NAMES = frozenset({"None", "True", "False"})
_DEF_BEFORE = re.compile(r"\bdef\s+$")
_FSTRING_PREFIX = re.compile(r"[a-zA-Z]*[fF][a-zA-Z]*['\"]")


@dataclass(frozen=True, slots=True)
class Argument:
    kind: str  # "positional" | "keyword" | "star" | "double-star"
    span: Span
    simple: bool  # names, literals, attribute chains: evaluating it in another order is harmless
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
    mention = re.compile(rf"(?<!\w){re.escape(target.term)}(?!\w)")
    for path, text in [(home, project.text(home))] if sig.is_nested else project.python_texts():
        if text and target.term in text and (path == home or _used(text, mention)):
            _scan_file(file_tokens(project, path), file_imports(project, path), path, target, refs)
    return refs


def _is_constructor(sig: Signature) -> bool:
    return sig.owner_class is not None and sig.name in ("__init__", "__new__")


def _used(text: str, mention: re.Pattern[str]) -> bool:
    """Cheap pre-filter before tokenizing: a mention other than another `def` of the name."""
    return any(
        not _DEF_BEFORE.search(text, max(0, m.start() - 16), m.start())
        for m in mention.finditer(text)
    )


def _scan_file(
    tokens: list[Token], imports: Imports, path: PurePosixPath, target: _Target, refs: References
) -> None:
    sig = target.sig
    local = {name for name, dotted in imports.names.items() if target.is_it(dotted)}
    if path == target.home or any(m in module_names(target.home) for m in imports.star_modules):
        local.add(target.leaf)
    called = re.compile(rf"(?<![\w]){re.escape(target.term)}\s*\(")
    for i, tok in enumerate(tokens):
        if tok.type == STRING and _FSTRING_PREFIX.match(tok.text) and called.search(tok.text):
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
                refs.calls.append(Call(path, tok.start, read_arguments(tokens, i + 1), 1))
                continue
            if _is_own_cls_call(tokens, i, path, target):
                # `return cls(size, ceiling)` in a classmethod builds the class as well
                refs.calls.append(Call(path, tok.start, read_arguments(tokens, i + 1), 1))
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
            call = Call(path, tok.start, read_arguments(tokens, i + 1), implicit)
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


def read_arguments(tokens: list[Token], open_index: int) -> tuple[Argument, ...] | None:
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
        simple = all(_is_simple(t) for t in tokens[a:b])
        wrap = any(t.is_op(":=") or t.is_name("yield") for t in top_level(tokens, a, b))
        name = first.text if kind == "keyword" else None
        args.append(Argument(kind, Span(first.start, tokens[b - 1].end), simple, wrap, name))
    return tuple(args)


def _is_simple(tok: Token) -> bool:
    if tok.type == NAME:
        return not keyword.iskeyword(tok.text) or tok.text in _LITERAL_NAMES
    return tok.type in (NUMBER, STRING) or tok.is_op(".") or tok.is_op("-")
