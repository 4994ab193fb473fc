"""PY001 property: for generated signatures and calls written for the declared order, the fix
compiles, keeps every parameter with its annotation and default, and binds the same values."""

from __future__ import annotations

import ast
import inspect
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from hfdeploy.diagnostics import Applicability
from tests.support import fix_tree, make_tree

ANNOTATIONS = [
    None,
    "int",
    "Dict[str, int]",
    "Tuple[int, ...]",
    "Callable[[int, str], None]",
    "'a, b'",
]
DEFAULTS = ["1", "(1, 2)", "{'k': [1, 2]}", "lambda x, y: x", "'s, t'", "None", "Query(None, n=5)"]
HEADER = (
    "from typing import Callable, Dict, Tuple\n\n"
    "def Query(default, **extra):\n    return ('query', default)\n\n"
)


@dataclass(frozen=True)
class P:
    name: str
    annotation: str | None
    default: str | None

    def text(self) -> str:
        ann = f": {self.annotation}" if self.annotation else ""
        if self.default is None:
            return self.name + ann
        return f"{self.name}{ann} = {self.default}" if ann else f"{self.name}={self.default}"


@dataclass(frozen=True)
class Sig:
    positional: tuple[P, ...]
    slash: int  # positional-only count (0: no `/`)
    star: str  # "", "*", "*args"
    keyword_only: tuple[P, ...]
    kwargs: bool

    def text(self) -> str:
        parts = [p.text() for p in self.positional]
        if self.slash:
            parts.insert(self.slash, "/")
        if self.star == "*args":
            parts.append("*args")
        elif self.star == "*":
            parts.append("*")
        parts += [p.text() for p in self.keyword_only]
        if self.kwargs:
            parts.append("**kw")
        return ", ".join(parts)

    @property
    def offending(self) -> bool:
        seen_default = False
        for p in self.positional:
            if p.default is not None:
                seen_default = True
            elif seen_default:
                return True
        return False

    @property
    def unfixable(self) -> bool:
        head, rest = self.positional[: self.slash], self.positional[self.slash :]
        return (
            self.star == "*args"
            and any(p.default is not None for p in head)
            and any(p.default is None for p in rest)
        )


@st.composite
def params(draw: st.DrawFn, prefix: str, count: int) -> tuple[P, ...]:
    return tuple(
        P(
            f"{prefix}{i}",
            draw(st.sampled_from(ANNOTATIONS)),
            draw(st.one_of(st.none(), st.sampled_from(DEFAULTS))),
        )
        for i in range(count)
    )


@st.composite
def signatures(draw: st.DrawFn) -> Sig:
    positional = draw(params("p", draw(st.integers(1, 6))))
    slash = draw(st.integers(0, len(positional))) if draw(st.booleans()) else 0
    star = draw(st.sampled_from(["", "*", "*args"]))
    keyword_only = draw(params("k", draw(st.integers(1 if star == "*" else 0, 2)))) if star else ()
    return Sig(positional, slash, star, keyword_only, draw(st.booleans()))


@st.composite
def calls(draw: st.DrawFn, sig: Sig) -> tuple[str, dict[str, object]]:
    """A call written for the declared order, and the values it binds."""
    region = sig.positional
    required = [i for i, p in enumerate(region) if p.default is None]
    low = max([i + 1 for i in required if i < sig.slash] + [0])
    m = draw(st.integers(low, len(region)))
    counter = iter(range(100, 1000))
    args: list[str] = []
    bound: dict[str, object] = {}
    for p in region[:m]:
        bound[p.name] = value = next(counter)
        args.append(str(value))
    extra: list[int] = []
    if m == len(region) and sig.star == "*args" and draw(st.booleans()):
        extra = [next(counter) for _ in range(draw(st.integers(1, 2)))]
        args += map(str, extra)
    after = [p for i, p in enumerate(region) if i >= max(m, sig.slash)]  # not positional-only
    keywords = [p for p in after if p.default is None or draw(st.booleans())]
    keywords += [p for p in sig.keyword_only if p.default is None or draw(st.booleans())]
    for p in draw(st.permutations(keywords)):
        bound[p.name] = value = next(counter)
        args.append(f"{p.name}={value}")
    if sig.star == "*args":
        bound["args"] = tuple(extra)
    if sig.kwargs:
        bound["kw"] = {"extra": 7} if draw(st.booleans()) else {}
        if bound["kw"]:
            args.append("extra=7")
    return ", ".join(args), bound


def described(source: str) -> list[tuple[str, str | None, str | None]]:
    fn = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "f")
    a = fn.args
    plain = a.posonlyargs + a.args
    defaults = [None] * (len(plain) - len(a.defaults)) + a.defaults
    out = [(arg.arg, arg.annotation, d) for arg, d in zip(plain, defaults, strict=True)]
    out += [
        (arg.arg, arg.annotation, d) for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
    ]
    return [(n, ast.unparse(t) if t else None, ast.unparse(d) if d else None) for n, t, d in out]


def declared(sig: Sig) -> list[tuple[str, str | None, str | None]]:
    def norm(text: str | None) -> str | None:
        return ast.unparse(ast.parse(text, mode="eval")) if text else None

    return [
        (p.name, norm(p.annotation), norm(p.default)) for p in sig.positional + sig.keyword_only
    ]


@st.composite
def programs(draw: st.DrawFn) -> tuple[Sig, list[tuple[str, dict[str, object]]]]:
    sig = draw(signatures())
    return sig, [draw(calls(sig)) for _ in range(draw(st.integers(1, 3)))]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_fix_compiles_keeps_parameters_and_binds_the_same_values(program) -> None:  # type: ignore[no-untyped-def]
    sig, call_list = program
    source = HEADER + f"def f({sig.text()}):\n    return dict(locals())\n\n"
    source += "RESULTS = [\n" + "".join(f"    f({text}),\n" for text, _ in call_list) + "]\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = make_tree(Path(tmp), {"m.py": source})
        outcome = fix_tree(root, "PY001", write=False)
        fixed = outcome.changes.get(PurePosixPath("m.py"), source)
    event("valid" if not sig.offending else "unfixable" if sig.unfixable else "fixed")
    if not sig.offending:
        assert fixed == source
        return
    if sig.unfixable:
        assert fixed == source and [d.fix for d in outcome.remaining] == [None]
        return
    assert all(d.fix is None or d.fix.applicability is Applicability.SAFE for d in outcome.applied)
    assert outcome.remaining == []
    event(outcome.applied[0].fix.title.split(" ")[0])  # "Make" (bare `*`) or "Move" (reorder)
    assert sorted(described(fixed), key=str) == sorted(declared(sig), key=str)
    if (
        "keyword-only" in outcome.applied[0].fix.title
        and "Move" not in outcome.applied[0].fix.title
    ):
        assert [n for n, _, _ in described(fixed)] == [
            p.name for p in sig.positional + sig.keyword_only
        ]
    namespace: dict[str, object] = {}
    exec(compile(fixed, "m.py", "exec"), namespace)
    defaults = inspect.signature(namespace["f"]).parameters  # type: ignore[arg-type]
    for (_, bound), got in zip(call_list, namespace["RESULTS"], strict=True):  # type: ignore[call-overload]
        expected = {name: bound.get(name, param.default) for name, param in defaults.items()}
        assert got == expected


# Arguments of every shape the fix may move: side-effect free ones (the fix stays safe) and
# ones that may run code (an attribute read, a call), which make a reorder unsafe.
PURE_FORMS = ["{n}", "V{n}", "[{n}]", "({n}, V{n})", "{{'k': {n}}}", "(lambda: {n})", "-{n}"]
IMPURE_FORMS = ["box.v{n}", "ident({n})"]
USE_HEADER = (
    "from lib import f\n\n"
    "def ident(x):\n    return x\n\n"
    "class Box:\n    def __getattr__(self, name):\n        return int(name[1:])\n\n"
    "box = Box()\n"
)


def _plain(value: object) -> object:
    return value() if callable(value) else value


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(programs(), st.data())
def test_fix_write_across_modules_compiles_and_binds_by_what_arguments_can_do(  # type: ignore[no-untyped-def]
    program, data
) -> None:
    """Calls in another module pass literals, names, lambdas and containers (and sometimes an
    attribute read or a call): after `fix --write` (safe fixes only) every module compiles and
    every call binds each argument to the same parameter, or the fix was withheld as unsafe
    because an argument that may run code would move."""
    import re

    sig, call_list = program
    assume(sig.offending and not sig.unfixable)
    impure = data.draw(st.booleans())
    forms = PURE_FORMS + (IMPURE_FORMS if impure else [])
    shapes: list[dict[int, str]] = []  # per call: value -> the expression passing it

    def shaped(text: str) -> str:
        values: dict[int, str] = {}

        def shape(match: re.Match[str]) -> str:
            n = int(match.group(0))
            values[n] = data.draw(st.sampled_from(forms)).format(n=n)
            return values[n]

        shapes.append(values)
        return re.sub(r"(?<![\w.])[1-9]\d\d(?!\w)", shape, text)

    texts = [shaped(text) for text, _ in call_list]
    names = sorted({n for values in shapes for n in values})
    lib = HEADER + f"def f({sig.text()}):\n    return dict(locals())\n"
    use = USE_HEADER + "".join(f"V{n} = {n}\n" for n in names)
    use += "RESULTS = [\n" + "".join(f"    f({text}),\n" for text in texts) + "]\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = make_tree(Path(tmp), {"lib.py": lib, "use.py": use})
        outcome = fix_tree(root, "PY001", write=True)
        fixed_lib = (root / "lib.py").read_text()
        fixed_use = (root / "use.py").read_text()
    if outcome.remaining:
        (left,) = outcome.remaining
        assert impure and left.fix is not None and left.fix.applicability is Applicability.UNSAFE
        assert any("evaluated in another order" in n for n in left.notes), left.notes
        assert (fixed_lib, fixed_use) == (lib, use)  # nothing written for an unsafe fix
        event("withheld: an argument that may run code moves")
        return
    event("applied" + (" with impure arguments left in place" if impure else ""))
    namespace: dict[str, object] = {}
    exec(compile(fixed_lib, "lib.py", "exec"), namespace)
    module = type(sys)("lib")
    module.__dict__.update(namespace)
    sys.modules["lib"] = module
    try:
        use_ns: dict[str, object] = {}
        exec(compile(fixed_use, "use.py", "exec"), use_ns)
    finally:
        del sys.modules["lib"]
    params = inspect.signature(namespace["f"]).parameters  # type: ignore[arg-type]
    results = use_ns["RESULTS"]
    for (_, bound), values, got in zip(call_list, shapes, results, strict=True):  # type: ignore[call-overload]
        for name, param in params.items():
            if name not in bound:
                assert got[name] == param.default, (name, fixed_use)
                continue

            def passed(v: object, values: dict[int, str] = values) -> object:
                return _plain(eval(values[v], use_ns)) if v in values else v  # type: ignore[index]

            want = bound[name]
            if isinstance(want, tuple):
                assert tuple(map(_plain, got[name])) == tuple(map(passed, want)), fixed_use
            elif isinstance(want, int):
                assert _plain(got[name]) == passed(want), (name, fixed_use)
            else:
                assert got[name] == want, (name, fixed_use)
